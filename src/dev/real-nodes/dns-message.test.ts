import assert from "node:assert/strict";
import { test } from "node:test";
import { DnsFormatError, readQuestion, recordType, writeAnswer } from "./dns-message.ts";
import { resolveClusterName, type ServiceEntry } from "./cluster-names.ts";

/** A query as a resolver sends it: id, RD set, one question. */
function query(id: number, name: string, type: number): Buffer {
  const labels = name.split(".").map((label) => Buffer.concat([Buffer.of(label.length), Buffer.from(label)]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, ...labels, Buffer.of(0), tail]);
}

test("a query's question is read, and answered with A records that point back at it", () => {
  const q = readQuestion(query(0xbeef, "Web.Demo.svc.cluster.local", recordType.A));
  assert.deepEqual(
    [q.id, q.name, q.type, q.recursionDesired],
    [0xbeef, "web.demo.svc.cluster.local", 1, true],
  );
  const answer = writeAnswer(q, "NOERROR", ["10.96.0.10", "10.96.0.11"], 5);
  assert.equal(answer.readUInt16BE(0), 0xbeef);
  assert.equal(
    answer.readUInt16BE(2),
    0x8500,
    "a response, authoritative, recursion desired echoed, NOERROR",
  );
  assert.deepEqual([answer.readUInt16BE(4), answer.readUInt16BE(6)], [1, 2]);
  const first = 12 + q.raw.length;
  assert.equal(answer.readUInt16BE(first), 0xc00c, "the record's name points at the question's");
  assert.deepEqual([...answer.subarray(first + 12, first + 16)], [10, 96, 0, 10]);
  assert.equal(answer.length, first + 32);
});

test("no such name is NXDOMAIN with no records; malformed queries are refused as such", () => {
  const q = readQuestion(query(7, "nothing.default.svc.cluster.local", recordType.A));
  const answer = writeAnswer(q, "NXDOMAIN");
  assert.equal(answer.readUInt16BE(2) & 0xf, 3);
  assert.equal(answer.readUInt16BE(6), 0);
  assert.throws(() => readQuestion(Buffer.alloc(5)), DnsFormatError);
  const truncated = query(1, "a.b", recordType.A).subarray(0, 15);
  assert.throws(() => readQuestion(truncated), DnsFormatError);
  const pointer = Buffer.concat([query(1, "a", 1).subarray(0, 12), Buffer.of(0xc0, 0x0c, 0, 1, 0, 1)]);
  assert.throws(() => readQuestion(pointer), /compressed/);
});

const services: ServiceEntry[] = [
  { name: "web", namespace: "demo", clusterIP: "10.96.3.4", endpoints: ["10.150.0.5"] },
  { name: "db", namespace: "demo", clusterIP: "None", endpoints: ["10.150.0.7", "10.150.0.8"] },
];

test("a Service's name is its ClusterIP, a headless one's its ready endpoints; other cluster names do not exist", () => {
  const at = (name: string) => resolveClusterName(name, "cluster.local", services);
  assert.deepEqual(at("web.demo.svc.cluster.local"), { rcode: "NOERROR", addresses: ["10.96.3.4"] });
  assert.deepEqual(at("db.demo.svc.cluster.local"), {
    rcode: "NOERROR",
    addresses: ["10.150.0.7", "10.150.0.8"],
  });
  assert.equal(at("web.other.svc.cluster.local")?.rcode, "NXDOMAIN");
  assert.equal(
    at("web.demo.svc.cluster.local.demo.svc.cluster.local")?.rcode,
    "NXDOMAIN",
    "a search suffix too many",
  );
  assert.equal(at("demo.svc.cluster.local")?.rcode, "NXDOMAIN");
  assert.equal(at("example.com"), undefined, "outside the cluster's domain: not ours to answer");
});
