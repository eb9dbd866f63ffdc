import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { newStats, readOsvSource, sourceListing, unchangedSince } from './import.js';
import type { OsvRecord } from './schema.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const recordFiles = readdirSync(join(testdata, 'records')).sort();
const PYPA_DB = '/work/shared/data/pypa-advisory-db';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyward-import-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function read(source: string, limits = {}): { records: OsvRecord[]; diagnostics: Diagnostic[]; stats: ReturnType<typeof newStats> } {
  const diagnostics: Diagnostic[] = [];
  const stats = newStats();
  const records = [...readOsvSource(source, { diagnostics, stats, limits })];
  return { records, diagnostics, stats };
}

function zipOf(members: Record<string, string | Uint8Array>): Uint8Array {
  const z: Zippable = {};
  for (const [name, data] of Object.entries(members)) z[name] = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return zipSync(z, { level: 6 });
}

function recordsZip(extra: Record<string, string | Uint8Array> = {}): Uint8Array {
  const members: Record<string, string | Uint8Array> = {};
  for (const f of recordFiles) members[f] = readFileSync(join(testdata, 'records', f), 'utf8');
  return zipOf({ ...members, ...extra });
}

describe('readOsvSource: directories', () => {
  it('reads a tree of JSON and YAML records, skipping bad files with a reason', () => {
    const { records, diagnostics, stats } = read(testdata);
    const ids = records.map((r) => r.id);
    // records/ and newer/ (13) plus the good edge cases; the npm and Root:PyPI ones are not PyPI
    expect(ids).toContain('PYSEC-2023-74');
    expect(ids).toContain('PYSEC-2024-68');
    expect(ids).toContain('EDGE-YAML-1');
    expect(ids).not.toContain('EDGE-NPM-1');
    expect(ids).not.toContain('EDGE-ROOT-1');
    expect(stats).toMatchObject({ records: 15, notPypi: 2, skipped: 2, withdrawn: 1 });
    const byFile = new Map(diagnostics.map((d) => [d.location?.file.slice(testdata.length), d]));
    expect(byFile.get('edge/malformed.json')?.message).toMatch(/^skipped: not valid JSON/);
    expect(byFile.get('edge/no-id.json')?.message).toBe('skipped: missing "id"');
    expect(byFile.get('edge/bad-fields.json')?.message).toMatch(/^PYSEC-2021-66: dropped/);
    expect(diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  });

  it('keeps unquoted YAML versions as the strings they are', () => {
    const rec = read(join(testdata, 'edge', 'unquoted-versions.yaml')).records[0]!;
    expect(rec.affected?.[0]?.versions).toEqual(['2.10', '2.10.1', '3.0']);
    expect(rec.affected?.[0]?.ranges?.[0]?.events).toEqual([{ introduced: '2.10' }, { fixed: '2.11.3' }]);
    expect(rec.modified).toBe('2024-01-02T03:04:05Z');
  });

  it('does not follow symbolic links and skips oversized files', () => {
    cpSync(join(testdata, 'records'), join(dir, 'vulns'), { recursive: true });
    writeFileSync(join(dir, 'outside.json'), readFileSync(join(testdata, 'newer', 'PYSEC-2024-67.json')));
    symlinkSync(join(dir, 'outside.json'), join(dir, 'vulns', 'link.json'));
    writeFileSync(join(dir, 'vulns', 'huge.json'), ' '.repeat(2000));
    const { records, diagnostics } = read(join(dir, 'vulns'), { maxEntryBytes: 1500 + 1 });
    expect(records.map((r) => r.id)).not.toContain('PYSEC-2024-67');
    expect(diagnostics.find((d) => d.location?.file.endsWith('link.json'))?.message).toBe('symbolic link not followed');
    expect(diagnostics.find((d) => d.location?.file.endsWith('huge.json'))?.code).toBe('advisory-too-large');
  });

  it.skipIf(!existsSync(PYPA_DB))('imports the whole PyPA advisory database', () => {
    const { records, diagnostics, stats } = read(PYPA_DB);
    expect(records.length).toBeGreaterThan(2500);
    expect(stats.skipped).toBe(0);
    // The one known data error in the snapshot: an alias with a trailing comma.
    for (const d of diagnostics) expect(d.message).toMatch(/invalid entr(y|ies) of "aliases"/);
  });
});

describe('readOsvSource: zips', () => {
  it('reads an OSV all.zip', () => {
    const file = join(dir, 'all.zip');
    writeFileSync(file, recordsZip());
    const { records, diagnostics } = read(file);
    expect(records.map((r) => r.id).sort()).toEqual(recordFiles.map((f) => f.replace('.json', '')).sort());
    expect(diagnostics).toEqual([]);
  });

  it('skips a malformed member with a warning and imports the rest', () => {
    const file = join(dir, 'all.zip');
    writeFileSync(file, recordsZip({ 'BROKEN-1.json': '{"id": "BROKEN-1", "modified": ' }));
    const { records, diagnostics } = read(file);
    expect(records).toHaveLength(recordFiles.length);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'bad-advisory', location: { file: `${file}!/BROKEN-1.json` } });
    expect(diagnostics[0]?.message).toMatch(/^skipped: not valid JSON/);
  });

  it('skips oversized members; member names are labels only, never paths', () => {
    const file = join(dir, 'all.zip');
    const big = JSON.stringify({ ...JSON.parse(readFileSync(join(testdata, 'newer', 'PYSEC-2024-67.json'), 'utf8')), details: 'x'.repeat(50_000) });
    writeFileSync(
      file,
      recordsZip({
        'big/PYSEC-2024-67.json': big,
        '../../../../tmp/evil/PYSEC-2024-68.json': readFileSync(join(testdata, 'newer', 'PYSEC-2024-68.json')),
        'ctrl\u001b[2J.json': '[]',
        'notes/readme.txt': 'not a record',
      }),
    );
    const { records, diagnostics } = read(file, { maxEntryBytes: 40_000 });
    const ids = records.map((r) => r.id);
    expect(ids).not.toContain('PYSEC-2024-67');
    expect(ids).toContain('PYSEC-2024-68');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'advisory-too-large', location: { file: `${file}!/big/PYSEC-2024-67.json` } });
    expect(existsSync('/tmp/evil')).toBe(false);
  });

  it('refuses a zip bomb before inflating it', () => {
    const file = join(dir, 'bomb.zip');
    writeFileSync(file, zipOf({ 'A-1.json': new Uint8Array(9 * 1024 * 1024).fill(0x20) }));
    expect(() => read(file)).toThrow(InputError);
    expect(() => read(file)).toThrow(/likely zip bomb/);
    // and by total size
    writeFileSync(file, recordsZip());
    expect(() => read(file, { maxTotalBytes: 10_000 })).toThrow(/over the 10000-byte limit/);
  });

  it('catches a member whose header lies about its size or content', () => {
    const file = join(dir, 'all.zip');
    const zip = Buffer.from(recordsZip());
    // Shrink the declared size of the first member in the central directory: inflating must stop
    // at the declared size and report the member, not return a silently truncated record.
    const first = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(100, first + 24);
    writeFileSync(file, zip);
    const { records, diagnostics } = read(file);
    expect(records).toHaveLength(recordFiles.length - 1);
    expect(diagnostics[0]?.message).toMatch(/damaged member \(inflates to more than its declared size\)/);

    // Same size, different bytes: the CRC check catches it.
    const stored = Buffer.from(zipSync({ 'A-1.json': new TextEncoder().encode('{"id": "A-1"}') }, { level: 0 }));
    const sLocal = stored.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const sData = sLocal + 30 + stored.readUInt16LE(sLocal + 26) + stored.readUInt16LE(sLocal + 28);
    stored[sData + 8] = 0x42; // "A-1" -> "B-1", same length
    writeFileSync(file, stored);
    expect(read(file).diagnostics[0]?.message).toMatch(/CRC mismatch/);
  });

  it('refuses what is not an OSV source', () => {
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    expect(() => read(join(dir, 'notes.txt'))).toThrow(/not an OSV source/);
    expect(() => read(join(dir, 'missing'))).toThrow(/no such file or directory/);
    writeFileSync(join(dir, 'cut.zip'), recordsZip().subarray(0, 300));
    expect(() => read(join(dir, 'cut.zip'))).toThrow(/not a readable zip archive/);
  });
});

