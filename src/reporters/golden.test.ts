/**
 * Every format rendered from the same realistic report, compared byte for byte with
 * src/reporters/testdata/golden/. To accept an intended change:
 *
 *   UPDATE_GOLDEN=1 npm exec -- vitest run src/reporters
 *
 * then review `git diff src/reporters/testdata/golden/` like any other change to the output.
 */
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../core/model.js';
import { REPORTER_NAMES, isReporterName, reporters } from './index.js';
import type { ReporterName } from './index.js';
import { expectGolden } from './testdata/golden.js';
import { cleanReport, sampleReport } from './testdata/report.js';

const EXTENSION: Record<ReporterName, string> = {
  table: 'table.txt',
  json: 'json',
  sarif: 'sarif.json',
  markdown: 'md',
  cyclonedx: 'cdx.json',
};

/** Freezing the input proves reporters do not sort or patch the report they are handed. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe('reporters', () => {
  it('lists exactly the five formats', () => {
    expect(REPORTER_NAMES).toEqual(['table', 'json', 'sarif', 'markdown', 'cyclonedx']);
    expect(isReporterName('sarif')).toBe(true);
    expect(isReporterName('toString')).toBe(false);
  });

  for (const name of REPORTER_NAMES) {
    describe(name, () => {
      it('matches the golden file for the sample audit', () => {
        const out = reporters[name](deepFreeze(sampleReport()), { color: false, cwd: '/home/ci/app' });
        expectGolden(`sample.${EXTENSION[name]}`, out);
      });

      it('matches the golden file for a clean audit', () => {
        const out = reporters[name](deepFreeze(cleanReport()), { color: false, cwd: '/home/ci/app' });
        expectGolden(`clean.${EXTENSION[name]}`, out);
      });

      it('is deterministic and independent of input order', () => {
        const report = sampleReport();
        const shuffled: AuditReport = {
          ...report,
          findings: [...report.findings].reverse(),
          fixes: [...report.fixes].reverse(),
        };
        const a = reporters[name](report, { color: false });
        expect(reporters[name](sampleReport(), { color: false })).toBe(a);
        expect(reporters[name](shuffled, { color: false })).toBe(a);
      });

      it('ends with exactly one newline', () => {
        const out = reporters[name](sampleReport(), { color: false });
        expect(out.endsWith('\n')).toBe(true);
        expect(out.endsWith('\n\n')).toBe(false);
      });
    });
  }
});
