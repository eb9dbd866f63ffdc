/**
 * Core metadata (METADATA in a wheel or .dist-info, PKG-INFO in an sdist or .egg-info),
 * versions 1.0 to 2.4: RFC 822 style headers, then an optional body that holds the
 * description (metadata 2.1+).
 *
 * It comes out of packages we have not decided to trust, so it is bounded in size and
 * parsed without backtracking regular expressions. Where one field is written twice with
 * different meanings (two `Name:` headers), we refuse the file: tools that read the first
 * and tools that read the last would disagree about which package this is.
 */
import { InputError } from './errors.js';
import { normalizeName } from './names.js';
import { parseVersion } from './version.js';

export interface CoreMetadata {
  /** `1.0` ... `2.4` (or a later 2.x). */
  metadataVersion: string;
  /** PEP 503-normalized name. */
  name: string;
  /** The name as written. */
  rawName: string;
  /** Canonical PEP 440 form when the version is valid; as written otherwise (old egg-info). */
  version: string;
  /** The version as written. */
  rawVersion: string;
  /** False for a legacy version that PEP 440 cannot read. */
  versionValid: boolean;
  summary?: string;
  /** PEP 508 requirement strings as written; parse them with parseRequirement. */
  requiresDist: string[];
  requiresPython?: string;
  /** Normalized extra names, in order, without duplicates. */
  providesExtra: string[];
  /** Label -> URL. The first use of a label wins. */
  projectUrls: Record<string, string>;
  homePage?: string;
  downloadUrl?: string;
  author?: string;
  authorEmail?: string;
  maintainer?: string;
  maintainerEmail?: string;
  license?: string;
  licenseExpression?: string;
  licenseFiles: string[];
  classifiers: string[];
  /** Fields an sdist leaves for the build to fill in (metadata 2.2). */
  dynamic: string[];
  description?: string;
  descriptionContentType?: string;
}

/** Real METADATA files are kilobytes; the largest descriptions on PyPI are well under this. */
export const MAX_METADATA_CHARS = 10 * 1024 * 1024;

/** Header fields that say which package this is; writing one twice is refused. */
const IDENTITY_FIELDS = new Set(['metadata-version', 'name', 'version']);

/** Free-text fields whose line breaks are content; other folded fields are joined with spaces. */
const TEXT_FIELDS = new Set(['description', 'license']);

/**
 * Old tools wrote `UNKNOWN` for every field the author left empty. Reading it as absent keeps
 * checks such as "no home page" honest.
 */
const UNKNOWN = 'UNKNOWN';

interface Header {
  name: string;
  value: string;
}

/**
 * Parse METADATA or PKG-INFO text. `file` names it in error messages. Throws InputError
 * `invalid-metadata` when the text is too large, lacks Metadata-Version, Name or Version, or
 * repeats one of them.
 */
export function parseCoreMetadata(text: string, file: string): CoreMetadata {
  if (text.length > MAX_METADATA_CHARS) {
    throw new InputError(
      'invalid-metadata',
      `metadata is ${text.length} characters, more than the ${MAX_METADATA_CHARS} pyward reads`,
      { file },
    );
  }
  // A UTF-8 byte order mark (some Windows tools write one) is not part of the first field name.
  if (text.startsWith('\uFEFF')) text = text.slice(1);

  const { headers, body } = splitMessage(text);
  const byName = new Map<string, Header[]>();
  for (const h of headers) {
    const key = h.name.toLowerCase();
    const list = byName.get(key);
    if (list) list.push(h);
    else byName.set(key, [h]);
  }

  const all = (field: string): string[] => (byName.get(field) ?? []).map((h) => h.value);
  const first = (field: string): string | undefined => {
    const value = byName.get(field)?.[0]?.value.trim();
    return value === '' || value === UNKNOWN ? undefined : value;
  };
  const required = (field: string, label: string): string => {
    const values = all(field).map((v) => v.trim());
    if (values.length === 0 || values[0] === '') {
      throw new InputError('invalid-metadata', `metadata has no ${label} field`, { file });
    }
    if (values.length > 1 && IDENTITY_FIELDS.has(field)) {
      throw new InputError(
        'invalid-metadata',
        `metadata has ${values.length} ${label} fields (${values.map((v) => JSON.stringify(v)).join(', ')}); tools would disagree about which one counts`,
        { file },
      );
    }
    return values[0]!;
  };

  const metadataVersion = required('metadata-version', 'Metadata-Version');
  const mv = /^(\d+)\.(\d+)$/.exec(metadataVersion);
  if (!mv || Number(mv[1]) < 1 || Number(mv[1]) > 2) {
    // The spec asks tools to refuse a newer major version: its fields may mean other things.
    throw new InputError(
      'invalid-metadata',
      `unsupported Metadata-Version ${JSON.stringify(metadataVersion)} (pyward reads 1.0 to 2.x)`,
      { file },
    );
  }
  const rawName = required('name', 'Name');
  const rawVersion = required('version', 'Version');
  const parsed = parseVersion(rawVersion);

  const result: CoreMetadata = {
    metadataVersion,
    name: normalizeName(rawName),
    rawName,
    version: parsed ? parsed.toString() : rawVersion,
    rawVersion,
    versionValid: parsed !== undefined,
    requiresDist: nonEmpty(all('requires-dist')),
    providesExtra: [...new Set(nonEmpty(all('provides-extra')).map(normalizeName))],
    projectUrls: projectUrls(all('project-url')),
    licenseFiles: nonEmpty(all('license-file')),
    classifiers: nonEmpty(all('classifier')),
    dynamic: nonEmpty(all('dynamic')),
  };
  const optional: [keyof CoreMetadata, string][] = [
    ['summary', 'summary'],
    ['requiresPython', 'requires-python'],
    ['homePage', 'home-page'],
    ['downloadUrl', 'download-url'],
    ['author', 'author'],
    ['authorEmail', 'author-email'],
    ['maintainer', 'maintainer'],
    ['maintainerEmail', 'maintainer-email'],
    ['license', 'license'],
    ['licenseExpression', 'license-expression'],
    ['descriptionContentType', 'description-content-type'],
    ['description', 'description'],
  ];
  for (const [key, field] of optional) {
    const value = first(field);
    if (value !== undefined) (result as unknown as Record<string, unknown>)[key] = value;
  }
  // Metadata 2.1 moved the description to the body. When a file has both, the body wins:
  // it is what PyPI renders, and the header is usually a stale copy.
  if (body.trim() !== '') result.description = body;
  return result;
}

