import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sprintf } from "./go-template/format.ts";
import { renderTemplate, Template, TemplateError, type TemplateErrorCode } from "./go-template/template.ts";

class Person {
  readonly Name: string;
  readonly Tags: string[];
  constructor(name: string, tags: string[]) {
    this.Name = name;
    this.Tags = tags;
  }
  Greet(other: unknown): string {
    return `hello ${String(other)} from ${this.Name}`;
  }
  String(): string {
    return `Person(${this.Name})`;
  }
}

const data = {
  S: "text",
  N: 3,
  Empty: "",
  L: ["b", "a", "c"],
  M: new Map<string, unknown>([
    ["zeta", 1],
    ["alpha", 2],
    ["mid", 3],
  ]),
  P: new Person("ann", ["x", "y"]),
  Nil: null,
};

const render = (source: string, value: unknown = data): string => renderTemplate(source, value);

function fails(
  source: string,
  code: TemplateErrorCode,
  line: number,
  column: number,
  value: unknown = data,
): void {
  assert.throws(
    () => render(source, value),
    (err: unknown) => {
      assert.ok(err instanceof TemplateError, String(err));
      assert.deepEqual([err.code, err.line, err.column], [code, line, column], err.message);
      return true;
    },
    source,
  );
}

describe("go-template text and trimming", () => {
  it("copies text and prints values", () => {
    assert.equal(
      render("a {{ .S }} {{ .N }} {{ .P }} {{ .L }} {{ .M }} {{ .Nil }}"),
      "a text 3 Person(ann) [b a c] map[alpha:2 mid:3 zeta:1] <nil>",
    );
  });

  it("trims whitespace on the marked side only", () => {
    assert.equal(render("a \n\t {{- .S -}} \n b"), "atextb");
    assert.equal(render("a  {{- .S }}  b"), "atext  b");
    assert.equal(render("a  {{ .S -}}  \n b"), "a  textb");
    assert.equal(render("{{-3}} {{ -3 }}"), "-3 -3");
  });

  it("drops comments, trimming around them when asked", () => {
    assert.equal(render("a{{/* a comment\nover lines */}}b"), "ab");
    assert.equal(render("a \n {{- /* c */ -}} \n b"), "ab");
  });

  it("reads Go string, raw string, number, rune and boolean literals", () => {
    assert.equal(
      render(
        '{{ "a\\tb\\u00e9\\x41\\"" }}|{{ `raw\\n` }}|{{ 0x1F }} {{ 1_000 }} {{ 017 }} {{ 1.5 }} {{ \'a\' }} {{ true }}',
      ),
      'a\tbéA"|raw\\n|31 1000 15 1.5 97 true',
    );
  });
});

describe("go-template control structures", () => {
  it("if / else if / else with Go truth", () => {
    const t = "{{ if .Empty }}1{{ else if .L }}2{{ else }}3{{ end }}";
    assert.equal(render(t), "2");
    assert.equal(render(t, { Empty: "", L: [] }), "3");
    assert.equal(render("{{ if .Nil }}x{{ else }}nil is false{{ end }}"), "nil is false");
    assert.equal(render("{{ if .M.missing }}x{{ else }}missing is false{{ end }}"), "missing is false");
  });

  it("with rebinds dot and has an else", () => {
    assert.equal(
      render("{{ with .P }}{{ .Name }}{{ end }}|{{ with .Empty }}x{{ else }}none{{ end }}"),
      "ann|none",
    );
    assert.equal(render("{{ with $x := .N }}{{ $x }}{{ . }}{{ end }}"), "33");
  });

  it("range over slices, maps in key order, integers; else; break and continue", () => {
    assert.equal(render("{{ range .L }}{{ . }}{{ end }}"), "bac");
    assert.equal(render("{{ range $i, $v := .L }}{{ $i }}={{ $v }} {{ end }}"), "0=b 1=a 2=c ");
    assert.equal(render("{{ range $k, $v := .M }}{{ $k }}:{{ $v }} {{ end }}"), "alpha:2 mid:3 zeta:1 ");
    assert.equal(render("{{ range $v := .M }}{{ $v }}{{ end }}"), "231");
    assert.equal(render("{{ range .N }}{{ . }}{{ end }}"), "012");
    assert.equal(render("{{ range .Nil }}x{{ else }}empty{{ end }}"), "empty");
    assert.equal(
      render(
        '{{ range .L }}{{ if eq . "a" }}{{ continue }}{{ end }}{{ if eq . "c" }}{{ break }}{{ end }}{{ . }}{{ end }}',
      ),
      "b",
    );
    assert.equal(render("{{ range .L }}{{ range $.L }}{{ break }}{{ end }}{{ . }}{{ end }}"), "bac");
  });

  it("scopes variables to their block; = assigns an outer variable", () => {
    assert.equal(render("{{ $n := 0 }}{{ range .L }}{{ $n = add $n 1 }}{{ end }}{{ $n }}"), "3");
    assert.equal(render("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}"), "21");
    assert.equal(render("{{ range .L }}{{ $.S }}{{ end }}"), "texttexttext");
  });
});

