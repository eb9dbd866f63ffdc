/**
 * `pyward verify`: flags -> app/verify -> reporter -> exit code (0 verified, 1 not verified or
 * flagged, 2 usage or input error, 3 the index could not be reached).
 *
 * Offline, on files:
 *   pyward verify [FILE] --attestation ATT (--sha256 HEX --filename NAME) --expect-publisher SPEC
 *   pyward verify bundle FILE --bundle B (--cert-identity I --cert-oidc-issuer U | --key K)
 *   pyward verify slsa [FILE] --provenance P --source-uri URI [--source-tag T | --source-branch B]
 * On an index:
 *   pyward verify [release] NAME==VERSION [--history]     every file of a release
 *   pyward verify project NAME[==VERSION]                 the last --releases N releases, continuity
 *   pyward verify [lock] LOCKFILE... [-r requirements.txt]  every pinned distribution with hashes
 *
 * The PEP 740 form is the default subcommand (`attestation`), so that it and `bundle` can share
 * option names: options given to a parent command would be consumed before the subcommand saw them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { IndexRequest } from '../app/verify.js';
import type { IndexVerifyReport, VerifyReport } from '../reporters/verify/types.js';
import { EXIT } from './exit.js';
import { collect, defaultCacheDir, oneOf, useColor } from './options.js';

const FORMATS = ['table', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface CommonFlags {
  format: Format;
  output?: string;
  trustedRoot?: string;
  color: boolean;
}

interface AttestationFlags extends CommonFlags {
  attestation?: string;
  sha256?: string;
  filename?: string;
  expectPublisher?: string;
  certIdentity?: string;
  certOidcIssuer?: string;
}

const RISKS = ['low', 'medium', 'high', 'critical'] as const;

interface IndexFlags extends CommonFlags {
  indexUrl?: string;
  cacheDir?: string;
  offline?: boolean;
  expectPublisher?: string;
  policy?: string;
  tofu?: boolean;
  tofuReset?: boolean;
  history?: boolean;
  releases?: string;
  failOn: (typeof RISKS)[number];
  timeout?: string;
}

interface LockFlags extends IndexFlags {
  requirement?: string[];
  inputFormat?: string;
  requireAttestations?: boolean;
}

interface BundleFlags extends CommonFlags {
  bundle?: string;
  certIdentity?: string;
  certOidcIssuer?: string;
  key?: string;
}

interface SlsaFlags extends CommonFlags {
  provenance?: string;
  sha256?: string;
  filename?: string;
  sourceUri?: string;
  sourceTag?: string;
  sourceBranch?: string;
  builderId?: string;
}

function common(cmd: Command): Command {
  return cmd
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, oneOf(FORMATS), 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json to verify against (default: the embedded production root)')
    .option('--no-color', 'no ANSI colors (also when NO_COLOR is set or output is not a terminal)');
}

/** The options of the index forms; the default form takes them too, for `pyward verify NAME==VERSION`. */
function indexOptions(cmd: Command, { publisher }: { publisher: boolean }): Command {
  const c = cmd
    .option('--index-url <url>', 'the simple index to list files on (default https://pypi.org/simple/; its JSON and Integrity APIs are found next to /simple)')
    .option('--policy <file>', 'policy file with [verify.publishers] pins (default: ./pyward.toml when present)')
    .option('--tofu', 'trust on first use: store the first publisher seen per project (in the cache dir) and compare later runs with it')
    .option('--tofu-reset', 'with --tofu: forget the stored publisher and learn it again')
    .option('--history', 'also walk the releases before the one asked about (JSON API)')
    .option('--releases <n>', 'how many releases a walk covers, the one asked about included (default 10)')
    .option('--fail-on <risk>', `exit 1 for findings at or above: ${RISKS.join(', ')}`, oneOf(RISKS), 'medium')
    .option('--offline', 'answer from the cache only; a miss exits 3')
    .option('--cache-dir <dir>', 'cache directory (default: $PYWARD_CACHE_DIR or ~/.cache/pyward)')
    .option('--timeout <seconds>', 'give up on a request that sends nothing for this long (default 30)');
  return publisher ? c.option('--expect-publisher <spec>', 'github:OWNER/REPO@WORKFLOW.yml, gitlab:NAMESPACE/PROJECT@PATH or google:EMAIL (matched exactly)') : c;
}

