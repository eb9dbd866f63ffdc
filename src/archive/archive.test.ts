import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readArchive, readArchiveBuffer } from './index.js';
import { makeTar, makeZip } from './testing.js';
import { lazyZipFile, readZipArchive } from './zip-archive.js';
import { normalizeMemberPath } from './paths.js';

const kinds = (a: { anomalies: { kind: string }[] }) => a.anomalies.map((x) => x.kind);
const text = (m: { bytes(): Uint8Array }) => Buffer.from(m.bytes()).toString('utf8');

describe('member path normalization', () => {
  it.each([
    ['pkg/a.py', 'pkg/a.py', []],
    ['./pkg//a.py', 'pkg/a.py', []],
    ['../../etc/passwd', 'etc/passwd', ['path-traversal']],
    ['pkg/../../x', 'x', ['path-traversal']],
    ['pkg/sub/../a.py', 'pkg/a.py', []],
    ['/etc/cron.d/x', 'etc/cron.d/x', ['absolute-path']],
    ['C:\\Users\\x\\a.py', 'Users/x/a.py', ['backslash', 'drive-letter', 'absolute-path']],
    ['a\u0000b', 'a_b', ['control-character']],
  ])('%j -> %j', (raw, path, problems) => {
    const n = normalizeMemberPath(raw);
    expect(n.path).toBe(path);
    expect(n.problems.map((p) => p.kind)).toEqual(problems);
  });
});

describe('wheels and zips', () => {
  it('zip-slip.zip: a ../ member is normalized, kept for scanning and reported', async () => {
    const zip = makeZip([
      { name: 'pkg/__init__.py', content: 'x = 1\n' },
      { name: '../../home/user/.bashrc', content: 'echo hi\n' },
    ]);
    const a = await readArchiveBuffer(zip, 'zip-slip.zip');
    expect(a.members.map((m) => m.path)).toEqual(['pkg/__init__.py', 'home/user/.bashrc']);
    expect(a.members[1]!.rawPath).toBe('../../home/user/.bashrc');
    expect(kinds(a)).toEqual(['path-traversal']);
    expect(text(a.members[1]!)).toBe('echo hi\n');
  });

  it('symlink members in a zip are recorded, not listed', async () => {
    const zip = makeZip([
      { name: 'pkg/a.py', content: 'x = 1\n' },
      { name: 'pkg/creds', content: '/home/user/.aws/credentials', mode: 0o120777 },
    ]);
    const a = await readArchiveBuffer(zip, 'pkg-1.0-py3-none-any.whl');
    expect(a.kind).toBe('wheel');
    expect(a.members.map((m) => m.path)).toEqual(['pkg/a.py']);
    expect(a.anomalies[0]).toMatchObject({ kind: 'symlink', member: 'pkg/creds' });
    expect(a.anomalies[0]!.detail).toContain('.aws/credentials');
  });

  const bombLimits = { limits: { ratioFloorBytes: 1024 * 1024, maxRatio: 100 } };

  it('zip-bomb-ratio.zip: an archive whose members claim far more than its size is not inflated', async () => {
    const zip = makeZip([{ name: 'bomb.py', content: new Uint8Array(8 * 1024 * 1024) }]);
    const a = await readArchiveBuffer(zip, 'zip-bomb-ratio.zip', bombLimits);
    expect(kinds(a)).toEqual(['compression-ratio']);
    expect(a.truncated).toBe(true);
  });

  it('zip-bomb-ratio.zip: one bomb member beside honest ones is skipped, the others are read', async () => {
    const zip = makeZip([
      { name: 'noise.bin', content: randomBytes(200_000) },
      { name: 'bomb.py', content: new Uint8Array(8 * 1024 * 1024) },
    ]);
    const a = await readArchiveBuffer(zip, 'zip-bomb-ratio.zip', bombLimits);
    expect(kinds(a)).toEqual(['compression-ratio']);
    expect(a.members.map((m) => [m.path, m.readable])).toEqual([['noise.bin', true], ['bomb.py', false]]);
    expect(() => a.members[1]!.bytes()).toThrow(/not read/);
  });

  it('too-many-members: the first members are read and the archive is marked truncated', async () => {
    const entries = Array.from({ length: 30 }, (_, i) => ({ name: `m${i}.py`, content: '' }));
    const a = await readArchiveBuffer(makeZip(entries), 'too-many-members.zip', { limits: { maxMembers: 10 } });
    expect(a.members).toHaveLength(10);
    expect(a.truncated).toBe(true);
    expect(kinds(a)).toContain('too-many-members');
  });

  it('oversized members are listed without content, but their first bytes are still readable', async () => {
    const big = Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(5000, 1)]);
    const a = await readArchiveBuffer(makeZip([{ name: 'lib.so', content: big }]), 'x.zip', { limits: { maxMemberBytes: 1000 } });
    expect(a.members[0]!.readable).toBe(false);
    expect(Buffer.from(a.members[0]!.head(4)).toString('latin1')).toBe('\x7fELF');
    expect(kinds(a)).toEqual(['oversized-member']);
  });

  it('a CRC mismatch is a read error for that member only', async () => {
    const zip = makeZip([{ name: 'a.py', content: 'print(1)\n' }]);
    // Flip one byte of the stored CRC in the central directory.
    const cd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip[cd + 16]! ^= 0xff;
    const a = await readArchiveBuffer(zip, 'x.zip');
    expect(() => a.members[0]!.bytes()).toThrow(/CRC/);
  });

  it('garbage that is not a zip is a damaged archive, not a crash', async () => {
    const a = await readArchiveBuffer(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]), 'broken.whl');
    expect(kinds(a)).toEqual(['damaged']);
    expect(a.truncated).toBe(true);
  });
});

