/**
 * Which findings the user chose to accept: `--ignore-vuln ID` on the command line and an ignore
 * file with a reason and an optional expiry per entry. Matching is alias-aware: ignoring a CVE id
 * ignores the finding whatever id the database prefers for it.
 *
 * Ignore file (TOML):
 *   [[ignore]]
 *   id = "GHSA-xxxx-xxxx-xxxx"
 *   reason = "we never call the affected function"
 *   expires = 2027-01-31        # optional; after that day the finding counts again
 *   package = "jinja2"          # optional; limit the entry to one package
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InputError } from '../core/errors.js';
import type { IgnoredFinding, VulnerabilityFinding } from '../core/model.js';
import { normalizeName } from '../core/names.js';

export interface IgnoreRule {
  id: string;
  reason: string;
  expires?: Date;
  package?: string;
  /** `file:line`-ish origin for messages. */
  origin: string;
}

export function ignoreRulesFromFlags(ids: string[]): IgnoreRule[] {
  return ids.map((id) => ({ id, reason: 'ignored with --ignore-vuln', origin: '--ignore-vuln' }));
}

export function readIgnoreFile(file: string): IgnoreRule[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('input-not-found', `cannot read ignore file (check the path given to --ignore-file)`, { file });
  }
  // smol-toml is loaded only when an ignore file is given.
  const { parse, TomlError } = createRequire(import.meta.url)('smol-toml') as typeof import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    const line = err instanceof TomlError ? err.line : undefined;
    throw new InputError('input-parse', `not valid TOML: ${(err as Error).message.split('\n')[0]}`, { file, line });
  }
  const entries = doc['ignore'];
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new InputError('input-parse', 'expected [[ignore]] tables', { file });
  return entries.map((entry: unknown, i) => {
    const where = `${file} [[ignore]] #${i + 1}`;
    if (typeof entry !== 'object' || entry === null) throw new InputError('input-parse', `${where}: not a table`, { file });
    const e = entry as Record<string, unknown>;
    if (typeof e['id'] !== 'string' || !e['id']) throw new InputError('input-parse', `${where}: missing id = "..."`, { file });
    if (typeof e['reason'] !== 'string' || !e['reason'].trim())
      throw new InputError('input-parse', `${where}: missing reason = "..." (say why the finding is acceptable)`, { file });
    const rule: IgnoreRule = { id: e['id'], reason: e['reason'], origin: where };
    if (e['expires'] !== undefined) {
      const d = e['expires'] instanceof Date ? e['expires'] : new Date(String(e['expires']));
      if (Number.isNaN(d.getTime())) throw new InputError('input-parse', `${where}: expires must be a date like 2027-01-31`, { file });
      rule.expires = d;
    }
    if (typeof e['package'] === 'string') rule.package = normalizeName(e['package']);
    return rule;
  });
}

/** Splits findings into kept and ignored; expired rules warn and ignore nothing. */
export function applyIgnores(
  findings: VulnerabilityFinding[],
  rules: IgnoreRule[],
  now: Date,
  warn: (message: string) => void,
): { kept: VulnerabilityFinding[]; ignored: IgnoredFinding[] } {
  const active = rules.filter((r) => {
    if (r.expires && r.expires.getTime() < now.getTime()) {
      warn(`${r.origin}: the ignore for ${r.id} expired on ${r.expires.toISOString().slice(0, 10)}; it counts again`);
      return false;
    }
    return true;
  });
  if (active.length === 0) return { kept: [...findings], ignored: [] };
  const kept: VulnerabilityFinding[] = [];
  const ignored: IgnoredFinding[] = [];
  const used = new Set<IgnoreRule>();
  for (const f of findings) {
    const ids = new Set([f.vulnerability.id, ...f.vulnerability.aliases].map((s) => s.toUpperCase()));
    const rule = active.find((r) => ids.has(r.id.toUpperCase()) && (!r.package || r.package === f.package.name));
    if (rule) {
      used.add(rule);
      ignored.push({ finding: f, reason: rule.reason });
    } else kept.push(f);
  }
  for (const r of active) if (!used.has(r) && r.origin !== '--ignore-vuln') warn(`${r.origin}: ${r.id} matched no finding; the entry can go`);
  return { kept, ignored };
}
