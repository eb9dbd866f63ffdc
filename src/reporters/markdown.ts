/**
 * GitHub-flavored markdown for pull-request comments and job summaries: the same facts as the
 * table, with links to the advisories. Everything that came from an input or a database is
 * escaped, because a hostile package name or advisory text must not inject markup into a PR.
 */
import type { AuditReport, Severity } from '../core/model.js';
import {
  advisoryUrl,
  countBySeverity,
  countPackages,
  describeSeverityCounts,
  displayLocation,
  displayPath,
  formatScore,
  headline,
  plural,
  reportSections,
  severityOf,
} from './common.js';
import { auditNameRows, riskCounts, type NameRow } from './names.js';
import type { ReporterOptions } from './types.js';

/** Lets a CI bot find and update its previous comment instead of posting a new one each push. */
const MARKER = '<!-- pyward:audit -->';

/** Backslash-escapes what could start markup; newlines would end a table row or list item. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

/**
 * A code span that survives any content: a fence longer than any backtick run inside, and pipes
 * escaped, since GFM splits table cells on `|` even inside code.
 */
export function code(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** Parentheses and spaces would end a link destination early; encodeURIComponent keeps parens. */
function link(text: string, url: string): string {
  const dest = url.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${escapeMarkdown(text)}](${dest})`;
}

function severityCell(level: Severity, score: string | undefined): string {
  const word = level === 'critical' || level === 'high' ? `**${level}**` : level;
  return score ? `${word} ${score}` : word;
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** Name risks as a table, for `pyward check` and the name section of `pyward audit`. */
export function nameRiskTable(rows: readonly NameRow[], cwd: string | undefined): string[] {
  return table(
    ['Name', 'Kind', 'Risk', 'Target', 'Evidence', 'Location'],
    rows.map(({ name, location, finding }) => [
      code(name),
      finding.kind,
      finding.risk,
      finding.target ? code(finding.target) : '',
      escapeMarkdown(finding.evidence.join('; ')),
      location ? code(displayLocation(location, cwd)) : '',
    ]),
  );
}

export function renderMarkdown(report: AuditReport, options: ReporterOptions): string {
  const cwd = options.cwd;
  const out: string[] = [MARKER, '## pyward audit', ''];
  const { findings, fixes, unfixed, ignored, skipped, diagnostics } = reportSections(report);

  const notes = [
    ignored.length > 0 ? `${ignored.length} ignored` : '',
    skipped.length > 0 ? `${plural(skipped.length, 'requirement')} not audited` : '',
  ].filter(Boolean);
  if (findings.length === 0) {
    out.push(`**No known vulnerabilities found**${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
  } else {
    out.push(
      `**Found ${plural(findings.length, 'known vulnerability', 'known vulnerabilities')} in ` +
        `${plural(countPackages(findings), 'package')}** ` +
        `(${describeSeverityCounts(countBySeverity(findings))})${notes.length > 0 ? ` · ${notes.join(', ')}` : ''}`,
    );
    out.push(
      '',
      ...table(
        ['Severity', 'Package', 'Version', 'Vulnerability', 'Fix versions', 'Location', 'Summary'],
        findings.map((f) => {
          const v = f.vulnerability;
          const aliases = v.aliases.filter((a) => a !== v.id);
          return [
            severityCell(severityOf(v), formatScore(v.severity)),
            code(f.package.name),
            escapeMarkdown(f.package.version ?? ''),
            link(v.id, advisoryUrl(v.id)) + (aliases.length > 0 ? `<br>${escapeMarkdown(aliases.join(', '))}` : ''),
            f.fixVersions.length > 0 ? escapeMarkdown(f.fixVersions.join(', ')) : 'none',
            code(displayLocation(f.location, cwd)),
            escapeMarkdown(headline(v, 100)),
          ];
        }),
      ),
    );
  }

  const names = auditNameRows(report.names?.findings ?? []);
  if (names.length > 0) {
    out.push('', `### Name risks (${escapeMarkdown(riskCounts(names))})`, '', ...nameRiskTable(names, cwd));
  }

  if (fixes.length > 0) {
    out.push(
      '',
      '### Fixes',
      '',
      'The smallest upgrade that clears every reported vulnerability of each package:',
      '',
      ...table(
        ['Package', 'From', 'To', 'Location'],
        fixes.map((f) => [
          code(f.name),
          escapeMarkdown(f.from),
          `**${escapeMarkdown(f.to)}**`,
          code(displayLocation(f.location, cwd)),
        ]),
      ),
    );
  }
  if (unfixed.length > 0) {
    out.push('', '### No fixed version known', '');
    for (const v of unfixed) {
      const ids = v.findings.map((f) => link(f.vulnerability.id, advisoryUrl(f.vulnerability.id))).join(', ');
      out.push(
        `- ${code(v.package.name)} ${escapeMarkdown(v.package.version ?? '')}: ${ids} (${code(displayLocation(v.package.location, cwd))})`,
      );
    }
  }

  if (ignored.length > 0) {
    out.push('', `### Ignored (${ignored.length})`, '');
    for (const i of ignored) {
      const f = i.finding;
      out.push(
        `- ${code(f.package.name)} ${escapeMarkdown(f.package.version ?? '')} ` +
          `${link(f.vulnerability.id, advisoryUrl(f.vulnerability.id))}: ${escapeMarkdown(i.reason)} ` +
          `(${code(displayLocation(f.location, cwd))})`,
      );
    }
  }

  if (diagnostics.length > 0 || skipped.length > 0) {
    out.push('', '### Diagnostics', '');
    for (const d of diagnostics) {
      const where = d.location ? `${code(displayLocation(d.location, cwd))}: ` : '';
      out.push(`- **${d.severity}** ${where}${escapeMarkdown(d.message)} (${code(d.code)})`);
    }
    for (const s of skipped) {
      const what = s.skip.detail ? ` (${code(s.skip.detail)})` : '';
      out.push(
        `- **not audited** ${code(s.package.name)}${what}: ${escapeMarkdown(s.skip.short)} ` +
          `(${code(displayLocation(s.package.location, cwd))})`,
      );
    }
  }

  const db = report.database;
  const dbFacts = [
    db.records !== undefined ? `${db.records} records` : '',
    db.builtAt !== undefined ? `built ${db.builtAt}` : '',
  ].filter(Boolean);
  const inputs = report.inputs.map((i) => `${displayPath(i.path, cwd)} (${i.format})`).join(', ');
  out.push(
    '',
    `<sub>${escapeMarkdown(`${report.tool.name} ${report.tool.version}`)} · database ` +
      `${escapeMarkdown(db.source)}${dbFacts.length > 0 ? ` (${escapeMarkdown(dbFacts.join(', '))})` : ''}` +
      `${inputs ? ` · ${escapeMarkdown(inputs)}` : ''}</sub>`,
  );
  return `${out.join('\n')}\n`;
}