describe("go-template pipelines, fields, methods", () => {
  it("passes a pipeline's value as the last argument", () => {
    assert.equal(render('{{ .S | printf "%s!" }}'), "text!");
    assert.equal(render('{{ "x" | printf "%s-%s" "a" }}'), "a-x");
    assert.equal(render('{{ .S | upper | printf "%q" }}'), '"TEXT"');
  });

  it("evaluates parenthesised pipelines and chains fields after them", () => {
    assert.equal(render("{{ (index .L 1) }} {{ (.P).Name }} {{ len (slice .L 1) }}"), "a ann 2");
  });

  it("calls methods, with arguments when given", () => {
    assert.equal(
      render('{{ .P.Greet "bob" }}|{{ "eve" | .P.Greet }}'),
      "hello bob from ann|hello eve from ann",
    );
  });

  it("prints <no value> for a missing map key and fails for a missing struct field", () => {
    assert.equal(render("{{ .M.nope }}"), "<no value>");
    fails("line 1\n  {{ .P.Age }}", "missing-field", 2, 6);
    fails("{{ .Nil.X }}", "missing-field", 1, 4);
    fails("{{ .S.X }}", "missing-field", 1, 4);
    fails("{{ .constructor }}", "missing-field", 1, 4);
    fails("{{ .P.toString }}", "missing-field", 1, 4);
  });

  it("evaluates and/or lazily", () => {
    assert.equal(
      render('{{ and false (index .L 99) }}|{{ or .N (index .L 99) }}|{{ and 1 2 }}|{{ or 0 "" }}'),
      "false|3|2|",
    );
  });
});

