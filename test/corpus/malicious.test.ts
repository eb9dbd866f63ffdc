/**
 * The malicious-behaviour corpus: every sample of test/corpus/malicious, packed into the real sdist
 * or wheel its manifest entry names, is read back through the hostile-archive readers and inspected
 * like any download. Each must reach its verdict with the rules the manifest lists: a sample that
 * is caught for the wrong reason would not be caught once that reason changes.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectPath } from '../../src/inspect/engine.js';
import { RULES } from '../../src/inspect/rules/index.js';
import type { PackageResult } from '../../src/inspect/types.js';
import { MALICIOUS_DIR, archiveName, buildSample, loadManifest, projectName, type CorpusSample } from './build.js';

const manifest = loadManifest();
const dir = mkdtempSync(join(tmpdir(), 'pyward-corpus-'));
const results = new Map<string, PackageResult>();
const unfiltered = new Map<string, PackageResult>();

beforeAll(async () => {
  for (const s of manifest) {
    const path = await buildSample(s, dir);
    results.set(s.sample, (await inspectPath(path)).result);
    unfiltered.set(s.sample, (await inspectPath(path, { prefilter: false })).result);
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RANK = { clean: 0, suspicious: 1, malicious: 2 } as const;
const KIND = new Map(RULES.map((r) => [r.id, r.kind]));

describe('malicious corpus manifest', () => {
  it('lists every sample folder once, with known rules and a source report', () => {
    const folders = readdirSync(MALICIOUS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(manifest.map((s) => s.sample).sort()).toEqual(folders);
    const known = new Set(RULES.map((r) => r.id));
    for (const s of manifest) {
      expect(s.rules.length, s.sample).toBeGreaterThan(0);
      for (const r of s.rules) expect(known.has(r), `${s.sample}: ${r}`).toBe(true);
      expect(s.report.length, s.sample).toBeGreaterThan(20);
    }
  });
});

describe.each(manifest.map((s) => [s.sample, s] as [string, CorpusSample]))('%s', (_name, s) => {
  it(`is at least ${s.verdict}`, () => {
    const r = results.get(s.sample)!;
    expect(r.kind).toBe(s.kind);
    expect(r.name).toBe(projectName(s));
    expect(r.archive).toBe(archiveName(s));
    expect(RANK[r.verdict], `${s.sample} scored ${r.score}`).toBeGreaterThanOrEqual(RANK[s.verdict]);
  });

  it('is caught by the expected rules', () => {
    const found = new Set(results.get(s.sample)!.findings.map((f) => f.rule));
    expect(s.rules.filter((id) => !found.has(id))).toEqual([]);
  });

  it('loses no threat finding to the prefilter', () => {
    const threats = (r: PackageResult): string[] =>
      r.findings.filter((f) => KIND.get(f.rule) !== 'capability').map((f) => `${f.rule} ${f.file}:${f.line ?? 0}`).sort();
    expect(threats(results.get(s.sample)!)).toEqual(threats(unfiltered.get(s.sample)!));
    expect(results.get(s.sample)!.score).toBe(unfiltered.get(s.sample)!.score);
  });
});
