// Runs pyward, osv-scanner and pip-audit side by side on the same inputs and the same advisories,
// and writes bench/out/results.json and bench/out/results.md. Start it through bench/run.sh, which
// builds pyward and puts the run in a network namespace that has only loopback.
//
// Method: every case runs once as a warm-up (not counted), then RUNS rounds; each round runs every
// case once, in an order rotated from round to round, so that load from other users of this shared
// machine falls on all tools alike. Reported: the median wall time per case (min and max beside
// it), the median CPU time (user + sys, from /usr/bin/time) and the peak RSS. Ratios are of
// medians measured in this same run; absolute times on a shared 2-core machine are noise.
//
// Usage: node bench/run.mjs [--runs N] [--pip-audit-runs N]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(repo);
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('--runs', 15);
const PIP_AUDIT_RUNS = arg('--pip-audit-runs', 5);

const DB = process.env.BENCH_ADVISORY_DB ?? join(repo, '..', 'shared', 'data', 'pypa-advisory-db');
const NODE = process.execPath;
const OUT = join(repo, 'bench', 'out');
const TOOLS = join(repo, 'bench', '.tools');
const OSV = join(TOOLS, 'bin', 'osv-scanner');
const PIP_AUDIT = join(TOOLS, 'venv', 'bin', 'pip-audit');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const REQS = 'bench/inputs/requirements-1000.txt';
const LOCK = 'bench/inputs/webapp/uv.lock';
const LOCK_DIR = 'bench/inputs/webapp'; // pip-audit reads its pylock.toml (uv export of the same uv.lock)

for (const [what, p] of [['osv-scanner', OSV], ['pip-audit', PIP_AUDIT], ['advisory database', DB], ['pyward build', 'dist/cli/main.js']]) {
  if (!existsSync(p)) {
    process.stderr.write(`bench: ${what} not found at ${p}; run \`bash bench/setup.sh\` (and \`npm run build\`) first\n`);
    process.exit(2);
  }
}

const log = (s) => process.stderr.write(`${s}\n`);
const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });
const firstLine = (s) => (s ?? '').trim().split('\n')[0];

// ---------------------------------------------------------------------------------------------
// Preparation: fresh output dir, the osv-scanner zip, the local OSV API for pip-audit.
// Only this benchmark's own outputs are cleared: other benchmarks write into bench/out/ too.
for (const p of ['reports', 'osv-db', 'pyward-cache', 'pyward-db', 'pip-audit-cache', 'time.txt', 'results.json', 'results.md']) {
  rmSync(join(OUT, p), { recursive: true, force: true });
}
mkdirSync(join(OUT, 'reports'), { recursive: true });
const osvDbDir = join(OUT, 'osv-db');
const zip = join(osvDbDir, 'osv-scalibr', 'PyPI', 'all.zip');
const mk = sh(NODE, ['bench/make-osv-zip.mjs', DB, zip]);
if (mk.status !== 0) throw new Error(`make-osv-zip failed: ${mk.stderr}`);
log(mk.stderr.trim());

const server = spawn(NODE, ['bench/osv-api-server.mjs', DB], { stdio: ['ignore', 'pipe', 'inherit'] });
const serverLine = await new Promise((resolve, reject) => {
  let buf = '';
  server.stdout.on('data', (d) => {
    buf += d;
    if (buf.includes('\n')) resolve(buf.split('\n')[0]);
  });
  server.on('exit', (c) => reject(new Error(`osv-api-server exited ${c}`)));
});
const port = Number(serverLine.split(' ')[1]);
const osvUrl = `http://127.0.0.1:${port}/v1/query`;
log(`local OSV API for pip-audit: ${osvUrl} (${serverLine})`);

