/**
 * `pyward verify`: flags -> app/verify -> reporter -> exit code (0 verified, 1 not verified,
 * 2 usage or input error, 3 a source could not be reached). Everything here runs offline.
 *
 *   pyward verify [FILE] --attestation ATT (--sha256 HEX --filename NAME) --expect-publisher SPEC
 *   pyward verify bundle FILE --bundle B (--cert-identity I --cert-oidc-issuer U | --key K)
 *   pyward verify slsa [FILE] --provenance P --source-uri URI [--source-tag T | --source-branch B]
 *
 * The PEP 740 form is the default subcommand (`attestation`), so that it and `bundle` can share
 * option names: options given to a parent command would be consumed before the subcommand saw them.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { VerifyReport } from '../reporters/verify/types.js';
import { EXIT } from './exit.js';
import { oneOf, useColor } from './options.js';

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

export function registerVerify(program: Command, setCode: (code: number) => void): void {
  const verify = program
    .command('verify')
    .description('verify provenance offline: PEP 740 attestations, Sigstore bundles, SLSA provenance')
    .addHelpText(
      'after',
      `
Examples:
  pyward verify --attestation ATT --sha256 HEX --filename NAME --expect-publisher github:OWNER/REPO@release.yml
  pyward verify dist/pkg-1.0.tar.gz --attestation pkg-1.0.tar.gz.provenance --expect-publisher gitlab:GROUP/PROJECT@.gitlab-ci.yml
  pyward verify bundle FILE --bundle FILE.sigstore.json --cert-identity SAN --cert-oidc-issuer URL [--trusted-root R]
  pyward verify slsa FILE --provenance P --source-uri github.com/OWNER/REPO --source-tag v1.2.3

Exit codes: 0 verified, 1 not verified (see error.code), 2 usage or input error.
Options of each form: pyward verify attestation --help, pyward verify bundle --help, pyward verify slsa --help.`,
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
  ).action(async (file: string | undefined, flags: AttestationFlags) => {
    if (flags.attestation === undefined) throw new UsageError('--attestation is required: the attestation or provenance file to verify');
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
}

async function emit(report: VerifyReport, flags: CommonFlags): Promise<number> {
  const { renderVerifyReport } = await import('../reporters/verify/index.js');
  const out = flags.output ? undefined : process.stdout;
  const text = renderVerifyReport(report, flags.format, { color: out ? useColor(flags.color, out) : false });
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  return report.verified ? EXIT.clean : EXIT.findings;
}
