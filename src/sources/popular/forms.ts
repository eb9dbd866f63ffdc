/**
 * The spellings a popular name is compared in. A typosquat rarely differs from its target only by
 * letters: attackers also play with separators (`prompt-tool-kit`), the `py`/`python` affixes every
 * Python project may or may not carry (`python3-dateutil`, `pyrequests`) and the version digit that
 * is part of many names (`urllib` for `urllib3`, `beautifulsoup` for `beautifulsoup4`). Both the
 * popular side (when the index is built) and the checked side (per name) are reduced with the same
 * functions here, so the two always meet in the same form.
 *
 * Every function takes a PEP 503-normalized name (lowercase, single `-` separators).
 */

/** `prompt-tool-kit` -> `prompttoolkit`: the name with its separators removed. */
export function compact(normalized: string): string {
  return normalized.replaceAll('-', '');
}

/**
 * Look-alike folding: what a reader sees rather than what was typed. `0`/`o`, `1`/`l`, `rn`/`m` and
 * `vv`/`w` are the ASCII confusions attackers use in names (`b0to3`, `rnatplotlib`). `i`/`l` is not
 * folded: in lowercase the dot tells them apart, and the uppercase `I` trick (`jeIlyfish`) is seen on
 * the raw name instead, before normalization lowercases it.
 */
export function skeleton(compactName: string): string {
  return compactName.replaceAll('rn', 'm').replaceAll('vv', 'w').replaceAll('0', 'o').replaceAll('1', 'l');
}

/**
 * Affixes that mean "the Python package of X". Longest first, so `python3-` wins over `py`.
 * Glued forms (`pyyaml`) and separated forms (`python-nmap`, `opencv-python`) are both common on PyPI.
 */
export const PY_PREFIXES: readonly string[] = ['python3-', 'python-', 'py3-', 'py-', 'python3', 'python', 'py3', 'py'];
export const PY_SUFFIXES: readonly string[] = ['-python3', '-python', '-py3', '-py', 'python3', 'python', 'py3', 'py'];

/** Shortest core worth comparing once an affix is removed: `pytz` -> `tz` would match half of PyPI. */
export const MIN_CORE = 4;

export interface Unaffixed {
  /** The normalized name without the affix. */
  core: string;
  /** The affix as it appeared, e.g. `python3-` or `-py`. */
  affix: string;
  where: 'prefix' | 'suffix';
}

/**
 * `name` read as a py/python affix plus a core of at least MIN_CORE characters: the longest prefix
 * and the longest suffix that match (`python3-dateutil` is `python3-` + `dateutil`, never `py` +
 * `thon3-dateutil`).
 */
export function unaffixed(name: string): Unaffixed[] {
  const out: Unaffixed[] = [];
  const p = PY_PREFIXES.find((a) => name.startsWith(a));
  if (p) {
    const core = name.slice(p.length);
    if (compact(core).length >= MIN_CORE && !core.startsWith('-')) out.push({ core, affix: p, where: 'prefix' });
  }
  const s = PY_SUFFIXES.find((a) => name.endsWith(a));
  if (s) {
    const core = name.slice(0, -s.length);
    if (compact(core).length >= MIN_CORE && !core.endsWith('-')) out.push({ core, affix: s, where: 'suffix' });
  }
  return out;
}

// `-v2` only after a separator: in `opencv2` the v belongs to the word.
const TRAILING_VERSION = /^(.*[a-z])-(v?\d{1,2})$|^(.*[a-z])(\d{1,2})$/;

/**
 * `urllib3` -> {stem: `urllib`, version: `3`}; `requests-2` -> `requests`. Only a short trailing number
 * after a letter counts, so `py2neo`, `s3` and `x509` keep their digits as part of the word.
 */
export function versionStem(name: string): { stem: string; version: string } | undefined {
  const m = TRAILING_VERSION.exec(name);
  const stem = m?.[1] ?? m?.[3];
  if (!m || !stem || compact(stem).length < 3) return undefined;
  return { stem, version: (m[2] ?? m[4])! };
}
