/**
 * Combosquat rules: a popular name with something attached, so the whole reads as an edition of the
 * popular project (`requests-secure`, `pillow-simd`, `requests-darwin-lite`) or as a bundle of two
 * famous ones (`beautifulsoup-numpy`, `torchtriton`). A py/python affix alone (`python-flask`) is
 * judged by the affix rules of typosquat.ts.
 *
 * Most names of this shape are genuine: `requests-oauthlib`, `django-redis`, `flask-sqlalchemy`,
 * `pytest-django`. So the rules are narrow, chosen on a random sample of PyPI names:
 * - a popular name plus edition words (words.ts), with py/python or version tokens at most, is
 *   reported whatever the namespace, because those words name no feature;
 * - two popular names are reported only when the name does not start in a namespace that hosts
 *   integrations (`django-*`, `requests-*`, `pandas-*`: 3+ popular members); the policy in match.ts
 *   then wants both in the top 1,000. Joining two popular names is otherwise the normal shape of an
 *   integration: 0.7% of all PyPI names do it;
 * - anything else attached (a feature word like `-cache`, an unknown word) means a new project.
 */
import { compact } from '../../sources/popular/forms.js';
import type { PopularIndex } from '../../sources/popular/popular.js';
import { editDistance } from './edits.js';
import { rankLabel, RULES, type Match } from './match.js';
import { EDITION_WORDS, isFillerToken } from './words.js';

/** A popular name glued to another without a separator must be at least this long to be cut out. */
const GLUED_MIN = 4;
/**
 * A misspelled core (`ttensorflow-gpu`) is recognised only this long and only next to an edition
 * word: shorter cores and other company are one edit from too many honest words (`toolkit`/`tomlkit`).
 */
const TYPO_CORE_MIN = 9;
/** Version-less and affix-less spellings shorter than this (`json` for `json5`) are ordinary words. */
const DERIVED_CORE_MIN = 5;

interface Core {
  name: string;
  rank: number;
  /** Extra cost when the core is not the popular name verbatim. */
  cost: number;
  /** How the span was read when not verbatim; misspelled cores need an edition word next to them. */
  via: 'name' | 'derived' | 'typo';
  how?: string;
}

/** Popular projects a token span stands for: verbatim, version-less, affix-less or one edit away. */
function resolveCore(span: string, index: PopularIndex): Core[] {
  const out: Core[] = [];
  const rank = index.rankOf(span);
  if (rank !== undefined) out.push({ name: span, rank, cost: 0, via: 'name' });
  const c = compact(span);
  for (const f of index.formsSpelled(c)) {
    if (f.name === span || (f.via !== 'name' && c.length < DERIVED_CORE_MIN)) continue;
    const how = f.via === 'name' ? 'with separators changed' : f.via === 'stem' ? `without its version '${f.removed}'` : `without '${f.removed}'`;
    out.push({ name: f.name, rank: f.rank, cost: 0.5, via: f.via === 'core' ? 'derived' : 'name', how: `'${span}' is ${rankLabel(f.name, f.rank)} ${how}` });
  }
  if (out.length === 0 && c.length >= TYPO_CORE_MIN) {
    for (const f of index.formsNear(c, 1)) {
      if (f.via !== 'name' || editDistance(c, f.text, 1) !== 1) continue;
      out.push({ name: f.name, rank: f.rank, cost: 1, via: 'typo', how: `'${span}' is one edit from ${rankLabel(f.name, f.rank)}` });
    }
  }
  return out;
}

type TokenClass = 'filler' | 'edition' | 'popular' | 'other';

function classify(token: string, index: PopularIndex): TokenClass {
  if (isFillerToken(token)) return 'filler';
  if (EDITION_WORDS.has(token)) return 'edition';
  if (token.length >= 3 && index.has(token)) return 'popular';
  return 'other';
}

/** Names of more words than this are not cut into spans: the spans grow with the square of the words. */
const MAX_TOKENS = 8;

/** Every combosquat match of a normalized name, before the acceptance policy. */
export function comboMatches(norm: string, index: PopularIndex): Match[] {
  const tokens = norm.split('-');
  if (tokens.length > MAX_TOKENS) return [];
  return tokens.length >= 2 ? spanMatches(tokens, index) : gluedMatches(norm, index);
}

