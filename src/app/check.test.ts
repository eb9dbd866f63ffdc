import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectList, projectListFile } from '../sources/pypi/project-list.js';
import { checkNames, namesFromFile, packageFromName } from './check.js';

let cacheDir: string;
beforeEach(() => {
  // The machine's pip configuration must not decide the outcome: an index-url there would be private.
  vi.stubEnv('PIP_CONFIG_FILE', '/dev/null');
  vi.stubEnv('PIP_INDEX_URL', undefined);
  vi.stubEnv('PIP_EXTRA_INDEX_URL', undefined);
  cacheDir = mkdtempSync(join(tmpdir(), 'pyward-check-app-'));
  ProjectList.from(['numpy', 'opensea'], { url: 'https://pypi.org/simple/', fetchedAt: '2026-10-01T00:00:00.000Z' }).save(projectListFile(cacheDir));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(cacheDir, { recursive: true, force: true });
});

const names = (...n: string[]) => n.map((x) => packageFromName(x, { file: 'names.txt', line: 1 }));

describe("checkNames offline with PyPI's project list", () => {
  it('warns once the list is more than 30 days old, and still uses it', async () => {
    const r = await checkNames(names('opnsea'), [], { offline: true, cacheDir, now: new Date('2026-11-27T00:00:00Z') });
    expect(r.findings.map((f) => [f.kind, f.target])).toEqual([['not-found', 'opensea']]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'project-list-old', message: expect.stringContaining('57 days old') })]);
  });

  it('a fresh list gives no warning', async () => {
    const r = await checkNames(names('opnsea'), [], { offline: true, cacheDir, now: new Date('2026-10-15T00:00:00Z') });
    expect(r.diagnostics).toEqual([]);
  });

  it('an allowed name is never reported missing', async () => {
    const r = await checkNames(names('acme-internal'), [], { offline: true, cacheDir, allow: ['acme-internal'] });
    expect(r.findings).toEqual([]);
  });

  it('an --index-url given to check turns the offline existence check off, naming the index without credentials', async () => {
    const r = await checkNames(names('acme-internal'), [], { offline: true, cacheDir, indexUrls: ['https://user:secret@pypi.corp.example/simple/'] });
    expect(r.findings).toEqual([]);
    const existence = r.skipped.find((s) => s.check === 'existence')!;
    expect(existence.reason).toContain('https://pypi.corp.example/simple');
    expect(existence.reason).not.toContain('secret');
  });

  it('a damaged list is a warning and the check goes on without it', async () => {
    writeFileSync(projectListFile(cacheDir), 'PYWARD-IDX\n\u0000\u0000');
    const r = await checkNames(names('opnsea'), [], { offline: true, cacheDir });
    expect(r.findings).toEqual([]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'project-list-damaged', message: expect.stringContaining('pyward db update --pypi-names') })]);
    expect(r.skipped.find((s) => s.check === 'existence')!.reason).toMatch(/no copy of PyPI's project list/);
  });

  it('popular names alone never open the list', async () => {
    rmSync(projectListFile(cacheDir));
    const r = await checkNames(names('numpy', 'requests'), [], { offline: true, cacheDir });
    expect(r.skipped.find((s) => s.check === 'existence')!.reason).toBe('offline');
  });
});

describe('namesFromFile', () => {
  it('drops comments: a # at the start or after whitespace', () => {
    const file = join(cacheDir, 'names.txt');
    writeFileSync(file, '# header\nnumpy # the array one\r\n\n  flask==3.0  #pinned\n');
    expect(namesFromFile(file).map((p) => [p.name, p.location.line, p.version])).toEqual([['numpy', 2, undefined], ['flask', 4, '3.0']]);
  });

  it('a line of 150,000 " #" before a CR is read in one pass', () => {
    // `(^|\s)#.*$` failed at the CR from every one of them and rescanned: 150,000 x 300,000 steps.
    const file = join(cacheDir, 'names.txt');
    writeFileSync(file, `requests${' #'.repeat(150_000)}\rx\n`);
    expect(() => namesFromFile(file)).toThrow(/is not a project name/);
  });
});