describe('tar sdists', () => {
  it('reads regular files and skips directories', async () => {
    const buf = await makeTar([
      { name: 'pkg-1.0/', type: 'directory' },
      { name: 'pkg-1.0/setup.py', content: 'from setuptools import setup\nsetup()\n' },
    ]);
    const a = await readArchiveBuffer(buf, 'pkg-1.0.tar.gz');
    expect(a.kind).toBe('sdist');
    expect(a.members.map((m) => m.path)).toEqual(['pkg-1.0/setup.py']);
    expect(text(a.members[0]!)).toContain('setup()');
    expect(a.anomalies).toEqual([]);
  });

  it('absolute-path.tar.gz: an absolute member is made relative and reported', async () => {
    const a = await readArchiveBuffer(await makeTar([{ name: '/etc/cron.d/job', content: '* * * * * x\n' }]), 'absolute-path.tar.gz');
    expect(a.members.map((m) => m.path)).toEqual(['etc/cron.d/job']);
    expect(kinds(a)).toEqual(['absolute-path']);
  });

  it('symlink-escape.tar.gz: symlinks and hardlinks are recorded and never followed', async () => {
    const a = await readArchiveBuffer(
      await makeTar([
        { name: 'pkg-1.0/key', type: 'symlink', linkname: '../../../home/user/.ssh/id_rsa' },
        { name: 'pkg-1.0/inner', type: 'symlink', linkname: 'setup.py' },
        { name: 'pkg-1.0/hard', type: 'link', linkname: '/etc/passwd' },
        { name: 'pkg-1.0/setup.py', content: 'x' },
      ]),
      'symlink-escape.tar.gz',
    );
    expect(a.members.map((m) => m.path)).toEqual(['pkg-1.0/setup.py']);
    expect(kinds(a)).toEqual(['symlink', 'symlink', 'hardlink']);
    expect(a.anomalies[0]!.detail).toContain('outside the archive');
    expect(a.anomalies[1]!.detail).not.toContain('outside');
  });

  it('gzip-bomb.tar.gz: decompression stops at the ratio limit with default limits', async () => {
    // 64 MiB of zeros in one member gzips to ~64 KiB: about 1000x.
    const bomb = await makeTar([{ name: 'pkg-1.0/setup.py', content: Buffer.alloc(64 * 1024 * 1024) }], false);
    const a = await readArchiveBuffer(gzipSync(bomb, { level: 1 }), 'gzip-bomb.tar.gz');
    expect(a.truncated).toBe(true);
    expect(kinds(a)).toContain('compression-ratio');
  });

  it('a total-size limit stops a large but honest-ratio stream', async () => {
    const files = Array.from({ length: 8 }, (_, i) => ({ name: `p/f${i}.py`, content: 'x = 1\n'.repeat(50_000) }));
    const a = await readArchiveBuffer(await makeTar(files), 'big.tar.gz', { limits: { maxTotalBytes: 1_000_000, ratioFloorBytes: 1e12 } });
    expect(a.truncated).toBe(true);
    expect(kinds(a)).toContain('total-size');
    expect(a.members.length).toBeLessThan(8);
  });

  it('a truncated gzip stream keeps the members read before the damage', async () => {
    const buf = await makeTar([
      { name: 'p/a.py', content: 'a = 1\n' },
      { name: 'p/b.py', content: Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251)) },
    ]);
    const a = await readArchiveBuffer(buf.subarray(0, Math.floor(buf.length / 2)), 'cut.tar.gz');
    expect(a.members.map((m) => m.path)).toContain('p/a.py');
    expect(kinds(a)).toContain('damaged');
  });
});

