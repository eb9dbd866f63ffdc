/**
 * Output formats of `pyward inspect --format`. Pure functions of the report: same report, same
 * bytes. JSON is the stable contract (docs/inspect.md); table and markdown are for people.
 */
import { ruleById, RULES } from '../../inspect/rules/index.js';
import type { Finding, InspectReport, PackageOrigin, PackageResult, SkippedInput } from '../../inspect/types.js';

export type InspectFormat = 'table' | 'json' | 'sarif' | 'markdown';
export const INSPECT_FORMATS: readonly InspectFormat[] = ['table', 'json', 'sarif', 'markdown'];

export interface InspectReporterOptions {
  color: boolean;
}

/** Incremented only for changes that can break a reader; additions keep it. */
export const INSPECT_SCHEMA_VERSION = 1;

function packageLabel(p: PackageResult): string {
  return p.name !== undefined ? `${p.name}${p.version !== undefined ? ' ' + p.version : ''}` : p.archive;
}

/** Where a downloaded package came from, on one line. */
function originLine(o: PackageOrigin): string {
  return `from ${o.url} (${o.requested}; sha256 ${o.sha256.slice(0, 12)}... checked${o.cached ? ', cached' : ''}; metadata ${o.metadata})`;
}

function skippedLabel(s: SkippedInput): string {
  return `${s.name}${s.version !== undefined ? ` ${s.version}` : ''}${s.location ? ` (${s.location})` : ''}`;
}

/** `pkg-1.0.tar.gz/pkg-1.0/setup.py`: where a finding is, rooted at the archive's own name. */
export function findingUri(p: PackageResult, f: Finding): string {
  return f.file === '' ? p.archive : `${p.archive}/${f.file}`;
}

export function renderJson(report: InspectReport): string {
  const out = {
    schema_version: INSPECT_SCHEMA_VERSION,
    tool: report.tool,
    thresholds: report.thresholds,
    packages: report.packages.map((p) => ({
      name: p.name ?? null,
      version: p.version ?? null,
      path: p.path,
      archive: p.archive,
      kind: p.kind,
      score: p.score,
      verdict: p.verdict,
      truncated: p.truncated,
      findings: p.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        file: f.file,
        line: f.line ?? null,
        snippet: f.snippet ?? null,
        detail: f.detail ?? null,
        phase: f.phase ?? null,
        uri: findingUri(p, f),
      })),
      stats: { files: p.stats.files, bytes: p.stats.bytes, python_files: p.stats.pythonFiles, parse_errors: p.stats.parseErrors },
      origin: p.origin
        ? { requested: p.origin.requested, index: p.origin.index ?? null, url: p.origin.url, sha256: p.origin.sha256, cached: p.origin.cached, metadata: p.origin.metadata }
        : null,
    })),
    skipped: report.skipped.map((s) => ({ name: s.name, version: s.version ?? null, reason: s.reason, location: s.location ?? null })),
    diagnostics: report.diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.message, file: d.location?.file ?? null })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

const SARIF_LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note' } as const;
const SECURITY_SEVERITY = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' } as const;

