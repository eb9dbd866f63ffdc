/**
 * `pyward verify` for people: the verdict first, then what it was checked against, then each
 * signature with who signed, from where, and when it was logged. Scripts should read --format json.
 *
 * Everything shown from a certificate or statement is attacker-supplied until verified (and even
 * then chosen by the signer), so control characters are escaped before they reach a terminal.
 */
import type { AttestationReport, SignerReport, VerifyReport } from './types.js';

const ESC = '\u001b[';

const BUILDER_TRUST = {
  expected: 'the expected builder',
  'slsa-github-generator': 'slsa-github-generator at a release tag',
  'source-repository': "the source repository's own workflow",
} as const;

export interface VerifyTableOptions {
  color: boolean;
}

export function renderVerifyTable(report: VerifyReport, options: VerifyTableOptions): string {
  const paint = (text: string, code: string): string => (options.color ? `${ESC}${code}m${text}${ESC}0m` : text);
  const out: string[] = [];
  const name = report.artifact.filename || report.artifact.path || `sha256:${report.artifact.sha256}`;
  out.push(report.verified ? `${paint('verified', '1;32')}  ${clean(name)}` : `${paint('NOT VERIFIED', '1;31')}  ${clean(name)}`);
  const rows: [string, string][] = [];
  if (report.error) rows.push(['reason', `${report.error.code}: ${clean(report.error.message)}`]);
  rows.push(['sha256', report.artifact.sha256]);
  rows.push(['input', `${clean(report.input.path)} (${report.input.format})`]);
  rows.push(...expectedRows(report));
  rows.push(['trusted root', `${clean(report.trustedRoot.label)}, sha256 ${report.trustedRoot.sha256.slice(0, 16)}…`]);
  out.push(...aligned(rows, '  '));
  for (const a of report.attestations) {
    out.push('', `  ${clean(a.where)}: ${a.verified ? paint('verified', '32') : paint('not verified', '31')}`);
    out.push(...aligned(attestationRows(a), '    '));
  }
  return out.join('\n') + '\n';
}

function expectedRows(report: VerifyReport): [string, string][] {
  const e = report.expected;
  const rows: [string, string][] = [];
  if (e.publisher) rows.push(['expected', e.publisher]);
  if (e.identity) rows.push(['expected', `${clean(e.identity)} (issuer ${clean(e.issuer ?? '?')})`]);
  if (e.keySha256) rows.push(['expected', `key sha256 ${e.keySha256}`]);
  if (e.sourceUri) {
    const ref = e.sourceTag ? ` tag ${e.sourceTag}` : e.sourceBranch ? ` branch ${e.sourceBranch}` : '';
    rows.push(['expected', `source ${clean(e.sourceUri)}${clean(ref)}${e.builderId ? `, builder ${clean(e.builderId)}` : ''}`]);
  }
  return rows;
}

function attestationRows(a: AttestationReport): [string, string][] {
  const rows: [string, string][] = [];
  if (a.error) rows.push(['reason', `${a.error.code}: ${clean(a.error.message)}`]);
  if (a.predicateType) rows.push(['type', clean(a.predicateType)]);
  if (a.signer) rows.push(...signerRows(a.signer));
  if (a.claimedPublisher) {
    const p = a.claimedPublisher;
    const what = p.email ?? [p.repository, p.workflow].filter(Boolean).join(' @ ');
    rows.push(['index says', clean(`${p.kind} ${what}${p.environment ? ` (environment ${p.environment})` : ''}`)]);
  }
  if (a.slsa) {
    rows.push(['builder', clean(`${a.slsa.builderId}${a.slsa.builderTrust ? ` (${BUILDER_TRUST[a.slsa.builderTrust]})` : ''}`)]);
    if (a.slsa.sourceRepository) rows.push(['built from', clean(`${a.slsa.sourceRepository} ${a.slsa.sourceRef ?? ''}`.trim())]);
  }
  for (const t of a.transparencyLog) {
    rows.push(['logged', clean(`${t.integratedTime ?? 'time from a timestamp authority'}, ${t.log ?? 'unknown log'} entry ${t.logIndex}`)]);
  }
  if (a.signedAt.length > 0 && a.transparencyLog.every((t) => t.integratedTime === undefined)) rows.push(['signed at', a.signedAt.join(', ')]);
  return rows;
}

function signerRows(s: SignerReport): [string, string][] {
  if (s.kind === 'key') return [['signer', `managed key, sha256 ${s.keySha256}`]];
  const rows: [string, string][] = [['signer', clean(s.identity)]];
  if (s.issuer) rows.push(['issuer', clean(s.issuer)]);
  if (s.repository) {
    const ids = [s.repositoryId ? `id ${s.repositoryId}` : '', s.ownerId ? `owner id ${s.ownerId}` : ''].filter(Boolean).join(', ');
    rows.push(['source', clean(`${s.repository}${ids ? ` (${ids})` : ''}${s.ref ? ` at ${s.ref}` : ''}${s.commit ? `, commit ${s.commit.slice(0, 12)}` : ''}`)]);
  }
  if (s.workflow && s.workflow !== s.identity) rows.push(['workflow', clean(s.workflow)]);
  if (s.trigger) rows.push(['trigger', clean(`${s.trigger}${s.runner ? ` on ${s.runner}` : ''}`)]);
  return rows;
}

function aligned(rows: [string, string][], indent: string): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`);
}

/** Escapes C0/C1 controls and bidi overrides, so a crafted identity cannot rewrite the terminal. */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