function indexRequest(flags: IndexFlags): IndexRequest {
  const number = (value: string | undefined, flag: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, got ${JSON.stringify(value)}`);
    return n;
  };
  const timeout = number(flags.timeout, '--timeout');
  return {
    indexUrl: flags.indexUrl,
    cacheDir: flags.cacheDir ?? defaultCacheDir(),
    offline: flags.offline,
    publisher: flags.expectPublisher,
    policyFile: flags.policy,
    defaultPolicyFile: resolve('pyward.toml'),
    tofu: flags.tofu,
    tofuReset: flags.tofuReset,
    history: flags.history,
    releases: number(flags.releases, '--releases'),
    failOn: flags.failOn,
    trustedRoot: flags.trustedRoot,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
  };
}

const DISTRIBUTION = /\.(whl|tar\.gz|zip)$/i;

export function registerVerify(program: Command, setCode: (code: number) => void): void {
  const verify = program
    .command('verify')
    .description('verify provenance: PEP 740 attestations, Sigstore bundles and SLSA provenance offline, and releases on an index with their publisher continuity')
    .addHelpText(
      'after',
      `
Examples:
  pyward verify --attestation ATT --sha256 HEX --filename NAME --expect-publisher github:OWNER/REPO@release.yml
  pyward verify dist/pkg-1.0.tar.gz --attestation pkg-1.0.tar.gz.provenance --expect-publisher gitlab:GROUP/PROJECT@.gitlab-ci.yml
  pyward verify bundle FILE --bundle FILE.sigstore.json --cert-identity SAN --cert-oidc-issuer URL [--trusted-root R]
  pyward verify slsa FILE --provenance P --source-uri github.com/OWNER/REPO --source-tag v1.2.3
  pyward verify sampleproject==4.0.0 [--expect-publisher github:pypa/sampleproject@release.yml]
  pyward verify project ultralytics --releases 20 [--tofu]
  pyward verify uv.lock   (or: pyward verify lock -r requirements.txt)

Exit codes: 0 verified, 1 not verified or flagged (see error.code), 2 usage or input error,
3 the index could not be reached. See docs/verify.md.
Options of each form: pyward verify attestation --help, verify bundle --help, verify slsa --help,
verify release --help, verify project --help, verify lock --help.`,
    );

  common(
    verify
      .command('attestation', { isDefault: true })
      .description('verify PEP 740 attestations of a distribution against its expected Trusted Publisher (the default)')
      .argument('[file]', 'the distribution file (or give --sha256 and --filename)')
      .option('--attestation <file>', 'a PEP 740 attestation, an Integrity API provenance response, or a Sigstore bundle of one')
      .option('--sha256 <hex>', "the distribution's sha256, instead of the file")
      .option('--filename <name>', "the distribution's file name (default: the file's name)")
      .option('--expect-publisher <spec>', 'github:OWNER/REPO@WORKFLOW.yml, gitlab:NAMESPACE/PROJECT@PATH or google:EMAIL (matched exactly)')
      .option('--cert-identity <san>', "instead of --expect-publisher: the certificate's exact subject alternative name")
      .option('--cert-oidc-issuer <url>', 'with --cert-identity: the exact OIDC issuer'),
  );
  // The index forms' options, so that `pyward verify NAME==VERSION --index-url ...` works too.
  indexOptions(verify.commands.find((c) => c.name() === 'attestation')!, { publisher: false }).action(async (file: string | undefined, flags: AttestationFlags & IndexFlags) => {
    if (flags.attestation === undefined) {
      // Without an attestation, the argument names what to look up on an index.
      if (file !== undefined && flags.sha256 === undefined && flags.filename === undefined && !DISTRIBUTION.test(file)) {
        if (existsSync(file)) return setCode(await runLock([file], flags));
        if (flags.history) return setCode(await runIndex(file.includes('==') ? 'release' : 'project', file, flags));
        if (file.includes('==')) return setCode(await runIndex('release', file, flags));
      }
      throw new UsageError('--attestation is required: the attestation or provenance file to verify (or give NAME==VERSION, `project NAME`, or a lockfile, to verify from an index)');
    }
    const { verifyAttestationFile } = await import('../app/verify.js');
    const report = await verifyAttestationFile({
      attestation: flags.attestation,
      file,
      sha256: flags.sha256,
      filename: flags.filename,
      publisher: flags.expectPublisher,
      identity: flags.certIdentity,
      issuer: flags.certOidcIssuer,
      trustedRoot: flags.trustedRoot,
    });
    setCode(await emit(report, flags));
  });

  common(
    verify
      .command('bundle')
      .description('verify a Sigstore bundle for a file, cosign-style')
      .argument('<file>', 'the signed file')
      .option('--bundle <file>', 'the Sigstore bundle (.sigstore, .sigstore.json)')
      .option('--cert-identity <san>', "the signing certificate's exact subject alternative name")
      .option('--cert-oidc-issuer <url>', 'the exact OIDC issuer of that identity')
      .option('--key <file>', 'a PEM public key, for bundles signed with a managed key'),
  ).action(async (file: string, flags: BundleFlags) => {
    if (flags.bundle === undefined) throw new UsageError('--bundle is required: the Sigstore bundle to verify');
    const { verifyBundleFile } = await import('../app/verify.js');
    const report = await verifyBundleFile({
      bundle: flags.bundle,
      file,
      identity: flags.certIdentity,
      issuer: flags.certOidcIssuer,
      key: flags.key,
      trustedRoot: flags.trustedRoot,
    });
    setCode(await emit(report, flags));
  });

  common(
    verify
      .command('slsa')
      .description('verify SLSA provenance (v0.2, v1) for a file: builder, source repository and ref, subject digest')
      .argument('[file]', 'the artifact (or give --sha256)')
      .option('--provenance <file>', 'the provenance: a Sigstore bundle or a PEP 740 attestation')
      .option('--sha256 <hex>', "the artifact's sha256, instead of the file")
      .option('--filename <name>', "the artifact's name, for the report")
      .option('--source-uri <uri>', 'the expected source repository, e.g. github.com/OWNER/REPO')
      .option('--source-tag <tag>', 'the expected tag the artifact was built from')
      .option('--source-branch <branch>', 'the expected branch the artifact was built from')
      .option('--builder-id <id>', 'the expected builder, with or without @ref (default: slsa-github-generator at a release tag, or the source repository\'s own workflow)'),
  ).action(async (file: string | undefined, flags: SlsaFlags) => {
    if (flags.provenance === undefined) throw new UsageError('--provenance is required: the SLSA provenance to verify');
    if (flags.sourceUri === undefined) throw new UsageError('--source-uri is required: the repository the artifact must have been built from');
    const { verifySlsaFile } = await import('../app/verify.js');
    const report = await verifySlsaFile({
      provenance: flags.provenance,
      file,
      sha256: flags.sha256,
      filename: flags.filename,
      sourceUri: flags.sourceUri,
      sourceTag: flags.sourceTag,
      sourceBranch: flags.sourceBranch,
      builderId: flags.builderId,
      trustedRoot: flags.trustedRoot,
    });
    setCode(await emit(report, flags));
  });

  common(indexOptions(verify.command('release').description('verify every file of a release on an index: NAME==VERSION').argument('<name==version>', 'the release'), { publisher: true })).action(
    async (requirement: string, flags: IndexFlags) => setCode(await runIndex('release', requirement, flags)),
  );

  common(
    indexOptions(
      verify
        .command('project')
        .description("walk a project's last releases on an index and check that its publisher stayed the same (continuity)")
        .argument('<name>', 'the project, or NAME==VERSION to end the walk at that release'),
      { publisher: true },
    ),
  ).action(async (name: string, flags: IndexFlags) => setCode(await runIndex('project', name, flags)));

  common(
    indexOptions(
      verify
        .command('lock')
        .description('verify every pinned distribution with sha256 hashes in lockfiles or requirements files, from the index')
        .argument('[paths...]', 'uv.lock, poetry.lock, pylock.toml, requirements.txt with --hash, ... or a project directory')
        .option('-r, --requirement <file>', 'a requirements file (repeatable)', collect)
        .option('--input-format <name>', 'read every path as this format')
        .option('--require-attestations', 'a package without attestations fails too (default: only attestations that fail, and findings)'),
      { publisher: false },
    ),
  ).action(async (paths: string[], flags: LockFlags) => setCode(await runLock(paths, flags)));
}

async function runIndex(mode: 'release' | 'project', what: string, flags: IndexFlags): Promise<number> {
  const app = await import('../app/verify.js');
  const req = indexRequest(flags);
  const report = mode === 'release' ? await app.verifyRelease({ ...req, requirement: what }) : await app.verifyProject({ ...req, project: what });
  return emitIndex(report, flags);
}

async function runLock(paths: string[], flags: LockFlags): Promise<number> {
  const inputs = [
    ...paths.map((path) => ({ path, ...(flags.inputFormat ? { format: flags.inputFormat } : {}) })),
    ...(flags.requirement ?? []).map((path) => ({ path, format: 'requirements-txt' })),
  ];
  if (inputs.length === 0) throw new UsageError('nothing to verify: give a lockfile, a requirements file (-r), or a project directory');
  const { verifyLockfiles } = await import('../app/verify.js');
  const report = await verifyLockfiles({ ...indexRequest(flags), inputs, requireAttestations: flags.requireAttestations });
  return emitIndex(report, flags);
}

async function emitIndex(report: IndexVerifyReport, flags: CommonFlags): Promise<number> {
  const { renderIndexReport } = await import('../reporters/verify/index.js');
  const out = flags.output ? undefined : process.stdout;
  const text = renderIndexReport(report, flags.format, { color: out ? useColor(flags.color, out) : false });
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  if (report.diagnostics.some((d) => d.severity === 'error')) return EXIT.usage;
  return report.verified ? EXIT.clean : EXIT.findings;
}

async function emit(report: VerifyReport, flags: CommonFlags): Promise<number> {
  const { renderVerifyReport } = await import('../reporters/verify/index.js');
  const out = flags.output ? undefined : process.stdout;
  const text = renderVerifyReport(report, flags.format, { color: out ? useColor(flags.color, out) : false });
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  return report.verified ? EXIT.clean : EXIT.findings;
}
