/**
 * A tiny authoritative DNS responder on 127.0.0.1 (UDP, random port) speaking the RFC 1035 wire
 * format, so node:dns's real resolver (c-ares) can be pointed at it: MX and A answers for the names
 * it knows, NOERROR with no answers (NODATA) for known names without that type, and NXDOMAIN (with
 * the zone's SOA in the authority section, as real servers send for negative caching) for the rest.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface Zone {
  mx?: { preference: number; exchange: string }[];
  a?: string[];
}

export interface DnsServer {
  server: string;
  /** `name TYPE` of every question, in arrival order. */
  queries: string[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_SOA = 6;
const TYPE_MX = 15;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 6: 'SOA', 15: 'MX', 28: 'AAAA' };

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter((p) => p !== '');
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])), Buffer.from([0])]);
}

function readQuestion(msg: Buffer): { name: string; type: number; end: number } | undefined {
  let off = 12;
  const labels: string[] = [];
  while (off < msg.length) {
    const len = msg[off]!;
    if (len === 0) {
      off++;
      break;
    }
    if (len > 63) return undefined; // no compression in questions from c-ares
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('ascii'));
    off += 1 + len;
  }
  if (off + 4 > msg.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(off), end: off + 4 };
}

function record(type: number, ttl: number, rdata: Buffer, owner: Buffer = Buffer.from([0xc0, 0x0c])): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(1, 2); // class IN
  head.writeUInt32BE(ttl, 4);
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, head, rdata]);
}

function soa(zone: string): Buffer {
  const tail = Buffer.alloc(20);
  tail.writeUInt32BE(2024060101, 0); // serial
  tail.writeUInt32BE(7200, 4);
  tail.writeUInt32BE(3600, 8);
  tail.writeUInt32BE(1209600, 12);
  tail.writeUInt32BE(300, 16); // negative-caching TTL
  return record(TYPE_SOA, 300, Buffer.concat([encodeName(`a.nic.${zone}`), encodeName(`hostmaster.nic.${zone}`), tail]), encodeName(zone));
}

function answer(query: Buffer, zones: Map<string, Zone>): Buffer | undefined {
  if (query.length < 12) return undefined;
  const q = readQuestion(query);
  if (!q) return undefined;
  const zone = zones.get(q.name);
  const answers: Buffer[] = [];
  if (zone && q.type === TYPE_MX) {
    for (const mx of zone.mx ?? []) {
      const pref = Buffer.alloc(2);
      pref.writeUInt16BE(mx.preference);
      answers.push(record(TYPE_MX, 3600, Buffer.concat([pref, encodeName(mx.exchange)])));
    }
  }
  if (zone && q.type === TYPE_A) {
    for (const ip of zone.a ?? []) answers.push(record(TYPE_A, 3600, Buffer.from(ip.split('.').map(Number))));
  }
  const rcode = zone ? 0 : 3; // NOERROR or NXDOMAIN
  const authority = answers.length === 0 ? [soa(q.name.split('.').at(-1)!)] : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  const rd = query.readUInt16BE(2) & 0x0100;
  header.writeUInt16BE(0x8000 | 0x0400 | rd | 0x0080 | rcode, 2); // QR, AA, RD copied, RA, rcode
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  header.writeUInt16BE(authority.length, 8);
  header.writeUInt16BE(0, 10);
  return Buffer.concat([header, query.subarray(12, q.end), ...answers, ...authority]);
}

export async function startDnsServer(zones: Record<string, Zone>): Promise<DnsServer> {
  const table = new Map(Object.entries(zones).map(([k, v]) => [k.toLowerCase(), v]));
  const queries: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const q = readQuestion(msg);
    if (q) queries.push(`${q.name} ${TYPE_NAMES[q.type] ?? q.type}`);
    const res = answer(msg, table);
    if (res) socket.send(res, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    server: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
