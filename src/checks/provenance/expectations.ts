/**
 * Publisher pins from a policy file (pyward.toml), one per project:
 *
 *   [verify.publishers]
 *   pypi-attestations = "github:trailofbits/pypi-attestations@release.yml"
 *   "gitlab-oidc-project" = "gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml"
 *
 * Keys are project names (normalized when read, so `Foo_Bar` and `foo-bar` are one entry); values
 * are the `--expect-publisher` spec. Only this table is read here; the rest of the file belongs to
 * the other commands' policy. A bad entry is an input error naming the file and line, because a pin
 * that silently does nothing is worse than none.
 */
import { parse, TomlError } from 'smol-toml';
import { InputError, UsageError } from '../../core/errors.js';
import { isValidName, normalizeName } from '../../core/names.js';
import { parsePublisherSpec, type PublisherSpec } from './identity.js';

export interface PublisherPin {
  spec: PublisherSpec;
  /** `pyward.toml:12`, for reports. */
  origin: string;
}

export function readPublisherPins(text: string, file: string): Map<string, PublisherPin> {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      throw new InputError('input-parse', `not valid TOML: ${err.message.split('\n')[0]!}`, { file, line: err.line, column: err.column });
    }
    throw err;
  }
  const pins = new Map<string, PublisherPin>();
  const lines = text.split('\n');
  const verify = doc['verify'];
  if (verify === undefined) return pins;
  const table = isTable(verify) ? verify['publishers'] : undefined;
  if (!isTable(verify) || (table !== undefined && !isTable(table))) {
    throw new InputError('input-parse', '[verify.publishers] must be a table of project = "github:OWNER/REPO@WORKFLOW.yml"', { file, ...lineOf(lines, 0, (rest) => /^\[\s*verify/.test(rest)) });
  }
  // Keys are looked for after the table's header, so a same-named key elsewhere is not blamed.
  const start = (lineOf(lines, 0, (rest) => /^\[\s*verify\s*\.\s*publishers\s*\]/.test(rest)).line ?? 1) - 1;
  let keyLines: Map<string, number> | undefined;
  for (const [name, value] of Object.entries(table ?? {})) {
    let line: { line?: number };
    if (isValidName(name)) {
      // One pass for all the keys: a search per key from the header was quadratic in a table of many.
      keyLines ??= validKeyLines(lines, start);
      const n = keyLines.get(name);
      line = n === undefined ? {} : { line: n };
    } else {
      const key = new RegExp(`^["']?${escape(name)}["']?\\s*=`);
      line = lineOf(lines, start, (rest) => key.test(rest));
    }
    const where = { file, ...line };
    if (!isValidName(name)) throw new InputError('input-parse', `[verify.publishers]: ${JSON.stringify(name)} is not a project name`, where);
    if (typeof value !== 'string') throw new InputError('input-parse', `[verify.publishers] ${name}: the publisher is a string such as "github:OWNER/REPO@release.yml"`, where);
    const key = normalizeName(name);
    if (pins.has(key)) throw new InputError('input-parse', `[verify.publishers] names ${key} twice (names are compared normalized)`, where);
    let spec: PublisherSpec;
    try {
      spec = parsePublisherSpec(value);
    } catch (err) {
      if (err instanceof UsageError) throw new InputError('input-parse', `[verify.publishers] ${name}: ${err.message}`, where);
      throw err;
    }
    if (spec.kind === 'identity') throw new InputError('input-parse', `[verify.publishers] ${name}: a pin is a Trusted Publisher`, where);
    pins.set(key, { spec, origin: `${file}${line.line !== undefined ? `:${line.line}` : ''}` });
  }
  return pins;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * The first line from index `from` whose text after its leading whitespace passes `test`, for the
 * error's location; a location is a courtesy, not a parse. Line by line: a multiline `^\s*` pattern
 * rescanned every blank line below from each line start, quadratic on a hostile file of them.
 */
function lineOf(lines: readonly string[], from: number, test: (rest: string) => boolean): { line?: number } {
  for (let i = from; i < lines.length; i++) if (test(lines[i]!.trimStart())) return { line: i + 1 };
  return {};
}

/** Each key that is a valid project name, to the first line from index `from` that assigns it (`name =`, `"name" =`). */
function validKeyLines(lines: readonly string[], from: number): Map<string, number> {
  const found = new Map<string, number>();
  for (let i = from; i < lines.length; i++) {
    const m = /^["']?([A-Za-z0-9._-]+)["']?\s*=/.exec(lines[i]!.trimStart());
    if (m && !found.has(m[1]!)) found.set(m[1]!, i + 1);
  }
  return found;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
