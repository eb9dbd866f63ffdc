/**
 * pyward inspect vs GuardDog, side by side in one run, on the same files:
 *
 * - recall on the malicious corpus (test/corpus/malicious, packed into real sdists and wheels here),
 * - false positives on the benign corpus (bench/.tools/corpus: the wheels and sdists of the 1,000 most
 *   downloaded PyPI projects, and Debian's python3-* packages of those projects, unpacked),
 * - throughput: pyward in one process over every package (worker threads), pyward once per package,
 *   GuardDog once per package (it scans one target per invocation), then GuardDog again with one process
 *   per core at a time (xargs -P), so the wall-clock comparison has both tools on every core.
 *
 *   bash bench/inspect/run.sh [--limit N] [--runs N] [--no-guarddog] [--no-per-package] [--check-prefilter]
 *
 * Fetch the corpus first (bench/inspect/fetch-benign.sh, bench/inspect/fetch-debian.sh) and GuardDog
 * (bench/names/setup-guarddog.sh). Writes bench/out/inspect/results.json (every package, both tools'
 * verdicts and rules, every timing and command) and bench/out/inspect/results.md (the tables of
 * docs/benchmarks.md). Timings are wall and CPU (user + sys of the process tree, /usr/bin/time).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSdistFilename, parseWheelFilename } from '../../src/core/filename.js';
import { inspectPath } from '../../src/inspect/engine.js';
import { RULES } from '../../src/inspect/rules/index.js';
import { buildCorpus, type CorpusSample } from '../../test/corpus/build.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const corpusDir = resolve(opt('--corpus') ?? join(root, 'bench/.tools/corpus'));
const outDir = join(root, 'bench/out/inspect');
const guarddogBin = join(root, 'bench/.tools/guarddog/bin/guarddog');
const node = process.execPath;
const pywardBin = join(root, 'bin/pyward.js');
const limit = opt('--limit') ? Number(opt('--limit')) : undefined;
const runGuarddog = !flag('--no-guarddog');
const perPackage = !flag('--no-per-package');
// pyward's one-process run takes seconds, so one sample of it is at the mercy of the shared machine
// (±8% run to run); GuardDog's figures are sums over hundreds of processes and need no repeats.
const pywardRepeats = opt('--runs') ? Number(opt('--runs')) : 5;

type Verdict = 'malicious' | 'suspicious' | 'clean' | 'error';
interface Timing {
  wall: number;
  user: number;
  sys: number;
  maxRssKb: number;
}
/** pyward over one set in one process: the median run by wall time, and every run's wall time. */
interface PywardRun {
  command: string;
  packages: number;
  timing: Timing;
  walls: number[];
}
interface PywardPkg {
  verdict: Verdict;
  score: number;
  rules: string[];
  findings: { rule: string; severity: string; file: string; line: number | null; snippet: string | null; phase: string | null }[];
}
interface GuarddogPkg {
  /** GuardDog's own label: no_risks_detected, low, suspicious, high_risk; 'error' when it failed. */
  label: string;
  score: number | null;
  issues: number;
  rules: string[];
  /** Rules behind its risks (threats GuardDog correlated), the part its label is computed from. */
  riskRules: string[];
  error?: string;
  timing: Timing;
}
interface Item {
  path: string;
  set: 'malicious' | 'wheel' | 'sdist' | 'debian';
  project: string;
  sample?: CorpusSample;
  pyward?: PywardPkg;
  pywardSolo?: { verdict: Verdict; timing: Timing };
  guarddog?: GuarddogPkg;
}

/** Runs a command under /usr/bin/time; stdout goes to a file when given (large JSON). */
function timed(cmd: string, argv: string[], stdoutFile?: string): { code: number; stdout: string; stderr: string; timing: Timing } {
  const tfile = join(outDir, '.time');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', tfile, cmd, ...argv], {
    cwd: root,
    maxBuffer: 1024 * 1024 * 1024,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (stdoutFile) writeFileSync(stdoutFile, r.stdout ?? '');
  const [wall, user, sys, rss] = readFileSync(tfile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number, number];
  return { code: r.status ?? -1, stdout: stdoutFile ? '' : (r.stdout ?? ''), stderr: r.stderr ?? '', timing: { wall, user, sys, maxRssKb: rss } };
}

function projectOf(path: string, set: Item['set']): string {
  const name = basename(path);
  try {
    if (set === 'wheel') return parseWheelFilename(name).name;
    if (set === 'sdist') return parseSdistFilename(name, { legacy: true }).name;
  } catch {
    // fall through
  }
  return name.replace(/^python3-/, '').toLowerCase();
}

