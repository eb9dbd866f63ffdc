/**
 * Test helpers: an in-memory Archive from a map of paths to text, so rule tests state their
 * snippet and its place in the package (setup.py, a .pth, a module) without building archives.
 */
import type { Archive, ArchiveKind } from '../archive/index.js';
import { inspectArchive, type InspectOptions } from './engine.js';
import type { PackageResult } from './types.js';

export function memoryArchive(files: Record<string, string | Uint8Array>, kind: ArchiveKind = 'sdist', name = 'demo-1.0.tar.gz'): Archive {
  return {
    kind,
    path: name,
    name,
    truncated: false,
    anomalies: [],
    members: Object.entries(files).map(([path, content]) => {
      const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      return { path, size: data.length, readable: true, bytes: () => data, head: (n: number) => data.subarray(0, n) };
    }),
  };
}

/** Inspects one snippet placed at `path` inside an sdist (`demo-1.0/...`) or a wheel. */
export async function scan(
  files: Record<string, string | Uint8Array>,
  kind: ArchiveKind = 'sdist',
  name?: string,
  options: InspectOptions = {},
): Promise<PackageResult> {
  const archive = memoryArchive(files, kind, name ?? (kind === 'wheel' ? 'demo-1.0-py3-none-any.whl' : 'demo-1.0.tar.gz'));
  return (await inspectArchive(archive, options)).result;
}

export function rulesOf(r: PackageResult): string[] {
  return [...new Set(r.findings.map((f) => f.rule))].sort();
}