function encodeUri(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

export function renderSarif(report: InspectReport): string {
  const used = new Set(report.packages.flatMap((p) => p.findings.map((f) => f.rule)));
  const rules = RULES.filter((r) => used.has(r.id));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.packages.flatMap((p) =>
    p.findings.map((f) => {
      const rule = ruleById(f.rule);
      const region = f.line !== undefined ? { region: { startLine: f.line, ...(f.snippet ? { snippet: { text: f.snippet } } : {}) } } : {};
      return {
        ruleId: f.rule,
        ruleIndex: index.get(f.rule),
        level: SARIF_LEVEL[f.severity],
        message: { text: `${packageLabel(p)}: ${rule?.description ?? f.rule}${f.detail ? ` (${f.detail})` : ''}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: encodeUri(findingUri(p, f)) }, ...region } }],
        properties: {
          package: p.name ?? p.archive,
          ...(p.version !== undefined ? { version: p.version } : {}),
          verdict: p.verdict,
          score: p.score,
          ...(f.phase ? { phase: f.phase } : {}),
        },
      };
    }),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pyward',
            version: report.tool.version,
            informationUri: 'https://www.npmjs.com/package/pyward',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: r.explain },
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
              properties: { 'security-severity': SECURITY_SEVERITY[r.severity], tags: ['security', ...r.tags] },
            })),
          },
        },
        results,
        invocations: [
          {
            executionSuccessful: report.diagnostics.every((d) => d.severity !== 'error'),
            toolExecutionNotifications: report.diagnostics.map((d) => ({
              level: d.severity === 'error' ? 'error' : 'warning',
              message: { text: d.message },
              ...(d.location ? { locations: [{ physicalLocation: { artifactLocation: { uri: encodeUri(d.location.file) } } }] } : {}),
            })),
          },
        ],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

const COLORS = { malicious: '\x1b[31;1m', suspicious: '\x1b[33;1m', clean: '\x1b[32m', reset: '\x1b[0m' } as const;

function grouped(p: PackageResult): Map<string, Finding[]> {
  const byFile = new Map<string, Finding[]>();
  for (const f of p.findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  return byFile;
}

export function renderTable(report: InspectReport, options: InspectReporterOptions): string {
  const lines: string[] = [];
  const paint = (v: keyof typeof COLORS, s: string): string => (options.color ? `${COLORS[v]}${s}${COLORS.reset}` : s);
  for (const p of report.packages) {
    lines.push(`${paint(p.verdict, p.verdict.toUpperCase())}  ${packageLabel(p)}  score ${p.score}  (${p.archive}${p.truncated ? ', only partly read' : ''})`);
    if (p.origin) lines.push(`  ${originLine(p.origin)}`);
    for (const [file, findings] of grouped(p)) {
      lines.push(`  ${file === '' ? '(package)' : file}`);
      for (const f of findings) {
        const where = f.line !== undefined ? `:${f.line}` : '';
        lines.push(`    ${f.severity.padEnd(8)} ${f.rule}${where}${f.phase ? ` [${f.phase}]` : ''}${f.detail ? `  ${f.detail}` : ''}`);
        if (f.snippet) lines.push(`             ${f.snippet}`);
      }
    }
  }
  for (const x of report.skipped) lines.push(`not inspected: ${skippedLabel(x)}: ${x.reason}`);
  for (const d of report.diagnostics) lines.push(`${d.severity}: ${d.location?.file ? d.location.file + ': ' : ''}${d.message}`);
  const counts = { malicious: 0, suspicious: 0, clean: 0 };
  for (const p of report.packages) counts[p.verdict]++;
  lines.push(`${report.packages.length} package(s) inspected: ${counts.malicious} malicious, ${counts.suspicious} suspicious, ${counts.clean} clean`);
  return lines.join('\n') + '\n';
}

function mdEscape(s: string): string {
  return s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
}

export function renderMarkdown(report: InspectReport): string {
  const lines: string[] = ['# pyward inspect', ''];
  lines.push('| package | verdict | score | findings |', '|---|---|---|---|');
  for (const p of report.packages) lines.push(`| ${mdEscape(packageLabel(p))} | ${p.verdict} | ${p.score} | ${p.findings.length} |`);
  for (const p of report.packages) {
    if (p.findings.length === 0) continue;
    lines.push('', `## ${mdEscape(packageLabel(p))} — ${p.verdict} (${p.score})`, '');
    lines.push('| severity | rule | location | detail |', '|---|---|---|---|');
    for (const f of p.findings) {
      const loc = `${findingUri(p, f)}${f.line !== undefined ? `:${f.line}` : ''}`;
      lines.push(`| ${f.severity} | ${f.rule} | ${mdEscape(loc)} | ${mdEscape(f.detail ?? f.snippet ?? '')} |`);
    }
  }
  if (report.diagnostics.length > 0 || report.skipped.length > 0) {
    lines.push('', '## Inputs not inspected', '');
    for (const x of report.skipped) lines.push(`- ${mdEscape(skippedLabel(x))}: ${mdEscape(x.reason)}`);
    for (const d of report.diagnostics) lines.push(`- ${mdEscape(d.location?.file ?? '')}: ${mdEscape(d.message)}`);
  }
  return lines.join('\n') + '\n';
}

export const inspectReporters: Record<InspectFormat, (r: InspectReport, o: InspectReporterOptions) => string> = {
  table: renderTable,
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
};