// ---------------------------------------------------------------------------------------------
// The cases.
const pywardCache = (name) => join(OUT, 'pyward-cache', name);
const pyward = (input, mode) => {
  const isReqs = input === REQS;
  const cache = pywardCache(`${isReqs ? 'reqs' : 'lock'}-${mode}`);
  return {
    tool: 'pyward',
    mode,
    input,
    cmd: NODE,
    args: ['bin/pyward.js', 'audit', ...(isReqs ? ['-r', input] : [input]), '--db', DB, '--offline', '--format', 'json'],
    env: { PYWARD_CACHE_DIR: cache, NO_COLOR: '1' },
    // cold: an empty cache before every run (outside the timing); warm: the cache the warm-up left
    before: mode === 'cold' ? () => rmSync(cache, { recursive: true, force: true }) : undefined,
  };
};
const osvScanner = (input) => ({
  tool: 'osv-scanner',
  mode: 'offline',
  input,
  cmd: OSV,
  args: ['scan', '--offline', '-L', input, '--format', 'json'],
  env: { OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY: osvDbDir },
});
const pipAudit = (input) => ({
  tool: 'pip-audit',
  mode: 'local OSV API',
  input,
  cmd: PIP_AUDIT,
  args: [
    ...(input === REQS ? ['-r', input, '--no-deps', '--disable-pip'] : ['--locked', LOCK_DIR]),
    '-s', 'osv', '--osv-url', osvUrl,
    '--cache-dir', join(OUT, 'pip-audit-cache'),
    '--progress-spinner', 'off', '--format', 'json', '--aliases', 'on', '--desc', 'off',
  ],
  env: {},
  runs: PIP_AUDIT_RUNS,
});

const cases = [];
for (const input of [REQS, LOCK]) {
  cases.push(pyward(input, 'warm'), pyward(input, 'cold'), osvScanner(input), pipAudit(input));
}
// pyward reading a database built once by `pyward db import` instead of the YAML directory (whose
// cached index is checked against the directory's files on every run).
const importedDir = join(OUT, 'pyward-db');
const imp = sh(NODE, ['bin/pyward.js', 'db', 'import', DB], { env: { ...process.env, PYWARD_CACHE_DIR: importedDir } });
const importedDb = join(importedDir, 'osv.db');
if (imp.status === 0 && existsSync(importedDb)) {
  cases.splice(2, 0, {
    ...pyward(REQS, 'warm'),
    mode: 'warm, imported db',
    args: ['bin/pyward.js', 'audit', '-r', REQS, '--db', importedDb, '--offline', '--format', 'json'],
    env: { PYWARD_CACHE_DIR: importedDir, NO_COLOR: '1' },
  });
} else {
  log(`pyward db import failed (${imp.status}); skipping the imported-db case: ${firstLine(imp.stderr)}`);
}
// Floors, for reading the pyward figures: starting this Node, and loading pyward's CLI.
cases.push(
  { tool: 'node', mode: 'floor: node -e 0', input: null, cmd: NODE, args: ['-e', '0'], env: {} },
  { tool: 'pyward', mode: 'floor: pyward --version', input: null, cmd: NODE, args: ['bin/pyward.js', '--version'], env: {} },
);
for (const c of cases) {
  const inputId = c.input === REQS ? 'reqs1000' : c.input === LOCK ? 'uvlock' : 'none';
  c.id = `${inputId}-${c.tool}-${c.mode.replace(/\W+/g, '-').replace(/-+$/, '')}`;
  c.samples = [];
  c.report = join(OUT, 'reports', `${c.id}.${c.input ? 'json' : 'out'}`);
  c.runs ??= RUNS;
}

