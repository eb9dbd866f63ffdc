/** `pyward db ...` use cases over the local advisory store. */
import { importOsvSource } from '../sources/osv/database.js';
import { AdvisoryStore } from '../sources/osv/store.js';
import { updateDatabase as update } from '../sources/osv/update.js';
import { formatLocation } from '../core/errors.js';
import type { Diagnostic } from '../core/model.js';
import { pruneVersionsTransform } from '../checks/vulns/prune.js';
import { severityScorer } from '../checks/vulns/severity.js';

function report(diagnostics: Diagnostic[], warn: (m: string) => void): void {
  const shown = diagnostics.slice(0, 20);
  for (const d of shown) warn(d.location ? `${formatLocation(d.location)}: ${d.message}` : d.message);
  if (diagnostics.length > shown.length) warn(`... and ${diagnostics.length - shown.length} more`);
}

export async function importDatabase(source: string, dbFile: string, warn: (m: string) => void): Promise<{ records: number }> {
  // Listed versions that the records' own ranges already cover are dropped as the store is built:
  // exact (checks/vulns/prune.ts), and it keeps every audit from parsing them.
  // The scores of the records' severity vectors are kept too, so audits need not compute them.
  const r = importOsvSource(source, dbFile, { transform: pruneVersionsTransform, scorer: severityScorer() });
  report(r.diagnostics, warn);
  return { records: r.records };
}

export async function updateDatabase(dbFile: string, baseUrl: string, warn: (m: string) => void): Promise<{ summary: string }> {
  const r = await update(dbFile, baseUrl, undefined, {
    onProgress: (m) => process.stderr.write(`${m}\n`),
    transform: pruneVersionsTransform,
    scorer: severityScorer(),
  });
  report(r.diagnostics, warn);
  const what = r.mode === 'full' ? `downloaded all advisories` : r.mode === 'incremental' ? `applied ${r.changed} changed advisories` : 'already up to date';
  return { summary: `${what}; ${r.records} advisories in ${dbFile}` };
}

export function databaseStatus(dbFile: string): ReturnType<AdvisoryStore['status']> & { ageDays?: number; malformedSkipped: number } {
  const store = AdvisoryStore.open(dbFile);
  try {
    const s = store.status();
    const built = Date.parse(s.updatedAt ?? s.builtAt);
    const ageDays = Number.isNaN(built) ? undefined : Math.floor((Date.now() - built) / 86_400_000);
    return { ...s, ...(ageDays !== undefined ? { ageDays } : {}), malformedSkipped: store.importDiagnostics().count };
  } finally {
    store.close();
  }
}
