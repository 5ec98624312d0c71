import assert from "node:assert/strict";
import { test } from "node:test";
import { diffLines, unifiedDiff } from "./line-diff.ts";

test("diffLines keeps common lines and puts removals before additions", () => {
  assert.deepEqual(diffLines(["a", "b", "c"], ["a", "x", "c"]), [
    { op: " ", line: "a" },
    { op: "-", line: "b" },
    { op: "+", line: "x" },
    { op: " ", line: "c" },
  ]);
  assert.deepEqual(diffLines([], ["a"]), [{ op: "+", line: "a" }]);
  assert.deepEqual(diffLines(["a"], []), [{ op: "-", line: "a" }]);
});

test("unifiedDiff is empty for equal text and prints hunks with three lines of context", () => {
  assert.equal(unifiedDiff("a\nb\n", "a\nb\n", ["x", "y"]), "");
  const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
  const after = before.map((l) => (l === "line 2" ? "line two" : l === "line 18" ? "line eighteen" : l));
  assert.equal(
    unifiedDiff(before.join("\n"), after.join("\n"), ["live", "desired"]),
    [
      "--- live",
      "+++ desired",
      "@@ -1,5 +1,5 @@",
      " line 1",
      "-line 2",
      "+line two",
      " line 3",
      " line 4",
      " line 5",
      "@@ -15,6 +15,6 @@",
      " line 15",
      " line 16",
      " line 17",
      "-line 18",
      "+line eighteen",
      " line 19",
      " line 20",
      "",
    ].join("\n"),
  );
});

test("unifiedDiff joins changes whose context touches into one hunk", () => {
  const before = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
  const after = before.map((l) => (l === "2" || l === "8" ? `${l}!` : l));
  const out = unifiedDiff(before.join("\n"), after.join("\n"), ["a", "b"]);
  assert.equal(out.match(/^@@/gm)?.length, 1, out);
  assert.match(out, /^@@ -1,10 \+1,10 @@$/m);
});
