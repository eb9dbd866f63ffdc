/**
 * A symmetric-delete index: the fast way to find every popular spelling within one or two edits of
 * a name without comparing it to all of them.
 *
 * Two strings are within k insertions, deletions, substitutions or adjacent swaps of each other only
 * if deleting at most k characters from each makes them equal. So every popular spelling is stored
 * under all its "deletion variants" once, and a query looks up the variants of the checked name:
 * about 80 probes for a 12-letter name instead of 15,000 distance computations. What comes back is a
 * superset; the caller verifies the real distance.
 *
 * Variants are stored as 32-bit hashes in typed arrays, not as strings: the 365,000 variants of the
 * popular index then take about 2.5 MB with their lookup tables, make no garbage and can be saved and loaded as they are, and a
 * hash collision only adds a candidate that verification drops.
 */

/** Past this length a name is compared with one deletion only: the quadratic variant count stops paying. */
const MAX_DOUBLE_DELETE_LENGTH = 24;

/**
 * Variants are hashed with a polynomial hash (mod 2^32) over prefix sums, so the hash of a string
 * with one or two characters deleted is a few multiplications away instead of a pass over it: about
 * 70 variants of a 12-letter name cost 70 steps, not 800. A final mixer spreads the bits, because the
 * table is indexed by the low bits, which a plain polynomial hash leaves poorly mixed.
 */
const BASE = 0x01000193;
let POW = new Uint32Array([1]);

function powers(n: number): Uint32Array {
  if (POW.length <= n) {
    const next = new Uint32Array(Math.max(n + 1, POW.length * 2));
    next[0] = 1;
    for (let i = 1; i < next.length; i++) next[i] = Math.imul(next[i - 1]!, BASE) >>> 0;
    POW = next;
  }
  return POW;
}

/** murmur3's finalizer; never 0 (0 marks an empty slot). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  h >>>= 0;
  return h === 0 ? 1 : h;
}

let prefix = new Uint32Array(256);

/** Calls `emit` with the hash of every string reachable from `s` by deleting up to `deletes` characters. */
function forEachVariant(s: string, deletes: number, emit: (hash: number) => void): void {
  const n = s.length;
  if (prefix.length <= n) prefix = new Uint32Array(n + 1);
  const pow = powers(n);
  for (let k = 0; k < n; k++) prefix[k + 1] = (Math.imul(prefix[k]!, BASE) + s.charCodeAt(k)) >>> 0;
  // Hash of s[a, b).
  const sub = (a: number, b: number): number => (prefix[b]! - Math.imul(prefix[a]!, pow[b - a]!)) >>> 0;
  emit(mix(prefix[n]!));
  if (deletes < 1) return;
  for (let i = 0; i < n; i++) {
    // Deleting either letter of a double gives the same string; skip the repeat.
    if (i > 0 && s.charCodeAt(i) === s.charCodeAt(i - 1)) continue;
    emit(mix((Math.imul(prefix[i]!, pow[n - i - 1]!) + sub(i + 1, n)) >>> 0));
  }
  if (deletes < 2 || n > MAX_DOUBLE_DELETE_LENGTH) return;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const head = (Math.imul(prefix[i]!, pow[j - i - 1]!) + sub(i + 1, j)) >>> 0;
      emit(mix((Math.imul(head, pow[n - j - 1]!) + sub(j + 1, n)) >>> 0));
    }
  }
}

/** The typed arrays a DeletionIndex is made of; what the compiled popular index saves. */
export interface DeletionIndexParts {
  /**
   * Variants grouped by the top bits (16 or more) of their hash: bucket b holds
   * `keys[start[b], start[b + 1])`. No empty slots, so a saved index is as small as its entries
   * (4 bytes each for up to 65,536 strings), and a lookup reads one short run of adjacent keys.
   */
  start: Uint32Array;
  /** The low 16 bits of each variant's hash: with the bucket's top bits, the whole hash. */
  keys: Uint16Array;
  /** Id of the string each variant came from. */
  ids: Uint16Array | Int32Array;
  /**
   * One bit per hash (top bits), checked before the table: most variants of a checked name match
   * nothing, and this bitset is small enough to stay in the CPU cache while the table is not.
   */
  filter: Uint32Array;
  /** How many strings were indexed (ids are below it). */
  strings: number;
}

