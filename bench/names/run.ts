/**
 * pyward check: names. Every figure of docs/benchmarks.md "pyward check: names" in one run:
 * recall on the labeled sets, the alert rate on a fixed random sample of PyPI names, the time to check
 * every PyPI name, and GuardDog's typosquatting rule on the same names.
 *
 *   PATH=$PWD/node_modules/.bin:$PATH node --import ./bench/ts-imports.mjs bench/names/run.ts [options]
 *
 *   --data DIR        the shared data folder (default ../shared/data next to the repository)
 *   --workers N       worker threads for the full-index timing (default 2)
 *   --no-guarddog     skip the GuardDog baseline (it needs bench/.tools/guarddog, see guarddog_typos.py)
 *   --no-full         skip the timing over all names
 *
 * Writes bench/out/names.json. Not a test: the timings depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import type { NameFinding } from '../../src/core/model.js';
import { normalizeName } from '../../src/core/names.js';
import { checkName, rankedMatches } from '../../src/checks/names/typosquat.js';
import { checkNames, packageFromName } from '../../src/app/check.js';
import { ProjectList, projectListFile } from '../../src/sources/pypi/project-list.js';
import { DEFAULT_POPULAR_FILE, loadPopular, type PopularIndex } from '../../src/sources/popular/popular.js';
import { sampleNames } from './sample.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dataDir = resolve(opt('--data') ?? join(root, '../shared/data'));
const workers = Number(opt('--workers') ?? 2);
const SAMPLE_SEED = 20251126;
const SAMPLE_SIZE = 10_000;

const ms = (t0: number): number => Math.round(performance.now() - t0);

interface LabeledRow {
  name: string;
  target: string;
  source: string;
}

function readEcosystems(): LabeledRow[] {
  const lines = readFileSync(join(dataDir, 'typosquats-ecosystems.csv'), 'utf8').split('\n');
  const header = lines[0]!.split(',');
  const col = (n: string): number => header.indexOf(n);
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[col('ecosystem')] === 'pypi')
    .map((c) => ({ name: c[col('malicious_package')]!, target: normalizeName(c[col('target_package')]!), source: c[col('source')]! }));
}

function readOwn(): LabeledRow[] {
  const text = readFileSync(join(root, 'src/checks/names/testdata/labeled.tsv'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('name\t'))
    .map((l) => {
      const [name, target, source] = l.split('\t');
      return { name: name!, target: target!, source: source! };
    });
}

function readAllNames(): { name: string; month: string }[] {
  const text = gunzipSync(readFileSync(join(dataDir, 'pypi-names.tsv.gz'))).toString('utf8');
  const out: { name: string; month: string }[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (!line) continue;
    const cols = line.split('\t');
    out.push({ name: cols[0]!, month: cols[2] ?? '' });
  }
  return out;
}

function labeled(rows: LabeledRow[], index: PopularIndex) {
  const results = rows.map((r) => {
    const f: NameFinding | undefined = checkName(r.name, index)[0];
    const rank = index.rankOf(r.target);
    return {
      name: r.name,
      target: r.target,
      targetRank: rank ?? null,
      source: r.source,
      flagged: f !== undefined,
      got: f?.target ?? null,
      correct: f?.target === r.target,
      // The finding names one target and, in its evidence, up to two other close ones; GuardDog lists
      // all it suspects. "Named" counts the right target anywhere, to compare like with like.
      named: f !== undefined && (f.target === r.target || f.evidence.some((e) => e.includes(`'${r.target}'`))),
      kind: f?.kind ?? null,
      risk: f?.risk ?? null,
      evidence: f?.evidence[0] ?? null,
    };
  });
  const inTop = results.filter((r) => r.targetRank !== null);
  return {
    summary: {
      rows: results.length,
      flagged: results.filter((r) => r.flagged).length,
      rightTarget: results.filter((r) => r.correct).length,
      wrongTarget: results.filter((r) => r.flagged && !r.correct).length,
      rightTargetNamed: results.filter((r) => r.named).length,
      missed: results.filter((r) => !r.flagged).length,
      targetsInTopList: inTop.length,
      rightTargetWhenInTopList: inTop.filter((r) => r.correct).length,
    },
    results,
  };
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

function era(month: string): string {
  const year = Number(month.slice(0, 4));
  if (!year) return 'unknown';
  return year <= 2019 ? 'last release <= 2019' : year <= 2022 ? 'last release 2020-2022' : 'last release >= 2023';
}

function alertSample(sample: { name: string; month: string }[], index: PopularIndex) {
  const hits = sample.flatMap((s) => checkName(s.name, index).map((f) => ({ ...s, f })));
  const pct = (n: number, d: number): number => Math.round((10_000 * n) / d) / 100;
  const eras = countBy(sample, (s) => era(s.month));
  const alertsByEra = countBy(hits, (h) => era(h.month));
  return {
    seed: SAMPLE_SEED,
    size: sample.length,
    popularInSample: sample.filter((s) => index.has(s.name)).length,
    alerts: hits.length,
    alertRatePct: pct(hits.length, sample.length),
    atLeastMediumPct: pct(hits.filter((h) => h.f.risk !== 'low').length, sample.length),
    atLeastHighPct: pct(hits.filter((h) => h.f.risk === 'high' || h.f.risk === 'critical').length, sample.length),
    byRisk: countBy(hits, (h) => h.f.risk),
    byKind: countBy(hits, (h) => h.f.kind),
    // Which rule produced each alert (the best match behind the finding).
    byRule: countBy(hits, (h) => {
      const m = rankedMatches(h.name, index)[0]!;
      return m.rule === 'edit' ? `edit, distance ${m.distance}${m.via === 'name' ? '' : `, ${m.via} form`}` : m.rule;
    }),
    byEra: Object.fromEntries(Object.entries(eras).map(([e, n]) => [e, { names: n, alerts: alertsByEra[e] ?? 0, ratePct: pct(alertsByEra[e] ?? 0, n) }])),
    list: hits.map((h) => ({ name: h.name, target: h.f.target, risk: h.f.risk, kind: h.f.kind, evidence: h.f.evidence[0] })),
  };
}

/**
 * All names through `checkName`, split over worker threads that each load and build the shipped
 * index (so the time includes that). Each thread's CPU time is reported too: on a shared machine the
 * wall time says as much about the neighbours as about pyward.
 */
