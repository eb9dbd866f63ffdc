/**
 * A wheel should be what its sdist builds. Reviewers read the sdist (or the repository it comes
 * from); pip installs the wheel. Python files the wheel adds or changes were never reviewed.
 */
import { createHash } from 'node:crypto';
import type { Evidence, PackageContext, Rule, SourceDigests } from '../types.js';

function digest(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n?/g, '\n')).digest('hex');
}

/** The .py and .pth files of a package, by digest. */
export function sourceDigests(pkg: PackageContext): SourceDigests {
  const files = new Map<string, string>();
  for (const f of pkg.files) if (/\.(py|pth)$/.test(f.path)) files.set(f.path, digest(f.text));
  return { archive: pkg.archive.name, files };
}

/** Where a wheel member lands on sys.path: `.data/purelib/x` and `.data/platlib/x` install as `x`. */
function installedPath(path: string): string | undefined {
  if (/^[^/]+\.dist-info\//.test(path)) return undefined;
  const data = /^[^/]+\.data\/(purelib|platlib)\/(.+)$/.exec(path);
  if (data) return data[2];
  if (/^[^/]+\.data\//.test(path)) return undefined;
  return path;
}

const mismatch: Rule = {
  id: 'wheel-sdist-mismatch',
  description: 'the wheel contains Python files that are missing from, or differ from, the sdist of the same version',
  severity: 'medium',
  tags: ['tampering'],
  kind: 'threat',
  scope: 'pair',
  explain:
    'When a wheel and the sdist of the same name and version are both inspected, every .py/.pth file the wheel ' +
    'installs is looked up in the sdist by path suffix (so src/ layouts match) and compared by content, line endings ' +
    'normalized. A file the sdist lacks or has differently was added after the reviewable source. Build steps that ' +
    'generate Python (protobuf stubs, version files) and wheels built from a later commit than the sdist are the ' +
    'honest exceptions, so the difference is medium; what the differing file does is scored by the other rules.',
  checkPair(wheel: SourceDigests, sdist: SourceDigests) {
    const index = new Map<string, Set<string>>();
    for (const [path, hash] of sdist.files) {
      const parts = path.split('/');
      for (let i = 0; i < parts.length; i++) {
        const key = parts.slice(i).join('/');
        let set = index.get(key);
        if (!set) index.set(key, (set = new Set()));
        set.add(hash);
      }
    }
    const out: Evidence[] = [];
    for (const [path, hash] of wheel.files) {
      const installed = installedPath(path);
      if (installed === undefined) continue;
      const candidates = index.get(installed);
      if (!candidates) out.push({ file: path, detail: `not in ${sdist.archive}` });
      else if (!candidates.has(hash)) out.push({ file: path, detail: `differs from ${sdist.archive}` });
      if (out.length >= 20) break;
    }
    return out;
  },
};

export const consistencyRules: Rule[] = [mismatch];