function nonEmpty(values: string[]): string[] {
  return values.map((v) => v.trim()).filter((v) => v !== '');
}

/** `Label, https://...` pairs. A value without a comma has no URL and is skipped. */
function projectUrls(values: string[]): Record<string, string> {
  // No prototype, so a label such as `__proto__` is just a label.
  const urls: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const v of values) {
    const comma = v.indexOf(',');
    if (comma < 0) continue;
    const label = v.slice(0, comma).trim();
    const url = v.slice(comma + 1).trim();
    if (url === '' || Object.hasOwn(urls, label)) continue;
    urls[label] = url;
  }
  return urls;
}

/**
 * Split the text into headers and body exactly as Python's email parser (compat32, which
 * packaging and pip use) does, because a package that reads one way to pip and another way
 * to us could hide a dependency from the audit:
 * - lines end in \r\n, \r or \n;
 * - the headers are the leading lines that start with `From `, with a space or tab, or with
 *   `name:` where the name is printable ASCII without space (it may be empty); the first
 *   empty line ends them and is dropped, any other line ends them and starts the body;
 * - a line starting with space or tab continues the field before it; at the very start, or
 *   after a line with an empty name, it is dropped;
 * - a `From ` line is dropped, except as the last header line, where it starts the body.
 */
function splitMessage(text: string): { headers: Header[]; body: string } {
  const lines: { line: string; start: number; next: number }[] = [];
  let pos = 0;
  while (pos < text.length) {
    const { line, next } = readLine(text, pos);
    if (line === '') {
      pos = next;
      break;
    }
    if (!isHeaderLine(line)) break;
    lines.push({ line, start: pos, next });
    pos = next;
  }
  let body = text.slice(pos);

  const headers: Header[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const flush = (): void => {
    if (current) headers.push({ name: current.name, value: unfold(current.name, current.lines) });
    current = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const { line, start, next } = lines[i]!;
    if (line[0] === ' ' || line[0] === '\t') {
      current?.lines.push(line);
      continue;
    }
    flush();
    if (line.startsWith('From ')) {
      if (i === lines.length - 1 && i > 0) body = text.slice(start, next) + body;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon === 0) continue; // no name: Python records a defect and skips the field
    current = { name: line.slice(0, colon), lines: [line.slice(colon + 1).replace(/^[ \t]+/, '')] };
  }
  flush();
  return { headers, body };
}

function readLine(text: string, pos: number): { line: string; next: number } {
  let end = pos;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  let next = end;
  if (text[end] === '\r') next = text[end + 1] === '\n' ? end + 2 : end + 1;
  else if (text[end] === '\n') next = end + 1;
  return { line: text.slice(pos, end), next };
}

/** Python's email headerRE: `From `, leading whitespace, or a (possibly empty) field name and ':'. */
function isHeaderLine(line: string): boolean {
  if (line.startsWith('From ') || line[0] === ' ' || line[0] === '\t') return true;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x3a) return true;
    if (c < 0x21 || c > 0x7e) return false;
  }
  return false;
}

/**
 * Join a folded field. In Description and License the line breaks are content; their
 * continuation lines carry an indent that the writer added and we take off: 8 spaces
 * (distutils), 7 or 8 spaces and a `|` (the core metadata spec, setuptools), or a tab.
 * Other fields fold only to wrap long lines, so their pieces are joined with a space.
 */
function unfold(name: string, lines: string[]): string {
  const head = lines[0] ?? '';
  const rest = lines.slice(1);
  if (rest.length === 0) return head;
  if (TEXT_FIELDS.has(name.toLowerCase())) {
    return [head, ...rest.map((l) => l.replace(/^(?: {7,8}\||\t\||\t| {8}|[ \t]+$)/, ''))].join('\n');
  }
  return [head, ...rest].map((l) => l.trim()).filter((l) => l !== '').join(' ');
}
