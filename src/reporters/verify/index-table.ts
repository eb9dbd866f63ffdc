/**
 * The index forms of `pyward verify` for people: per project the verdict and its reason, what the
 * signers were compared with, one line per release (how many files verified, who signed, how), the
 * findings, and the files that failed. Scripts should read --format json.
 */
import { clean } from './table.js';
import type { FileReport, IndexVerifyReport, ProjectReport, ReleaseReport } from './types.js';

const ESC = '\u001b[';

const EXPECTED: Record<ProjectReport['expected']['source'], string> = {
  flag: 'pinned with --expect-publisher',
  policy: 'pinned in the policy file',
  tofu: 'stored on first use',
  'tofu-learned': 'learned now and stored (trust on first use)',
  history: 'each release compared with the one before (nothing pinned: --expect-publisher, pyward.toml or --tofu pin one)',
  none: 'nothing pinned: any publisher is accepted (--expect-publisher, pyward.toml or --tofu pin one)',
};

export function renderIndexTable(report: IndexVerifyReport, options: { color: boolean }): string {
  const paint = (text: string, code: string): string => (options.color ? `${ESC}${code}m${text}${ESC}0m` : text);
  const out: string[] = [];
  for (const p of report.projects) {
    if (out.length > 0) out.push('');
    out.push(...project(p, paint));
  }
  if (report.skipped.length > 0) {
    out.push('', `not verified (${report.skipped.length}):`);
    for (const s of report.skipped) out.push(`  ${clean(`${s.name}${s.version ? ` ${s.version}` : ''}`)}${s.location ? ` (${clean(s.location)})` : ''}: ${clean(s.reason)}`);
  }
  for (const d of report.diagnostics) out.push(`${d.severity}: ${d.location ? `${clean(d.location)}: ` : ''}${clean(d.message)}`);
  const s = report.summary;
  out.push(
    '',
    `${report.verified ? paint('verified', '1;32') : paint('NOT VERIFIED', '1;31')}: ${s.projects} project${s.projects === 1 ? '' : 's'}, ${s.releases} release${s.releases === 1 ? '' : 's'}, ${s.files} file${s.files === 1 ? '' : 's'}: ${s.verified} verified, ${s.unattested} without attestations, ${s.failed} failed, ${s.unknown} unknown; ${s.findings} finding${s.findings === 1 ? '' : 's'} (failing at ${report.failOn} and above)`,
  );
  if (report.error) out.push(`reason: ${report.error.code}: ${clean(report.error.message)}`);
  return out.join('\n') + '\n';
}

function project(p: ProjectReport, paint: (t: string, c: string) => string): string[] {
  const out: string[] = [];
  out.push(`${p.verified ? paint('verified', '1;32') : paint('NOT VERIFIED', '1;31')}  ${clean(p.name)}${p.location ? `  (${clean(p.location)})` : ''}`);
  const rows: [string, string][] = [];
  if (p.error) rows.push(['reason', `${p.error.code}: ${clean(p.error.message)}`]);
  const e = p.expected;
  rows.push(['expected', clean(`${e.publisher ? `${e.publisher}, ` : ''}${EXPECTED[e.source]}${e.learnedFrom ? ` from ${e.learnedFrom.version} on ${e.learnedFrom.at.slice(0, 10)}` : ''}`)]);
  rows.push(['index', clean(p.index)]);
  const width = rows.reduce((w, [k]) => Math.max(w, k.length), 0);
  out.push(...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`));
  out.push('');
  // reduce, not Math.max(...): an index may list more releases than a spread can take.
  const vWidth = p.releases.reduce((w, r) => Math.max(w, r.version.length), 0);
  for (const r of p.releases) out.push(`  ${release(r, vWidth)}`);
  if (p.findings.length > 0) {
    out.push('');
    // Several findings of one release share their before/now lines; each is shown once.
    const shown = new Set<string>();
    for (const f of p.findings) {
      const risk = f.risk === 'high' || f.risk === 'critical' ? paint(f.risk.padEnd(8), '31') : f.risk.padEnd(8);
      out.push(`  ${risk} ${f.kind}  ${clean(f.version)}: ${clean(f.message)}`);
      for (const ev of f.evidence) {
        if (shown.has(`${f.version}\0${ev}`)) continue;
        shown.add(`${f.version}\0${ev}`);
        out.push(`           ${clean(ev)}`);
      }
    }
  }
  const failed = p.releases.flatMap((r) => r.files.filter((f) => f.error).map((f) => ({ r, f })));
  if (failed.length > 0) {
    out.push('');
    for (const { r, f } of failed) out.push(`  ${file(r, f)}`);
  }
  return out;
}

function release(r: ReleaseReport, width: number): string {
  const date = r.uploadTime ? r.uploadTime.slice(0, 10) : '          ';
  const count = `${r.attested.verified}/${r.attested.files} attested`;
  const signer = r.publishers.length > 0 ? `  ${r.publishers.join(', ')}` : '';
  const how = new Set(r.files.flatMap((f) => f.attestations.flatMap((a) => (a.signer?.kind === 'certificate' ? [[a.signer.ref, a.signer.trigger].filter(Boolean).join(', ')] : []))));
  return clean(`${r.version.padEnd(width)}  ${date}  ${count.padEnd(14)}${signer}${how.size > 0 ? `  (${[...how].join('; ')})` : ''}${r.yanked ? '  [yanked]' : ''}`).trimEnd();
}

function file(r: ReleaseReport, f: FileReport): string {
  return clean(`${r.version} ${f.filename}: ${f.error!.code}: ${f.error!.message}`);
}
