/**
 * Inputs for the OSV matching oracle (test/oracle/oracle.py): advisory loading and query generation.
 *
 * Queries sit where matchers go wrong: on every version a record names (events and `versions`
 * lists) and just around it: its pre-, dev-, post- and local releases, the next and previous
 * patch, an epoch, zero-padding (`1.0` vs `1.0.0`), plus `0` and `0.dev0`, the smallest versions.
 * Names are queried as the records write them and in other spellings (case, `_`, `.`), so PEP 503
 * normalization is exercised too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { normalizeName } from '../../src/core/names.js';
import type { OsvRecord } from '../../src/sources/osv/schema.js';

export type Query = [name: string, version: string];

/** Every *.json / *.yaml / *.yml file under dir (sorted), each holding one record or an array. */
export function loadRecords(dir: string): OsvRecord[] {
  const out: OsvRecord[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      let data: unknown;
      if (name.endsWith('.json')) data = JSON.parse(readFileSync(full, 'utf8'));
      else if (name.endsWith('.yaml') || name.endsWith('.yml')) data = parseYaml(readFileSync(full, 'utf8'));
      else continue;
      for (const r of Array.isArray(data) ? data : [data]) {
        if (r !== null && typeof r === 'object') out.push(r as OsvRecord);
      }
    }
  };
  walk(dir);
  return out;
}

const PLAIN_RELEASE = /^(\d+(?:\.\d+)*)$/;

/** The version itself and its neighbours, as strings (some deliberately not PEP 440). */
export function neighbours(text: string): string[] {
  const out = [text, `${text}.post1`, `${text}.dev0`, `${text}a1`, `${text}rc1`, `${text}+local.1`, `${text}.0`, `1!${text}`];
  const m = PLAIN_RELEASE.exec(text.trim());
  if (m) {
    const parts = m[1]!.split('.').map(Number);
    const last = parts.length - 1;
    out.push([...parts.slice(0, last), parts[last]! + 1].join('.'));
    if (parts[last]! > 0) out.push([...parts.slice(0, last), parts[last]! - 1].join('.'));
    out.push(`${text}-1`, `v${text}`, `${text}.post0.dev1`);
  }
  return out;
}

function nameSpellings(name: string): string[] {
  return [name, name.toUpperCase(), name.replace(/-/g, '_'), name.replace(/-/g, '.')];
}

interface GenerateOptions {
  /** Also query every entry of `versions` lists (real released versions). Default true. */
  listedVersions?: boolean;
  /** Query the neighbours of listed versions too (the real database's lists are long). */
  listedNeighbours?: boolean;
}

/**
 * Queries for every PyPI package the records name: each event version and its neighbours, each
 * listed version, `0` and `0.dev0`; each version asked under one of the name's spellings (rotating,
 * so every spelling is exercised without multiplying the count).
 */
export function generateQueries(records: readonly OsvRecord[], opts: GenerateOptions = {}): Query[] {
  // Keyed by normalized name (records spell one package several ways); the first spelling is kept.
  const byName = new Map<string, Set<string>>();
  const spelled = new Map<string, string>();
  for (const r of records) {
    if (!Array.isArray(r.affected)) continue;
    for (const a of r.affected) {
      if (!a || typeof a !== 'object' || !a.package || typeof a.package.name !== 'string') continue;
      const key = normalizeName(a.package.name);
      if (!spelled.has(key)) spelled.set(key, a.package.name);
      let versions = byName.get(key);
      if (!versions) byName.set(key, (versions = new Set(['0', '0.dev0', '0.0.0'])));
      for (const range of Array.isArray(a.ranges) ? a.ranges : []) {
        for (const e of Array.isArray(range?.events) ? range.events : []) {
          if (!e || typeof e !== 'object') continue;
          for (const v of Object.values(e)) if (typeof v === 'string') for (const n of neighbours(v)) versions.add(n);
        }
      }
      if (opts.listedVersions !== false && Array.isArray(a.versions)) {
        for (const v of a.versions) {
          if (typeof v !== 'string') continue;
          if (opts.listedNeighbours) for (const n of neighbours(v)) versions.add(n);
          else versions.add(v);
        }
      }
    }
  }
  const queries: Query[] = [];
  for (const [key, versions] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const spellings = nameSpellings(spelled.get(key)!);
    let i = 0;
    for (const v of [...versions].sort()) queries.push([spellings[i++ % spellings.length]!, v]);
  }
  return queries;
}
