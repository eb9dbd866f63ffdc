import { describe, expect, it } from 'vitest';
import { Version } from '../../core/version.js';
import type { OsvAffected, OsvRecord } from '../../sources/osv/schema.js';
import { matchRecord } from './match.js';
import { PRUNE_VERSIONS_ID, pruneAffected, pruneCoveredVersions, pruneVersionsTransform } from './prune.js';

function entry(versions: unknown[], events: Record<string, string>[] = [{ introduced: '1.0' }, { fixed: '2.0' }], ecosystem = 'PyPI'): OsvAffected {
  return { package: { ecosystem, name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events }], versions: versions as string[] };
}

function record(...affected: OsvAffected[]): OsvRecord {
  return { id: 'PYSEC-0000-1', modified: '2024-01-01T00:00:00Z', summary: 's', affected };
}

describe('pruneAffected', () => {
  it('drops listed versions the ranges contain, in any spelling, and keeps the rest', () => {
    const a = entry(['1.0', '1.0.0', 'v1.2', '1.5.post1', '1.0+local', '2.0rc1', '0.9', '1.0.dev0', '2.0', '2.0.0', '3'], [{ introduced: '1.0' }, { fixed: '2.0' }]);
    expect(pruneAffected(a).versions).toEqual(['0.9', '1.0.dev0', '2.0', '2.0.0', '3']);
  });

  it('keeps entries that are not PEP 440 or not strings, for the matcher to warn about', () => {
    const a = entry(['1.5', '2.0.0-final', 7, null, '1.1']);
    expect(pruneAffected(a).versions).toEqual(['2.0.0-final', 7, null]);
  });

  it('respects last_affected (inclusive) and limit', () => {
    expect(pruneAffected(entry(['2.9', '3.0', '3.0.post1', '3.0+x'], [{ introduced: '2.5' }, { last_affected: '3.0' }])).versions).toEqual([
      '3.0.post1',
      '3.0+x',
    ]);
    expect(pruneAffected(entry(['1.2', '1.5', '1.7'], [{ introduced: '1.0' }, { limit: '1.5' }])).versions).toEqual(['1.5', '1.7']);
  });

  it('removes the list when every entry is covered, and never touches its input', () => {
    const a = entry(['1.1', '1.2']);
    const frozen = structuredClone(a);
    const pruned = pruneAffected(a);
    expect(pruned).not.toHaveProperty('versions');
    expect(pruned.ranges).toBe(a.ranges);
    expect(a).toEqual(frozen);
  });

  it('leaves entries without evaluated ranges, other ecosystems and lists with nothing covered as they are', () => {
    const gitOnly: OsvAffected = { package: { ecosystem: 'PyPI', name: 'pkg' }, ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }], versions: ['1.0'] };
    expect(pruneAffected(gitOnly)).toBe(gitOnly);
    const listOnly: OsvAffected = { package: { ecosystem: 'PyPI', name: 'pkg' }, versions: ['1.0'] };
    expect(pruneAffected(listOnly)).toBe(listOnly);
    const npm = entry(['1.5'], undefined, 'npm');
    expect(pruneAffected(npm)).toBe(npm);
    const outside = entry(['0.5', '2.5']);
    expect(pruneAffected(outside)).toBe(outside);
  });
});

describe('pruneCoveredVersions', () => {
  it('prunes each PyPI entry with its own ranges only', () => {
    const ranged = entry(['1.5', '2.5']);
    const listOnly: OsvAffected = { package: { ecosystem: 'PyPI', name: 'pkg' }, versions: ['1.5', '2.5'] };
    const pruned = pruneCoveredVersions(record(ranged, listOnly));
    expect(pruned.affected?.[0]?.versions).toEqual(['2.5']);
    expect(pruned.affected?.[1]).toBe(listOnly);
    expect(pruned.summary).toBe('s');
  });

  it('returns the record itself when nothing is pruned', () => {
    const r = record(entry(['0.1']));
    expect(pruneCoveredVersions(r)).toBe(r);
    const bare: OsvRecord = { id: 'X-1', modified: '2024-01-01T00:00:00Z' };
    expect(pruneCoveredVersions(bare)).toBe(bare);
  });

  it('changes no answer of the matcher, fixes included', () => {
    const r = record(
      entry(['0.9', '1.0', '1.5', '1.9', '2.0', '2.4', '2.5', '3.0', 'junk'], [{ introduced: '1.0' }, { fixed: '2.0' }, { introduced: '2.5' }, { fixed: '3.0' }]),
      { package: { ecosystem: 'PyPI', name: 'pkg' }, versions: ['4.0'] },
    );
    const pruned = pruneCoveredVersions(r);
    expect(pruned.affected?.[0]?.versions).toEqual(['0.9', '2.0', '2.4', '3.0', 'junk']);
    const probes = ['0', '0.9', '0.9.0', '1.0', '1.0.0', '1.0a1', '1.5', '1.9.post1', '2.0', '2.0+local', '2.4', '2.5', '2.9', '3.0', '3.0.0', '4.0', '4.0.0', '4.1'];
    for (const text of probes) {
      const version = Version.parse(text);
      expect(matchRecord(pruned, 'pkg', version), text).toEqual(matchRecord(r, 'pkg', version));
    }
  });

  it('is offered as a store transform with a stable id', () => {
    expect(pruneVersionsTransform.id).toBe(PRUNE_VERSIONS_ID);
    expect(pruneVersionsTransform.apply).toBe(pruneCoveredVersions);
  });
});
