/**
 * Times the OSV advisory store: importing a directory of OSV records (the PyPA advisory database by
 * default) and the audit hot path, open + lookup of 1000 names, warm.
 *
 *   node --import ./bench/ts-imports.mjs bench/osv-store.ts [advisory-dir] [names.tsv]
 *
 * Not a test: numbers depend on the machine. The 1000 names are the most downloaded PyPI projects
 * (from the names file when given) topped up with names that do have advisories, so the lookup both
 * hits and misses.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOsvSource, openDatabase } from '../src/sources/osv/database.js';
import { AdvisoryStore } from '../src/sources/osv/store.js';

const source = process.argv[2] ?? '/work/shared/data/pypa-advisory-db';
const namesFile = process.argv[3] ?? '/work/shared/data/pypi-top15000.tsv';
const work = mkdtempSync(join(tmpdir(), 'pyward-bench-'));

function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(1)} ms`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

try {
  let t0 = performance.now();
  const db = join(work, 'osv.db');
  const result = importOsvSource(source, db);
  console.log(`import ${source}: ${ms(t0)} (${result.records} records, ${result.diagnostics.length} diagnostics)`);

  const store = AdvisoryStore.open(db);
  const withAdvisories = [...new Set(store.lookup(['django', 'jinja2', 'requests', 'pillow', 'urllib3', 'flask', 'numpy', 'tensorflow']).keys())];
  store.close();
  const popular = existsSync(namesFile)
    ? readFileSync(namesFile, 'utf8').split('\n').slice(1).map((l) => l.split('\t')[1] ?? '').filter(Boolean)
    : [];
  const names = [...new Set([...withAdvisories, ...popular])].slice(0, 1000);
  while (names.length < 1000) names.push(`made-up-name-${names.length}`);

  const runs: number[] = [];
  let hits = 0;
  for (let i = 0; i < 30; i++) {
    t0 = performance.now();
    const s = AdvisoryStore.open(db);
    const found = s.lookup(names);
    hits = [...found.values()].reduce((n, l) => n + l.length, 0);
    s.close();
    runs.push(performance.now() - t0);
  }
  console.log(`open + lookup(1000 names), first: ${runs[0]!.toFixed(1)} ms, warm median of 29: ${median(runs.slice(1)).toFixed(1)} ms (${hits} records returned)`);

  // --db <directory>: the cached index under cacheDir, including the check that the source is unchanged.
  const cache = join(work, 'cache');
  t0 = performance.now();
  openDatabase(source, cache).close();
  console.log(`openDatabase(directory) first use (builds the cached index): ${ms(t0)}`);
  const dirRuns: number[] = [];
  for (let i = 0; i < 10; i++) {
    t0 = performance.now();
    const s = openDatabase(source, cache);
    s.lookup(names);
    s.close();
    dirRuns.push(performance.now() - t0);
  }
  console.log(`openDatabase(directory) + lookup(1000), warm median of 10: ${median(dirRuns).toFixed(1)} ms (includes stat of every record file)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
