/** The table and JSON renderings of an IndexVerifyReport. */
import { describe, expect, it } from 'vitest';
import { renderIndexJson } from './index-json.js';
import { renderIndexTable } from './index-table.js';
import type { IndexVerifyReport } from './types.js';

const report = (over: Partial<IndexVerifyReport> = {}): IndexVerifyReport => ({
  schemaVersion: 1,
  mode: 'project',
  verified: false,
  error: { code: 'attestations-missing', message: 'demo 1.1: 1.1 has no attestations' },
  failOn: 'medium',
  trustedRoot: { source: 'embedded', label: 'Sigstore production (embedded)', sha256: 'cd'.repeat(32) },
  projects: [
    {
      name: 'demo',
      verified: false,
      error: { code: 'attestations-missing', message: 'demo 1.1: 1.1 has no attestations' },
      index: 'https://pypi.org/simple/',
      expected: { source: 'tofu', publisher: 'github:o/demo@release.yml', learnedFrom: { version: '1.0', at: '2025-01-01T00:00:00.000Z' } },
      releases: [
        {
          version: '1.0',
          uploadTime: '2025-01-01T00:00:00Z',
          yanked: false,
          target: false,
          attested: { verified: 1, files: 1 },
          publishers: ['github:o/demo@release.yml'],
          files: [
            {
              filename: 'demo-1.0.tar.gz',
              provenance: 'verified',
              attestations: [
                {
                  where: 'attestation_bundles[0].attestations[0]',
                  verified: true,
                  signer: { kind: 'certificate', identity: 'x', ref: 'refs/tags/v1.0', trigger: 'release', certificateValidity: { notBefore: '', notAfter: '' } },
                  transparencyLog: [],
                  signedAt: [],
                },
              ],
            },
          ],
        },
        {
          version: '1.1',
          uploadTime: '2025-02-01T00:00:00Z',
          yanked: true,
          target: true,
          attested: { verified: 0, files: 1 },
          publishers: [],
          files: [{ filename: 'demo-1.1.tar.gz\u001b[2J', provenance: 'invalid', error: { code: 'signature-invalid', message: 'bad' }, attestations: [] }],
        },
      ],
      findings: [
        { kind: 'attestations-missing', risk: 'high', version: '1.1', files: ['demo-1.1.tar.gz'], message: '1.1 has no attestations', evidence: ['shared line', 'a'] },
        { kind: 'trigger-changed', risk: 'medium', version: '1.1', files: ['demo-1.1.tar.gz'], message: 'push', evidence: ['shared line', 'b'] },
      ],
    },
  ],
  skipped: [{ name: 'requests', version: '2.32.3', reason: 'no sha256 hashes', location: 'requirements.txt:2' }],
  diagnostics: [],
  summary: { projects: 1, releases: 2, files: 2, verified: 1, unattested: 0, failed: 1, unknown: 0, findings: 2 },
  tool: { name: 'pyward', version: '0.0.0' },
  ...over,
});

describe('renderIndexTable', () => {
  it('verdict, what was compared, one line per release, findings, failures, what was skipped, totals', () => {
    const text = renderIndexTable(report(), { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('NOT VERIFIED  demo');
    expect(text).toContain('expected  github:o/demo@release.yml, stored on first use from 1.0 on 2025-01-01');
    expect(text).toMatch(/ {2}1\.0 {2}2025-01-01 {2}1\/1 attested {4}github:o\/demo@release\.yml {2}\(refs\/tags\/v1\.0, release\)\n/);
    expect(text).toMatch(/ {2}1\.1 {2}2025-02-01 {2}0\/1 attested +\[yanked\]\n/);
    expect(text).toContain('  high     attestations-missing  1.1: 1.1 has no attestations');
    // Evidence shared by two findings of one release is shown once.
    expect(text.match(/shared line/g)).toHaveLength(1);
    expect(text).toContain('1.1 demo-1.1.tar.gz\\u001b[2J: signature-invalid: bad');
    expect(text).toContain('requests 2.32.3 (requirements.txt:2): no sha256 hashes');
    expect(text).toMatch(/NOT VERIFIED: 1 project, 2 releases, 2 files: 1 verified, 0 without attestations, 1 failed, 0 unknown; 2 findings \(failing at medium and above\)/);
    expect(text).not.toMatch(/\u001b/);
  });

  it('colors only when asked', () => {
    expect(renderIndexTable(report(), { color: true })).toMatch(/^\u001b\[1;31mNOT VERIFIED/);
  });
});

describe('renderIndexJson', () => {
  it('puts the verdict, its reason and the totals first', () => {
    expect(Object.keys(JSON.parse(renderIndexJson(report())) as object).slice(0, 5)).toEqual(['schemaVersion', 'mode', 'verified', 'error', 'summary']);
    expect(Object.keys(JSON.parse(renderIndexJson(report({ verified: true, error: undefined }))) as object)).not.toContain('error');
  });
});
