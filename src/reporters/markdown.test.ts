import { describe, expect, it } from 'vitest';
import type { AuditReport, VulnerabilityFinding } from '../core/model.js';
import { code, escapeMarkdown, renderMarkdown } from './markdown.js';
import { cleanReport, sampleReport } from './testdata/report.js';

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe('markdown reporter', () => {
  it('summarizes, links advisories and locates findings', () => {
    const md = renderMarkdown(sampleReport(), { color: false });
    expect(md.startsWith('<!-- pyward:audit -->\n## pyward audit\n')).toBe(true);
    expect(md).toContain(
      '**Found 10 known vulnerabilities in 4 packages** (1 critical, 3 high, 2 medium, 4 unknown) · 1 ignored, 2 requirements not audited',
    );
    expect(md).toContain('[PYSEC-2024-70](https://osv.dev/vulnerability/PYSEC-2024-70)<br>CVE-2024-42005');
    expect(md).toContain('| `django` | 4.2.14 | **4.2.16** | `requirements.txt:5` |');
    expect(md).toContain('### Ignored (1)');
    expect(md).toContain('- **not audited** `flask` (`>=2`): unpinned (`requirements.txt:7`)');
  });

  it('keeps every table row at the header width', () => {
    const rows = renderMarkdown(sampleReport(), { color: false })
      .split('\n')
      .filter((l) => l.startsWith('|'));
    let width = 0;
    for (const row of rows) {
      if (/^\| Severity|^\| Package/.test(row)) width = cells(row).length;
      expect(cells(row), row).toHaveLength(width);
    }
  });

  it('says so plainly when nothing is found', () => {
    expect(renderMarkdown(cleanReport(), { color: false })).toContain('**No known vulnerabilities found**');
  });

  it('escapes hostile text from inputs and advisories', () => {
    const report = sampleReport();
    const first = report.findings[0] as VulnerabilityFinding;
    const hostile: AuditReport = {
      ...report,
      findings: [
        {
          ...first,
          vulnerability: {
            ...first.vulnerability,
            details: 'Sandbox escape | <img src=x onerror=alert(1)> [click](javascript:alert(1))\n\n# heading',
          },
        },
      ],
      diagnostics: [
        { severity: 'warning', code: 'odd', message: 'line one\n| injected | row |', location: { file: 'a|b.txt', line: 1 } },
      ],
    };
    const md = renderMarkdown(hostile, { color: false });
    // Escaped characters render as themselves: `\<img` is text, `<img` would be a tag.
    expect(md).toContain('\\<img');
    expect(md).not.toMatch(/(?<!\\)<img/);
    expect(md).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(md).not.toMatch(/^# heading/m);
    expect(md).not.toMatch(/^\| injected/m);
    expect(md).toContain('`a\\|b.txt:1`');
    const row = md.split('\n').find((l) => l.includes('PYSEC-2019-217')) as string;
    expect(cells(row)).toHaveLength(7);
  });

  it('builds code spans that hold backticks and pipes', () => {
    expect(code('plain')).toBe('`plain`');
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('a|b')).toBe('`a\\|b`');
    expect(escapeMarkdown('*bold* _it_ <b> [l](u)')).toBe('\\*bold\\* \\_it\\_ \\<b\\> \\[l\\](u)');
  });
});