async function fullRun(names: string[], threads: number): Promise<{ ms: number; alerts: number; threadCpuMs: number[] }> {
  const t0 = performance.now();
  const size = Math.ceil(names.length / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, i) => {
      const slice = names.slice(i * size, (i + 1) * size);
      return new Promise<{ alerts: number; cpuMs: number }>((res, rej) => {
        const w = new Worker(new URL('./worker.ts', import.meta.url), { workerData: { file: DEFAULT_POPULAR_FILE, names: slice } });
        w.once('message', res);
        w.once('error', rej);
      });
    }),
  );
  return { ms: ms(t0), alerts: parts.reduce((a, b) => a + b.alerts, 0), threadCpuMs: parts.map((p) => p.cpuMs) };
}

function guarddog(eco: LabeledRow[], own: LabeledRow[], sample: string[], popular: string, index: PopularIndex) {
  const python = join(root, 'bench/.tools/guarddog/bin/python');
  if (!existsSync(python)) return { skipped: 'bench/.tools/guarddog is not installed (see bench/names/guarddog_typos.py)' };
  const dir = mkdtempSync(join(tmpdir(), 'pyward-gd-'));
  try {
    const names = [...eco.map((r) => r.name), ...own.map((r) => r.name), ...sample];
    writeFileSync(join(dir, 'names.txt'), names.join('\n'));
    const t0 = performance.now();
    const run = spawnSync(python, [join(root, 'bench/names/guarddog_typos.py'), popular, join(dir, 'names.txt'), '--jobs', String(workers)], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const took = ms(t0);
    if (run.status !== 0) return { error: run.stderr.slice(-2000) };
    const out = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; targets: string[] });
    const recall = (rows: LabeledRow[], offset: number) => {
      const res = rows.map((r, i) => ({ name: r.name, target: r.target, targets: out[offset + i]!.targets }));
      return {
        rows: rows.length,
        flagged: res.filter((r) => r.targets.length > 0).length,
        // GuardDog lists every target it suspects; counting a hit when the right one is among them favours it.
        rightTargetAmongTargets: res.filter((r) => r.targets.includes(r.target)).length,
        targetsInTopList: res.filter((r) => index.has(r.target)).length,
        rightTargetWhenInTopList: res.filter((r) => index.has(r.target) && r.targets.includes(r.target)).length,
        missed: res.filter((r) => r.targets.length === 0).map((r) => r.name),
      };
    };
    const sampleOut = out.slice(eco.length + own.length);
    const alerts = sampleOut.filter((r) => r.targets.length > 0);
    return {
      popular,
      ms: took,
      eco: recall(eco, 0),
      own: recall(own, eco.length),
      sample: { size: sample.length, alerts: alerts.length, alertRatePct: Math.round((10_000 * alerts.length) / sample.length) / 100, list: alerts },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let t0 = performance.now();
const index = loadPopular();
const loadMs = ms(t0);
t0 = performance.now();
index.warm();
const warmMs = ms(t0);
console.error(`index: ${index.size} projects, ${index.forms.length} spellings; load ${loadMs} ms, deletion index ${warmMs} ms`);

const eco = readEcosystems();
const own = readOwn();
const ecoResult = labeled(eco, index);
const ownResult = labeled(own, index);
console.error(`ecosyste-ms PyPI rows: ${JSON.stringify(ecoResult.summary)}`);
console.error(`own labeled rows: ${JSON.stringify(ownResult.summary)}`);

const all = readAllNames();
const sample = sampleNames(all, SAMPLE_SIZE, SAMPLE_SEED);
t0 = performance.now();
const sampleResult = { ...alertSample(sample, index), ms: ms(t0) };
console.error(`alert rate: ${sampleResult.alerts}/${sampleResult.size} = ${sampleResult.alertRatePct}% (risk >= medium ${sampleResult.atLeastMediumPct}%)`);

/**
 * The same rows and sample through `pyward check --offline` with PyPI's project list in the cache
 * (the names snapshot saved as `pyward db update --pypi-names` saves the live list). A row counts
 * when the first finding that names a target names the labeled one.
 */
async function withProjectList(names: string[]) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'pyward-bench-list-'));
  try {
    let t = performance.now();
    ProjectList.from(names, { url: 'file:pypi-names.tsv.gz', fetchedAt: new Date().toISOString() }).save(projectListFile(cacheDir));
    const buildMs = ms(t);
    const run = async (rows: string[]) => {
      const t1 = performance.now();
      const r = await checkNames(rows.map((n) => packageFromName(n, { file: 'bench' })), [], { offline: true, cacheDir });
      return { ms: ms(t1), findings: r.findings };
    };
    const recall = async (rows: LabeledRow[]) => {
      const { ms: took, findings } = await run(rows.map((r) => r.name));
      const target = (n: string) => findings.find((f) => f.name === normalizeName(n) && f.target !== undefined)?.target ?? null;
      const missing = new Set(findings.filter((f) => f.kind === 'not-found').map((f) => f.name));
      return {
        rows: rows.length,
        notOnList: rows.filter((r) => missing.has(normalizeName(r.name))).length,
        rightTarget: rows.filter((r) => target(r.name) === r.target).length,
        flagged: rows.filter((r) => findings.some((f) => f.name === normalizeName(r.name))).length,
        ms: took,
        results: rows.map((r) => ({ name: r.name, target: r.target, got: target(r.name) })),
      };
    };
    const ecoList = await recall(eco);
    const ownList = await recall(own);
    t = performance.now();
    const { findings } = await run(sample.map((s) => s.name));
    return {
      listBuildMs: buildMs,
      ecosystems: ecoList,
      own: ownList,
      sample: { size: sample.length, flagged: new Set(findings.map((f) => f.name)).size, notFound: findings.filter((f) => f.kind === 'not-found').length, ms: ms(t) },
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

const listResult = await withProjectList(all.map((a) => a.name));
console.error(
  `with PyPI's project list: ecosyste-ms ${listResult.ecosystems.rightTarget}/${listResult.ecosystems.rows} right target (${listResult.ecosystems.notOnList} not on the list), ` +
    `own ${listResult.own.rightTarget}/${listResult.own.rows}, sample ${listResult.sample.flagged}/${listResult.sample.size} flagged (${listResult.sample.notFound} not found)`,
);

let full: Record<string, unknown> = { skipped: '--no-full' };
if (!args.includes('--no-full')) {
  const names = all.map((a) => a.name);
  const threaded = await fullRun(names, workers);
  console.error(
    `all ${names.length} names, ${workers} worker threads (each loads and builds the index): ${threaded.ms} ms wall, ` +
      `${threaded.threadCpuMs.join(' + ')} ms CPU, ${threaded.alerts} flagged`,
  );
  t0 = performance.now();
  const cpu0 = process.threadCpuUsage();
  let alerts = 0;
  for (const n of names) if (checkName(n, index).length > 0) alerts++;
  const single = ms(t0);
  const cpu = process.threadCpuUsage(cpu0);
  const singleCpu = Math.round((cpu.user + cpu.system) / 1000);
  console.error(`all ${names.length} names, one thread (index already built): ${single} ms wall, ${singleCpu} ms CPU, ${alerts} flagged`);
  full = {
    names: names.length,
    cpus: availableParallelism(),
    loadAverage: loadavg(),
    workers,
    workersWallMs: threaded.ms,
    workersThreadCpuMs: threaded.threadCpuMs,
    workersAlerts: threaded.alerts,
    singleThreadWallMs: single,
    singleThreadCpuMs: singleCpu,
    singleThreadAlerts: alerts,
  };
}

let gd: Record<string, unknown> = { skipped: '--no-guarddog' };
if (!args.includes('--no-guarddog')) {
  const sampleNamesOnly = sample.map((s) => s.name);
  gd = {
    samePopularList: guarddog(eco, own, sampleNamesOnly, DEFAULT_POPULAR_FILE, index),
    guarddogShippedList: guarddog(eco, own, sampleNamesOnly, 'guarddog', index),
  };
  for (const [k, v] of Object.entries(gd)) {
    const r = v as { eco?: unknown; own?: unknown; sample?: { alertRatePct: number }; ms?: number };
    console.error(`guarddog (${k}): eco ${JSON.stringify(r.eco && { ...(r.eco as object), missed: undefined })} own ${JSON.stringify(r.own && { ...(r.own as object), missed: undefined })} alert ${r.sample?.alertRatePct}% in ${r.ms} ms`);
  }
}

const out = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  index: { file: 'data/pypi-top15000.tsv', projects: index.size, spellings: index.forms.length, loadMs, deletionIndexMs: warmMs },
  labeled: { ecosystems: ecoResult, own: ownResult },
  alertSample: sampleResult,
  withProjectList: listResult,
  fullRun: full,
  guarddog: gd,
};
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/names.json'), `${JSON.stringify(out, null, 2)}\n`);
console.error('wrote bench/out/names.json');
