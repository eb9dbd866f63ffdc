/**
 * The output formats of `pyward audit --format`. An explicit list, not a directory scan: adding a
 * format is a reviewed change to this file, and the CLI's choices come from these keys.
 */
import { renderCycloneDx } from './cyclonedx.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';
import type { Reporter, ReporterName } from './types.js';

export type { Reporter, ReporterName, ReporterOptions } from './types.js';
export { SCHEMA_VERSION as JSON_SCHEMA_VERSION } from './json.js';

export const reporters: Record<ReporterName, Reporter> = {
  table: renderTable,
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
  cyclonedx: renderCycloneDx,
};

export const REPORTER_NAMES = Object.keys(reporters) as ReporterName[];

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(reporters, name);
}
