// Where the time of a pyward audit goes, from V8 CPU profiles of several runs:
//
//   node --cpu-prof --cpu-prof-dir=DIR --cpu-prof-interval 250 bin/pyward.js audit ...   (N times)
//   node bench/profile-summary.mjs DIR
//
// Prints, averaged over the profiles in DIR, the total sampled time and the inclusive time of each
// stage of an audit (the functions that make it up, by name), plus garbage collection and the
// module loader. Stages nest (a stage's garbage collection is also counted under GC), so the rows
// do not add up to the total. Sampling inflates every figure somewhat; compare rows, not runs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const STAGES = [
  ['open a directory database (its cached index and the check that it is fresh)', 'openDatabase'],
  ['... the full listing of the directory (pyward before the quick check)', 'sourceFingerprint'],
  ['... the quick check (directory mtimes, one lstat per record file)', 'unchangedSince'],
  ['read the inputs (requirements parsing)', 'readInputs'],
  ['look up the names (SQLite + JSON.parse)', 'recordsFor'],
  ['match every package', 'matchPackage'],
  ['read the affecting records whole', 'wholeRecords'],
  ['merge findings (aliases, severity)', 'findingsOf'],
  ['match and merge in one (pyward before the two were split)', 'findVulnerabilities'],
  ['fix suggestions', 'fixSuggestions'],
  ['render the JSON report', 'renderJson'],
];

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node bench/profile-summary.mjs DIR_OF_CPUPROFILES\n');
  process.exit(2);
}
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
const sums = new Map();
const add = (k, v) => sums.set(k, (sums.get(k) ?? 0) + v);
for (const f of files) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const self = new Map();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const [id, t] of self) {
    add('total', t);
    const frame = byId.get(id).callFrame;
    if (frame.functionName === '(garbage collector)') add('gc', t);
    // Inclusive: a sample counts for every stage on its stack (once per stage).
    const seen = new Set();
    let loader = false;
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      if (cf.url.startsWith('node:internal/modules/')) loader = true;
      for (const [, fn] of STAGES) if (cf.functionName === fn && !seen.has(fn)) (seen.add(fn), add(fn, t));
    }
    if (loader) add('loader', t);
  }
}
const ms = (k) => ((sums.get(k) ?? 0) / 1000 / files.length).toFixed(1).padStart(6);
process.stdout.write(`${files.length} profiles; ms per run (sampled)\n\n| stage | ms |\n|---|---:|\n`);
process.stdout.write(`| whole run | ${ms('total')} |\n`);
process.stdout.write(`| loading and compiling modules (Node's module loader on the stack) | ${ms('loader')} |\n`);
for (const [label, fn] of STAGES) process.stdout.write(`| ${label} (\`${fn}\`) | ${ms(fn)} |\n`);
process.stdout.write(`| garbage collection, all stages | ${ms('gc')} |\n`);
