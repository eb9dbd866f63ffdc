/**
 * The malicious-behaviour corpus as real distributions: each sample folder of test/corpus/malicious
 * holds a package's files as plain text, and this module packs them, at test or benchmark time,
 * into the sdist (.tar.gz) or wheel (.whl) the manifest names. Nothing hostile is committed as an
 * archive, and the same builder feeds the test and the GuardDog comparison in bench/inspect.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTar, makeZip } from '../../src/archive/testing.js';

export const MALICIOUS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'malicious');

export interface CorpusSample {
  /** Folder under test/corpus/malicious. */
  sample: string;
  /** Distribution version (the name is `sample-<sample>`). */
  version: string;
  kind: 'sdist' | 'wheel';
  /** The verdict pyward must reach at least. */
  verdict: 'malicious' | 'suspicious';
  /** Rule ids pyward must report for it. */
  rules: string[];
  /** The public report the sample models. */
  report: string;
}

export function loadManifest(): CorpusSample[] {
  return JSON.parse(readFileSync(join(MALICIOUS_DIR, 'manifest.json'), 'utf8')) as CorpusSample[];
}

/** The package files of a sample (its README is documentation for us, not part of the package). */
export function sampleFiles(sample: string): { path: string; content: Buffer }[] {
  const root = join(MALICIOUS_DIR, sample);
  const out: { path: string; content: Buffer }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!(dir === root && name === 'README.md')) out.push({ path: relative(root, full).split(sep).join('/'), content: readFileSync(full) });
    }
  };
  walk(root);
  return out;
}

export function projectName(s: CorpusSample): string {
  return `sample-${s.sample}`;
}

/** The archive file name a build tool would give the sample (PEP 625 sdist, PEP 427 wheel). */
export function archiveName(s: CorpusSample): string {
  const dist = projectName(s).replace(/-/g, '_');
  return s.kind === 'wheel' ? `${dist}-${s.version}-py3-none-any.whl` : `${dist}-${s.version}.tar.gz`;
}

/** Packs one sample into `outDir` and returns the archive's path. */
export async function buildSample(s: CorpusSample, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const dist = projectName(s).replace(/-/g, '_');
  const metadata = `Metadata-Version: 2.1\nName: ${projectName(s)}\nVersion: ${s.version}\nSummary: pyward corpus sample (inert)\n`;
  const files = sampleFiles(s.sample);
  const path = join(outDir, archiveName(s));
  if (s.kind === 'sdist') {
    const root = `${dist}-${s.version}`;
    const entries = [...files.map((f) => ({ name: `${root}/${f.path}`, content: f.content })), { name: `${root}/PKG-INFO`, content: metadata }];
    writeFileSync(path, await makeTar(entries));
  } else {
    const info = `${dist}-${s.version}.dist-info`;
    const record = [...files.map((f) => `${f.path},,`), `${info}/METADATA,,`, `${info}/WHEEL,,`, `${info}/RECORD,,`].join('\n') + '\n';
    writeFileSync(
      path,
      makeZip([
        ...files.map((f) => ({ name: f.path, content: new Uint8Array(f.content) })),
        { name: `${info}/METADATA`, content: metadata },
        { name: `${info}/WHEEL`, content: 'Wheel-Version: 1.0\nGenerator: pyward-corpus\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
        { name: `${info}/RECORD`, content: record },
      ]),
    );
  }
  return path;
}

/** Packs every sample of the manifest; returns the samples with their archive paths, in manifest order. */
export async function buildCorpus(outDir: string): Promise<{ sample: CorpusSample; path: string }[]> {
  const out: { sample: CorpusSample; path: string }[] = [];
  for (const s of loadManifest()) out.push({ sample: s, path: await buildSample(s, outDir) });
  return out;
}
