/**
 * Lookup tables that live in typed arrays, so the popular index can be saved as bytes and loaded
 * again without parsing anything or building a single JavaScript object: an audit that checks a
 * thousand names pays for reading a file, not for rebuilding 40,000 map entries.
 *
 * Keys are ASCII (they come from PEP 503 names); a query with other characters simply matches
 * nothing.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** 32-bit FNV-1a over a string's character codes. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A list of ASCII strings in one byte array: string i is `chars[start[i], start[i + 1])`. */
export interface StringList {
  chars: Uint8Array;
  start: Uint32Array;
}

export function stringList(strings: readonly string[]): StringList {
  const start = new Uint32Array(strings.length + 1);
  let n = 0;
  strings.forEach((s, i) => {
    start[i] = n;
    n += s.length;
  });
  start[strings.length] = n;
  const chars = new Uint8Array(n);
  strings.forEach((s, i) => {
    for (let k = 0; k < s.length; k++) chars[start[i]! + k] = s.charCodeAt(k);
  });
  return { chars, start };
}

export function stringAt(list: StringList, i: number): string {
  const a = list.start[i]!;
  const b = list.start[i + 1]!;
  let s = '';
  for (let k = a; k < b; k++) s += String.fromCharCode(list.chars[k]!);
  return s;
}

function stringEquals(list: StringList, i: number, s: string): boolean {
  const a = list.start[i]!;
  if (list.start[i + 1]! - a !== s.length) return false;
  for (let k = 0; k < s.length; k++) if (list.chars[a + k] !== s.charCodeAt(k)) return false;
  return true;
}

/** The typed arrays a StringMultiMap is made of; what gets saved. */
export interface StringMultiMapParts {
  keys: StringList;
  hashes: Uint32Array;
  /** Values of key i: `values[valueStart[i], valueStart[i + 1])`. */
  valueStart: Uint32Array;
  values: Int32Array;
  /** Open addressing: key index + 1 per slot, 0 for an empty slot; length a power of two. */
  slots: Int32Array;
}

/** A map from ASCII strings to lists of integers, in typed arrays. */
export class StringMultiMap {
  readonly parts: StringMultiMapParts;
  private readonly mask: number;

  constructor(parts: StringMultiMapParts) {
    this.parts = parts;
    this.mask = parts.slots.length - 1;
  }

  static from(map: ReadonlyMap<string, readonly number[]>): StringMultiMap {
    const keyStrings = [...map.keys()];
    const keys = stringList(keyStrings);
    const hashes = new Uint32Array(keyStrings.map(hashString));
    const valueStart = new Uint32Array(keyStrings.length + 1);
    const flat: number[] = [];
    keyStrings.forEach((k, i) => {
      valueStart[i] = flat.length;
      flat.push(...map.get(k)!);
    });
    valueStart[keyStrings.length] = flat.length;
    // Load factor at most 2/3 keeps linear probes short (and the stored hash spares most string compares).
    let size = 16;
    while (size * 2 < keyStrings.length * 3) size *= 2;
    const slots = new Int32Array(size);
    hashes.forEach((h, i) => {
      let slot = h & (size - 1);
      while (slots[slot] !== 0) slot = (slot + 1) & (size - 1);
      slots[slot] = i + 1;
    });
    return new StringMultiMap({ keys, hashes, valueStart, values: new Int32Array(flat), slots });
  }

  /** Index of the key `s`, or -1. */
  find(s: string): number {
    const { hashes, slots, keys } = this.parts;
    const h = hashString(s);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const k = slots[slot]! - 1;
      if (k < 0) return -1;
      if (hashes[k] === h && stringEquals(keys, k, s)) return k;
    }
  }

  /** The values of `s`, empty when it is not a key. */
  get(s: string): number[] {
    const k = this.find(s);
    if (k < 0) return [];
    const { valueStart, values } = this.parts;
    const out: number[] = [];
    for (let i = valueStart[k]!; i < valueStart[k + 1]!; i++) out.push(values[i]!);
    return out;
  }

  /** The first value of `s`, or undefined. */
  first(s: string): number | undefined {
    const k = this.find(s);
    return k < 0 || this.parts.valueStart[k] === this.parts.valueStart[k + 1] ? undefined : this.parts.values[this.parts.valueStart[k]!];
  }
}