function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort().map((f) => join(dir, f)) : [];
}

/** Every `limit`-th item when a limit is given, so a short run still spans the ranks and kinds. */
function spread<T>(items: T[], n: number | undefined): T[] {
  if (n === undefined || n >= items.length) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

function pywardPkg(p: {
  score: number;
  verdict: Verdict;
  findings: { rule: string; severity: string; file: string; line?: number | null; snippet?: string | null; phase?: string | null }[];
}): PywardPkg {
  return {
    verdict: p.verdict,
    score: p.score,
    rules: [...new Set(p.findings.map((f) => f.rule))].sort(),
    findings: p.findings.map((f) => ({ rule: f.rule, severity: f.severity, file: f.file, line: f.line ?? null, snippet: f.snippet ?? null, phase: f.phase ?? null })),
  };
}

function guarddogPkg(stdout: string, code: number, stderr: string, timing: Timing): GuarddogPkg {
  try {
    const j = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      issues?: number;
      results?: Record<string, unknown>;
      errors?: Record<string, string>;
      risk_score?: { score: number; label: string };
      risks?: { threat_rule?: string }[];
    };
    const rules = Object.entries(j.results ?? {})
      .filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== null && typeof v === 'object' ? Object.keys(v).length > 0 : Boolean(v)))
      .map(([k]) => k)
      .sort();
    const out: GuarddogPkg = {
      label: j.risk_score?.label ?? 'no_risks_detected',
      score: j.risk_score?.score ?? null,
      issues: j.issues ?? 0,
      rules,
      riskRules: [...new Set((j.risks ?? []).map((r) => r.threat_rule ?? '').filter(Boolean))].sort(),
      timing,
    };
    const errors = Object.entries(j.errors ?? {});
    if (errors.length > 0) out.error = errors.map(([k, v]) => `${k}: ${v}`).join('; ').slice(0, 300);
    return out;
  } catch {
    return { label: 'error', score: null, issues: 0, rules: [], riskRules: [], error: `exit ${code}: ${stderr.split('\n').filter((l) => !/Network error|Failed to download/.test(l)).join(' ').slice(0, 300)}`, timing };
  }
}

