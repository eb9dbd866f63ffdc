/** The human and JSON renderings of a VerifyReport. */
import { describe, expect, it } from 'vitest';
import { renderVerifyJson } from './json.js';
import { clean, renderVerifyTable } from './table.js';
import type { VerifyReport } from './types.js';

const report = (over: Partial<VerifyReport> = {}): VerifyReport => ({
  schemaVersion: 1,
  mode: 'attestation',
  verified: false,
  artifact: { filename: 'demo-1.0.tar.gz', sha256: 'ab'.repeat(32) },
  input: { path: 'demo-1.0.tar.gz.provenance', format: 'provenance' },
  expected: { publisher: 'github:owner/demo@release.yml' },
  trustedRoot: { source: 'embedded', label: 'Sigstore production (embedded)', sha256: 'cd'.repeat(32) },
  attestations: [
    {
      where: 'attestation_bundles[0].attestations[0]',
      verified: false,
      error: { code: 'publisher-mismatch', message: 'built by https://github.com/evil/demo/.github/workflows/x.yml@refs/heads/main' },
      predicateType: 'https://docs.pypi.org/attestations/publish/v1\u001b[2J',
      signer: {
        kind: 'certificate',
        identity: 'https://github.com/evil/demo/.github/workflows/x.yml@refs/heads/main',
        issuer: 'https://token.actions.githubusercontent.com',
        repository: 'https://github.com/evil/demo',
        ref: 'refs/heads/main',
        trigger: 'pull_request_target',
        certificateValidity: { notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2025-01-01T00:10:00.000Z' },
      },
      transparencyLog: [{ logIndex: '1', log: 'https://rekor.sigstore.dev', integratedTime: '2025-01-01T00:01:00.000Z' }],
      signedAt: ['2025-01-01T00:01:00.000Z'],
    },
  ],
  error: { code: 'publisher-mismatch', message: 'built by https://github.com/evil/demo/...' },
  tool: { name: 'pyward', version: '0.0.0' },
  ...over,
});

describe('renderVerifyTable', () => {
  it('leads with the verdict and the reason, then the signer and its source', () => {
    const text = renderVerifyTable(report(), { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('NOT VERIFIED  demo-1.0.tar.gz');
    expect(lines[1]).toMatch(/^ {2}reason +publisher-mismatch: /);
    expect(text).toMatch(/source +https:\/\/github.com\/evil\/demo at refs\/heads\/main/);
    expect(text).toMatch(/trigger +pull_request_target/);
    expect(text).not.toMatch(/\u001b/);
  });

  it('escapes control characters from certificates and statements', () => {
    expect(renderVerifyTable(report(), { color: false })).toContain('v1\\u001b[2J');
    expect(clean('a\u202eb\u0007')).toBe('a\\u202eb\\u0007');
  });

  it('colors only when asked', () => {
    expect(renderVerifyTable(report({ verified: true, error: undefined }), { color: true })).toMatch(/^\u001b\[1;32mverified/);
  });
});

describe('renderVerifyJson', () => {
  it('puts the verdict and its error first', () => {
    const json = renderVerifyJson(report());
    expect(Object.keys(JSON.parse(json) as object).slice(0, 4)).toEqual(['schemaVersion', 'mode', 'verified', 'error']);
    expect(Object.keys(JSON.parse(renderVerifyJson(report({ verified: true, error: undefined }))) as object)).not.toContain('error');
  });
});
