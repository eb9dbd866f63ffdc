import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { json, startServer, type TestServer } from '../osv/testdata/server.js';
import { loadPopular } from './popular.js';
import { refreshPopular } from './refresh.js';

const recorded = readFileSync(fileURLToPath(new URL('./testdata/top-pypi-packages.min.json', import.meta.url)));
const FAST = { backoffMs: 5, timeoutMs: 1000, minRows: 10 };
const PATH = '/top-pypi-packages/top-pypi-packages.min.json';

let dir: string;
let server: TestServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-popular-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('refreshPopular', () => {
  it('turns the top-pypi-packages JSON into the ranked list loadPopular reads', async () => {
    server = await startServer((req) =>
      req.url === PATH ? { headers: { 'content-type': 'application/json' }, body: recorded } : json({ message: 'Not Found' }, 404),
    );
    const file = join(dir, 'top.tsv');
    const diagnostics: Diagnostic[] = [];
    const res = await refreshPopular(server.url + PATH, file, { ...FAST, onDiagnostic: (d) => diagnostics.push(d) });
    expect(res).toEqual({ file, projects: 40, lastUpdate: '2026-11-01 07:31:12' });
    expect(diagnostics.map((d) => d.message)).toEqual([`${server.url + PATH}: dropped 2 rows without a valid project name and download count`]);

    const index = loadPopular(file);
    expect(index.size).toBe(40);
    expect(index.entries.slice(0, 3)).toEqual([
      { name: 'boto3', rank: 1 },
      { name: 'packaging', rank: 2 },
      { name: 'urllib3', rank: 3 },
    ]);
    // Mixed case is normalized; a second spelling of a project keeps the larger count.
    expect(index.has('pyyaml')).toBe(true);
    expect(index.rankOf('typing-extensions')).toBe(7);
    expect(readFileSync(file, 'utf8')).toMatch(/^# 40 most downloaded PyPI projects from http:\/\/127\.0\.0\.1:\d+\/top-pypi-packages/);
  });

  it('retries a server error and then succeeds', async () => {
    let failures = 2;
    server = await startServer(() => (failures-- > 0 ? { status: 503, body: 'busy' } : { body: recorded }));
    const res = await refreshPopular(server.url + PATH, join(dir, 'top.tsv'), FAST);
    expect(res.projects).toBe(40);
    expect(server.requests).toHaveLength(3);
  });

  it('keeps the current list when the response is not a complete list', async () => {
    const file = join(dir, 'top.tsv');
    writeFileSync(file, 'rank\tname\n1\trequests\n');
    const replies = [
      { body: '{"rows": [' },
      { body: JSON.stringify({ projects: [] }) },
      { body: recorded },
    ];
    server = await startServer(() => replies.shift()!);
    await expect(refreshPopular(server.url + PATH, file, FAST)).rejects.toThrow(/did not return valid JSON/);
    await expect(refreshPopular(server.url + PATH, file, FAST)).rejects.toThrow(/no 'rows' array/);
    // 40 projects are far fewer than a real list has.
    await expect(refreshPopular(server.url + PATH, file, { ...FAST, minRows: 1000 })).rejects.toThrow(
      /lists only 40 valid projects \(expected at least 1000\); keeping the current list/,
    );
    expect(readFileSync(file, 'utf8')).toBe('rank\tname\n1\trequests\n');
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });

  it('reports 404 and a silent server as source errors', async () => {
    server = await startServer((req) => (req.url === PATH ? 'hang' : json({ message: 'Not Found' }, 404)));
    await expect(refreshPopular(`${server.url}/elsewhere.json`, join(dir, 'a.tsv'), FAST)).rejects.toThrow(/answered 404/);
    const err = await refreshPopular(server.url + PATH, join(dir, 'b.tsv'), { ...FAST, timeoutMs: 100, retries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toMatch(/no response for 100 ms \(tried 2 times\)/);
  });
});
