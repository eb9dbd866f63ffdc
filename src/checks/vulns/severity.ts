/**
 * CVSS scoring for OSV `severity` entries, and the choice of one severity for a vulnerability that
 * several records describe. Vectors come from third parties: a vector the calculator cannot score
 * yields `unknown`, never an exception.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Severity, SeverityScore } from '../../core/model.js';
import type { OsvSeverity } from '../../sources/osv/schema.js';

type CvssModule = typeof import('ae-cvss-calculator');
let cvssModule: CvssModule | undefined;

/**
 * ae-cvss-calculator, loaded when the first CVSS vector is scored: many advisories (all of the PyPA
 * database's but a few) carry none, and a run that scores nothing should not pay for loading it.
 * It ships a CommonJS bundle, so `require` gives its classes directly.
 */
function calculator(): CvssModule {
  cvssModule ??= createRequire(import.meta.url)('ae-cvss-calculator') as CvssModule;
  return cvssModule;
}

/**
 * Scores by entry: the same vectors come back for every package an advisory names and every
 * finding that merges it. Bounded, since the entries come from third parties.
 */
const scoreCache = new Map<string, ScoredSeverity>();
const SCORE_CACHE_LIMIT = 10_000;

/** Bumped whenever the rules of this module change what `scoreSeverity` returns. */
const SCORING_RULES = 'pyward-severity/1';
let scorerId: string | undefined;

/**
 * Names the scoring as it is now: these rules and the calculator's version. A database built with
 * scores (see `severityScorer`) is used for scores only by a pyward that scores the same way.
 * Reads the calculator's package.json, not the calculator.
 */
export function severityScorerId(): string {
  if (scorerId === undefined) {
    let version = 'unknown';
    try {
      const require = createRequire(import.meta.url);
      const pkg = JSON.parse(readFileSync(require.resolve('ae-cvss-calculator/package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') version = pkg.version;
    } catch {
      // an unknown version matches no stored scores, which only costs loading the calculator
    }
    scorerId = `${SCORING_RULES}+ae-cvss-calculator@${version}`;
  }
  return scorerId;
}

/** The scorer a database is built with, so that audits read scores instead of computing them. */
export function severityScorer(): { id: string; score: (entry: OsvSeverity) => ScoredSeverity } {
  return { id: severityScorerId(), score: scoreSeverity };
}

const LEVELS = new Set<string>(['unknown', 'low', 'medium', 'high', 'critical']);

/** A stored score as `scoreSeverity` makes them, or undefined for anything else. */
function asScored(v: unknown): ScoredSeverity | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o['type'] !== 'string' || typeof o['level'] !== 'string' || !LEVELS.has(o['level'])) return undefined;
  if (o['score'] !== undefined && (typeof o['score'] !== 'number' || !(o['score'] >= 0 && o['score'] <= 10))) return undefined;
  if (o['vector'] !== undefined && typeof o['vector'] !== 'string') return undefined;
  if (o['cvssVersion'] !== undefined && (typeof o['cvssVersion'] !== 'string' || !(o['cvssVersion'] in VERSION_RANK))) return undefined;
  const out: ScoredSeverity = { type: o['type'], level: o['level'] as Severity };
  if (o['vector'] !== undefined) out.vector = o['vector'] as string;
  if (o['score'] !== undefined) out.score = o['score'] as number;
  if (o['cvssVersion'] !== undefined) out.cvssVersion = o['cvssVersion'] as string;
  return out;
}

/**
 * Takes scores made earlier by `severityScorer()` (of the same id: the caller checks), keyed
 * `${type}\0${vector}` as in the record, so that `scoreSeverity` answers them without loading the
 * calculator. Anything that is not such a score is ignored and scored afresh when asked.
 */
export function primeSeverityScores(scores: ReadonlyMap<string, unknown>): void {
  for (const [key, value] of scores) {
    const scored = asScored(value);
    if (scored === undefined) continue;
    if (scoreCache.size >= SCORE_CACHE_LIMIT) scoreCache.clear();
    scoreCache.set(key, scored);
  }
}

/** CVSS versions in order of preference: the newest version is the database's latest assessment. */
const VERSION_RANK: Record<string, number> = { '4.0': 4, '3.1': 3, '3.0': 2, '2.0': 1 };

export interface ScoredSeverity extends SeverityScore {
  /** CVSS version of the vector (`4.0`, `3.1`, `3.0`, `2.0`) when one was scored. */
  cvssVersion?: string;
}

/**
 * Scores one OSV severity entry. Returns `level: 'unknown'` (and no score) when the type is not a
 * CVSS type, the vector is malformed, or its base metrics are incomplete.
 */
export function scoreSeverity(entry: OsvSeverity): ScoredSeverity {
  const type = typeof entry?.type === 'string' ? entry.type : 'UNKNOWN';
  const raw = typeof entry?.score === 'string' ? entry.score.trim() : '';
  const key = `${type}\u0000${typeof entry?.score === 'string' ? entry.score : ''}`;
  const hit = scoreCache.get(key);
  if (hit !== undefined) return { ...hit };
  const scored = score(type, raw);
  if (scoreCache.size >= SCORE_CACHE_LIMIT) scoreCache.clear();
  scoreCache.set(key, scored);
  return { ...scored };
}

