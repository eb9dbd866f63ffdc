// Interleaved A/B timing of whole commands, for before/after comparisons that bench/run.sh does not
// cover (two builds of pyward side by side):
//
//   node bench/compare.mjs [--runs N] 'label=command' 'label=command' ...
//
// Each command runs through `sh -c` (so `VAR=value cmd ...` works), once as a warm-up, then N rounds
// (default 30); each round runs every command once, in an order rotated from round to round, as
// bench/run.mjs does. Prints per command the median and min wall time and the median user+sys CPU
// time (from /usr/bin/time, 10 ms resolution). Output goes to /dev/null; exit 0 or 1 (findings) is
// success, anything else stops the comparison.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 30;
const cases = args.map((a) => {
  const eq = a.indexOf('=');
  return { label: a.slice(0, eq), command: a.slice(eq + 1), wall: [], cpu: [] };
});
if (cases.length === 0 || cases.some((c) => !c.label || !c.command)) {
  process.stderr.write("usage: node bench/compare.mjs [--runs N] 'label=command' ...\n");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'pyward-compare-'));
const timeFile = join(dir, 'time.txt');

function once(c) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, 'sh', '-c', `${c.command} >/dev/null 2>&1`]);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  // 0 clean, 1 findings (pyward, osv-scanner and pip-audit alike); anything else is a failure.
  if (r.status !== 0 && r.status !== 1) throw new Error(`${c.label}: exited ${r.status ?? r.signal}`);
  const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: (user + sys) * 1000 };
}

for (const c of cases) once(c);
for (let round = 0; round < runs; round++) {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + round) % cases.length];
    const r = once(c);
    c.wall.push(r.wall);
    c.cpu.push(r.cpu);
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
process.stdout.write(`${runs} interleaved rounds\n\n| case | median wall (ms) | min wall (ms) | median CPU (ms) |\n|---|---:|---:|---:|\n`);
for (const c of cases) {
  process.stdout.write(`| ${c.label} | ${median(c.wall).toFixed(0)} | ${Math.min(...c.wall).toFixed(0)} | ${median(c.cpu).toFixed(0)} |\n`);
}
