/**
 * What every name rule produces before the best one is chosen: a suspected target with the cost of
 * the disguise (0 for a look-alike or a separator change, 1 per edit, more for derived spellings) and
 * the facts behind it.
 */
import type { NameRiskKind, Risk } from '../../core/model.js';

/**
 * The tunables, chosen on the labeled sets and a random sample of PyPI names (docs/benchmarks.md).
 *
 * One principle runs through them: the looser the resemblance, the more popular the target must be.
 * A name that reads exactly like a project (look-alike letters, reordered words) is suspicious
 * whatever that project's rank; one edit on a short name, two edits, an added word, are reported only
 * for projects popular enough to be worth imitating, because by chance alone thousands of honest
 * names sit that close to some project in a list of 15,000.
 */
export const RULES = {
  /** A prefix shared by at least this many popular names is a namespace of plugins (`pytest-`, `types-`). */
  namespaceMin: 3,
  /** Same letters with other separators (honest multi-word names collide this way more than reorderings do). */
  separatorMaxRank: 5000,
  /** One edit on a spelling of 7+ characters: any popular project. */
  oneEditMinLength: 7,
  /**
   * One edit on 5-6 characters. A typing slip (swapped, doubled or undoubled letter) counts at any
   * rank: honest names rarely differ from a popular one that way (3 in a sample of 10,000 PyPI names).
   */
  shortOneEditMaxRank: 5000,
  /** One edit on 4 characters, and only a swap or a doubled letter (`tmol`, `ntlk`). */
  tinyOneEditMaxRank: 1000,
  /** Two edits, none of them a substitution, on 7+ characters (`aiohtttps`, `colouramas`). */
  twoEditsMinLength: 7,
  twoEditsMaxRank: 1000,
  /** One edit from a derived spelling (version-less, affix-less) of 6+ characters. */
  derivedMinLength: 6,
  derivedMaxRank: 1000,
  /** A version number or py/python affix added, changed or dropped. */
  affixMaxRank: 5000,
  /** Edition words (`-lite`, `-secure`) or a second popular name attached. */
  comboMaxRank: 1000,
};

/** Which rule proposed a match; the acceptance policy and the benchmark's breakdown key on it. */
export type MatchRule =
  | 'capital-i'
  | 'look-alike'
  | 'separator'
  | 'reorder'
  | 'version-added'
  | 'version-changed'
  | 'version-dropped'
  | 'affix-added'
  | 'affix-changed'
  | 'affix-dropped'
  | 'edit'
  | 'edition-words'
  | 'popular-pair'
  | 'glued-pair'
  | 'glued-edition';

export interface Match {
  kind: Extract<NameRiskKind, 'typosquat' | 'combosquat'>;
  rule: MatchRule;
  /** For `edit`: the number of edits, and their kinds (`insert`, `repeat`, `swap`, ...). */
  distance?: number;
  edits?: string[];
  /** For `edit`: whether the spelling compared was the name itself or a derived form. */
  via?: 'name' | 'stem' | 'core';
  /** For `edit`: the name and the target share a namespace, and `length` is the rest outside it. */
  namespaced?: boolean;
  /** Length of the compared spelling (compact), for length-scaled budgets. */
  length: number;
  target: string;
  rank: number;
  /** How far the name is from the target as a reader sees it; lower is a closer imitation. */
  cost: number;
  /** The headline fact first, e.g. `edit distance 1 to 'requests' (rank 6): dropped letter 's'`. */
  facts: string[];
}

/**
 * Which suspected target to report. A closer imitation wins, but rank weighs in: `beautifulsoop` is
 * one edit from `beautifulsoup` (rank ~9,800) and, through its version-less form, from
 * `beautifulsoup4` (rank ~100), and the far more installed project is what the typist meant.
 */
export function matchScore(m: Match): number {
  return m.cost + 0.5 * Math.log10(m.rank);
}

/** The acceptance policy: which proposed matches are strong enough to report. */
export function acceptable(m: Match): boolean {
  switch (m.rule) {
    case 'capital-i':
    case 'look-alike':
      return m.length >= 3;
    case 'separator':
      return m.length >= 4 && m.rank <= RULES.separatorMaxRank;
    case 'reorder':
      return m.length >= 4;
    case 'version-added':
    case 'version-changed':
    case 'version-dropped':
    case 'affix-added':
    case 'affix-changed':
    case 'affix-dropped':
      return m.length >= 4 && m.rank <= RULES.affixMaxRank;
    case 'edition-words':
    case 'glued-edition':
    case 'popular-pair':
    case 'glued-pair':
      return m.rank <= RULES.comboMaxRank;
    case 'edit':
      return editAcceptable(m);
  }
}

/** Typing slips: what a hurried hand does, and what honest names rarely differ by. */
const SLIPS = new Set(['swap', 'repeat', 'undouble', 'plural']);

/** Substitutions are the edits honest names differ by; attackers mostly add, drop, double or swap. */
const NO_SUBSTITUTION = new Set(['insert', 'repeat', 'delete', 'undouble', 'swap', 'plural']);

function editAcceptable(m: Match): boolean {
  const d = m.distance ?? Infinity;
  const kinds = m.edits ?? [];
  if (m.via !== 'name') return d === 1 && m.length >= RULES.derivedMinLength && m.rank <= RULES.derivedMaxRank;
  // Siblings in a namespace (38 popular `tree-sitter-*` grammars) differ from each other by design,
  // and their own words are short; only a slip there looks like a mistake (`types-reqeusts`).
  if (m.namespaced && m.length < RULES.oneEditMinLength && !kinds.every((k) => SLIPS.has(k))) return false;
  if (d === 1) {
    if (m.length >= RULES.oneEditMinLength) return true;
    if (m.length >= 5) return m.rank <= RULES.shortOneEditMaxRank || kinds.every((k) => SLIPS.has(k));
    if (m.length === 4) return m.rank <= RULES.tinyOneEditMaxRank && kinds.every((k) => k === 'swap' || k === 'repeat');
    return false;
  }
  return d === 2 && m.length >= RULES.twoEditsMinLength && m.rank <= RULES.twoEditsMaxRank && kinds.every((k) => NO_SUBSTITUTION.has(k));
}

const RISKS: readonly Risk[] = ['low', 'medium', 'high', 'critical'];

/**
 * Risk from three things: how popular the target is (what an attacker gains), how exactly the name
 * imitates it (a look-alike fools a careful reader, a second edit does not), and how short the name
 * is (short names sit next to many unrelated words, so a hit says less).
 */
export function riskOf(m: Match, nameLength: number): Risk {
  const tier = m.rank <= 100 ? 3 : m.rank <= 1000 ? 2 : m.rank <= 5000 ? 1 : 0;
  let level: number;
  if (m.cost === 0) {
    // Reads as the target: look-alike letters, separators, word order.
    level = Math.min(3, tier + 1);
  } else if (m.rule === 'edit' && (m.distance !== 1 || m.via !== 'name')) {
    // Two edits, or one edit from a derived spelling: a weaker resemblance.
    level = Math.max(0, tier - 1);
  } else {
    // One edit, a version or affix change, an edition word or a second popular name.
    const slip = m.rule === 'edit' && (m.edits ?? []).every((k) => SLIPS.has(k));
    level = Math.min(tier, 2) + (slip && tier === 3 ? 1 : 0);
  }
  if (nameLength <= 5 && m.cost > 0) level = Math.max(0, level - 1);
  return RISKS[level]!;
}

export function rankLabel(name: string, rank: number): string {
  return `'${name}' (rank ${rank})`;
}
