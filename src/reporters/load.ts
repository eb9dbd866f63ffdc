/**
 * One reporter by name, loading only its own module: `pyward audit --format json` has no use for
 * the SARIF writer (and its hashing) or the table's layout code. `index.ts` keeps the eager map for
 * callers that want every format at once.
 */
import type { Reporter, ReporterName } from './types.js';

const LOADERS: Record<ReporterName, () => Promise<Reporter>> = {
  table: async () => (await import('./table.js')).renderTable,
  json: async () => (await import('./json.js')).renderJson,
  sarif: async () => (await import('./sarif.js')).renderSarif,
  markdown: async () => (await import('./markdown.js')).renderMarkdown,
  cyclonedx: async () => (await import('./cyclonedx.js')).renderCycloneDx,
};

export function loadReporter(name: ReporterName): Promise<Reporter> {
  return LOADERS[name]();
}