function runOnce(c) {
  c.before?.();
  const timeFile = join(OUT, 'time.txt'); // /usr/bin/time's output for the run just made
  const out = openSync(c.report, 'w');
  const errFile = join(OUT, 'reports', `${c.id}.stderr`);
  const err = openSync(errFile, 'w');
  const [cmd, args] = TIME ? [TIME, ['-f', '%U %S %M', '-o', timeFile, c.cmd, ...c.args]] : [c.cmd, c.args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', out, err], env: { ...process.env, ...c.env } });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(out);
  closeSync(err);
  // 0 = clean, 1 = findings, for all three tools
  if (r.status !== 0 && r.status !== 1) {
    const tail = readFileSync(errFile, 'utf8').trim().split('\n').slice(-5).join('\n');
    throw new Error(`${c.id} exited ${r.status ?? r.signal}:\n${tail}`);
  }
  let cpu = null;
  let rssMB = null;
  if (TIME) {
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpu = last[0] + last[1];
    rssMB = last[2] / 1024;
  }
  return { wall, cpu, rssMB, exit: r.status };
}

// Warm-up (also primes the warm pyward caches), then interleaved rounds.
for (const c of cases) {
  try {
    const s = runOnce(c);
    log(`warm-up ${c.id}: ${s.wall.toFixed(3)} s`);
  } catch (e) {
    c.error = String(e.message ?? e);
    log(`FAILED ${c.error}`);
  }
}
for (let round = 0; round < RUNS; round++) {
  const live = cases.filter((c) => !c.error && c.samples.length < c.runs);
  const order = live.map((_, i) => live[(i + round) % live.length]);
  for (const c of order) {
    try {
      c.samples.push(runOnce(c));
    } catch (e) {
      c.error = String(e.message ?? e);
      log(`FAILED ${c.error}`);
    }
  }
  log(`round ${round + 1}/${RUNS} done`);
}
server.kill('SIGTERM');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
for (const c of cases) {
  const w = c.samples.map((s) => s.wall);
  c.stats = {
    runs: w.length,
    median_wall_s: median(w),
    min_wall_s: w.length ? Math.min(...w) : null,
    max_wall_s: w.length ? Math.max(...w) : null,
    median_cpu_s: TIME ? median(c.samples.map((s) => s.cpu)) : null,
    median_max_rss_mb: TIME ? median(c.samples.map((s) => s.rssMB)) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Agreement: (package, version, advisory) triples, with every id mapped to its alias group as the
// advisory database defines it (an advisory's id and its aliases are one group), so that a tool
// reporting PYSEC-x and another reporting its GHSA alias count as the same finding.
const normName = (n) => n.toLowerCase().replace(/[-_.]+/g, '-');
const parent = new Map();
const find = (x) => {
  while (parent.has(x) && parent.get(x) !== x) x = parent.get(x);
  return x;
};
const union = (a, b) => {
  const [ra, rb] = [find(a), find(b)];
  if (!parent.has(ra)) parent.set(ra, ra);
  if (!parent.has(rb)) parent.set(rb, rb);
  if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
};
const withdrawn = new Set();
let dbRecords = 0;
for (const project of readdirSync(join(DB, 'vulns'))) {
  let files;
  try {
    files = readdirSync(join(DB, 'vulns', project));
  } catch {
    continue;
  }
  for (const f of files.filter((x) => x.endsWith('.yaml'))) {
    const rec = parseYaml(readFileSync(join(DB, 'vulns', project, f), 'utf8'));
    if (!rec?.id) continue;
    dbRecords++;
    union(rec.id, rec.id);
    for (const a of rec.aliases ?? []) union(rec.id, a);
    if (rec.withdrawn) withdrawn.add(rec.id);
  }
}
const group = (id) => (parent.has(id) ? find(id) : id);

function findings(c) {
  if (c.error || !existsSync(c.report)) return null;
  const j = JSON.parse(readFileSync(c.report, 'utf8'));
  const set = new Set();
  const add = (name, version, ids) => {
    for (const g of new Set(ids.map(group))) set.add(`${normName(name)}==${version} ${g}`);
  };
  if (c.tool === 'osv-scanner') {
    for (const r of j.results ?? []) for (const p of r.packages ?? []) for (const g of p.groups ?? []) add(p.package.name, p.package.version, g.ids);
  } else {
    // pyward's JSON is a superset of pip-audit's: dependencies[].vulns[].{id, aliases}
    for (const d of j.dependencies ?? []) for (const v of d.vulns ?? []) add(d.name, d.version, [v.id]);
  }
  return set;
}
const same = (a, b) => (a && b ? a.size === b.size && [...a].every((x) => b.has(x)) : null);
const agreement = {};
for (const input of [REQS, LOCK]) {
  const get = (tool, mode) => cases.find((c) => c.input === input && c.tool === tool && (!mode || c.mode === mode));
  const sets = {
    pyward: findings(get('pyward', 'warm')),
    'pyward-cold': findings(get('pyward', 'cold')),
    'pyward-imported': input === REQS ? findings(get('pyward', 'warm, imported db')) : null,
    'osv-scanner': findings(get('osv-scanner')),
    'pip-audit': findings(get('pip-audit')),
  };
  const cmp = (a, b) => {
    if (!sets[a] || !sets[b]) return null;
    const onlyA = [...sets[a]].filter((x) => !sets[b].has(x)).sort();
    const onlyB = [...sets[b]].filter((x) => !sets[a].has(x)).sort();
    return { both: sets[a].size - onlyA.length, [`only_${a}`]: onlyA, [`only_${b}`]: onlyB };
  };
  agreement[input] = {
    counts: Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v ? v.size : null])),
    vulnerable_packages: Object.fromEntries(
      Object.entries(sets).map(([k, v]) => [k, v ? new Set([...v].map((x) => x.split(' ')[0])).size : null]),
    ),
    'pyward vs osv-scanner': cmp('pyward', 'osv-scanner'),
    'pyward vs pip-audit': cmp('pyward', 'pip-audit'),
    'pyward warm vs cold identical': same(sets.pyward, sets['pyward-cold']),
    'pyward warm vs imported db identical': same(sets.pyward, sets['pyward-imported']),
  };
}

