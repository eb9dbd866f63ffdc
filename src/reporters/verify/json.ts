/** `pyward verify --format json`: the VerifyReport (its shape is the contract, see types.ts). */
import type { VerifyReport } from './types.js';

/** The verdict and its reason first, so `head` and people read them before the detail. */
export function renderVerifyJson(report: VerifyReport): string {
  const ordered = {
    schemaVersion: report.schemaVersion,
    mode: report.mode,
    verified: report.verified,
    error: report.error,
    artifact: report.artifact,
    input: report.input,
    expected: report.expected,
    trustedRoot: report.trustedRoot,
    attestations: report.attestations,
    tool: report.tool,
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}
