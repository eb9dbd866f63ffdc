/**
 * Rule documentation from the rule list itself, so `pyward inspect --explain RULE` and the table in
 * docs/inspect.md cannot drift from what the engine runs (a test compares the doc with this).
 */
import { RULES, ruleById } from './rules/index.js';
import { METADATA_CAP, PHASE_MULTIPLIER, SEVERITY_WEIGHT, THRESHOLDS } from './score.js';
import type { Rule } from './types.js';

const SCOPES: Record<Rule['scope'], string> = {
  file: 'each scanned file',
  package: 'the package as a whole',
  pair: 'a wheel against its sdist',
  index: "the project's metadata on the index (downloaded packages, online only)",
};

export function explainRule(id: string): string | undefined {
  if (id === 'list') return RULES.map((r) => `${r.id.padEnd(28)} ${r.severity.padEnd(8)} ${r.description}`).join('\n') + '\n';
  const r = ruleById(id);
  if (!r) return undefined;
  return [
    `${r.id} (${r.severity}, ${r.kind}${r.kind === 'capability' ? ': counts only beside a matching finding' : ''})`,
    '',
    r.description,
    '',
    wrap(r.explain, 100),
    '',
    `tags: ${r.tags.join(', ')}`,
    `scope: ${SCOPES[r.scope]}`,
    r.scope === 'index'
      ? `weight: ${SEVERITY_WEIGHT[r.severity]}; all metadata rules together add at most ${METADATA_CAP}, below suspicious at ${THRESHOLDS.suspicious}`
      : `weight: ${SEVERITY_WEIGHT[r.severity]} (x${PHASE_MULTIPLIER.install} at install time, x${PHASE_MULTIPLIER.import} at import time); ` +
        `suspicious at ${THRESHOLDS.suspicious}, malicious at ${THRESHOLDS.malicious}`,
    '',
  ].join('\n');
}

function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > width && line !== '') {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out.join('\n');
}

/** The rules table of docs/inspect.md, between its `<!-- rules:start -->` and `<!-- rules:end -->` markers. */
export function rulesMarkdown(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = ['| rule | severity | kind | tags | what it flags |', '|---|---|---|---|---|'];
  for (const r of RULES) lines.push(`| \`${r.id}\` | ${r.severity} | ${r.kind} | ${r.tags.join(', ')} | ${esc(r.description)} |`);
  lines.push('');
  for (const r of RULES) lines.push(`### \`${r.id}\``, '', esc(r.explain), '');
  return lines.join('\n');
}