function spanMatches(tokens: string[], index: PopularIndex): Match[] {
  const out: Match[] = [];
  const classes = tokens.map((t) => classify(t, index));
  for (let i = 0; i < tokens.length; i++) {
    for (let j = i + 1; j <= tokens.length; j++) {
      if (i === 0 && j === tokens.length) continue;
      const extraIdx = [...tokens.keys()].filter((k) => k < i || k >= j);
      const extraClasses = extraIdx.map((k) => classes[k]!);
      // A feature word or an unknown word makes it a project of its own (`requests-cache`).
      if (extraClasses.includes('other')) continue;
      const span = tokens.slice(i, j).join('-');
      const extras = extraIdx.map((k) => tokens[k]!);
      const pairs = extraIdx.filter((k) => classes[k] === 'popular').map((k) => tokens[k]!);
      for (const core of resolveCore(span, index)) {
        const facts = core.how ? [core.how] : [];
        if (pairs.length === 0) {
          // Only py/python and version tokens: the affix rules of typosquat.ts own that case.
          if (!extraClasses.includes('edition')) continue;
          out.push({
            kind: 'combosquat',
            rule: 'edition-words',
            length: compact(span).length,
            target: core.name,
            rank: core.rank,
            cost: 1 + core.cost,
            facts: [`${rankLabel(core.name, core.rank)} with ${extras.map((e) => `'${e}'`).join(', ')} added, words that name no feature`, ...facts],
          });
          continue;
        }
        if (core.via !== 'name') continue;
        // Integrations of two famous projects live in the first one's namespace (`django-redis`,
        // `pytest-django`, `tox-poetry-installer`); outside any namespace the pair is bait.
        const leads = [...Array(Math.max(i, 1)).keys()].map((k) => tokens.slice(0, k + 1).join('-'));
        if ([core.name, ...leads].some((p) => index.prefixUses(p) >= RULES.namespaceMin)) continue;
        const ranks = pairs.map((p) => index.rankOf(p)!);
        // The longer name carries the disguise; the short famous word is the add-on (numpy, torch, flask).
        const all = [{ name: core.name, rank: core.rank }, ...pairs.map((p, k) => ({ name: p, rank: ranks[k]! }))];
        const target = [...all].sort((a, b) => b.name.length - a.name.length || a.rank - b.rank)[0]!;
        out.push({
          kind: 'combosquat',
          rule: 'popular-pair',
          length: compact(span).length,
          target: target.name,
          // The pair is only as credible as its less known half.
          rank: Math.max(...all.map((p) => p.rank)),
          cost: 1.5 + core.cost,
          facts: [`joins ${rankLabel(core.name, core.rank)} and ${pairs.map((p, k) => rankLabel(p, ranks[k]!)).join(', ')}`, ...facts],
        });
      }
    }
  }
  return out;
}

/** `torchtriton`: two popular names, or a popular name and an edition word, written as one word. */
function gluedMatches(c: string, index: PopularIndex): Match[] {
  const out: Match[] = [];
  for (let cut = GLUED_MIN; cut <= c.length - GLUED_MIN; cut++) {
    const a = c.slice(0, cut);
    const b = c.slice(cut);
    const ra = index.rankOf(a);
    const rb = index.rankOf(b);
    if (ra !== undefined && rb !== undefined) {
      const target = b.length > a.length || (b.length === a.length && rb < ra) ? { name: b, rank: rb } : { name: a, rank: ra };
      out.push({
        kind: 'combosquat',
        rule: 'glued-pair',
        length: Math.min(a.length, b.length),
        target: target.name,
        rank: Math.max(ra, rb),
        cost: 1.5,
        facts: [`${rankLabel(a, ra)} and ${rankLabel(b, rb)} written as one word`],
      });
    } else if (ra !== undefined && a.length >= 5 && EDITION_WORDS.has(b)) {
      out.push({
        kind: 'combosquat',
        rule: 'glued-edition',
        length: a.length,
        target: a,
        rank: ra,
        cost: 1,
        facts: [`${rankLabel(a, ra)} with '${b}' glued on, a word that names no feature`],
      });
    }
  }
  return out;
}
