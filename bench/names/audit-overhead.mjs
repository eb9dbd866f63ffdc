// What the name checks add to `pyward audit`: the same offline audit run with and without
// --no-name-checks, interleaved (so a busy neighbour slows both alike), after warm-up runs that build
// the advisory index, the compiled popular index and Node's compile cache in a fresh cache dir.
//
//   node bench/names/audit-overhead.mjs [--runs N] [--db PATH] [--add REQ]... [REQUIREMENTS...]
//
// Defaults: 30 runs, --db bench/out/osv-db (made by bench/run.sh; ../shared/data/pypa-advisory-db
// works too), bench/inputs/requirements-1000.txt. `--add` (repeatable) also measures a copy of each
// file with these requirements appended, e.g. names that are not popular:
//   --add acme-internal-lib==1.0 --add reqeusts==2.31.0
// Prints one JSON line per requirements file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args.splice(i, 2)[1];
};
const runs = Number(opt('--runs', '30'));
const added = [];
for (let a = opt('--add'); a !== undefined; a = opt('--add')) added.push(a);
const db = opt('--db', 'bench/out/osv-db');
const work = mkdtempSync(join(tmpdir(), 'pyward-overhead-'));
const env = { ...process.env, PYWARD_CACHE_DIR: join(work, 'cache'), NO_COLOR: '1' };
const files = (args.length > 0 ? args : ['bench/inputs/requirements-1000.txt']).flatMap((file, i) => {
  if (added.length === 0) return [file];
  const copy = join(work, `plus-${i}.txt`);
  writeFileSync(copy, `${readFileSync(file, 'utf8').trimEnd()}\n${added.join('\n')}\n`);
  return [file, copy];
});

const time = (reqs, extra) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['bin/pyward.js', 'audit', '-r', reqs, '--db', db, '--offline', '--format', 'json', ...extra], { env, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`pyward audit exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const reqs of files) {
  for (let i = 0; i < 3; i++) time(reqs, []), time(reqs, ['--no-name-checks']);
  const on = [];
  const off = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always runs right after the other.
    if (i % 2) on.push(time(reqs, [])), off.push(time(reqs, ['--no-name-checks']));
    else off.push(time(reqs, ['--no-name-checks'])), on.push(time(reqs, []));
  }
  const diffs = on.map((t, i) => t - off[i]);
  console.log(JSON.stringify({ requirements: reqs, ...(reqs.startsWith(work) ? { added } : {}), runs, with_ms: +median(on).toFixed(1), without_ms: +median(off).toFixed(1), added_ms_median_of_pairs: +median(diffs).toFixed(1) }));
}
