import assert from "node:assert/strict";
import { test } from "node:test";
import { lines, parseEvent } from "./watch.ts";

async function collect(chunks: string[] | Buffer[]): Promise<string[]> {
  async function* source() {
    for (const c of chunks) yield await Promise.resolve(typeof c === "string" ? Buffer.from(c) : c);
  }
  const out: string[] = [];
  for await (const line of lines(source())) out.push(line);
  return out;
}

test("lines splits a stream on newlines across chunk boundaries", async () => {
  assert.deepEqual(await collect(['{"a":', '1}\n{"b"', ":2}\n\n", '{"c":3}']), [
    '{"a":1}',
    '{"b":2}',
    '{"c":3}',
  ]);
});

test("a multi-byte character split between chunks survives", async () => {
  const bytes = Buffer.from('{"m":"größe"}\n');
  const cut = bytes.indexOf(0xc3) + 1;
  assert.deepEqual(await collect([bytes.subarray(0, cut), bytes.subarray(cut)]), ['{"m":"größe"}']);
});

test("events are typed; ERROR 410 is EXPIRED", () => {
  const added = parseEvent(
    '{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"5"}}}',
  );
  assert.equal(added.type, "ADDED");
  assert.equal(added.type === "ADDED" && added.object.metadata.resourceVersion, "5");
  const gone = parseEvent(
    '{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}}',
  );
  assert.deepEqual(gone, {
    type: "EXPIRED",
    status: { code: 410, reason: "Expired", message: "too old resource version" },
  });
  const other = parseEvent('{"type":"ERROR","object":{"kind":"Status","code":500,"message":"internal"}}');
  assert.equal(other.type, "ERROR");
  assert.throws(() => parseEvent('{"type":"WHATEVER","object":{}}'));
  assert.throws(() => parseEvent("not json"));
});