const GD_RANK: Record<string, number> = { error: -1, no_risks_detected: 0, low: 1, suspicious: 2, high_risk: 3 };
const PW_RANK: Record<Verdict, number> = { error: -1, clean: 0, suspicious: 1, malicious: 2 };

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const t0 = Date.now();

  // The corpora.
  const built = await buildCorpus(join(outDir, 'malicious'));
  const items: Item[] = built.map(({ sample, path }) => ({ path, set: 'malicious', project: `sample-${sample.sample}`, sample }));
  const benign: Item[] = [
    ...listDir(join(corpusDir, 'wheels')).map((p) => ({ path: p, set: 'wheel' as const, project: projectOf(p, 'wheel') })),
    ...listDir(join(corpusDir, 'sdists')).map((p) => ({ path: p, set: 'sdist' as const, project: projectOf(p, 'sdist') })),
    ...listDir(join(corpusDir, 'debian')).filter((p) => statSync(p).isDirectory() && !p.endsWith('.tmp')).map((p) => ({ path: p, set: 'debian' as const, project: projectOf(p, 'debian') })),
  ];
  items.push(...spread(benign, limit));
  const benignItems = items.filter((i) => i.set !== 'malicious');
  const malicious = items.filter((i) => i.set === 'malicious');
  console.error(`corpus: ${malicious.length} malicious, ${benignItems.length} benign (${countBy(benignItems, (i) => i.set)})`);

  // pyward, one process over every package of a set (worker threads, as the CLI runs).
  const pywardRuns: Record<string, PywardRun> = {};
  for (const [label, set] of [['malicious', malicious], ['benign', benignItems]] as const) {
    const out = join(outDir, `pyward-${label}.json`);
    const argv = [pywardBin, 'inspect', '--format', 'json', ...set.map((i) => i.path)];
    const samples = Array.from({ length: pywardRepeats }, () => timed(node, argv, out).timing);
    const r = { timing: [...samples].sort((a, b) => a.wall - b.wall)[Math.floor((samples.length - 1) / 2)]! };
    const report = JSON.parse(readFileSync(out, 'utf8')) as { packages: Parameters<typeof pywardPkg>[0][]; diagnostics: { message: string; file?: string }[] };
    const byPath = new Map<string, Parameters<typeof pywardPkg>[0] & { path: string }>();
    for (const p of report.packages as (Parameters<typeof pywardPkg>[0] & { path: string })[]) byPath.set(p.path, p);
    for (const i of set) {
      const p = byPath.get(i.path);
      i.pyward = p ? pywardPkg(p) : { verdict: 'error', score: 0, rules: [], findings: [] };
    }
    const walls = samples.map((t) => t.wall);
    pywardRuns[label] = { command: `node bin/pyward.js inspect --format json <${set.length} ${label} paths>`, packages: set.length, timing: r.timing, walls };
    console.error(`pyward one process, ${label}: ${set.length} packages in ${r.timing.wall}s (${(r.timing.user + r.timing.sys).toFixed(1)} CPU s; median of ${samples.length} runs, ${Math.min(...walls)}–${Math.max(...walls)}s)`);
  }

  // pyward once per package, and GuardDog once per package (its only mode for local files).
  const solo: Timing = { wall: 0, user: 0, sys: 0, maxRssKb: 0 };
  const gd: Timing = { wall: 0, user: 0, sys: 0, maxRssKb: 0 };
  let n = 0;
  for (const i of items) {
    n++;
    if (perPackage) {
      const r = timed(node, [pywardBin, 'inspect', '--format', 'json', i.path]);
      let verdict: Verdict = 'error';
      try {
        verdict = (JSON.parse(r.stdout) as { packages: { verdict: Verdict }[] }).packages[0]?.verdict ?? 'error';
      } catch {
        // stays 'error'
      }
      i.pywardSolo = { verdict, timing: r.timing };
      add(solo, r.timing);
    }
    if (runGuarddog) {
      const r = timed(guarddogBin, ['pypi', 'scan', i.path, '--output-format', 'json']);
      i.guarddog = guarddogPkg(r.stdout, r.code, r.stderr, r.timing);
      add(gd, r.timing);
    }
    if (n % 100 === 0) console.error(`per package: ${n}/${items.length} (pyward ${solo.wall.toFixed(0)}s, GuardDog ${gd.wall.toFixed(0)}s)`);
  }

  // GuardDog again, two processes at a time over the same files (xargs -P), so that both tools use both
  // cores: pyward's one process runs worker threads, GuardDog has no such mode.
  const gdParallel: Timing = { wall: 0, user: 0, sys: 0, maxRssKb: 0 };
  if (runGuarddog) {
    const list = join(outDir, '.guarddog-paths');
    writeFileSync(list, items.map((i) => i.path).join('\0'));
    const jobs = String(availableParallelism());
    add(gdParallel, timed('xargs', ['-0', '-a', list, '-P', jobs, '-n', '1', guarddogBin, 'pypi', 'scan', '--output-format', 'json'], join(outDir, '.guarddog-parallel.out')).timing);
    console.error(`GuardDog, ${jobs} processes at a time: ${items.length} packages in ${gdParallel.wall}s`);
  }

  const check = flag('--check-prefilter') ? await checkPrefilter(benignItems) : undefined;
  const results = summarize(items, pywardRuns, solo, gd, gdParallel, check);
  results.environment = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${availableParallelism()} x ${cpus()[0]?.model ?? '?'}`,
    loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    guarddog: runGuarddog ? spawnSync(guarddogBin, ['--version'], { encoding: 'utf8' }).stdout.trim() : null,
    network: process.env['BENCH_NETNS'] === '1' ? 'a network namespace with only loopback (unshare -n)' : 'host network',
    minutes: Math.round((Date.now() - t0) / 600) / 100,
  };
  writeFileSync(join(outDir, 'results.json'), JSON.stringify({ ...results, items }, null, 1));
  writeFileSync(join(outDir, 'results.md'), markdown(results, items));
  console.log(readFileSync(join(outDir, 'results.md'), 'utf8'));
}

function add(t: Timing, x: Timing): void {
  t.wall += x.wall;
  t.user += x.user;
  t.sys += x.sys;
  t.maxRssKb = Math.max(t.maxRssKb, x.maxRssKb);
}

function countBy<T>(items: T[], key: (t: T) => string): string {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return [...m].map(([k, v]) => `${v} ${k}`).join(', ');
}

/**
 * Parses every benign package twice in this process, with and without the prefilter, and compares
 * the threat findings and scores: the prefilter must change nothing but the time.
 */
async function checkPrefilter(set: Item[]): Promise<{ packages: number; differing: string[]; withMs: number; withoutMs: number }> {
  const capability = new Set(RULES.filter((r) => r.kind === 'capability').map((r) => r.id));
  const key = (r: Awaited<ReturnType<typeof inspectPath>>['result']): string =>
    JSON.stringify([r.score, r.findings.filter((f) => !capability.has(f.rule)).map((f) => [f.rule, f.file, f.line ?? 0]).sort()]);
  const differing: string[] = [];
  let withMs = 0;
  let withoutMs = 0;
  for (const i of set) {
    let t = performance.now();
    const on = (await inspectPath(i.path)).result;
    withMs += performance.now() - t;
    t = performance.now();
    const off = (await inspectPath(i.path, { prefilter: false })).result;
    withoutMs += performance.now() - t;
    if (key(on) !== key(off)) differing.push(i.path);
  }
  return { packages: set.length, differing, withMs: Math.round(withMs), withoutMs: Math.round(withoutMs) };
}

interface Results {
  recall: Record<string, unknown>;
  falsePositives: Record<string, unknown>;
  throughput: Record<string, unknown>;
  prefilter?: unknown;
  environment?: Record<string, unknown>;
}

function pct(n: number, d: number): string {
  return d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`;
}