export class DeletionIndex {
  readonly parts: DeletionIndexParts;
  private readonly start: Uint32Array;
  private readonly keys: Uint16Array;
  private readonly ids: Uint16Array | Int32Array;
  private readonly bucketShift: number;
  private readonly filter: Uint32Array;
  private readonly filterShift: number;
  /** Per-id marker of the last query that returned it, to return each id once per query. */
  private readonly seen: Uint32Array;
  private query = 0;

  constructor(parts: DeletionIndexParts) {
    this.parts = parts;
    this.start = parts.start;
    this.keys = parts.keys;
    this.ids = parts.ids;
    this.bucketShift = 32 - Math.log2(parts.start.length - 1);
    this.filter = parts.filter;
    this.filterShift = 32 - Math.log2(parts.filter.length * 32);
    this.seen = new Uint32Array(parts.strings);
  }

  /**
   * @param strings the spellings to index; a query answers with their positions in this array.
   * @param deletesFor how many deletions each spelling needs to be found from (its edit budget).
   */
  static build(strings: readonly string[], deletesFor: (s: string) => number): DeletionIndex {
    const hashes: number[] = [];
    const owners: number[] = [];
    const mine = new Set<number>();
    strings.forEach((s, id) => {
      mine.clear();
      forEachVariant(s, deletesFor(s), (h) => {
        if (mine.has(h)) return;
        mine.add(h);
        hashes.push(h);
        owners.push(id);
      });
    });
    // Two to four variants per bucket, so a lookup compares a few adjacent keys (one cache line),
    // and at least 2^16 buckets, so the bucket and the low 16 bits kept as the key are the whole hash.
    let buckets = 1 << 16;
    while (buckets * 4 < hashes.length) buckets *= 2;
    const shift = 32 - Math.log2(buckets);
    const start = new Uint32Array(buckets + 1);
    for (const h of hashes) start[(h >>> shift) + 1]!++;
    for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
    const fill = start.slice(0, buckets);
    const keys = new Uint16Array(hashes.length);
    const ids = strings.length <= 0x10000 ? new Uint16Array(hashes.length) : new Int32Array(hashes.length);
    for (let n = 0; n < hashes.length; n++) {
      const at = fill[hashes[n]! >>> shift]!++;
      keys[at] = hashes[n]! & 0xffff;
      ids[at] = owners[n]!;
    }
    // About 8 bits per entry: a variant that matches nothing passes the filter ~1 time in 10.
    let bits = 1 << 16;
    while (bits < hashes.length * 8) bits *= 2;
    const filter = new Uint32Array(bits / 32);
    const fshift = 32 - Math.log2(bits);
    for (const h of hashes) {
      const b = h >>> fshift;
      filter[b >>> 5]! |= 1 << (b & 31);
    }
    return new DeletionIndex({ start, keys, ids, filter, strings: strings.length });
  }

  /**
   * Ids of indexed strings that may be within `deletes` edits of `s` (each id once). Not reentrant:
   * one index serves one query at a time, as JavaScript runs it.
   */
  candidates(s: string, deletes: number): number[] {
    this.query = (this.query + 1) >>> 0;
    if (this.query === 0) {
      this.seen.fill(0);
      this.query = 1;
    }
    const q = this.query;
    const out: number[] = [];
    forEachVariant(s, deletes, (h) => {
      const b = h >>> this.filterShift;
      if ((this.filter[b >>> 5]! & (1 << (b & 31))) === 0) return;
      const bucket = h >>> this.bucketShift;
      const low = h & 0xffff;
      for (let i = this.start[bucket]!, end = this.start[bucket + 1]!; i < end; i++) {
        if (this.keys[i] !== low) continue;
        const id = this.ids[i]!;
        if (this.seen[id] !== q) {
          this.seen[id] = q;
          out.push(id);
        }
      }
    });
    return out;
  }
}
