/**
 * PEP 440 version specifiers (`>=1.0,!=1.3.*,<2`), matching pypa/packaging 23.0 exactly, quirks
 * included: pip decides what gets installed with that code, so an advisory range or a requirement
 * must select the same versions here as there.
 *
 * Where packaging works on strings rather than on parsed versions (prefix matching, the prefix that
 * `~=` derives from the version as written), we do the same string steps, because the results
 * differ on odd spellings: `~=1.2.POST1` means `>=1.2.post1,==1.2.*` while `~=1.2.post1` means
 * `>=1.2.post1,==1.*`.
 *
 * One deviation: a `===` specifier whose version is not PEP 440 (`===foo`) makes packaging 23.0
 * raise when it decides whether pre-releases are allowed; we treat it as not allowing them.
 */
import { InputError } from './errors.js';
import {
  Version,
  _comparePublic,
  _sameBase,
  compareVersions,
  parseVersion,
  pyStrip,
  isPyWhitespace,
} from './version.js';

export type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

const TWO_CHAR_OPERATORS: readonly SpecifierOperator[] = ['~=', '==', '!=', '<=', '>='];

/** What `==X.*` may put before the `.*`: an optional epoch and a release, nothing else. */
const WILDCARD_BASE = /^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*$/i;
/** packaging's `_prefix_regex`: splits `0rc1` into `0`, `rc1`. Case-sensitive on purpose. */
const RELEASE_THEN_PRE = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/;
const DIGITS = /^[0-9]+$/;

/**
 * packaging's `_version_split`: split on dots and pretend there is a dot between a release number
 * and a pre-release tag, so `1.0rc1` and `1.0.rc1` line up.
 */
function versionSplit(text: string): string[] {
  const out: string[] = [];
  for (const item of text.split('.')) {
    const m = RELEASE_THEN_PRE.exec(item);
    if (m) out.push(m[1] as string, m[2] as string);
    else out.push(item);
  }
  return out;
}

/** packaging's `_is_not_suffix`, case-sensitive like the original. */
function isNotSuffix(segment: string): boolean {
  return !(
    segment.startsWith('dev') ||
    segment.startsWith('a') ||
    segment.startsWith('b') ||
    segment.startsWith('rc') ||
    segment.startsWith('post')
  );
}

/** Drops trailing `.0`s from the release; a loop, since `/(\.0)+$/` backtracks on hostile input. */
function stripTrailingZeros(release: string): string {
  let end = release.length;
  while (end >= 2 && release.charCodeAt(end - 1) === 0x30 && release.charCodeAt(end - 2) === 0x2e) end -= 2;
  return release.slice(0, end);
}

/**
 * packaging's `canonicalize_version`: the canonical form, optionally without trailing zeros in the
 * release, or the text unchanged when it is not a version (so `1.0.*` stays `1.0.*`).
 */
function canonicalize(text: string, stripZeros: boolean): string {
  const v = parseVersion(text);
  if (v === undefined) return text;
  return stripZeros ? canonicalStripped(v) : v.toString();
}

function canonicalStripped(v: Version, publicOnly = false): string {
  const base = v.baseVersion;
  const full = publicOnly ? v.public : v.toString();
  return stripTrailingZeros(base) + full.slice(base.length);
}

// The split form of each candidate version's public part, reused across the many specifiers an
// audit checks one version against. Weak, so versions can still be collected.
const prefixForms = new WeakMap<Version, readonly string[]>();

function prefixForm(v: Version): readonly string[] {
  let form = prefixForms.get(v);
  if (form === undefined) {
    form = versionSplit(canonicalStripped(v, true));
    prefixForms.set(v, form);
  }
  return form;
}

/**
 * packaging's prefix match: zero-pad the candidate's release to the specifier's release length,
 * cut the candidate to the specifier's length, compare segment by segment as text.
 */
function prefixMatches(candidate: readonly string[], spec: readonly string[]): boolean {
  const candRelease = leadingDigitCount(candidate);
  const pad = Math.max(0, leadingDigitCount(spec) - candRelease);
  if (candidate.length + pad < spec.length) return false;
  for (let i = 0; i < spec.length; i++) {
    const seg = i < candRelease ? candidate[i] : i < candRelease + pad ? '0' : candidate[i - pad];
    if (seg !== spec[i]) return false;
  }
  return true;
}

function leadingDigitCount(segments: readonly string[]): number {
  let n = 0;
  while (n < segments.length && DIGITS.test(segments[n] as string)) n++;
  return n;
}

function invalid(text: string, why: string): InputError {
  const shown = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return new InputError('invalid-specifier', `invalid version specifier ${JSON.stringify(shown)}: ${why}`);
}

