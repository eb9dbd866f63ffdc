/** The embedded production root, --trusted-root files, and refusing roots that would trust too much. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { EMBEDDED_ROOT_PATH, loadTrustedRootFile, parseTrustedRoot, resolveTrustedRoot, trustMaterial } from './trusted-root.js';

const ROOTS = fileURLToPath(new URL('../../../../shared/vectors/provenance/trusted-roots/', import.meta.url));
const PRODUCTION_SHA256 = '6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66';

function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('the embedded root', () => {
  it('is the Sigstore production root, byte for byte (sha256 in data/sigstore/README.md)', () => {
    const root = resolveTrustedRoot();
    expect(root.kind).toBe('embedded');
    expect(root.sha256).toBe(PRODUCTION_SHA256);
    expect(readFileSync(EMBEDDED_ROOT_PATH)).toEqual(readFileSync(`${ROOTS}production.trusted_root.json`));
    expect(root.root.tlogs.map((t) => t.baseUrl)).toEqual(['https://rekor.sigstore.dev', 'https://log2025-1.rekor.sigstore.dev']);
    expect(resolveTrustedRoot()).toBe(root);
  });

  it('builds trust material once per root', () => {
    const root = resolveTrustedRoot();
    expect(trustMaterial(root)).toBe(trustMaterial(root));
    expect(trustMaterial(root).certificateAuthorities.length).toBe(2);
  });
});

describe('--trusted-root files', () => {
  it('loads the staging root', () => {
    const staging = resolveTrustedRoot({ file: `${ROOTS}staging.trusted_root.json` });
    expect(staging.kind).toBe('file');
    expect(staging.sha256).toBe('81f5af777952d2c3955062ad56924c05ca916b5d49f3a0bce945faa475a8b1cc');
    expect(staging.root.tlogs[0]!.baseUrl).toBe('https://rekor.sigstage.dev');
  });

  it('reports a missing file and a non-JSON file as input errors', () => {
    expect(inputErrorOf(() => loadTrustedRootFile('/nonexistent/trusted_root.json')).code).toBe('input-not-found');
    const dir = mkdtempSync(join(tmpdir(), 'pyward-root-'));
    writeFileSync(join(dir, 'bad.json'), '{"mediaType":');
    expect(inputErrorOf(() => loadTrustedRootFile(join(dir, 'bad.json'))).code).toBe('input-parse');
  });

  const production = (): any => JSON.parse(readFileSync(`${ROOTS}production.trusted_root.json`, 'utf8'));
  const parse = (json: unknown) => parseTrustedRoot(Buffer.from(JSON.stringify(json)), { path: 'edited.json', kind: 'file' });

  it('refuses a root whose gaps would widen trust', () => {
    const edits: [string, (r: any) => void][] = [
      ['validFor.start', (r) => delete r.tlogs[0].publicKey.validFor.start],
      ['validFor', (r) => delete r.ctlogs[0].publicKey.validFor],
      ['validFor.start', (r) => delete r.certificateAuthorities[1].validFor.start],
      ['ends before it starts', (r) => (r.timestampAuthorities[0].validFor.end = '2000-01-01T00:00:00Z')],
      ['rawBytes', (r) => (r.tlogs[0].publicKey.rawBytes = '')],
      ['no certificates', (r) => (r.certificateAuthorities[0].certChain.certificates = [])],
      ['no transparency logs', (r) => (r.tlogs = [])],
      ['mediaType', (r) => (r.mediaType = 'application/json')],
    ];
    for (const [problem, edit] of edits) {
      const r = production();
      edit(r);
      const err = inputErrorOf(() => parse(r));
      expect(err.message).toContain(problem);
    }
  });

  it('refuses key bytes that are base64 but not a key', () => {
    const r = production();
    r.tlogs[0].publicKey.rawBytes = Buffer.from('not a key').toString('base64');
    expect(inputErrorOf(() => parse(r)).message).toMatch(/unreadable key or certificate/);
  });

  it('takes an explicit null end as "no end" (protobuf JSON)', () => {
    const r = production();
    r.tlogs[1].publicKey.validFor.end = null;
    expect(parse(r).root.tlogs).toHaveLength(2);
  });
});
