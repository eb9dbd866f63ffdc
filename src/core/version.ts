/**
 * PEP 440 versions, parsed, printed and ordered exactly as pypa/packaging 23.0 does, because pip and
 * every resolver use that library: if we disagree with it about a version, we report a vulnerable
 * package as safe (or the reverse).
 *
 * Deliberate deviations from packaging 23.0, all on hostile spellings no real project uses:
 * - Python's `re.IGNORECASE` lets `ſ` (U+017F) match `s`, and `İ`/`ı` match `i`, so packaging accepts
 *   `1.0.poſt1` (which prints as `1.0.post1` yet compares unequal to it) and `1.0prevİew1` (a
 *   pre-release whose letter is neither a, b nor rc). We reject those keyword spellings: accepting
 *   them would let two different versions print identically. In the local segment the same four
 *   letters (`İ ı ſ K`) are accepted and lowercased as Python does, since there they are just text.
 * - Python refuses to convert a number of more than 4,300 digits to int (its default
 *   `sys.int_info.str_digits_check_threshold`); packaging then fails with ValueError. We treat such a
 *   version as invalid, which is what a caller of packaging observes.
 *
 * Numbers beyond 2^53 are kept exactly (as bigint) for ordering and printing; the public number
 * fields round them, since no real version has such components.
 */
import { InputError } from './errors.js';

/** A version component: a plain number when it fits exactly, a bigint beyond 2^53. */
type Num = number | bigint;

/** Python's `int()` refuses longer digit strings (leading zeros included) by default. */
const PY_INT_MAX_STR_DIGITS = 4300;

/**
 * The characters Python's `str.isspace()` and `\s` accept; JavaScript's `\s` differs (it adds U+FEFF
 * and lacks U+001C-U+001F and U+0085), and packaging strips with Python's set.
 */
const PY_WHITESPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000,
]);

export function isPyWhitespace(code: number): boolean {
  return PY_WHITESPACE.has(code);
}

