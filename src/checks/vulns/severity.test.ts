import { describe, expect, it } from 'vitest';
import { chooseSeverity, levelFromScore, primeSeverityScores, scoreSeverity, severityFromWord, severityScorer, severityScorerId } from './severity.js';

describe('scoreSeverity', () => {
  it('scores CVSS v3.1, v3.0, v2 and v4 vectors', () => {
    expect(scoreSeverity({ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' })).toMatchObject({
      score: 9.8,
      level: 'critical',
      cvssVersion: '3.1',
    });
    expect(scoreSeverity({ type: 'CVSS_V3', score: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' })).toMatchObject({
      score: 5.3,
      level: 'medium',
      cvssVersion: '3.0',
    });
    expect(scoreSeverity({ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' })).toMatchObject({
      score: 10,
      level: 'high', // v2 has no critical band
      cvssVersion: '2.0',
    });
    expect(scoreSeverity({ type: 'CVSS_V2', score: '(AV:N/AC:L/Au:N/C:P/I:P/A:P)' })).toMatchObject({ score: 7.5, level: 'high' });
    expect(scoreSeverity({ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N' })).toMatchObject({
      score: 6.9,
      level: 'medium',
      cvssVersion: '4.0',
    });
  });

  it('uses the v3 base score even when temporal metrics are present', () => {
    expect(scoreSeverity({ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U' }).score).toBe(9.8);
  });

  it('returns unknown, never throws, for bad vectors', () => {
    const bad = [
      { type: 'CVSS_V3', score: 'garbage' },
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }, // incomplete base metrics
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }, // unknown value
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/Foo:Bar' }, // unknown metric
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }, // repeated metric
      { type: 'CVSS_V3', score: 'CVSS:9.9/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }, // unknown version
      { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }, // v3 metrics in a v4 vector
      { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C' },
      { type: 'CVSS_V3', score: '' },
      { type: 'Ubuntu', score: 'high' },
      { type: 42, score: null },
    ];
    for (const entry of bad) {
      const s = scoreSeverity(entry as never);
      expect(s.level, JSON.stringify(entry)).toBe('unknown');
      expect(s.score, JSON.stringify(entry)).toBeUndefined();
    }
  });
});

describe('levelFromScore', () => {
  it('follows the CVSS qualitative scale', () => {
    expect([0, 0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10].map((s) => levelFromScore(s, '3.1'))).toEqual([
      'unknown',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
    expect(levelFromScore(9.5, '2.0')).toBe('high');
  });
});

describe('severityFromWord', () => {
  it('maps database words, GHSA MODERATE included', () => {
    expect(['LOW', 'MODERATE', 'Medium', 'HIGH', 'critical', 'banana', 3].map(severityFromWord)).toEqual([
      'low',
      'medium',
      'medium',
      'high',
      'critical',
      undefined,
      undefined,
    ]);
  });
});

describe('chooseSeverity', () => {
  const v31 = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' }; // 5.3
  const v31High = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }; // 9.8
  const v30 = { type: 'CVSS_V3', score: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }; // 9.8
  const v2 = { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' }; // 10
  const v4 = { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N' }; // 6.9

  it('prefers the newest CVSS version', () => {
    expect(chooseSeverity([v2, v30, v4, v31High])).toMatchObject({ type: 'CVSS_V4', score: 6.9 });
    expect(chooseSeverity([v2, v30, v31])).toMatchObject({ score: 5.3, vector: v31.score });
    expect(chooseSeverity([v2, v30])).toMatchObject({ score: 9.8, vector: v30.score });
  });

  it('takes the highest score among vectors of one version', () => {
    expect(chooseSeverity([v31, v31High])).toMatchObject({ score: 9.8, level: 'critical' });
  });

  it('skips vectors that do not score', () => {
    expect(chooseSeverity([{ type: 'CVSS_V4', score: 'CVSS:4.0/nonsense' }, v31])).toMatchObject({ score: 5.3 });
  });

  it('falls back to the highest database word, then to nothing', () => {
    expect(chooseSeverity([], ['LOW', 'HIGH', undefined])).toEqual({ type: 'ECOSYSTEM', level: 'high' });
    expect(chooseSeverity([{ type: 'CVSS_V3', score: 'bad' }], ['MODERATE'])).toEqual({ type: 'ECOSYSTEM', level: 'medium' });
    expect(chooseSeverity([], [])).toBeUndefined();
  });
});

describe('stored scores', () => {
  it('names the scoring by its rules and the calculator version', () => {
    expect(severityScorerId()).toMatch(/^pyward-severity\/\d+\+ae-cvss-calculator@\d+\.\d+\.\d+/);
    const scorer = severityScorer();
    expect(scorer.id).toBe(severityScorerId());
    expect(scorer.score({ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' })).toMatchObject({ score: 9.8, level: 'critical' });
  });

  it('answers primed entries from the primed score, and ignores anything that is not a score', () => {
    // A vector nobody else scores, primed with a value the calculator would never give it, shows
    // that the primed score is what comes back.
    const entry = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L' };
    primeSeverityScores(
      new Map<string, unknown>([
        [`CVSS_V3\u0000${entry.score}`, { type: 'CVSS_V3', vector: entry.score, score: 9.9, level: 'critical', cvssVersion: '3.1' }],
        ['CVSS_V3\u0000CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', { type: 'CVSS_V3', level: 'severe', score: 1 }],
        ['CVSS_V3\u0000CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', { type: 'CVSS_V3', level: 'low', score: 11 }],
      ]),
    );
    expect(scoreSeverity(entry)).toEqual({ type: 'CVSS_V3', vector: entry.score, score: 9.9, level: 'critical', cvssVersion: '3.1' });
    // the malformed ones were not taken: these are scored by the calculator
    expect(scoreSeverity({ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' })).toMatchObject({ score: 7.5, level: 'high' });
    expect(scoreSeverity({ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N' })).toMatchObject({ score: 7.5, level: 'high' });
  });
});