// ---------------------------------------------------------------------------------------------
// Environment and output.
const ver = (cmd, args) => firstLine(sh(cmd, args).stdout || sh(cmd, args).stderr);
const env = {
  date: new Date().toISOString(),
  cpu: `${cpus()[0]?.model ?? '?'} x ${cpus().length}`,
  memory_gib: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  pyward: `${JSON.parse(readFileSync('package.json', 'utf8')).version} (git ${firstLine(sh('git', ['rev-parse', '--short', 'HEAD']).stdout)}${sh('git', ['status', '--porcelain', 'src']).stdout.trim() ? ', uncommitted changes in src/' : ''})`,
  'osv-scanner': ver(OSV, ['--version']).replace('osv-scanner version: ', ''),
  'pip-audit': ver(PIP_AUDIT, ['--version']).replace('pip-audit ', ''),
  python: ver(join(TOOLS, 'venv', 'bin', 'python'), ['--version']).replace('Python ', ''),
  advisories: `${relative(repo, DB)} (${dbRecords} records, ${withdrawn.size} withdrawn)`,
  network: process.env.BENCH_NETNS === '1' ? 'network namespace with loopback only' : 'host network (no namespace)',
  runs: RUNS,
  pip_audit_runs: PIP_AUDIT_RUNS,
};
const byId = Object.fromEntries(cases.map((c) => [c.id, c]));
const ratioOf = (key) => (a, b) => (byId[a]?.stats[key] && byId[b]?.stats[key] ? byId[a].stats[key] / byId[b].stats[key] : null);
const ratio = ratioOf('median_wall_s');
const cpuRatio = ratioOf('median_cpu_s');
const ratioPairs = {
  'reqs1000: osv-scanner offline / pyward warm': ['reqs1000-osv-scanner-offline', 'reqs1000-pyward-warm'],
  'reqs1000: osv-scanner offline / pyward cold': ['reqs1000-osv-scanner-offline', 'reqs1000-pyward-cold'],
  'reqs1000: osv-scanner offline / pyward warm, imported db': ['reqs1000-osv-scanner-offline', 'reqs1000-pyward-warm-imported-db'],
  'reqs1000: pip-audit (local OSV API) / pyward warm': ['reqs1000-pip-audit-local-OSV-API', 'reqs1000-pyward-warm'],
  'uvlock: osv-scanner offline / pyward warm': ['uvlock-osv-scanner-offline', 'uvlock-pyward-warm'],
  'uvlock: osv-scanner offline / pyward cold': ['uvlock-osv-scanner-offline', 'uvlock-pyward-cold'],
  'uvlock: pip-audit (local OSV API) / pyward warm': ['uvlock-pip-audit-local-OSV-API', 'uvlock-pyward-warm'],
};
const ratios = Object.fromEntries(Object.entries(ratioPairs).map(([k, [a, b]]) => [k, ratio(a, b)]));
const cpuRatios = Object.fromEntries(Object.entries(ratioPairs).map(([k, [a, b]]) => [k, cpuRatio(a, b)]));
const warm = byId['reqs1000-pyward-warm']?.stats.median_wall_s ?? null;
const targets = {
  'pyward warm, 1,000 pins, median wall < 0.300 s': warm == null ? null : { measured_s: warm, met: warm < 0.3 },
  'osv-scanner offline / pyward (1,000 pins) >= 10': {
    warm: ratios['reqs1000: osv-scanner offline / pyward warm'],
    cold: ratios['reqs1000: osv-scanner offline / pyward cold'],
    met_warm: (ratios['reqs1000: osv-scanner offline / pyward warm'] ?? 0) >= 10,
    met_cold: (ratios['reqs1000: osv-scanner offline / pyward cold'] ?? 0) >= 10,
  },
};

