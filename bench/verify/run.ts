/**
 * pyward verify: time per PEP 740 attestation, and pypi-attestations (from PyPI) on the same
 * attestations and files in the same run.
 *
 *   npm run build
 *   node --import ./bench/ts-imports.mjs bench/verify/run.ts [--runs N] [--cli-runs N]
 *
 * Measured, each as median (min, p90) over the runs after one warm-up:
 *   1. in process, warm: pyward's verifyProvenance on the parsed attestation (signature, log,
 *      certificate chain, publisher, subject) against the loaded trusted root; pypi-attestations'
 *      Attestation.verify(publisher, dist, offline=True), which also builds its verifier each call;
 *   2. end to end, one process per verification: `pyward verify FILE --attestation ...` and
 *      `pypi-attestations verify attestation --offline --identity SAN FILE` (process start included).
 *
 * pypi-attestations is optional: `python3 -m venv bench/.tools/pa && bench/.tools/pa/bin/pip install
 * pypi-attestations`. The distributions are optional too: put them in bench/.tools/verify-dists
 * (`pip download --no-deps --no-binary :all: pypi-attestations==0.0.19 pypi-attestation-models==0.0.4a2`,
 * `pip download --no-deps --only-binary :all: rfc8785==0.1.2`); their sha256 is checked against the
 * vectors' DISTRIBUTIONS.sha256. Without a file, pyward gets --sha256/--filename and
 * pypi-attestations is skipped for that case (it needs the file).
 *
 * Writes bench/out/verify.json. Not a test: the timings depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePublisherSpec, type PublisherSpec } from '../../src/checks/provenance/identity.js';
import { readProvenanceDocument, verifyProvenance } from '../../src/checks/provenance/pep740.js';
import { loadTrustedRootFile, resolveTrustedRoot } from '../../src/sources/sigstore/trusted-root.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = opt('--runs', 200);
const CLI_RUNS = opt('--cli-runs', 15);
const VECTORS = join(root, '../shared/vectors/provenance');
const PA = join(VECTORS, 'pypi-attestations');
const STAGING = join(VECTORS, 'trusted-roots/staging.trusted_root.json');
const DISTS = join(root, 'bench/.tools/verify-dists');
const PA_BIN = join(root, 'bench/.tools/pa/bin');

interface Case {
  name: string;
  attestation: string;
  filename: string;
  sha256: string;
  /** pyward's --expect-publisher, or an exact identity for e-mail signers. */
  publisher?: string;
  identity?: string;
  issuer?: string;
  staging: boolean;
  /** The SAN pypi-attestations' CLI matches (it takes only --identity). */
  san: string;
}

const GH_019 = 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19';
const CASES: Case[] = [
  { name: 'pypi_attestations-0.0.19 publish (GitHub)', attestation: 'pypi_attestations-0.0.19.tar.gz.publish.attestation', filename: 'pypi_attestations-0.0.19.tar.gz', sha256: '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3', publisher: 'github:trailofbits/pypi-attestations@release.yml', staging: false, san: GH_019 },
  { name: 'pypi_attestations-0.0.19 SLSA (GitHub)', attestation: 'pypi_attestations-0.0.19.tar.gz.slsa.attestation', filename: 'pypi_attestations-0.0.19.tar.gz', sha256: '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3', publisher: 'github:trailofbits/pypi-attestations@release.yml', staging: false, san: GH_019 },
  { name: 'gitlab_oidc_project-0.0.3 (GitLab)', attestation: 'gitlab_oidc_project-0.0.3.tar.gz.publish.attestation', filename: 'gitlab_oidc_project-0.0.3.tar.gz', sha256: 'c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8', publisher: 'gitlab:facutuesca/gitlab-oidc-project@.gitlab-ci.yml', staging: false, san: 'https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main' },
  { name: 'pypi_attestation_models-0.0.4a2 (GitHub)', attestation: 'pypi_attestation_models-0.0.4a2.tar.gz.attestation', filename: 'pypi_attestation_models-0.0.4a2.tar.gz', sha256: 'c9709ce6fd5b67b59b4a28758cf14d3f411803c4b89b6068b1f1a8e4ee94c8ef', publisher: 'github:trailofbits/pypi-attestation-models@release.yml', staging: false, san: 'https://github.com/trailofbits/pypi-attestation-models/.github/workflows/release.yml@refs/tags/v0.0.4a2' },
  { name: 'rfc8785-0.1.2 wheel (staging, e-mail)', attestation: 'rfc8785-0.1.2-py3-none-any.whl.publish.attestation', filename: 'rfc8785-0.1.2-py3-none-any.whl', sha256: 'c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201', identity: 'william@yossarian.net', issuer: 'https://github.com/login/oauth', staging: true, san: 'william@yossarian.net' },
];

