/**
 * One number per package, combined the way an analyst reads findings:
 *
 * - Each finding weighs its severity (low 1, medium 3, high 6, critical 10) times where it runs
 *   (install time x2: setup.py, .pth, in-tree build backends; import time x1.5: module top level;
 *   otherwise x1), halved in tests, docs and examples (tests/, docs/, examples/, test_*.py, ...), which no install or
 *   import runs.
 * - A threat rule counts once per package, at its heaviest finding: ten files with the same
 *   webhook are one webhook.
 * - A capability rule (network, process, dynamic exec) counts nothing alone: honest libraries
 *   have all of them. Nor does a low-severity intent (a credential path, a host-name call)
 *   except at install time.
 * - A capability and a matching intent in the same file (network beside credential paths, exec
 *   beside obfuscation, a process beside a download) add half their summed weights again, when the
 *   heavier of the two weighs at least 1.5 and neither rule already carries both tags (a silent
 *   process is not paired with the process it is); the package takes the strongest such pair.
 *
 * - What the index says about the project (`index` rules: no description, a single release, a
 *   disposable e-mail, no link to its source) adds each rule's severity weight once, all of them
 *   together at most METADATA_CAP, which is below the suspicious threshold: metadata alone never
 *   makes a package suspicious, but it tips a package whose code is already dubious.
 *
 * Verdicts: `malicious` at 10 or more (any critical finding gets there alone; so do two high
 * ones, or a high one at install time), `suspicious` at 4 or more, `clean` below. The same
 * thresholds are in docs/inspect.md.
 */
import { ruleById } from './rules/index.js';
import { isAuxiliaryPath } from './rules/util.js';
import type { Finding, Phase, Rule, RuleSeverity, Tag, Verdict } from './types.js';

export const SEVERITY_WEIGHT: Record<RuleSeverity, number> = { low: 1, medium: 3, high: 6, critical: 10 };
export const PHASE_MULTIPLIER: Record<Phase, number> = { install: 2, import: 1.5, runtime: 1 };
export const THRESHOLDS = { suspicious: 4, malicious: 10 } as const;

/** Capability-intent pairs that mean more together than apart. */
export const PAIRS: readonly (readonly [Tag, Tag])[] = [
  ['network', 'credentials'],
  ['network', 'env'],
  ['network', 'sysinfo'],
  ['network', 'surveillance'],
  ['network', 'obfuscation'],
  ['exfiltration', 'credentials'],
  ['exfiltration', 'env'],
  ['exfiltration', 'sysinfo'],
  ['exfiltration', 'surveillance'],
  ['exec', 'obfuscation'],
  ['exec', 'download'],
  ['process', 'obfuscation'],
  ['process', 'download'],
  ['process', 'evasion'],
  ['persistence', 'process'],
  ['persistence', 'download'],
  ['persistence', 'obfuscation'],
];

/**
 * Tests, docs, examples, build and CI scripts run only when someone runs them, and are full of
 * deliberately odd code (security tests quote `rm -rf /` and /etc/cron.d). The engine decides what
 * is auxiliary (isAuxiliaryPath, files outside any package of an sdist, shell scripts) and takes
 * back anything the package's own code imports or runs, so a payload cannot hide in tests/.
 */
export const TEST_MULTIPLIER = 0.25;

/** At most this much of a package's score comes from auxiliary files (see score()). */
export const AUXILIARY_CAP = 2;

/** At most this much of a package's score comes from the index's metadata (`index` rules); below THRESHOLDS.suspicious. */
export const METADATA_CAP = 3;

/** The heavier side of a pair must weigh at least this: a medium finding, or a low one at import or install time. */
export const MIN_PAIR_WEIGHT = 1.5;

export function findingWeight(f: Finding, isAuxiliary: (file: string) => boolean = isAuxiliaryPath): number {
  const test = f.file !== '' && isAuxiliary(f.file) ? TEST_MULTIPLIER : 1;
  return SEVERITY_WEIGHT[f.severity] * (f.phase && !(test < 1 && f.phase === 'import') ? PHASE_MULTIPLIER[f.phase] : 1) * test;
}

export interface ScoreBreakdown {
  score: number;
  verdict: Verdict;
  /** Rule id -> what it added. */
  rules: Record<string, number>;
  /** The strongest capability-intent pair, when one applied. */
  pair?: { file: string; tags: [Tag, Tag]; rules: [string, string]; bonus: number };
}

