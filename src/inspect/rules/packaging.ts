/**
 * Rules about the distribution rather than its code: archive anomalies no build tool produces
 * (path traversal, links, bombs), native binaries where there should be source, compiled Python
 * shipped without its source, files too large to analyse, and a wheel that does not match its sdist.
 */
import type { AnomalyKind } from '../../archive/index.js';
import type { Evidence, PackageContext, Rule } from '../types.js';

function anomalyRule(
  id: string,
  description: string,
  severity: Rule['severity'],
  kinds: AnomalyKind[],
  explain: string,
  filter: (detail: string) => boolean = () => true,
): Rule {
  return {
    id,
    description,
    severity,
    tags: ['tampering'],
    kind: 'threat',
    scope: 'package',
    explain,
    checkPackage(pkg) {
      return pkg.archive.anomalies
        .filter((a) => kinds.includes(a.kind) && filter(a.detail))
        .slice(0, 10)
        .map((a) => ({ file: a.member, detail: `${a.kind}: ${a.detail}` }));
    },
  };
}

const traversal = anomalyRule(
  'archive-path-traversal',
  'archive member names escape the extraction directory (../, absolute paths, drive letters)',
  'high',
  ['path-traversal', 'absolute-path', 'drive-letter'],
  'Flags members whose names climb out of the archive (zip-slip) or are absolute, which extractors that trust names ' +
    'write anywhere on disk. No build tool writes such names. pyward normalizes the name and still scans the content.',
);

const linkEscape = anomalyRule(
  'archive-link-escape',
  'a symbolic link in the package points outside it',
  'high',
  ['symlink', 'hardlink'],
  'Flags symlinks and hard links whose target is absolute or climbs out of the package (to ~/.ssh, /etc, ...): ' +
    'extracting such a link and then a file through it writes outside the target directory. Links are never followed.',
  (d) => /outside|to "\/|to "[A-Za-z]:/.test(d),
);

const link = anomalyRule(
  'archive-link',
  'the package contains symbolic or hard links (within the package)',
  'low',
  ['symlink', 'hardlink'],
  'Flags links that stay inside the package. Some sdists ship a LICENSE or docs symlink honestly; wheels cannot ' +
    'represent links at all, so one in a wheel was put there by hand.',
  (d) => !/outside|to "\/|to "[A-Za-z]:/.test(d),
);

const bomb = anomalyRule(
  'archive-bomb',
  'the archive is a decompression bomb or exceeds size or member limits (not fully read)',
  'high',
  ['compression-ratio', 'total-size', 'too-many-members'],
  'Flags members or streams that inflate far beyond honest compression ratios, and archives past the member-count or ' +
    'total-size limits. Reading stopped there, so the rest of the package was not inspected.',
);

const anomaly = anomalyRule(
  'archive-anomaly',
  'malformed or evasive archive entries: duplicate names, backslashes, control characters, special files, encrypted or damaged members',
  'medium',
  ['duplicate-member', 'backslash', 'control-character', 'special-file', 'encrypted-member', 'damaged'],
  'Flags entries that make different extractors see different files (duplicates, backslash separators), names with ' +
    'control characters, devices and FIFOs, encrypted members and damaged data. Build tools produce none of these; ' +
    'each can hide content from a scanner that trusts the archive. (Members merely too large to read are not ' +
    'flagged here: big native libraries are normal; an oversized Python source is reported by unscanned-source.)',
);

const ELF = [0x7f, 0x45, 0x4c, 0x46];
const MACHO = [[0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe], [0xcf, 0xfa, 0xed, 0xfe]];
const NATIVE_EXT = /\.(so|pyd|dll|exe|dylib|o|a|lib|bin|elf|scr|sys)(\.\d+)*$/i;

/** The kind of native binary a member is, from its magic bytes (or its name when unreadable). */
export function nativeKind(path: string, head: Uint8Array): string | undefined {
  const starts = (sig: number[]): boolean => sig.every((b, i) => head[i] === b);
  if (starts(ELF)) return 'ELF';
  if (MACHO.some(starts)) return 'Mach-O';
  // Universal Mach-O shares 0xCAFEBABE with Java classes; a small architecture count tells them apart.
  if (starts([0xca, 0xfe, 0xba, 0xbe]) && head.length >= 8 && head[4] === 0 && head[5] === 0 && head[6] === 0 && (head[7] ?? 0) < 20 && (head[7] ?? 0) > 0) return 'Mach-O universal';
  if (head[0] === 0x4d && head[1] === 0x5a && /\.(exe|dll|pyd|sys|scr|bin|ocx|cpl)$/i.test(path)) return 'PE';
  if (head[0] === 0x4d && head[1] === 0x5a && head.length >= 64) return 'PE';
  if (head.length === 0 && NATIVE_EXT.test(path)) return 'native (by name)';
  return undefined;
}

