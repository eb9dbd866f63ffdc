import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareModified, isPypiRecord, modifiedKey, pypiAffected, pypiNames, toOsvRecord } from './validate.js';

const testdata = new URL('./testdata/', import.meta.url);
const load = (p: string): unknown => JSON.parse(readFileSync(new URL(p, testdata), 'utf8'));

describe('toOsvRecord', () => {
  it('keeps a real advisory intact', () => {
    const raw = load('records/PYSEC-2023-74.json');
    const { record, warning } = toOsvRecord(raw, 'PYSEC-2023-74.json');
    expect(warning).toBeUndefined();
    expect(record).toEqual(raw);
    expect(pypiNames(record!)).toEqual(['requests']);
  });

  it('drops bad parts, keeps the rest, and names what it dropped', () => {
    const { record, warning } = toOsvRecord(load('edge/bad-fields.json'), 'bad-fields.json');
    expect(record?.id).toBe('PYSEC-2021-66');
    expect(record?.aliases).toEqual(['CVE-2020-28493', 'SNYK-PYTHON-JINJA2-1012994', 'GHSA-g3rq-g295-4j3m']);
    expect(record?.summary).toBeUndefined();
    // the good affected entry survives; the one with a numeric name is dropped; the third keeps its
    // versions' good strings but loses the range whose `fixed` is a number
    expect(record?.affected).toHaveLength(2);
    expect(record?.affected?.[1]).toEqual({ package: { ecosystem: 'PyPI', name: 'jinja2' }, versions: ['2.10'], ranges: [] });
    expect(warning).toMatch(/^bad-fields\.json: PYSEC-2021-66: /);
    expect(warning).toContain('dropped 1 invalid entry of "aliases"');
    expect(warning).toContain('dropped "summary" (not a string)');
    expect(warning).toContain('dropped affected[1] (package needs string "ecosystem" and "name")');
    expect(warning).toContain('dropped affected[2].ranges[0]');
  });

  it('rejects what is not a record, without throwing', () => {
    expect(toOsvRecord(load('edge/no-id.json'), 'no-id.json')).toEqual({ warning: 'no-id.json: missing "id"' });
    expect(toOsvRecord(null, 'x').record).toBeUndefined();
    expect(toOsvRecord([1, 2], 'x').record).toBeUndefined();
    expect(toOsvRecord({ id: 'X-1' }, 'x').warning).toContain('missing "modified"');
    // ids become URLs and file names: anything outside the usual alphabet is refused
    expect(toOsvRecord({ id: '../../etc/passwd', modified: '2024-01-01T00:00:00Z' }, 'x').record).toBeUndefined();
    expect(toOsvRecord({ id: 'A-1\u001b[31m', modified: '2024-01-01T00:00:00Z' }, 'x').warning).toContain('\\u001b');
  });

  it('treats only the exact PyPI ecosystem as PyPI', () => {
    expect(isPypiRecord(toOsvRecord(load('edge/not-pypi.json'), 'x').record!)).toBe(false);
    expect(isPypiRecord(toOsvRecord(load('edge/root-pypi.json'), 'x').record!)).toBe(false);
  });

  it('requires exactly one string value per event', () => {
    const { record, warning } = toOsvRecord(
      {
        id: 'T-1',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'Foo_Bar' },
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1.0' }] },
              { type: 'ECOSYSTEM', events: [] },
              { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { last_affected: '1.5' }] },
            ],
          },
        ],
      },
      'x',
    );
    expect(record?.affected?.[0]?.ranges).toEqual([{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { last_affected: '1.5' }] }]);
    expect(warning).toContain('ranges[0]');
    expect(warning).toContain('ranges[1] (no events)');
    expect(pypiAffected(record!, 'foo-bar')).toHaveLength(1);
  });

  it('keeps a record whose timestamp is odd, with a warning', () => {
    const { record, warning } = toOsvRecord({ id: 'T-2', modified: 'yesterday', affected: [] }, 'x');
    expect(record?.modified).toBe('yesterday');
    expect(warning).toContain('"modified" is not an RFC 3339 timestamp');
  });
});

describe('modifiedKey', () => {
  it('orders timestamps with different fraction lengths correctly', () => {
    // as raw strings '...:05Z' > '...:05.1Z', which is wrong
    expect(compareModified('2024-01-01T00:00:05Z', '2024-01-01T00:00:05.1Z')).toBe(-1);
    expect(compareModified('2024-07-10T11:20:07.80054Z', '2024-07-10T11:20:07.704786Z')).toBe(1);
    expect(modifiedKey('2024-01-01T02:00:00+02:00')).toBe(modifiedKey('2024-01-01T00:00:00Z'));
    expect(modifiedKey('2024-01-01')).toBeUndefined();
    expect(compareModified('garbage', '2020-01-01T00:00:00Z')).toBe(-1);
  });
});