function summarize(items: Item[], pywardRuns: Record<string, PywardRun>, solo: Timing, gd: Timing, gdParallel: Timing, check?: unknown): Results {
  const mal = items.filter((i) => i.set === 'malicious');
  const pw = (i: Item): number => PW_RANK[i.pyward?.verdict ?? 'error'];
  const g = (i: Item): number => GD_RANK[i.guarddog?.label ?? 'error'] ?? -1;
  const recall = {
    samples: mal.length,
    pywardSuspiciousOrWorse: mal.filter((i) => pw(i) >= 1).length,
    pywardMalicious: mal.filter((i) => pw(i) >= 2).length,
    pywardExpectedVerdict: mal.filter((i) => pw(i) >= PW_RANK[i.sample!.verdict]).length,
    pywardExpectedRules: mal.filter((i) => i.sample!.rules.every((r) => i.pyward?.rules.includes(r))).length,
    guarddogAnyFinding: mal.filter((i) => (i.guarddog?.issues ?? 0) > 0).length,
    guarddogSuspiciousOrWorse: mal.filter((i) => g(i) >= 2).length,
    guarddogHighRisk: mal.filter((i) => g(i) >= 3).length,
    guarddogErrors: mal.filter((i) => i.guarddog?.label === 'error').length,
  };
  const sets = ['wheel', 'sdist', 'debian'] as const;
  const fp: Record<string, unknown> = {};
  for (const set of [...sets, 'all'] as const) {
    const xs = items.filter((i) => (set === 'all' ? i.set !== 'malicious' : i.set === set));
    fp[set] = {
      packages: xs.length,
      pywardSuspiciousOrWorse: xs.filter((i) => pw(i) >= 1).length,
      pywardMalicious: xs.filter((i) => pw(i) >= 2).length,
      pywardErrors: xs.filter((i) => pw(i) < 0).length,
      guarddogAnyFinding: xs.filter((i) => (i.guarddog?.issues ?? 0) > 0).length,
      guarddogSuspiciousOrWorse: xs.filter((i) => g(i) >= 2).length,
      guarddogHighRisk: xs.filter((i) => g(i) >= 3).length,
      guarddogErrors: xs.filter((i) => i.guarddog?.label === 'error').length,
    };
  }
  // Per popular project: flagged when its wheel or its sdist is.
  const projects = new Map<string, Item[]>();
  for (const i of items) if (i.set === 'wheel' || i.set === 'sdist') projects.set(i.project, [...(projects.get(i.project) ?? []), i]);
  const anyOf = (xs: Item[], f: (i: Item) => boolean): boolean => xs.some(f);
  fp['projects'] = {
    projects: projects.size,
    pywardSuspiciousOrWorse: [...projects.values()].filter((xs) => anyOf(xs, (i) => pw(i) >= 1)).length,
    pywardMalicious: [...projects.values()].filter((xs) => anyOf(xs, (i) => pw(i) >= 2)).length,
    guarddogAnyFinding: [...projects.values()].filter((xs) => anyOf(xs, (i) => (i.guarddog?.issues ?? 0) > 0)).length,
    guarddogSuspiciousOrWorse: [...projects.values()].filter((xs) => anyOf(xs, (i) => g(i) >= 2)).length,
    guarddogHighRisk: [...projects.values()].filter((xs) => anyOf(xs, (i) => g(i) >= 3)).length,
  };
  const n = items.length;
  const rate = (t: Timing): { perSecondWall: number; perCpuSecond: number } => ({
    perSecondWall: t.wall > 0 ? Math.round((100 * n) / t.wall) / 100 : 0,
    perCpuSecond: t.user + t.sys > 0 ? Math.round((100 * n) / (t.user + t.sys)) / 100 : 0,
  });
  const one: Timing = { wall: 0, user: 0, sys: 0, maxRssKb: 0 };
  for (const r of Object.values(pywardRuns)) add(one, r.timing);
  const throughput = {
    packages: n,
    pywardOneProcess: { ...one, ...rate(one), runs: pywardRuns },
    pywardPerPackage: { ...solo, ...rate(solo) },
    guarddogPerPackage: { ...gd, ...rate(gd) },
    guarddogParallel: { ...gdParallel, ...rate(gdParallel) },
  };
  const out: Results = { recall, falsePositives: fp, throughput };
  if (check) out.prefilter = check;
  return out;
}

