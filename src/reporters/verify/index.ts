/** The output formats of `pyward verify --format`: an explicit list, like the audit reporters. */
import { renderVerifyJson } from './json.js';
import { renderVerifyTable } from './table.js';
import type { VerifyReport } from './types.js';

export type { VerifyReport } from './types.js';

export const VERIFY_FORMATS = ['table', 'json'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

export function renderVerifyReport(report: VerifyReport, format: VerifyFormat, options: { color: boolean }): string {
  return format === 'json' ? renderVerifyJson(report) : renderVerifyTable(report, options);
}