/**
 * Python's `str.strip()`. A loop rather than a regex: `/\s+$/` backtracks quadratically on a long run
 * of spaces followed by text, and version strings come from untrusted files.
 */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PY_WHITESPACE.has(text.charCodeAt(start))) start++;
  while (end > start && PY_WHITESPACE.has(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * The PEP 440 grammar as packaging accepts it, applied after stripping whitespace. The `i` flag
 * without `u` folds ASCII letters only, which is what we want for the keywords (see the header).
 * The local segment adds the four non-ASCII letters Python's IGNORECASE lets `[a-z]` match.
 * Groups: 1 epoch, 2 release, 3 pre letter, 4 pre number, 5 implicit post number (`1.0-1`),
 * 6 post letter, 7 post number, 8 dev keyword, 9 dev number, 10 local.
 * Each optional part is anchored by a keyword or by `-digits`, so matching is linear.
 */
/**
 * Longer text is not read as a version (see Version._fromText). Far above anything packaging
 * accepts in practice (a release number may have 4,300 digits, Python's limit, and a local
 * segment more), far below the few MB at which the regex fails.
 */
export const MAX_VERSION_LENGTH = 64 * 1024;

const VERSION_RE = new RegExp(
  '^v?' +
    '(?:([0-9]+)!)?' +
    '([0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(alpha|beta|preview|pre|a|b|c|rc)[-_.]?([0-9]+)?)?' +
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?' +
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' +
    '(?:\\+([a-z0-9\\u0130\\u0131\\u017f\\u212a]+(?:[-_.][a-z0-9\\u0130\\u0131\\u017f\\u212a]+)*))?$',
  'i',
);
// Keep the group numbers readable where they are used.
const G_EPOCH = 1;
const G_RELEASE = 2;
const G_PRE_L = 3;
const G_PRE_N = 4;
const G_POST_N1 = 5;
const G_POST_L = 6;
const G_POST_N2 = 7;
const G_DEV_L = 8;
const G_DEV_N = 9;
const G_LOCAL = 10;

const LOCAL_SEPARATORS = /[-_.]/;
const ALL_DIGITS = /^[0-9]+$/;

/**
 * The release numbers of a version written as nothing but them (`2.31.0`: digits and single dots,
 * no more than 15 digits a part), the form nearly every pin and advisory event takes; undefined for
 * anything else, which the full grammar then reads. For such text VERSION_RE would match only the
 * release group, with the same numbers.
 */
function plainRelease(text: string): number[] | undefined {
  const parts: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 15) return undefined;
      value = value * 10 + (c - 0x30);
    } else if (c === 0x2e && digits > 0) {
      parts.push(value);
      value = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  if (digits === 0) return undefined;
  parts.push(value);
  return parts;
}

/** Digits to an exact value, or undefined past Python's int() limit. */
function toNum(digits: string): Num | undefined {
  if (digits.length > PY_INT_MAX_STR_DIGITS) return undefined;
  // 15 digits always fit in a double exactly; longer strings may still, once leading zeros go.
  if (digits.length <= 15) return Number(digits);
  const big = BigInt(digits);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Python's three-way comparison of two ints (both sides may be bigint). */
function cmpNum(a: Num, b: Num): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function preLetter(raw: string): 'a' | 'b' | 'rc' {
  switch (raw.toLowerCase()) {
    case 'a':
    case 'alpha':
      return 'a';
    case 'b':
    case 'beta':
      return 'b';
    default:
      // c, rc, pre, preview: the regex admits nothing else.
      return 'rc';
  }
}

/** Rank of the pre-release slot in packaging's sort key: dev-only sorts below a0, final above rc. */
const PRE_RANK = { devOnly: -1, a: 0, b: 1, rc: 2, none: 3 } as const;

interface Parts {
  epoch: Num;
  release: Num[];
  pre?: ['a' | 'b' | 'rc', Num];
  post?: Num;
  dev?: Num;
  local?: (string | Num)[];
}

export class Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre?: readonly ['a' | 'b' | 'rc', number];
  readonly post?: number;
  readonly dev?: number;
  readonly local?: readonly (string | number)[];

  // Exact values and the precomputed sort key. Instances are cached and shared, so the key is
  // computed once here and nothing observable ever changes (the printed forms below are made once,
  // on first use, in fields no caller can see).
  /** @internal */ readonly _epoch: Num;
  /** @internal Release with trailing zeros removed: 1.0 == 1.0.0. */ readonly _release: readonly Num[];
  /** @internal */ readonly _preRank: number;
  /** @internal */ readonly _preN: Num;
  /** @internal */ readonly _post: Num | undefined;
  /** @internal */ readonly _dev: Num | undefined;
  /** @internal */ readonly _local: readonly (string | Num)[] | undefined;
  /** The exact components, kept for printing; the printed forms are made on first use. */
  readonly #parts: Parts;
  #text: string | undefined;
  #publicText: string | undefined;
  #baseText: string | undefined;

  private constructor(p: Parts) {
    this.#parts = p;
    this._epoch = p.epoch;
    let n = p.release.length;
    while (n > 0 && p.release[n - 1] === 0) n--;
    this._release = n === p.release.length ? Object.freeze(p.release) : Object.freeze(p.release.slice(0, n));
    if (p.pre) {
      this._preRank = PRE_RANK[p.pre[0]];
      this._preN = p.pre[1];
    } else {
      this._preRank = p.post === undefined && p.dev !== undefined ? PRE_RANK.devOnly : PRE_RANK.none;
      this._preN = 0;
    }
    this._post = p.post;
    this._dev = p.dev;
    this._local = p.local ? Object.freeze(p.local) : undefined;

    this.epoch = Number(p.epoch);
    // Without bigints the exact and the public release are one (frozen) array.
    this.release = p.release.some((x) => typeof x === 'bigint') ? Object.freeze(p.release.map(Number)) : (Object.freeze(p.release) as number[]);
    if (p.pre) this.pre = Object.freeze([p.pre[0], Number(p.pre[1])] as const);
    if (p.post !== undefined) this.post = Number(p.post);
    if (p.dev !== undefined) this.dev = Number(p.dev);
    if (p.local) this.local = Object.freeze(p.local.map((x) => (typeof x === 'bigint' ? Number(x) : x)));
  }

  /**
   * The printed forms, made once on first use: most versions an audit parses (every event of every
   * advisory it reads) are only ever compared. String(bigint) is exact, so they never round.
   */
  #print(): void {
    const p = this.#parts;
    const base = (p.epoch !== 0 ? `${p.epoch}!` : '') + p.release.map(String).join('.');
    let pub = base;
    if (p.pre) pub += `${p.pre[0]}${p.pre[1]}`;
    if (p.post !== undefined) pub += `.post${p.post}`;
    if (p.dev !== undefined) pub += `.dev${p.dev}`;
    this.#baseText = base;
    this.#publicText = pub;
    this.#text = p.local ? `${pub}+${p.local.map(String).join('.')}` : pub;
  }

  /** Parses a PEP 440 version; throws InputError `invalid-version` when it is not one. */
  static parse(text: string): Version {
    const v = parseVersion(text);
    if (v === undefined) {
      const shown = text.length > 80 ? `${text.slice(0, 80)}...` : text;
      throw new InputError(
        'invalid-version',
        `invalid version ${JSON.stringify(shown)}: not a PEP 440 version ` +
          '(expected e.g. 1.0, 2.1rc1, 1!3.0.post2.dev1+local)',
      );
    }
    return v;
  }

  /** @internal Use parseVersion: it caches. */
  static _fromText(text: string): Version | undefined {
    // No real version comes near this, and V8's regex stack overflows (a RangeError, not an
    // answer) on the grammar's repeated groups in a version of a few MB from a hostile file.
    if (text.length > MAX_VERSION_LENGTH) return undefined;
    const plain = plainRelease(text);
    if (plain !== undefined) return new Version({ epoch: 0, release: plain });
    const m = VERSION_RE.exec(pyStrip(text));
    if (m === null) return undefined;
    const epochText = m[G_EPOCH];
    const epoch = epochText === undefined ? 0 : toNum(epochText);
    if (epoch === undefined) return undefined;
    const release: Num[] = [];
    for (const part of (m[G_RELEASE] as string).split('.')) {
      const n = toNum(part);
      if (n === undefined) return undefined;
      release.push(n);
    }
    const parts: Parts = { epoch, release };

    const preL = m[G_PRE_L];
    if (preL !== undefined) {
      // A pre-release without a number is number 0: 1.0a == 1.0a0.
      const n = toNum(m[G_PRE_N] ?? '0');
      if (n === undefined) return undefined;
      parts.pre = [preLetter(preL), n];
    }
    // `1.0-1` is an implicit post-release; `1.0.post` an implicit post0.
    const postDigits = m[G_POST_N1] ?? (m[G_POST_L] !== undefined ? (m[G_POST_N2] ?? '0') : undefined);
    if (postDigits !== undefined) {
      const n = toNum(postDigits);
      if (n === undefined) return undefined;
      parts.post = n;
    }
    if (m[G_DEV_L] !== undefined) {
      const n = toNum(m[G_DEV_N] ?? '0');
      if (n === undefined) return undefined;
      parts.dev = n;
    }
    const localText = m[G_LOCAL];
    if (localText !== undefined) {
      const local: (string | Num)[] = [];
      for (const part of localText.split(LOCAL_SEPARATORS)) {
        if (ALL_DIGITS.test(part)) {
          const n = toNum(part);
          if (n === undefined) return undefined;
          local.push(n);
        } else {
          local.push(part.toLowerCase());
        }
      }
      parts.local = local;
    }
    return new Version(parts);
  }

  /** The canonical form, as packaging's `str(Version)`: `1!2.0.post1.dev3+abc.5`. */
  toString(): string {
    if (this.#text === undefined) this.#print();
    return this.#text!;
  }

  /** The version without its local segment. */
  get public(): string {
    if (this.#publicText === undefined) this.#print();
    return this.#publicText!;
  }

  /** Epoch and release only: `1!2.0` for `1!2.0rc1.post2+x`. */
  get baseVersion(): string {
    if (this.#baseText === undefined) this.#print();
    return this.#baseText!;
  }

  /** True for pre-releases and for dev releases (`1.0.dev1`, `1.0.post1.dev1` too), as pip decides. */
  get isPrerelease(): boolean {
    return this.pre !== undefined || this.dev !== undefined;
  }

  get isPostrelease(): boolean {
    return this.post !== undefined;
  }

  get isDevrelease(): boolean {
    return this.dev !== undefined;
  }
}

// Parsing is memoized: an audit looks up the same few thousand version strings over and over.
// Versions are immutable, so sharing instances is safe. The cache is bounded (oldest entries go
// first) and skips very long strings, so hostile input cannot grow it without limit.
const CACHE_LIMIT = 20_000;
const CACHE_MAX_KEY = 256;
const cache = new Map<string, Version | null>();

/** The version, or undefined when the text is not PEP 440. */
export function parseVersion(text: string): Version | undefined {
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const v = Version._fromText(text);
  if (text.length <= CACHE_MAX_KEY) {
    if (cache.size >= CACHE_LIMIT) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(text, v ?? null);
  }
  return v;
}

/** `parse(text).toString()`, or undefined when the text is not PEP 440. */
export function canonicalVersion(text: string): string | undefined {
  return parseVersion(text)?.toString();
}

/** Compares everything but the local segment. */
function comparePublic(a: Version, b: Version): number {
  if (a === b) return 0;
  let c = cmpNum(a._epoch, b._epoch);
  if (c !== 0) return c;
  const ra = a._release;
  const rb = b._release;
  const n = Math.min(ra.length, rb.length);
  for (let i = 0; i < n; i++) {
    c = cmpNum(ra[i] as Num, rb[i] as Num);
    if (c !== 0) return c;
  }
  if (ra.length !== rb.length) return ra.length < rb.length ? -1 : 1;
  if (a._preRank !== b._preRank) return a._preRank < b._preRank ? -1 : 1;
  c = cmpNum(a._preN, b._preN);
  if (c !== 0) return c;
  // No post-release sorts below any post-release.
  if (a._post !== b._post) {
    if (a._post === undefined) return -1;
    if (b._post === undefined) return 1;
    c = cmpNum(a._post, b._post);
    if (c !== 0) return c;
  }
  // No dev-release sorts above any dev-release.
  if (a._dev !== b._dev) {
    if (a._dev === undefined) return 1;
    if (b._dev === undefined) return -1;
    c = cmpNum(a._dev, b._dev);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * PEP 440 local segments: absent sorts first; segment by segment, numbers compare numerically and
 * above any text, text compares by code point; a longer segment list wins when one is a prefix.
 */
function compareLocal(a: Version, b: Version): number {
  const la = a._local;
  const lb = b._local;
  if (la === undefined || lb === undefined) {
    if (la === lb) return 0;
    return la === undefined ? -1 : 1;
  }
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const x = la[i] as string | Num;
    const y = lb[i] as string | Num;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? -1 : 1;
    // Local text is ASCII or one of four BMP letters, so UTF-16 order is code point order here.
    if (x !== y) return x < y ? -1 : 1;
  }
  return la.length === lb.length ? 0 : la.length < lb.length ? -1 : 1;
}

/** Negative, zero or positive as a sorts before, with or after b; local segments count. */
export function compareVersions(a: Version, b: Version): number {
  return comparePublic(a, b) || compareLocal(a, b);
}

/** @internal For specifiers, which must ignore the candidate's local segment in some operators. */
export { comparePublic as _comparePublic };

/** @internal True when epoch and release are equal (trailing zeros aside): `Version(base_version)` equality. */
export function _sameBase(a: Version, b: Version): boolean {
  if (cmpNum(a._epoch, b._epoch) !== 0) return false;
  const ra = a._release;
  const rb = b._release;
  if (ra.length !== rb.length) return false;
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return false;
  return true;
}