describe('readOsvSource: YAML', () => {
  it('prints nothing of its own for odd YAML and rejects alias bombs', async () => {
    const warnings: string[] = [];
    const listener = (w: Error): void => {
      warnings.push(w.message);
    };
    process.on('warning', listener);
    try {
      writeFileSync(join(dir, 'tagged.yaml'), 'id: T-1\nmodified: !weird 2024-01-01T00:00:00Z\naffected:\n- package: {ecosystem: PyPI, name: foo}\n');
      expect(read(join(dir, 'tagged.yaml')).records[0]?.modified).toBe('2024-01-01T00:00:00Z');
      // billion laughs: each level repeats the previous one nine times
      const bomb = ['l0: &l0 ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i <= 8; i++) bomb.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(',')}]`);
      writeFileSync(join(dir, 'bomb.yaml'), `${bomb.join('\n')}\nid: B-1\nmodified: 2024-01-01T00:00:00Z\n`);
      const { records, diagnostics } = read(join(dir, 'bomb.yaml'));
      expect(records).toEqual([]);
      expect(diagnostics[0]?.message).toMatch(/^skipped: not valid YAML .*alias/i);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', listener);
    }
    expect(warnings).toEqual([]);
  });
});

describe('sourceListing and unchangedSince', () => {
  /** A tree of two directories of records, with both directories' mtimes set in the past. */
  function tree(): string {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'vulns', 'a'), { recursive: true });
    mkdirSync(join(src, 'vulns', 'b'), { recursive: true });
    cpSync(join(testdata, 'records', recordFiles[0]!), join(src, 'vulns', 'a', recordFiles[0]!));
    cpSync(join(testdata, 'records', recordFiles[1]!), join(src, 'vulns', 'b', recordFiles[1]!));
    const past = new Date(Date.now() - 60_000);
    for (const d of ['vulns/a', 'vulns/b', 'vulns', '.']) utimesSync(join(src, d), past, past);
    return src;
  }
  const stillSame = (src: string, then: { fingerprint: string; dirs: string }): boolean => {
    const quick = unchangedSince(src, then.dirs, then.fingerprint);
    // The quick answer may only say "unchanged" when the full listing agrees.
    if (quick) expect(sourceListing(src).fingerprint).toBe(then.fingerprint);
    return quick;
  };

  it('confirms an unchanged tree from the recorded directories and files alone', () => {
    const src = tree();
    const then = sourceListing(src);
    expect(then.fingerprint.split('\n')[0]).toBe('dir\u00002');
    expect(then.dirs.split('\n').filter(Boolean)).toHaveLength(4);
    expect(stillSame(src, then)).toBe(true);
  });

  it('notices an edit in place, which leaves every directory as it was', () => {
    const src = tree();
    const then = sourceListing(src);
    const file = join(src, 'vulns', 'a', recordFiles[0]!);
    const dirMtime = statSync(join(src, 'vulns', 'a')).mtimeMs;
    writeFileSync(file, readFileSync(file, 'utf8').replace('"id"', ' "id"'));
    expect(statSync(join(src, 'vulns', 'a')).mtimeMs).toBe(dirMtime);
    expect(stillSame(src, then)).toBe(false);
    // the same size and only a new mtime count as well
    const again = sourceListing(src);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(stillSame(src, again)).toBe(false);
  });

  it('notices files and directories added, removed or renamed anywhere in the tree', () => {
    const cases: ((src: string) => void)[] = [
      (src) => cpSync(join(testdata, 'records', recordFiles[2]!), join(src, 'vulns', 'b', recordFiles[2]!)),
      (src) => rmSync(join(src, 'vulns', 'a', recordFiles[0]!)),
      (src) => mkdirSync(join(src, 'vulns', 'c')),
      (src) => rmSync(join(src, 'vulns', 'b'), { recursive: true }),
      (src) => writeFileSync(join(src, 'new.json'), '{}'),
    ];
    for (const change of cases) {
      rmSync(join(dir, 'src'), { recursive: true, force: true });
      const src = tree();
      const then = sourceListing(src);
      change(src);
      expect(stillSame(src, then)).toBe(false);
    }
  });

  it('answers false for a file source or a listing it cannot read', () => {
    const src = tree();
    const then = sourceListing(src);
    expect(unchangedSince(src, '', then.fingerprint)).toBe(false);
    expect(unchangedSince(src, then.dirs, 'file\u00001\u00002\u00003')).toBe(false);
    expect(unchangedSince(src, 'no separator\n', then.fingerprint)).toBe(false);
    expect(unchangedSince(src, then.dirs, then.fingerprint.replace('\u0000', '\n'))).toBe(false);
  });
});