export class Specifier {
  readonly operator: SpecifierOperator;
  /** The version as written (whitespace trimmed, not normalized); may end in `.*`. */
  readonly version: string;
  /** Whether the specifier names a pre-release, which lets it match pre-releases by default. */
  readonly prereleases: boolean;
  /** The parsed version, for every operator but `===` and the `.*` forms. */
  private readonly target: Version | undefined;
  /** Split prefix for `==X.*`, `!=X.*` and the `==` half of `~=`. */
  private readonly prefix: readonly string[] | undefined;
  /** `===`'s version, lowercased: arbitrary equality is a case-insensitive string comparison. */
  private readonly arbitrary: string | undefined;
  /** @internal packaging's `_canonical_spec`: specifiers with equal keys are duplicates in a set. */
  readonly _key: string;

  private constructor(
    operator: SpecifierOperator,
    version: string,
    fields: { target?: Version; prefix?: readonly string[]; arbitrary?: string; prereleases: boolean },
  ) {
    this.operator = operator;
    this.version = version;
    this.target = fields.target;
    this.prefix = fields.prefix;
    this.arbitrary = fields.arbitrary;
    this.prereleases = fields.prereleases;
    this._key = `${operator}${canonicalize(version, operator !== '~=')}`;
  }

  /** Parses one specifier such as `>=1.0` or `==2.*`; throws InputError `invalid-specifier`. */
  static parse(text: string): Specifier {
    const trimmed = pyStrip(text);
    let operator: SpecifierOperator;
    if (trimmed.startsWith('===')) operator = '===';
    else {
      const two = TWO_CHAR_OPERATORS.find((op) => trimmed.startsWith(op));
      if (two !== undefined) operator = two;
      else if (trimmed.startsWith('<') || trimmed.startsWith('>')) operator = trimmed[0] as '<' | '>';
      else throw invalid(text, 'expected an operator (~=, ==, !=, <=, >=, <, >, ===) followed by a version');
    }
    // Whitespace may separate operator and version (`>= 1.0`); the version is kept trimmed.
    const version = pyStrip(trimmed.slice(operator.length));

    if (operator === '===') {
      // Arbitrary equality takes any text without whitespace, `;` or `)`, even none at all.
      for (let i = 0; i < version.length; i++) {
        const c = version.charCodeAt(i);
        if (c === 0x3b || c === 0x29 || isPyWhitespace(c)) {
          throw invalid(text, '=== takes a single word without spaces, ";" or ")"');
        }
      }
      return new Specifier(operator, version, {
        arbitrary: version.toLowerCase(),
        prereleases: parseVersion(version)?.isPrerelease ?? false,
      });
    }
    if (version === '') throw invalid(text, `${operator} needs a version after it`);

    if ((operator === '==' || operator === '!=') && version.endsWith('.*')) {
      const base = version.slice(0, -2);
      // Checking the parse too: a release number past Python's int() limit fails there.
      if (!WILDCARD_BASE.test(base) || parseVersion(base) === undefined) {
        throw invalid(
          text,
          '.* may only follow a release number (==1.2.*), not a pre, post, dev or local segment',
        );
      }
      return new Specifier(operator, version, {
        prefix: versionSplit(canonicalize(base, false)),
        prereleases: false,
      });
    }

    const target = parseVersion(version);
    if (target === undefined) {
      throw invalid(
        text,
        version.includes('*')
          ? `wildcards are only allowed at the end of == and != (==1.2.*)`
          : `${JSON.stringify(version)} is not a PEP 440 version`,
      );
    }
    if (target.local !== undefined && operator !== '==' && operator !== '!=') {
      throw invalid(text, `a local version (+${target.local.join('.')}) is only allowed with == and !=`);
    }
    const prereleases =
      (operator === '==' || operator === '>=' || operator === '<=' || operator === '~=') && target.isPrerelease;
    if (operator === '~=') {
      if (target.release.length < 2) {
        throw invalid(text, `~= needs at least two release numbers (~=${target.release[0] ?? 1}.0)`);
      }
      // `~=2.2.post3` is `>=2.2.post3,==2.*`: drop suffixes and the last release number, working
      // on the text as written like packaging does.
      const kept: string[] = [];
      for (const seg of versionSplit(version)) {
        if (!isNotSuffix(seg)) break;
        kept.push(seg);
      }
      const prefixText = kept.slice(0, -1).join('.');
      return new Specifier(operator, version, {
        target,
        prefix: versionSplit(canonicalize(prefixText, false)),
        prereleases,
      });
    }
    return new Specifier(operator, version, { target, prereleases });
  }

  /**
   * Whether the version satisfies this specifier. Pre-releases only match when `prereleases` is
   * true or, when it is not given, when the specifier names a pre-release itself. A string that is
   * not a PEP 440 version throws InputError `invalid-version`.
   */
  contains(v: Version | string, prereleases?: boolean): boolean {
    const version = typeof v === 'string' ? Version.parse(v) : v;
    if (version.isPrerelease && !(prereleases ?? this.prereleases)) return false;
    return this.matches(version);
  }

