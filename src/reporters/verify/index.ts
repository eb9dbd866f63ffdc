/** The output formats of `pyward verify --format`: an explicit list, like the audit reporters. */
import { renderIndexJson } from './index-json.js';
import { renderIndexTable } from './index-table.js';
import { renderVerifyJson } from './json.js';
import { renderVerifyTable } from './table.js';
import type { IndexVerifyReport, VerifyReport } from './types.js';

export type { IndexVerifyReport, VerifyReport } from './types.js';

export const VERIFY_FORMATS = ['table', 'json'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

export function renderVerifyReport(report: VerifyReport, format: VerifyFormat, options: { color: boolean }): string {
  return format === 'json' ? renderVerifyJson(report) : renderVerifyTable(report, options);
}

/** The index forms (`NAME==VERSION`, `project`, `lock`). */
export function renderIndexReport(report: IndexVerifyReport, format: VerifyFormat, options: { color: boolean }): string {
  return format === 'json' ? renderIndexJson(report) : renderIndexTable(report, options);
}