/** A directory with the files a build starts from at its top (or one level down, `pkg-1.0/`). */
function isSourceTree(pkg: PackageContext): boolean {
  return pkg.archive.members.some((m) => /^(?:[^/]+\/)?(setup\.py|pyproject\.toml|setup\.cfg|PKG-INFO)$/.test(m.path));
}

function binaries(pkg: PackageContext): Evidence[] {
  const out: Evidence[] = [];
  for (const m of pkg.archive.members) {
    if (!NATIVE_EXT.test(m.path) && m.size < 64) continue;
    const kind = nativeKind(m.path, m.head(64));
    if (kind) out.push({ file: m.path, detail: `${kind} binary, ${m.size} bytes` });
    if (out.length >= 10) break;
  }
  return out;
}

const sdistBinary: Rule = {
  id: 'sdist-binary',
  description: 'the sdist contains compiled native binaries (ELF, PE, Mach-O: .so, .pyd, .dll, .exe, .dylib)',
  severity: 'low',
  tags: ['native'],
  kind: 'threat',
  scope: 'package',
  explain:
    'An sdist is source: what it builds should come from its files. A prebuilt executable or library inside it ' +
    'cannot be reviewed and may be run or linked by setup.py. Detected by magic bytes, not names, so a renamed ' +
    'binary is still found. Projects vendor launchers (setuptools, distlib) and build tools (lupa), so it is low: ' +
    'what matters is whether install-time code runs it. A directory counts as a source tree only when it has ' +
    'setup.py, pyproject.toml, setup.cfg or PKG-INFO at its top; an installed layout (a Debian package) is not one.',
  checkPackage(pkg) {
    if (pkg.archive.kind === 'directory' && !isSourceTree(pkg)) return [];
    if (pkg.archive.kind !== 'sdist' && pkg.archive.kind !== 'directory') return [];
    return binaries(pkg);
  },
};

const pureWheelBinary: Rule = {
  id: 'pure-wheel-binary',
  description: 'a pure-Python wheel (tagged py*-none-any) contains native binaries',
  severity: 'low',
  tags: ['native'],
  kind: 'threat',
  scope: 'package',
  explain:
    'A wheel tagged none-any claims to run anywhere, so it should hold no machine code. Native executables inside ' +
    'one are platform-specific payloads travelling under a pure tag, or a tool shipped for every platform at once ' +
    '(selenium-manager, setuptools and distlib launchers), which is why it is low: it is reported, and weighs ' +
    'through what the code does with it.',
  checkPackage(pkg) {
    if (pkg.archive.kind !== 'wheel' || !pkg.pureWheel) return [];
    return binaries(pkg);
  },
};

const pycOnly: Rule = {
  id: 'compiled-python-only',
  description: 'compiled Python (.pyc) shipped without the matching source',
  severity: 'medium',
  tags: ['obfuscation'],
  kind: 'threat',
  scope: 'package',
  explain:
    'Flags .pyc files in a wheel or sdist whose .py source is not beside them. Bytecode cannot be reviewed like ' +
    'source and runs when imported; honest packages ship source and let the installer compile it.',
  checkPackage(pkg) {
    const paths = new Set(pkg.archive.members.map((m) => m.path));
    const out: Evidence[] = [];
    for (const p of paths) {
      if (!p.endsWith('.pyc')) continue;
      // pkg/__pycache__/mod.cpython-311.pyc -> pkg/mod.py; pkg/mod.pyc -> pkg/mod.py
      // pkg/__pycache__/mod.cpython-311.opt-1.pyc -> pkg/mod.py too
      const source = p.includes('__pycache__/')
        ? p.replace(/__pycache__\/([^/.]+)(?:\.[\w-]+)+\.pyc$/, '$1.py')
        : p.replace(/\.pyc$/, '.py');
      if (!paths.has(source)) out.push({ file: p, detail: `no ${source.split('/').pop()} beside it` });
      if (out.length >= 10) break;
    }
    return out;
  },
};

const unscanned: Rule = {
  id: 'unscanned-source',
  description: 'Python sources too large to parse, or unreadable, were scanned as text only or not at all',
  severity: 'medium',
  tags: ['evasion'],
  kind: 'threat',
  scope: 'package',
  explain:
    'Python files over the 5 MiB parse limit get only the text-level rules, and damaged members none; padding a ' +
    'payload to a huge size is a way to get past scanners, so the gap is reported rather than hidden.',
  checkPackage(pkg) {
    return [
      ...pkg.unparsed.map((file) => ({ file, detail: 'over the parse limit; text rules only' })),
      ...pkg.unreadable.filter((u) => /\.(py|pth|pyw)$/.test(u.path)).map((u) => ({ file: u.path, detail: u.reason })),
    ].slice(0, 10);
  },
};

export const packagingRules: Rule[] = [traversal, linkEscape, link, bomb, anomaly, sdistBinary, pureWheelBinary, pycOnly, unscanned];