describe('directories', () => {
  const root = mkdtempSync(join(tmpdir(), 'pyward-dir-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('walks files and records links without following them', async () => {
    const outside = join(root, 'outside-secret');
    writeFileSync(outside, 'secret');
    const pkg = join(root, 'pkg');
    mkdirSync(join(pkg, 'sub'), { recursive: true });
    mkdirSync(join(pkg, '.git'));
    writeFileSync(join(pkg, '.git', 'HEAD'), 'ref');
    writeFileSync(join(pkg, 'sub', 'a.py'), 'a = 1\n');
    symlinkSync(outside, join(pkg, 'leak'));
    symlinkSync(root, join(pkg, 'loop'));
    const a = await readArchive(pkg);
    expect(a.kind).toBe('directory');
    expect(a.members.map((m) => m.path)).toEqual(['sub/a.py']);
    expect(kinds(a)).toEqual(['symlink', 'symlink']);
    expect(a.anomalies.every((x) => x.detail.includes('outside the directory'))).toBe(true);
    expect(text(a.members[0]!)).toBe('a = 1\n');
  });

  it('a missing path is an input error', async () => {
    await expect(readArchive(join(root, 'nope.whl'))).rejects.toMatchObject({ code: 'input-not-found' });
  });

  it('a big wheel file is read as it is looked at, with the same members, contents and heads', async () => {
    // (over the 4 MiB above which zip files are read lazily; stored data, so it stays that big)
    const f = join(root, 'big-1.0-py3-none-any.whl');
    const buf = makeZip([
      { name: 'big/__init__.py', content: 'import os\n' },
      { name: 'big/lib.so', content: randomBytes(3_000_000) },
      { name: 'big/more.so', content: randomBytes(2_000_000) },
      { name: 'big/mod.py', content: 'x = 1\n'.repeat(20_000) },
      { name: 'big/link', content: 'mod.py', mode: 0o120777 },
    ]);
    expect(buf.length).toBeGreaterThan(4 * 1024 * 1024);
    writeFileSync(f, buf);
    const lazy = await readArchive(f, { want: (path) => path.endsWith('.py') });
    const whole = await readArchiveBuffer(buf, 'big-1.0-py3-none-any.whl', { want: (path) => path.endsWith('.py') });
    expect(lazy.members.map((m) => [m.path, m.size, m.readable])).toEqual(whole.members.map((m) => [m.path, m.size, m.readable]));
    expect(lazy.anomalies).toEqual(whole.anomalies);
    for (let i = 0; i < lazy.members.length; i++) {
      const [l, w] = [lazy.members[i]!, whole.members[i]!];
      expect(Buffer.from(l.head(64)).equals(Buffer.from(w.head(64)))).toBe(true);
      if (w.readable) expect(Buffer.from(l.bytes()).equals(Buffer.from(w.bytes()))).toBe(true);
    }
  });

  it('a big wheel read lazily never reads the members nobody looked at', () => {
    const f = join(root, 'lazy-1.0-py3-none-any.whl');
    const native = randomBytes(3_000_000);
    const buf = makeZip([
      { name: 'lazy/__init__.py', content: 'import os\n' },
      { name: 'lazy/lib.so', content: native },
      { name: 'lazy/mod.py', content: 'x = 1\n' },
    ]);
    writeFileSync(f, buf);
    const at = buf.indexOf(native.subarray(0, 64));
    expect(at).toBeGreaterThan(0);
    const { buf: lazyBuf, load } = lazyZipFile(f, buf.length);
    const archive = readZipArchive(lazyBuf, f, 'lazy-1.0-py3-none-any.whl', 'wheel', { want: (path) => path.endsWith('.py') }, load);
    expect(archive.members.map((m) => m.path)).toEqual(['lazy/__init__.py', 'lazy/lib.so', 'lazy/mod.py']);
    expect(Buffer.from(archive.members[2]!.bytes()).toString()).toBe('x = 1\n');
    // The pages inside lib.so's data (away from its edges, which share pages with its neighbours)
    // were never loaded: the buffer there is still the zeros it started as.
    const inside = lazyBuf.subarray(at + 131_072, at + native.length - 131_072);
    expect(inside.length).toBeGreaterThan(2_500_000);
    expect(inside.every((b) => b === 0)).toBe(true);
    // ... and a member's bytes are there once asked for.
    expect(Buffer.from(archive.members[1]!.head(16)).equals(native.subarray(0, 16))).toBe(true);
  });

  it('bzip2 sdists are refused with the reason', async () => {
    const f = join(root, 'old-1.0.tar.bz2');
    writeFileSync(f, 'BZh91AY&SY');
    await expect(readArchive(f)).rejects.toThrow(/bzip2 compression is not supported/);
  });
});