function markdown(r: Results, items: Item[]): string {
  const rc = r.recall as Record<string, number>;
  const fp = r.falsePositives as Record<string, Record<string, number>>;
  const tp = r.throughput as Record<string, Timing & { perSecondWall: number; perCpuSecond: number }>;
  const mal = items.filter((i) => i.set === 'malicious');
  const lines: string[] = [];
  // (GuardDog's columns say so when it was not run, rather than count zeros)
  const gd = (n: number, d: number): string => (runGuarddog ? `${n} (${pct(n, d)})` : 'not run');
  lines.push('### Recall on the malicious corpus', '');
  lines.push(`| | detected | of ${rc['samples']} |`, '|---|---|---|');
  lines.push(`| pyward, suspicious or malicious | ${rc['pywardSuspiciousOrWorse']} | ${pct(rc['pywardSuspiciousOrWorse']!, rc['samples']!)} |`);
  lines.push(`| pyward, malicious | ${rc['pywardMalicious']} | ${pct(rc['pywardMalicious']!, rc['samples']!)} |`);
  lines.push(`| pyward, expected verdict and every expected rule | ${Math.min(rc['pywardExpectedVerdict']!, rc['pywardExpectedRules']!)} | ${pct(Math.min(rc['pywardExpectedVerdict']!, rc['pywardExpectedRules']!), rc['samples']!)} |`);
  lines.push(`| GuardDog, any finding | ${runGuarddog ? rc['guarddogAnyFinding'] : '—'} | ${runGuarddog ? pct(rc['guarddogAnyFinding']!, rc['samples']!) : 'not run'} |`);
  lines.push(`| GuardDog, label suspicious or high_risk | ${runGuarddog ? rc['guarddogSuspiciousOrWorse'] : '—'} | ${runGuarddog ? pct(rc['guarddogSuspiciousOrWorse']!, rc['samples']!) : 'not run'} |`);
  lines.push(`| GuardDog, label high_risk | ${runGuarddog ? rc['guarddogHighRisk'] : '—'} | ${runGuarddog ? pct(rc['guarddogHighRisk']!, rc['samples']!) : 'not run'} |`, '');
  lines.push('| sample | pyward | GuardDog label (score; rules behind its risks) |', '|---|---|---|');
  for (const i of mal) {
    lines.push(`| \`${i.sample!.sample}\` | ${i.pyward?.verdict} (${i.pyward?.score}) | ${i.guarddog ? `${i.guarddog.label} (${i.guarddog.score ?? '—'}; ${i.guarddog.riskRules.join(', ') || 'none'})` : '—'} |`);
  }
  lines.push('', '### False positives on the benign corpus', '');
  lines.push('| set | packages | pyward suspicious+ | pyward malicious | GuardDog any finding | GuardDog suspicious+ | GuardDog high_risk |', '|---|---|---|---|---|---|---|');
  for (const set of ['wheel', 'sdist', 'debian', 'all'] as const) {
    const x = fp[set]!;
    lines.push(
      `| ${set} | ${x['packages']} | ${x['pywardSuspiciousOrWorse']} (${pct(x['pywardSuspiciousOrWorse']!, x['packages']!)}) | ${x['pywardMalicious']} (${pct(x['pywardMalicious']!, x['packages']!)}) | ${gd(x['guarddogAnyFinding']!, x['packages']!)} | ${gd(x['guarddogSuspiciousOrWorse']!, x['packages']!)} | ${gd(x['guarddogHighRisk']!, x['packages']!)} |`,
    );
  }
  const p = fp['projects']!;
  lines.push(
    `| popular projects (wheel or sdist flagged) | ${p['projects']} | ${p['pywardSuspiciousOrWorse']} (${pct(p['pywardSuspiciousOrWorse']!, p['projects']!)}) | ${p['pywardMalicious']} (${pct(p['pywardMalicious']!, p['projects']!)}) | ${gd(p['guarddogAnyFinding']!, p['projects']!)} | ${gd(p['guarddogSuspiciousOrWorse']!, p['projects']!)} | ${gd(p['guarddogHighRisk']!, p['projects']!)} |`,
  );
  lines.push('', 'Benign packages pyward judged suspicious or malicious:', '');
  const flagged = items.filter((i) => i.set !== 'malicious' && PW_RANK[i.pyward?.verdict ?? 'error'] >= 1);
  if (flagged.length === 0) lines.push('(none)');
  for (const i of flagged) {
    const threat = i.pyward!.findings.filter((f) => RULES.find((x) => x.id === f.rule)?.kind !== 'capability');
    const top = threat.slice(0, 3).map((f) => `${f.rule} ${f.file}:${f.line ?? ''}`).join('; ');
    lines.push(`- ${i.set} \`${basename(i.path)}\`: ${i.pyward!.verdict} ${i.pyward!.score} — ${top}`);
  }
  lines.push('', '### Throughput', '');
  lines.push('| mode | wall s | CPU s | packages/s (wall) | packages/CPU-s | peak RSS MB |', '|---|---|---|---|---|---|');
  const row = (name: string, t: Timing & { perSecondWall: number; perCpuSecond: number }): string =>
    `| ${name} | ${t.wall.toFixed(1)} | ${(t.user + t.sys).toFixed(1)} | ${t.perSecondWall} | ${t.perCpuSecond} | ${Math.round(t.maxRssKb / 1024)} |`;
  lines.push(row('pyward, one process, worker threads', tp['pywardOneProcess']!));
  if (tp['pywardPerPackage']!.wall > 0) lines.push(row('pyward, one process per package', tp['pywardPerPackage']!));
  if (tp['guarddogPerPackage']!.wall > 0) lines.push(row('GuardDog, one process per package', tp['guarddogPerPackage']!));
  const gp = tp['guarddogParallel']!;
  if (gp.wall > 0) lines.push(row(`GuardDog, one process per package, ${availableParallelism()} at a time`, gp));
  const runs = (r.throughput['pywardOneProcess'] as { runs: Record<string, PywardRun> }).runs;
  const walls = runs['benign']!.walls;
  if (walls.length > 1) lines.push('', `pyward one process: the median of ${walls.length} runs per set (benign set: ${walls.map((w) => w.toFixed(1)).join(', ')} s wall).`);
  const g = tp['guarddogPerPackage']!;
  const o = tp['pywardOneProcess']!;
  const s = tp['pywardPerPackage']!;
  if (g.wall > 0) {
    lines.push('', `Speed-up over GuardDog: one process ${(g.wall / o.wall).toFixed(1)}x wall, ${((g.user + g.sys) / (o.user + o.sys)).toFixed(1)}x CPU` + (s.wall > 0 ? `; per package ${(g.wall / s.wall).toFixed(1)}x wall, ${((g.user + g.sys) / (s.user + s.sys)).toFixed(1)}x CPU.` : '.'));
  }
  if (gp.wall > 0) {
    lines.push('', `Both tools on all ${availableParallelism()} cores (pyward's worker threads, GuardDog's parallel processes): ${(gp.wall / o.wall).toFixed(1)}x wall.`);
  }
  if (r.prefilter) {
    const c = r.prefilter as { packages: number; differing: string[]; withMs: number; withoutMs: number };
    lines.push('', `Prefilter check: ${c.packages} benign packages inspected with and without it in one thread: ${c.differing.length} differ in threat findings or score; ${(c.withMs / 1000).toFixed(0)} s with, ${(c.withoutMs / 1000).toFixed(0)} s without.`);
  }
  if (r.environment) lines.push('', `Environment: ${JSON.stringify(r.environment)}`);
  return lines.join('\n') + '\n';
}

await main();