function stats(xs: number[]): { median: number; min: number; p90: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { median: r(at(0.5)), min: r(s[0]!), p90: r(at(0.9)), n: s.length };
}

function distFile(c: Case): string | undefined {
  const path = join(DISTS, c.filename);
  if (!existsSync(path)) return undefined;
  const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
  if (sha !== c.sha256) throw new Error(`${path}: sha256 ${sha}, the vectors say ${c.sha256}`);
  return path;
}

function spec(c: Case): PublisherSpec {
  return c.publisher ? parsePublisherSpec(c.publisher) : { kind: 'identity', identity: c.identity!, issuer: c.issuer! };
}

// 1. pyward in process.
const production = resolveTrustedRoot();
const staging = loadTrustedRootFile(STAGING);
const inProcess: Record<string, ReturnType<typeof stats> & { firstCallMs: number }> = {};
for (const c of CASES) {
  const json = JSON.parse(readFileSync(join(PA, c.attestation), 'utf8'));
  const once = (): void => {
    const r = verifyProvenance(readProvenanceDocument(json), { filename: c.filename, sha256: c.sha256 }, spec(c), c.staging ? staging : production);
    if (!r.verified) throw new Error(`${c.name}: ${r.error?.code} ${r.error?.message}`);
  };
  let t0 = performance.now();
  once();
  const firstCallMs = Math.round((performance.now() - t0) * 100) / 100;
  // Warm-up, not counted: the first case would otherwise also pay for the JIT.
  for (let i = 0; i < 20; i++) once();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now();
    once();
    times.push(performance.now() - t0);
  }
  inProcess[c.name] = { ...stats(times), firstCallMs };
}

