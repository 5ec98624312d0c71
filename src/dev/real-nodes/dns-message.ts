/**
 * The little of the DNS wire format (RFC 1035) a cluster's name server needs: read a query's
 * question, write an answer of A records, or say the name does not exist.
 */

export const recordType = { A: 1, AAAA: 28 } as const;

export interface Question {
  id: number;
  /** Lower case, without the final dot. */
  name: string;
  type: number;
  /** The question section as it came, echoed in the answer. */
  raw: Buffer;
  recursionDesired: boolean;
}

export type Rcode = "NOERROR" | "FORMERR" | "SERVFAIL" | "NXDOMAIN";
const rcodes: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3 };

export class DnsFormatError extends Error {}

/** The first question of a query; anything malformed (a pointer, a truncated name) is a DnsFormatError. */
export function readQuestion(message: Buffer): Question {
  if (message.length < 12) throw new DnsFormatError("shorter than a header");
  const flags = message.readUInt16BE(2);
  if (flags & 0x8000) throw new DnsFormatError("a response, not a query");
  if (message.readUInt16BE(4) < 1) throw new DnsFormatError("no question");
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    const length = message[at];
    if (length === undefined) throw new DnsFormatError("the name runs past the end");
    at += 1;
    if (length === 0) break;
    if (length > 63) throw new DnsFormatError("compressed or over-long label in a question");
    if (at + length > message.length) throw new DnsFormatError("the name runs past the end");
    labels.push(
      message
        .subarray(at, at + length)
        .toString("latin1")
        .toLowerCase(),
    );
    at += length;
  }
  if (at + 4 > message.length) throw new DnsFormatError("the question has no type and class");
  return {
    id: message.readUInt16BE(0),
    name: labels.join("."),
    type: message.readUInt16BE(at),
    raw: message.subarray(12, at + 4),
    recursionDesired: Boolean(flags & 0x0100),
  };
}

/** An authoritative answer to `question`: one A record per address (with `ttl`), or an empty one with `rcode`. */
export function writeAnswer(
  question: Pick<Question, "id" | "raw" | "recursionDesired">,
  rcode: Rcode,
  addresses: readonly string[] = [],
  ttl = 5,
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(question.id, 0);
  header.writeUInt16BE(0x8400 | (question.recursionDesired ? 0x0100 : 0) | rcodes[rcode], 2);
  header.writeUInt16BE(question.raw.length > 0 ? 1 : 0, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(recordType.A, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(ttl, 6);
    record.writeUInt16BE(4, 10);
    address.split(".").forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
    return record;
  });
  return Buffer.concat([header, question.raw, ...records]);
}