export function score(
  findings: Finding[],
  lookup: (id: string) => Rule | undefined = ruleById,
  isAuxiliary: (file: string) => boolean = isAuxiliaryPath,
): ScoreBreakdown {
  const rules: Record<string, number> = {};
  // What auxiliary files add beyond the package's own code counts only for a package that its own
  // code makes suspicious, and then at most AUXILIARY_CAP: a security test suite quotes `rm -rf /`,
  // /etc/cron.d and SSRF addresses in a dozen files (nltk's), and CI scripts install tools with
  // curl | sh (pymongo's), which is no reason to distrust a package, while a package that is
  // suspicious already is not excused by its tests either.
  const own: Record<string, number> = {};
  const aux: Record<string, number> = {};
  const meta: Record<string, number> = {};
  for (const f of findings) {
    const rule = lookup(f.rule);
    if (rule?.scope === 'index') {
      meta[f.rule] = Math.max(meta[f.rule] ?? 0, SEVERITY_WEIGHT[f.severity]);
      continue;
    }
    if (!rule || !countsAlone(rule, f)) continue;
    const w = findingWeight(f, isAuxiliary);
    const into = f.file !== '' && isAuxiliary(f.file) ? aux : own;
    into[f.rule] = Math.max(into[f.rule] ?? 0, w);
  }
  let auxExtra = 0;
  const auxRules: Record<string, number> = {};
  for (const [id, w] of Object.entries(own)) rules[id] = w;
  for (const [id, w] of Object.entries(aux)) {
    const extra = Math.max(0, w - (own[id] ?? 0));
    const room = Math.max(0, AUXILIARY_CAP - auxExtra);
    if (extra > 0 && room > 0) {
      auxRules[id] = Math.min(extra, room);
      auxExtra += Math.min(extra, room);
    }
  }
  let pair: ScoreBreakdown['pair'];
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.file === '') continue;
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const [file, list] of byFile) {
    // Odd pairs are what tests are made of (an IP literal beside a request in a test of a client).
    if (isAuxiliary(file)) continue;
    // Heaviest finding per (rule, tag) in this file.
    const best = new Map<Tag, { rule: string; w: number }[]>();
    for (const f of list) {
      const rule = lookup(f.rule);
      if (!rule) continue;
      const w = findingWeight(f, isAuxiliary);
      for (const t of rule.tags) {
        const arr = best.get(t) ?? [];
        const existing = arr.find((x) => x.rule === f.rule);
        if (existing) existing.w = Math.max(existing.w, w);
        else arr.push({ rule: f.rule, w });
        best.set(t, arr);
      }
    }
    for (const [a, b] of PAIRS) {
      for (const x of best.get(a) ?? []) {
        for (const y of best.get(b) ?? []) {
          // Two weak signals at run time (a .netrc path and an HTTP client in one util module)
          // are what big honest packages are made of; a pair needs one side to carry weight.
          if (x.rule === y.rule || Math.max(x.w, y.w) < MIN_PAIR_WEIGHT) continue;
          // A rule that is itself both halves (silent-process is a process with evasion,
          // shell-download-command a process that downloads) is already weighed as the pair: the
          // process-spawn finding of the same call adds nothing.
          if (lookup(x.rule)?.tags.includes(b) || lookup(y.rule)?.tags.includes(a)) continue;
          const bonus = (x.w + y.w) / 2;
          if (!pair || bonus > pair.bonus) pair = { file, tags: [a, b], rules: [x.rule, y.rule], bonus };
        }
      }
    }
  }
  // Metadata shares the cap in proportion to each rule's weight.
  const metaSum = Object.values(meta).reduce((s, w) => s + w, 0);
  const metaScale = metaSum > METADATA_CAP ? METADATA_CAP / metaSum : 1;
  for (const [id, w] of Object.entries(meta)) rules[id] = Math.round(w * metaScale * 100) / 100;
  let total = Object.values(rules).reduce((s, w) => s + w, 0) + (pair?.bonus ?? 0);
  if (total >= THRESHOLDS.suspicious && auxExtra > 0) {
    for (const [id, w] of Object.entries(auxRules)) rules[id] = (rules[id] ?? 0) + w;
    total += auxExtra;
  }
  const rounded = Math.round(total * 10) / 10;
  const out: ScoreBreakdown = { score: rounded, verdict: verdictFor(rounded), rules };
  if (pair) out.pair = pair;
  return out;
}

/**
 * Capabilities never count alone, and neither do low-severity intents (a path, a host name call)
 * outside install time: big honest packages collect a few of each in unrelated files. They count
 * when they meet a matching finding in the same file.
 */
function countsAlone(rule: Rule, f: Finding): boolean {
  if (rule.kind === 'capability') return false;
  return f.severity !== 'low' || f.phase === 'install';
}

export function verdictFor(score: number): Verdict {
  if (score >= THRESHOLDS.malicious) return 'malicious';
  if (score >= THRESHOLDS.suspicious) return 'suspicious';
  return 'clean';
}