// pypi-attestations in process.
const haveTool = existsSync(join(PA_BIN, 'pypi-attestations'));
let paInProcess: Record<string, ReturnType<typeof stats>> | undefined;
let paVersion: string | undefined;
if (haveTool) {
  paVersion = spawnSync(join(PA_BIN, 'python'), ['-c', 'import importlib.metadata as m; print(m.version("pypi-attestations"), "sigstore", m.version("sigstore"))'], { encoding: 'utf8' }).stdout.trim();
  const casesFile = join(mkdtempSync(join(tmpdir(), 'pyward-bench-verify-')), 'cases.json');
  writeFileSync(
    casesFile,
    JSON.stringify(
      CASES.map((c) => {
        const p = c.publisher ? parsePublisherSpec(c.publisher) : undefined;
        return {
          name: c.name,
          attestation: join(PA, c.attestation),
          filename: c.filename,
          sha256: c.sha256,
          staging: c.staging,
          ...(p && p.kind === 'github' ? { publisher: { kind: 'github', repository: p.repository, workflow: p.workflow } } : {}),
          ...(p && p.kind === 'gitlab' ? { publisher: { kind: 'gitlab', repository: p.repository, workflow: p.workflowPath } } : {}),
          ...(c.identity ? { identity: c.identity, issuer: c.issuer } : {}),
        };
      }),
    ),
  );
  const r = spawnSync(join(PA_BIN, 'python'), [join(root, 'bench/verify/pa_inprocess.py'), String(RUNS), casesFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pa_inprocess.py failed: ${r.stderr}`);
  paInProcess = Object.fromEntries(Object.entries(JSON.parse(r.stdout) as Record<string, number[]>).map(([k, v]) => [k, stats(v)]));
}

// 2. End to end, one process per verification, the two tools alternating.
const work = mkdtempSync(join(tmpdir(), 'pyward-bench-verify-'));
const cli: Record<string, { pyward: ReturnType<typeof stats>; pypiAttestations?: ReturnType<typeof stats>; withFile: boolean }> = {};
const wall = (cmd: string, argv: string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return ms;
};
for (const c of CASES) {
  const file = distFile(c);
  const pywardArgs = [
    join(root, 'bin/pyward.js'), 'verify',
    ...(file ? [file] : ['--sha256', c.sha256, '--filename', c.filename]),
    '--attestation', join(PA, c.attestation),
    ...(c.publisher ? ['--expect-publisher', c.publisher] : ['--cert-identity', c.identity!, '--cert-oidc-issuer', c.issuer!]),
    ...(c.staging ? ['--trusted-root', STAGING] : []),
    '--format', 'json',
  ];
  let paArgs: string[] | undefined;
  if (haveTool && file) {
    // pypi-attestations finds FILE.publish.attestation (or .slsa.attestation) next to FILE.
    const dir = mkdtempSync(join(work, 'case-'));
    const copy = join(dir, c.filename);
    copyFileSync(file, copy);
    copyFileSync(join(PA, c.attestation), `${copy}${c.attestation.includes('.slsa.') ? '.slsa.attestation' : '.publish.attestation'}`);
    paArgs = ['verify', 'attestation', '--offline', ...(c.staging ? ['--staging'] : []), '--identity', c.san, copy];
  }
  wall(process.execPath, pywardArgs);
  if (paArgs) wall(join(PA_BIN, 'pypi-attestations'), paArgs);
  const p: number[] = [];
  const q: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    // Alternate which tool goes first, so load from other users of the machine falls on both.
    if (i % 2 === 0) {
      p.push(wall(process.execPath, pywardArgs));
      if (paArgs) q.push(wall(join(PA_BIN, 'pypi-attestations'), paArgs));
    } else {
      if (paArgs) q.push(wall(join(PA_BIN, 'pypi-attestations'), paArgs));
      p.push(wall(process.execPath, pywardArgs));
    }
  }
  cli[c.name] = { pyward: stats(p), ...(paArgs ? { pypiAttestations: stats(q) } : {}), withFile: file !== undefined };
}

const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  runs: { inProcess: RUNS, cli: CLI_RUNS },
  pypiAttestations: paVersion ?? null,
  inProcess: Object.fromEntries(CASES.map((c) => [c.name, { pyward: inProcess[c.name], pypiAttestations: paInProcess?.[c.name] ?? null }])),
  cli,
};
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/verify.json'), JSON.stringify(result, null, 2) + '\n');

const f = (s: { median: number; min: number; p90: number } | null | undefined): string => (s ? `${s.median} (${s.min}–${s.p90})` : '—');
console.log(`pyward verify, per attestation (ms, median (min–p90)); pypi-attestations ${paVersion ?? 'not installed'}; ${cpus().length} CPUs, Node ${process.version}\n`);
console.log('| attestation | pyward in process | pypi-attestations in process | pyward CLI | pypi-attestations CLI |');
console.log('|---|---|---|---|---|');
for (const c of CASES) {
  const e = cli[c.name]!;
  console.log(`| ${c.name}${e.withFile ? '' : ' (digest only)'} | ${f(inProcess[c.name])} | ${f(paInProcess?.[c.name])} | ${f(e.pyward)} | ${f(e.pypiAttestations)} |`);
}
console.log(`\nFirst call in process (trusted root parsed, code warmed): ${CASES.map((c) => `${inProcess[c.name]!.firstCallMs} ms`).join(', ')}`);
console.log('Wrote bench/out/verify.json');