const rel = (a) => (a.startsWith('/') ? relative(repo, a) : a);
const results = {
  env,
  cases: cases.map(({ id, tool, mode, input, cmd, args, env: e, stats, samples, error }) => ({
    id, tool, mode, input,
    command: [...Object.entries(e).map(([k, v]) => `${k}=${rel(v)}`), rel(cmd), ...args.map(rel)].join(' '),
    stats, samples, error,
  })),
  ratios,
  cpu_ratios: cpuRatios,
  targets,
  agreement,
};
writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

const f = (x, d = 3) => (x == null ? '—' : x.toFixed(d));
const md = [];
md.push(`Measured ${env.date} on ${env.cpu}, ${env.memory_gib} GiB, Linux ${env.kernel}; ${env.network}.`);
md.push(`pyward ${env.pyward} on Node ${env.node}; osv-scanner ${env['osv-scanner']}; pip-audit ${env['pip-audit']} on Python ${env.python}.`);
md.push(`Advisories: ${env.advisories}. ${RUNS} interleaved runs per case after one warm-up (pip-audit: ${PIP_AUDIT_RUNS}).`, '');
md.push('| input | tool | mode | median wall (s) | min – max (s) | median CPU (s) | peak RSS (MB) | runs | findings |');
md.push('|---|---|---|---:|---:|---:|---:|---:|---:|');
for (const c of cases) {
  const s = c.stats;
  const key = c.tool === 'pyward' ? { warm: 'pyward', cold: 'pyward-cold', 'warm, imported db': 'pyward-imported' }[c.mode] : c.tool;
  const n = c.input ? agreement[c.input].counts[key] : null;
  md.push(
    `| ${c.input === REQS ? 'requirements, 1,000 pins' : c.input === LOCK ? 'uv.lock, 99 packages' : '(none)'} | ${c.tool} | ${c.mode} | ${c.error ? 'failed' : f(s.median_wall_s)} | ${f(s.min_wall_s)} – ${f(s.max_wall_s)} | ${f(s.median_cpu_s, 2)} | ${f(s.median_max_rss_mb, 0)} | ${s.runs} | ${n ?? '—'} |`,
  );
}
const x = (v) => (v == null ? '—' : `${v.toFixed(1)}x`);
md.push('', '| ratio of medians | wall | CPU |', '|---|---:|---:|');
for (const k of Object.keys(ratios)) md.push(`| ${k} | ${x(ratios[k])} | ${x(cpuRatios[k])} |`);
md.push('', 'Agreement ((package, version, advisory) triples after alias merging):', '');
for (const [input, a] of Object.entries(agreement)) {
  const po = a['pyward vs osv-scanner'];
  const pp = a['pyward vs pip-audit'];
  md.push(
    `- ${input}: pyward ${a.counts.pyward ?? '—'}, osv-scanner ${a.counts['osv-scanner'] ?? '—'}, pip-audit ${a.counts['pip-audit'] ?? '—'}` +
      (po ? `; pyward ∩ osv-scanner ${po.both}, only pyward ${po.only_pyward.length}, only osv-scanner ${po['only_osv-scanner'].length}` : '') +
      (pp ? `; only pyward vs pip-audit ${pp.only_pyward.length}, only pip-audit ${pp['only_pip-audit'].length}` : '') +
      `; pyward warm = cold: ${a['pyward warm vs cold identical']}` +
      (a['pyward warm vs imported db identical'] == null ? '' : `; pyward warm = imported db: ${a['pyward warm vs imported db identical']}`),
  );
  for (const [label, list] of po ? [['only pyward', po.only_pyward], ['only osv-scanner', po['only_osv-scanner']]] : []) {
    for (const x of list.slice(0, 15)) md.push(`  - ${label}: ${x}`);
    if (list.length > 15) md.push(`  - ${label}: … ${list.length - 15} more in results.json`);
  }
}
for (const c of cases.filter((x) => x.error)) md.push('', `FAILED ${c.id}: \`${c.error.split('\n')[0]}\``);
writeFileSync(join(OUT, 'results.md'), `${md.join('\n')}\n`);
process.stdout.write(`${md.join('\n')}\n`);
log(`wrote ${relative(repo, join(OUT, 'results.json'))} and ${relative(repo, join(OUT, 'results.md'))}`);