  /** @internal The operator alone, with pre-release filtering already done by the caller. */
  matches(v: Version): boolean {
    const t = this.target;
    switch (this.operator) {
      case '==':
        return this.equal(v);
      case '!=':
        return !this.equal(v);
      case '<=':
        return _comparePublic(v, t as Version) <= 0;
      case '>=':
        return _comparePublic(v, t as Version) >= 0;
      case '~=':
        return _comparePublic(v, t as Version) >= 0 && prefixMatches(prefixForm(v), this.prefix as readonly string[]);
      case '<': {
        const target = t as Version;
        if (compareVersions(v, target) >= 0) return false;
        // `<3.1` must not admit 3.1.dev0 or 3.1rc1 unless it names a pre-release itself.
        return !(!target.isPrerelease && v.isPrerelease && _sameBase(v, target));
      }
      case '>': {
        const target = t as Version;
        if (compareVersions(v, target) <= 0) return false;
        // `>3.1` must not admit 3.1.post1 unless it names a post-release, nor 3.1+local ever.
        if (!target.isPostrelease && v.isPostrelease && _sameBase(v, target)) return false;
        return !(v.local !== undefined && _sameBase(v, target));
      }
      case '===':
        // Against the candidate's canonical form: `===1.0.0` matches 1.0.0 but not 1.0.
        return v.toString().toLowerCase() === this.arbitrary;
    }
  }

  private equal(v: Version): boolean {
    if (this.prefix !== undefined) return prefixMatches(prefixForm(v), this.prefix);
    const t = this.target as Version;
    // Without a local segment in the specifier, the candidate's local segment is ignored:
    // ==1.0 matches 1.0+ubuntu1.
    return t.local === undefined ? _comparePublic(v, t) === 0 : compareVersions(v, t) === 0;
  }

  toString(): string {
    return `${this.operator}${this.version}`;
  }
}

/** Python's default string order (by code point), which `sorted()` uses in `str(SpecifierSet)`. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

// Requirements repeat the same few specifier sets across a whole lockfile; they are immutable,
// so parses are shared. Bounded like the version cache.
const CACHE_LIMIT = 5_000;
const CACHE_MAX_KEY = 256;
const cache = new Map<string, SpecifierSet>();

export class SpecifierSet {
  /** The distinct specifiers, in the order written; duplicates as packaging judges them dropped. */
  readonly specifiers: readonly Specifier[];

  private constructor(specifiers: readonly Specifier[]) {
    this.specifiers = Object.freeze(specifiers);
  }

  /**
   * Parses comma-separated specifiers; `''` matches any version. Throws InputError
   * `invalid-specifier` naming the bad part.
   */
  static parse(text: string): SpecifierSet {
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    const specs: Specifier[] = [];
    for (const part of text.split(',')) {
      const trimmed = pyStrip(part);
      if (trimmed === '') continue;
      try {
        specs.push(Specifier.parse(trimmed));
      } catch (e) {
        if (e instanceof InputError && text.includes(',')) {
          throw new InputError('invalid-specifier', `${e.message} (in ${JSON.stringify(text)})`);
        }
        throw e;
      }
    }
    const set = SpecifierSet._of(specs);
    if (text.length <= CACHE_MAX_KEY) {
      if (cache.size >= CACHE_LIMIT) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(text, set);
    }
    return set;
  }

  /**
   * @internal The set of specifiers already parsed, in the order written, deduplicated as `parse`
   * does: packaging keeps specifiers in a set, so the first of two equal ones stays. This matters:
   * `===1.0` and `===1` count as equal there, so `===1.0,===1` matches 1.0.
   */
  static _of(specs: readonly Specifier[]): SpecifierSet {
    const byKey = new Map<string, Specifier>();
    for (const spec of specs) if (!byKey.has(spec._key)) byKey.set(spec._key, spec);
    return new SpecifierSet([...byKey.values()]);
  }

  /**
   * True when any specifier names a pre-release (so pre-releases match by default), false when
   * none does, undefined for the empty set.
   */
  get prereleases(): boolean | undefined {
    if (this.specifiers.length === 0) return undefined;
    return this.specifiers.some((s) => s.prereleases);
  }

  /**
   * Whether the version satisfies every specifier. Pre-releases (and dev releases) match only when
   * `prereleases` is true or, when it is not given, when some specifier names a pre-release; the
   * empty set then matches final releases only. A string that is not a PEP 440 version throws
   * InputError `invalid-version`.
   */
  contains(v: Version | string, options?: { prereleases?: boolean }): boolean {
    const version = typeof v === 'string' ? Version.parse(v) : v;
    if (version.isPrerelease && !(options?.prereleases ?? this.prereleases)) return false;
    for (const s of this.specifiers) if (!s.matches(version)) return false;
    return true;
  }

  /** packaging's `str(SpecifierSet)`: the specifiers sorted and joined with commas. */
  toString(): string {
    return this.specifiers
      .map(String)
      .sort(compareCodePoints)
      .join(',');
  }
}
