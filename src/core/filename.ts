/**
 * Wheel and sdist file names: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` and
 * `{name}-{version}.tar.gz`. The rules are those of packaging.utils parse_wheel_filename and
 * parse_sdist_filename (packaging 26.x), with two additions for hostile input noted below.
 *
 * The gate reads these names from upstream index pages, so they are untrusted.
 */
import { InputError } from './errors.js';
import { quoteForMessage } from './marker.js';
import { normalizeName } from './names.js';
import { Version } from './version.js';

export interface WheelTag {
  /** Lower-cased, as packaging.tags.Tag stores them. */
  python: string;
  abi: string;
  platform: string;
}

export interface WheelBuild {
  /** The leading digits, which order builds of the same version. */
  number: number;
  /** Whatever follows the digits, often ''. */
  suffix: string;
  /** The build tag as written, so a number past 2^53 is not lost. */
  text: string;
}

export interface WheelFilename {
  /** PEP 503-normalized project name. */
  name: string;
  /** Canonical PEP 440 version. */
  version: string;
  build?: WheelBuild;
  /** The expanded compressed tag set (`py2.py3-none-any` gives two), without duplicates. */
  tags: WheelTag[];
}

export type SdistExtension = '.tar.gz' | '.zip';
/** Archive suffixes that old sdists on PyPI use and pip still unpacks. */
export type LegacySdistExtension =
  | '.tar.bz2'
  | '.tbz'
  | '.tar.xz'
  | '.txz'
  | '.tlz'
  | '.tar.lz'
  | '.tar.lzma'
  | '.tgz'
  | '.tar';

export interface SdistFilename {
  /** PEP 503-normalized project name. */
  name: string;
  /** Canonical PEP 440 version. */
  version: string;
  extension: SdistExtension | LegacySdistExtension;
}

/**
 * A compressed tag set multiplies out (`a.b.c-d.e.f-g.h.i` is 27 tags), so a crafted name of a
 * few kilobytes could ask for billions. Real wheels carry a handful; refuse beyond this.
 */
export const MAX_WHEEL_TAGS = 1024;

/** PEP 427 escaped project name: word characters, `.` and `_` (Python's Unicode `\w`). */
const WHEEL_NAME = /^[\p{L}\p{N}_.]+$/u;
/** The interpreter tag must be a Python identifier (packaging checks `str.isidentifier()`). */
const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
/**
 * The lookahead keeps the digits whole: without it a failing `(.*)$` (a U+2028 in the tag) gave
 * back one digit at a time and rescanned the rest, quadratic in a hostile tag's length.
 */
const BUILD = /^([0-9]+)(?![0-9])(.*)$/;

export function parseWheelFilename(filename: string): WheelFilename {
  checkFileName(filename);
  if (!filename.endsWith('.whl')) fail(filename, "a wheel's name must end in .whl");
  const stem = filename.slice(0, -'.whl'.length);
  const parts = stem.split('-');
  if (parts.length !== 5 && parts.length !== 6) {
    fail(
      filename,
      `expected name-version(-build)-python-abi-platform.whl, found ${parts.length} parts separated by '-'`,
    );
  }
  const [namePart, versionPart] = parts as [string, string];
  if (namePart.includes('__') || !WHEEL_NAME.test(namePart)) {
    fail(filename, `invalid project name ${JSON.stringify(namePart)} (letters, digits, '.' and single '_' only)`);
  }
  const version = canonical(filename, versionPart);

  let build: WheelBuild | undefined;
  if (parts.length === 6) {
    const text = parts[2]!;
    const m = BUILD.exec(text);
    if (!m) fail(filename, `invalid build tag ${JSON.stringify(text)} (it must start with a digit)`);
    build = { number: Number(m[1]), suffix: m[2]!, text };
  }

  const [python, abi, platform] = parts.slice(-3).map((component) => {
    const values = component.split('.');
    if (values.includes('')) fail(filename, `empty tag in ${JSON.stringify(component)}`);
    return values.map((v) => v.toLowerCase());
  }) as [string[], string[], string[]];
  for (const p of python) {
    if (!IDENTIFIER.test(p)) fail(filename, `invalid python tag ${JSON.stringify(p)}`);
  }
  const count = python.length * abi.length * platform.length;
  if (count > MAX_WHEEL_TAGS) {
    fail(filename, `the compressed tag set expands to ${count} tags (the limit is ${MAX_WHEEL_TAGS})`);
  }
  const seen = new Set<string>();
  const tags: WheelTag[] = [];
  for (const py of python) {
    for (const a of abi) {
      for (const pl of platform) {
        const key = `${py}-${a}-${pl}`;
        if (seen.has(key)) continue;
        seen.add(key);
        tags.push({ python: py, abi: a, platform: pl });
      }
    }
  }

  const result: WheelFilename = { name: normalizeName(namePart), version, tags };
  if (build) result.build = build;
  return result;
}

const SDIST_EXTENSIONS: readonly SdistExtension[] = ['.tar.gz', '.zip'];
// Longest first, so `.tar.gz` is not taken for `.tar` or `.gz`.
const LEGACY_EXTENSIONS: readonly LegacySdistExtension[] = [
  '.tar.lzma',
  '.tar.bz2',
  '.tar.xz',
  '.tar.lz',
  '.tar',
  '.tbz',
  '.txz',
  '.tlz',
  '.tgz',
];

export interface SdistOptions {
  /**
   * Also accept the archive types of old sdists (`.tar.bz2`, `.tgz`, `.tar.xz`, ...). packaging
   * accepts only `.tar.gz` and `.zip`, and PyPI takes no other uploads today, so this is off
   * by default; turn it on where old releases must still be named, e.g. on an index page.
   */
  legacy?: boolean;
}

export function parseSdistFilename(filename: string, options: SdistOptions = {}): SdistFilename {
  checkFileName(filename);
  const allowed: readonly (SdistExtension | LegacySdistExtension)[] = options.legacy
    ? [...SDIST_EXTENSIONS, ...LEGACY_EXTENSIONS]
    : SDIST_EXTENSIONS;
  const extension = allowed.find((ext) => filename.endsWith(ext));
  if (extension === undefined) {
    fail(filename, `an sdist's name must end in ${allowed.join(' or ')}`);
  }
  const stem = filename.slice(0, -extension.length);
  // A PEP 440 version has no '-', so the last one separates it from the name.
  const dash = stem.lastIndexOf('-');
  if (dash < 0) fail(filename, "expected name-version, found no '-'");
  if (dash === 0) fail(filename, 'the project name is empty');
  const version = canonical(filename, stem.slice(dash + 1));
  return { name: normalizeName(stem.slice(0, dash)), version, extension };
}

/**
 * Not in packaging: a file name from an index page is a basename, so a path separator or a
 * control character in it is an attack on whoever joins it to a directory. Refuse it here
 * so no caller has to remember to.
 */
function checkFileName(filename: string): void {
  const bad = /[/\\\x00-\x1f\x7f]/.exec(filename);
  if (bad) fail(filename, `a file name cannot contain ${JSON.stringify(bad[0])}`);
}

function canonical(filename: string, text: string): string {
  let version: Version;
  try {
    version = Version.parse(text);
  } catch (err) {
    if (err instanceof InputError) fail(filename, `invalid version ${JSON.stringify(text)}`);
    throw err;
  }
  return version.toString();
}

function fail(filename: string, problem: string): never {
  throw new InputError('invalid-filename', `invalid distribution file name ${quoteForMessage(filename)}: ${problem}`);
}