describe("go-template builtin functions", () => {
  it("print, println, printf", () => {
    assert.equal(render('{{ print 1 2 "a" 3 "b" "c" }}'), "1 2a3bc");
    assert.equal(render('{{ println 1 "a" }}'), "1 a\n");
    assert.equal(
      sprintf("%s|%5s|%-5s|%d|%05d|%x|%X|%q|%v|%t|%.2f|%e|%%|%c", [
        "a",
        "b",
        "c",
        42,
        -42,
        255,
        "hi",
        'q"',
        [1, 2],
        true,
        3.14159,
        1234.5,
        65,
      ]),
      'a|    b|c    |42|-0042|ff|6869|"q\\""|[1 2]|true|3.14|1.234500e+03|%|A',
    );
    assert.equal(sprintf("%d %s", [1]), "1 %!s(MISSING)");
    assert.equal(sprintf("%d", [1, "x"]), "1%!(EXTRA string=x)");
    assert.equal(sprintf("%d", ["x"]), "%!d(string=x)");
  });

  it("len counts bytes of strings, elements of slices and maps", () => {
    assert.equal(render('{{ len "é" }} {{ len .L }} {{ len .M }}'), "2 3 3");
    fails("{{ len .N }}", "bad-argument", 1, 4);
  });

  it("comparisons", () => {
    assert.equal(
      render(
        '{{ eq .S "x" "text" }} {{ ne 1 2 }} {{ lt "a" "b" }} {{ ge 2 2 }} {{ gt 1 2 }} {{ not .Empty }}',
      ),
      "true true true true false true",
    );
    fails('{{ eq 1 "1" }}', "bad-argument", 1, 4);
    fails('{{ lt 1 "1" }}', "bad-argument", 1, 4);
  });

  it("index, slice, html, js, urlquery, call", () => {
    assert.equal(render('{{ index .M "mid" }} {{ index .L 2 }} {{ slice "hello" 1 3 }}'), "3 c el");
    assert.equal(render("{{ html \"<a href='x'>&</a>\" }}"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
    assert.equal(render('{{ js "it\'s <b>" }}'), "it\\'s \\u003Cb\\u003E");
    assert.equal(render('{{ urlquery "a b&c/é" }}'), "a+b%26c%2F%C3%A9");
    assert.equal(render("{{ call .F 2 }}", { F: (n: number) => n * 2 }), "4");
    fails("{{ index .L 5 }}", "bad-argument", 1, 4);
  });

  it("checks the number of arguments", () => {
    fails("{{ not 1 2 }}", "bad-argument", 1, 4);
    fails("{{ 3 4 }}", "bad-argument", 1, 4);
  });
});

describe("go-template Sprig functions", () => {
  it("strings", () => {
    assert.equal(
      render(
        '{{ lower "ABC" }} {{ upper "abc" }} {{ title "hello wide world" }} {{ trim "  x  " }} {{ trimPrefix "v" "v1.2" }} {{ trimSuffix ".yaml" "a.yaml" }} {{ replace "-" "_" "a-b-c" }} {{ contains "ell" "hello" }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "lo" "hello" }} {{ repeat 3 "ab" }} {{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }} {{ substr 1 3 "abcdef" }} {{ quote "a" 1 }} {{ squote "a" }} {{ cat "a" 1 nil "b" }} {{ trimAll "$" "$5.00$" }}',
      ),
      'abc ABC Hello Wide World x 1.2 a a_b_c true true true ababab abc ef bc "a" "1" \'a\' a 1 b 5.00',
    );
    assert.equal(render('{{ indent 2 "a\\nb" }}|{{ nindent 2 "a" }}'), "  a\n  b|\n  a");
    assert.equal(render('{{ "x" | contains "y" }}'), "false");
  });

  it("lists, defaults, paths, regular expressions, arithmetic", () => {
    assert.equal(
      render(
        '{{ join ", " .L }} {{ sortAlpha .L }} {{ first .L }} {{ last .L }} {{ uniq (list 1 1 2) }} {{ splitList "/" "a/b" }} {{ keys .M }} {{ has "a" .L }}',
      ),
      "b, a, c [a b c] b c [1 2] [a b] [alpha mid zeta] true",
    );
    assert.equal(
      render(
        '{{ default "d" .Empty }} {{ default "d" .S }} {{ .Empty | default "piped" }} {{ empty .L }} {{ coalesce .Empty .Nil "c" }} {{ ternary "y" "n" true }}',
      ),
      "d text piped false c y",
    );
    assert.equal(
      render('{{ base "a/b/c.yaml" }} {{ dir "a/b/c.yaml" }} {{ ext "c.yaml" }} {{ clean "a//b/../c/" }}'),
      "c.yaml a/b .yaml a/c",
    );
    assert.equal(
      render(
        '{{ regexMatch "^v[0-9]+$" "v12" }} {{ regexFind "[0-9]+" "ab12cd34" }} {{ regexFindAll "[0-9]+" "ab12cd34" -1 }} {{ regexReplaceAll "(?P<x>[0-9]+)" "a1b22" "<${x}>" }}',
      ),
      "true 12 [12 34] a<1>b<22>",
    );
    assert.equal(
      render(
        '{{ add 1 2 3 }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }} {{ max 1 5 2 }} {{ min 3 1 }} {{ add1 1 }} {{ atoi "42" }}',
      ),
      "6 3 6 3 1 5 1 2 42",
    );
    fails("{{ div 1 0 }}", "function-failed", 1, 4);
    fails('{{ regexMatch "(" "x" }}', "function-failed", 1, 4);
    fails("{{ lower 1 }}", "bad-argument", 1, 4);
  });
});

describe("go-template errors carry their position", () => {
  const parseFails = (source: string, code: TemplateErrorCode, line: number, column: number): void => {
    assert.throws(
      () => Template.parse(source, "commit message"),
      (err: unknown) => {
        assert.ok(err instanceof TemplateError, String(err));
        assert.equal(err.phase, "parse");
        assert.deepEqual([err.code, err.line, err.column], [code, line, column], err.message);
        return true;
      },
      source,
    );
  };

  it("reports problems found while parsing", () => {
    parseFails("a\nb {{ .X", "unclosed-action", 2, 3);
    parseFails("{{/* never closed", "unclosed-action", 1, 1);
    parseFails("x\n{{ if .X }}\ny", "unclosed-block", 2, 1);
    parseFails("{{ range .L }}{{ else }}{{ else }}{{ end }}", "syntax", 1, 25);
    parseFails("{{ end }}", "syntax", 1, 1);
    parseFails("{{ else }}", "syntax", 1, 1);
    parseFails("{{ break }}", "syntax", 1, 1);
    parseFails("{{ nosuch .X }}", "unknown-function", 1, 4);
    parseFails("{{ .X | nosuch }}", "unknown-function", 1, 9);
    parseFails("{{ $y }}", "undefined-variable", 1, 4);
    parseFails("{{ $y = 1 }}", "undefined-variable", 1, 4);
    parseFails("{{ }}", "syntax", 1, 1);
    parseFails('{{ "unterminated }}', "syntax", 1, 4);
    parseFails("{{ .X .Y.}}", "syntax", 1, 9);
    parseFails("{{ nil }}", "syntax", 1, 4);
    parseFails('{{ define "x" }}{{ end }}', "unsupported", 1, 1);
    parseFails('{{ template "x" }}', "unsupported", 1, 1);
    parseFails("{{ /* not a comment */ }}", "syntax", 1, 4);
  });

  it("stops runaway templates", () => {
    fails("{{ range 100000000 }}{{ end }}", "function-failed", 1, 1);
    fails('{{ repeat 100000000 "ab" }}', "function-failed", 1, 4);
    fails(`{{ range 20000 }}{{ "${"x".repeat(100)}" }}{{ end }}`, "function-failed", 1, 1);
  });

  it("formats messages as Go does, with a column", () => {
    assert.throws(() => renderTemplate("{{ .Missing }}", {}, "commit message"), {
      message:
        'template: commit message:1:4: executing "commit message" at <.Missing>: can\'t evaluate field Missing in type struct',
    });
  });
});
