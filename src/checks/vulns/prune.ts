/**
 * Exact pruning of `affected[].versions` lists, applied once when a database is built.
 *
 * OSV databases enumerate, next to the ranges, every release the ranges contain: the PyPA database
 * holds about 140,000 such entries, and a record of a long-lived project lists hundreds. An audit
 * would parse (JSON) and then parse again (PEP 440) every one of them, only to find that the range
 * already said the same thing.
 *
 * Why dropping an entry changes no answer: the matcher (match.ts) calls a version affected when an
 * evaluated range contains it OR it is PEP 440-equal to a listed entry. Equal versions compare the
 * same against every event of every range (`compareVersions` is a total preorder), so when a range
 * contains a listed entry L, it also contains every version equal to L: the list adds nothing for L.
 * Fix versions come from the ranges alone, and the upgrade suggestion asks only `matchRecord`, so
 * both are untouched too.
 *
 * What is kept: entries no evaluated range contains (the list is the only thing that makes them
 * affected), entries that are not PEP 440 or not strings (the matcher warns about those, so they
 * stay for it to warn), and every entry of an `affected` object that is not PyPI (the matcher never
 * evaluates those; they are left as the database wrote them). The range evaluation is the
 * matcher's own (`compileRanges`, which `compileAffected` uses, and `rangeContains`), so pruning can never
 * disagree with matching.
 *
 * The oracle test (oracle.test.ts) runs the matcher on pruned records as well as on the originals
 * and requires both to agree with pypa/packaging.
 */
import { parseVersion } from '../../core/version.js';
import type { OsvAffected, OsvRecord } from '../../sources/osv/schema.js';
import { compileRanges, PYPI, rangeContains } from './match.js';

/** Names this transform in a store's meta; bump when what it keeps changes. */
export const PRUNE_VERSIONS_ID = 'prune-covered-versions/1';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The entry without the listed versions its own ranges already contain; the same object when none is. */
export function pruneAffected(affected: OsvAffected): OsvAffected {
  const listed: unknown = affected.versions;
  if (!Array.isArray(listed) || listed.length === 0) return affected;
  const pkg: unknown = affected.package;
  if (!isObject(pkg) || pkg['ecosystem'] !== PYPI) return affected;
  const ranges = compileRanges(affected);
  if (ranges.length === 0) return affected;
  const kept: unknown[] = [];
  for (const text of listed as unknown[]) {
    const v = typeof text === 'string' ? parseVersion(text) : undefined;
    if (v !== undefined && ranges.some((r) => rangeContains(r, v))) continue;
    kept.push(text);
  }
  if (kept.length === listed.length) return affected;
  const out: OsvAffected = { ...affected };
  if (kept.length === 0) delete out.versions;
  else out.versions = kept as string[];
  return out;
}

/**
 * The record with every PyPI entry's `versions` list pruned (see the header). Never mutates its
 * argument; returns it unchanged when nothing is dropped.
 */
export function pruneCoveredVersions(record: OsvRecord): OsvRecord {
  const affected: unknown = record.affected;
  if (!Array.isArray(affected)) return record;
  let changed = false;
  const pruned = (affected as unknown[]).map((a) => {
    if (!isObject(a)) return a;
    const p = pruneAffected(a as OsvAffected);
    if (p !== a) changed = true;
    return p;
  });
  return changed ? { ...record, affected: pruned as OsvAffected[] } : record;
}

/** The transform as the advisory store takes it (`AdvisoryStore.build`, `upsert`, `openDatabase`). */
export const pruneVersionsTransform = { id: PRUNE_VERSIONS_ID, apply: pruneCoveredVersions } as const;
