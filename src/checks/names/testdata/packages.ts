/** Packages as inputs produce them, for the name-check tests. */
import type { Package, PackageSource } from '../../../core/model.js';
import { normalizeName } from '../../../core/names.js';

export function pkg(rawName: string, extra: Partial<Omit<Package, 'name' | 'rawName'>> & { line?: number } = {}): Package {
  const { line, ...rest } = extra;
  const source: PackageSource = rest.source ?? { kind: 'registry' };
  return { name: normalizeName(rawName), rawName, ...rest, source, location: rest.location ?? { file: 'requirements.txt', line: line ?? 1 } };
}

export function vcs(rawName: string, url: string, line = 1): Package {
  return pkg(rawName, { source: { kind: 'vcs', url }, line });
}