/**
 * A file of named typed arrays and a JSON header, each array 8-byte aligned so it can be viewed in
 * place: `PYWARD-IDX\n`, the header's length (u32 LE), the header, then the arrays.
 */
const MAGIC = 'PYWARD-IDX\n';

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array;
const KINDS = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, i32: Int32Array } as const;
type Kind = keyof typeof KINDS;

function kindOf(a: Typed): Kind {
  return a instanceof Uint8Array ? 'u8' : a instanceof Uint16Array ? 'u16' : a instanceof Uint32Array ? 'u32' : 'i32';
}

const align = (n: number): number => (n + 7) & ~7;

export function packArrays(header: object, arrays: Record<string, Typed>): Uint8Array {
  const layout: Record<string, [Kind, number, number]> = {};
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    layout[name] = [kindOf(a), offset, a.length];
    offset = align(offset + a.byteLength);
  }
  const json = Buffer.from(JSON.stringify({ ...header, arrays: layout }), 'utf8');
  const base = align(MAGIC.length + 4 + json.length);
  const out = new Uint8Array(base + offset);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  for (const [name, a] of Object.entries(arrays)) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), base + layout[name]![1]);
  return out;
}

export interface Packed {
  header: Record<string, unknown>;
  arrays: Record<string, Typed>;
}

/**
 * The header and array views of a file made by `packArrays`, or undefined when the bytes are not
 * one (wrong magic, a bad header). The views share the buffer: no copy. Arrays the bytes do not
 * reach are left out (see `readPacked`); a caller that needs them finds them missing.
 */
export function unpackArrays(bytes: Uint8Array): Packed | undefined {
  if (bytes.length < MAGIC.length + 4 || Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
  // Typed-array views need their element alignment; a file read into a pooled buffer may lack it.
  if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes);
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  if (MAGIC.length + 4 + length > bytes.length) return undefined;
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + MAGIC.length + 4, length).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const base = align(MAGIC.length + 4 + length);
  const arrays: Record<string, Typed> = {};
  for (const [name, [kind, offset, count]] of Object.entries(layoutOf(header))) {
    const Ctor = KINDS[kind];
    if (Ctor && base + offset + count * Ctor.BYTES_PER_ELEMENT <= bytes.length) {
      arrays[name] = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + base + offset, count);
    }
  }
  return { header, arrays };
}

function layoutOf(header: Record<string, unknown>): Record<string, [Kind, number, number]> {
  return (header['arrays'] ?? {}) as Record<string, [Kind, number, number]>;
}

/**
 * Reads from a packed file only the arrays `wanted` accepts (one read of the span they occupy; pack
 * the ones needed together): a caller that needs only the exact-lookup tables does not read the
 * rest. Undefined when the file is missing, not a packed file, or shorter than its header says.
 */
export function readPacked(path: string, wanted: (name: string) => boolean = () => true): Packed | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(MAGIC.length + 4);
    if (readSync(fd, head, 0, head.length, 0) !== head.length || head.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
    const length = head.readUInt32LE(MAGIC.length);
    const json = Buffer.alloc(length);
    if (readSync(fd, json, 0, length, head.length) !== length) return undefined;
    const header = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    const base = align(head.length + length);
    const chosen = Object.entries(layoutOf(header)).filter(([name, [kind]]) => wanted(name) && KINDS[kind]);
    let from = Infinity;
    let to = 0;
    for (const [, [kind, offset, count]] of chosen) {
      from = Math.min(from, offset);
      to = Math.max(to, offset + count * KINDS[kind].BYTES_PER_ELEMENT);
    }
    if (chosen.length === 0) return { header, arrays: {} };
    // An unpooled buffer starts at offset 0 of its own memory, and `from` is 8-aligned: every view fits.
    const bytes = Buffer.allocUnsafeSlow(to - from);
    for (let got = 0; got < bytes.length; ) {
      const n = readSync(fd, bytes, got, bytes.length - got, base + from + got);
      if (n === 0) return undefined;
      got += n;
    }
    const arrays: Record<string, Typed> = {};
    for (const [name, [kind, offset, count]] of chosen) arrays[name] = new KINDS[kind](bytes.buffer as ArrayBuffer, offset - from, count);
    return { header, arrays };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
