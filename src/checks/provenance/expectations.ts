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
  const verify = doc['verify'];
  if (verify === undefined) return pins;
  const table = isTable(verify) ? verify['publishers'] : undefined;
  if (!isTable(verify) || (table !== undefined && !isTable(table))) {
    throw new InputError('input-parse', '[verify.publishers] must be a table of project = "github:OWNER/REPO@WORKFLOW.yml"', { file, ...lineOf(text, /^\s*\[\s*verify/m) });
  }
  // Keys are looked for after the table's header, so a same-named key elsewhere is not blamed.
  const start = /^\s*\[\s*verify\s*\.\s*publishers\s*\]/m.exec(text)?.index ?? 0;
  for (const [name, value] of Object.entries(table ?? {})) {
    const line = lineOf(text, new RegExp(`^\\s*["']?${escape(name)}["']?\\s*=`, 'm'), start);
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

/** The line of the first match, for the error's location; a location is a courtesy, not a parse. */
function lineOf(text: string, re: RegExp, from = 0): { line?: number } {
  const m = re.exec(text.slice(from));
  return m ? { line: text.slice(0, from + m.index + m[0].search(/\S/)).split('\n').length } : {};
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