function score(type: string, raw: string): ScoredSeverity {
  const unknown: ScoredSeverity = { type, level: 'unknown' };
  if (raw !== '') unknown.vector = raw;
  if (!type.startsWith('CVSS_') || raw === '') return unknown;
  // NVD writes v2 vectors as `(AV:N/...)` in places; the parentheses are not part of the vector.
  const vector = raw.replace(/^\((.*)\)$/, '$1');
  const version = cvssVersionOf(type, vector);
  if (version === undefined || !wellFormed(vector, version)) return unknown;
  try {
    const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = calculator();
    let base: number | undefined;
    let complete: boolean;
    if (version === '4.0') {
      const v = new Cvss4P0(vector);
      complete = v.isBaseFullyDefined();
      // A v4 vector has one score whose nomenclature (CVSS-B, -BT, -BE, -BTE) says which metric
      // groups it used; the vector as published is what the database asserts.
      base = v.calculateScores().overall;
    } else if (version === '3.1' || version === '3.0') {
      const v = version === '3.1' ? new Cvss3P1(vector) : new Cvss3P0(vector);
      complete = v.isBaseFullyDefined();
      // v3 advisories publish the base score; temporal metrics only ever lower it.
      base = v.calculateScores().base;
    } else {
      const v = new Cvss2(vector);
      complete = v.isBaseFullyDefined();
      base = v.calculateScores().base;
    }
    if (!complete || base === undefined || !Number.isFinite(base) || base < 0 || base > 10) {
      return unknown;
    }
    return { type, vector: raw, score: base, level: levelFromScore(base, version), cvssVersion: version };
  } catch {
    // The calculator throws on unknown metric values (`AV:Q`); that is a bad vector, not a bug.
    return unknown;
  }
}

const METRIC = /^[A-Za-z]+:[A-Za-z]+$/;

/**
 * `KEY:VALUE` parts, each key once. The calculator lets a repeated metric overwrite the first
 * (`AV:N/AV:L` scores as local), which would score a vector its author did not write.
 */
function wellFormed(vector: string, version: string): boolean {
  const parts = vector.split('/');
  if (version !== '2.0') parts.shift(); // the `CVSS:x.y` prefix
  const keys = new Set<string>();
  for (const part of parts) {
    if (!METRIC.test(part)) return false;
    const key = part.slice(0, part.indexOf(':'));
    if (keys.has(key)) return false;
    keys.add(key);
  }
  return keys.size > 0;
}

function cvssVersionOf(type: string, vector: string): string | undefined {
  const prefix = /^CVSS:(\d\.\d)\//.exec(vector);
  if (prefix) {
    const v = prefix[1]!;
    return v in VERSION_RANK ? v : undefined;
  }
  // Only v2 vectors lack a `CVSS:x.y/` prefix.
  if (type === 'CVSS_V2' && /^AV:/.test(vector)) return '2.0';
  return undefined;
}

/**
 * The qualitative rating of a score. v3 and v4 share FIRST's scale (0.1-3.9 low, 4.0-6.9 medium,
 * 7.0-8.9 high, 9.0-10 critical); v2 has no critical band (7.0-10 is high, as NVD rates it).
 * A 0.0 score is "none" in CVSS; the model has no such level, so it is `unknown` with the score kept.
 */
export function levelFromScore(score: number, cvssVersion: string): Severity {
  if (!(score > 0)) return 'unknown';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (cvssVersion === '2.0') return 'high';
  if (score < 9) return 'high';
  return 'critical';
}

const WORDS: Record<string, Severity> = {
  low: 'low',
  moderate: 'medium',
  medium: 'medium',
  high: 'high',
  important: 'high',
  critical: 'critical',
};

/** A database's own severity word (GHSA writes `MODERATE`), or undefined when it is not one we know. */
export function severityFromWord(word: unknown): Severity | undefined {
  if (typeof word !== 'string') return undefined;
  return WORDS[word.trim().toLowerCase()];
}

/**
 * Picks one severity among every CVSS entry of the records that describe one vulnerability: the
 * newest CVSS version wins (V4 > V3.1 > V3.0 > V2); among vectors of that version, the highest
 * score wins, so a disagreement between databases never understates the risk. Entries that do not
 * score are ignored. When none scores, the database words (`database_specific.severity`) are used,
 * highest first; undefined when there is nothing at all.
 */
export function chooseSeverity(entries: readonly OsvSeverity[], words: readonly unknown[] = []): SeverityScore | undefined {
  let best: ScoredSeverity | undefined;
  for (const entry of entries) {
    const scored = scoreSeverity(entry);
    if (scored.score === undefined || scored.cvssVersion === undefined) continue;
    if (best === undefined || better(scored, best)) best = scored;
  }
  if (best !== undefined) {
    const result: SeverityScore = { type: best.type, score: best.score!, level: best.level };
    if (best.vector !== undefined) result.vector = best.vector;
    return result;
  }
  let level: Severity | undefined;
  for (const word of words) {
    const w = severityFromWord(word);
    if (w !== undefined && (level === undefined || rank(w) > rank(level))) level = w;
  }
  return level === undefined ? undefined : { type: 'ECOSYSTEM', level };
}

function better(a: ScoredSeverity, b: ScoredSeverity): boolean {
  const va = VERSION_RANK[a.cvssVersion!] ?? 0;
  const vb = VERSION_RANK[b.cvssVersion!] ?? 0;
  if (va !== vb) return va > vb;
  return a.score! > b.score!;
}

const LEVEL_RANK: Record<Severity, number> = { unknown: 0, low: 1, medium: 2, high: 3, critical: 4 };
function rank(s: Severity): number {
  return LEVEL_RANK[s];
}
