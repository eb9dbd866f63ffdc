/** `pyward verify NAME==VERSION | project | lock --format json`: the IndexVerifyReport (see types.ts). */
import type { IndexVerifyReport } from './types.js';

/** The verdict and its reason first, then what was looked at, then the detail per project. */
export function renderIndexJson(report: IndexVerifyReport): string {
  const ordered = {
    schemaVersion: report.schemaVersion,
    mode: report.mode,
    verified: report.verified,
    error: report.error,
    summary: report.summary,
    failOn: report.failOn,
    trustedRoot: report.trustedRoot,
    inputs: report.inputs,
    projects: report.projects,
    skipped: report.skipped,
    diagnostics: report.diagnostics,
    tool: report.tool,
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}
