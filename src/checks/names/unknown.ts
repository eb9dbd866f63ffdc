/**
 * Names that do not exist on PyPI, judged against PyPI's list of every project (fetched by
 * `pyward db update --pypi-names`): offline, and with the existing projects such a name is a slip
 * away from, which is what the user most likely meant (`opnsea` -> `opensea`). The popular list
 * cannot say that when the project meant is not among the most downloaded. A young project that
 * looks like a slopsquat gets the same neighbours (its own name excluded).
 *
 * Which neighbour is "meant": fewer edits first; then one that keeps the first letter (people
 * rarely mistype the first letter of a word: `opnsea` is `opensea`, not `pnsea`); then a popular
 * project, the better ranked the likelier; then, for one edit, the kind of slip, commonest first
 * (a swap or a doubled letter, then a letter left out or added, then a neighbouring key or a
 * look-alike, then any other letter). When the two best are equal on all of these, no target is
 * named: the evidence lists them and the user chooses.
 */
import type { NameFinding, Package } from '../../core/model.js';
import { TWO_EDITS_MIN_LENGTH } from '../../sources/popular/popular.js';
import type { ProjectList } from '../../sources/pypi/project-list.js';
import { describeEdit, editDistance, editKind, editsBetween } from './edits.js';
import { days, nowMs, publicRegistryPackages, where } from './online.js';
import { notFoundFinding } from './slopsquat.js';

export interface Neighbour {
  name: string;
  edits: number;
  /** The edits in words, for the evidence. */
  how: string;
  /** Rank among the popular projects, when it is one. */
  rank?: number;
}

/** Characters of PEP 503-normalized names. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-';
/** Candidates shown in the evidence at most. */
const SHOWN = 3;
/**
 * Longer names are not searched: the one-edit spellings grow with the square of the length, and a
 * name this long (PyPI's longest real ones are joke names) is nobody's slip of the keyboard.
 */
const MAX_SEARCHED_LENGTH = 100;

const SLIP_ORDER: Record<string, number> = { swap: 0, repeat: 0, undouble: 0, plural: 0, insert: 1, delete: 1, keyboard: 2, 'look-alike': 2, vowel: 2, substitute: 3 };

/** Every spelling one insertion, deletion, substitution or adjacent swap away from `s`. */
function oneEditVariants(s: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i <= s.length; i++) {
    const head = s.slice(0, i);
    if (i < s.length) {
      out.add(head + s.slice(i + 1));
      if (i + 1 < s.length) out.add(head + s[i + 1] + s[i] + s.slice(i + 2));
    }
    for (const c of ALPHABET) {
      out.add(head + c + s.slice(i));
      if (i < s.length && c !== s[i]) out.add(head + c + s.slice(i + 1));
    }
  }
  out.delete(s);
  return out;
}

/** Names on `list` within two edits of `name` (one edit, or two for long names with none at one). */
function candidates(name: string, list: ProjectList): string[] {
  if (name.length > MAX_SEARCHED_LENGTH) return [];
  const one = [...oneEditVariants(name)].filter((v) => list.has(v));
  if (one.length > 0 || name.length < TWO_EDITS_MIN_LENGTH) return one;
  // Two edits: only names with the same first letter (see the rule above), found by a scan of
  // that letter's block of the sorted list rather than by generating ~10^6 spellings.
  const first = name[0]!;
  const from = list.lowerBound(first);
  const to = list.lowerBound(String.fromCharCode(first.charCodeAt(0) + 1));
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    if (Math.abs(list.lengthAt(i) - name.length) > 2) continue;
    const other = list.at(i);
    if (editDistance(name, other, 2) === 2) out.push(other);
  }
  return out;
}

/**
 * The existing projects closest to the normalized `name` (which is not on `list`), best first, and
 * whether the first is better than the second on the order above (only then is it a target).
 */
export function nearestExisting(name: string, list: ProjectList, rankOf: (name: string) => number | undefined): { neighbours: Neighbour[]; clear: boolean } {
  const scored = candidates(name, list).map((other) => {
    const edits = editsBetween(name, other);
    // Positions are in the spelling with its hyphens; only the name's end counts as a word end.
    const ends = new Set([other.length]);
    const rank = rankOf(other);
    const key = [
      edits.length,
      other[0] === name[0] ? 0 : 1,
      rank ?? Number.MAX_SAFE_INTEGER,
      edits.length === 1 ? SLIP_ORDER[editKind(edits[0]!, other, ends)] ?? 3 : 0,
    ];
    const n: Neighbour = { name: other, edits: edits.length, how: edits.map((e) => describeEdit(e, other, ends)).join(', '), ...(rank !== undefined ? { rank } : {}) };
    return { n, key };
  });
  scored.sort((a, b) => compareKeys(a.key, b.key) || (a.n.name < b.n.name ? -1 : 1));
  const clear = scored.length === 1 || (scored.length > 1 && compareKeys(scored[0]!.key, scored[1]!.key) < 0);
  return { neighbours: scored.map((s) => s.n), clear };
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * The evidence and target a `not-found` finding gains from the names near it. `known` is the target
 * the popular-name rules already found for the name: those rules weigh popularity with care, so a
 * different neighbour never overrides them (`dequests` is `requests`, not the existing `dequest`).
 */
export function nearestEvidence(
  name: string,
  list: ProjectList,
  rankOf: (name: string) => number | undefined,
  known?: string,
): Pick<NameFinding, 'evidence'> & { target?: string } {
  if (name.length > MAX_SEARCHED_LENGTH) return { evidence: [`not compared with existing projects: longer than ${MAX_SEARCHED_LENGTH} characters`] };
  let { neighbours, clear } = nearestExisting(name, list, rankOf);
  if (neighbours.length === 0) return { evidence: [`no existing project is within ${name.length >= TWO_EDITS_MIN_LENGTH ? 'two edits' : 'one edit'} of it`] };
  if (known !== undefined) {
    const at = neighbours.findIndex((n) => n.name === known);
    clear = at >= 0;
    if (at > 0) neighbours = [neighbours[at]!, ...neighbours.slice(0, at), ...neighbours.slice(at + 1)];
  }
  const describe = (n: Neighbour): string =>
    `'${n.name}' (${n.edits === 1 ? '1 edit' : `${n.edits} edits`}: ${n.how}${n.rank !== undefined ? `; popular, rank ${n.rank}` : ''})`;
  const shown = neighbours.slice(0, SHOWN).map(describe);
  const more = neighbours.length > SHOWN ? ` and ${neighbours.length - SHOWN} more` : '';
  if (clear) {
    const rest = shown.slice(1);
    return {
      target: neighbours[0]!.name,
      evidence: [`closest existing project: ${shown[0]}`, ...(rest.length ? [`also close: ${rest.join(', ')}${more}`] : [])],
    };
  }
  return { evidence: [`${known === undefined ? 'equally close existing projects' : 'existing projects close to it'}: ${shown.join(', ')}${more}`] };
}

/**
 * Adds the nearest other existing projects to every `not-found` and `slopsquat` finding (a name
 * registered days ago is a squat while it is live, and what it imitates is the same question);
 * `known` maps names to the popular rules' targets.
 */
export function addNearest(findings: NameFinding[], list: ProjectList, rankOf: (name: string) => number | undefined, known: ReadonlyMap<string, string>): void {
  for (const f of findings) {
    if ((f.kind !== 'not-found' && f.kind !== 'slopsquat') || f.target !== undefined) continue;
    const near = nearestEvidence(f.name, list, rankOf, known.get(f.name));
    f.evidence.push(...near.evidence);
    if (near.target !== undefined) {
      f.target = near.target;
      f.suggestion = `did you mean '${near.target}'? ${f.suggestion}`;
    }
  }
}

/**
 * The existence check without the network: every public registry package that is not on PyPI's
 * project list gets a `not-found` finding. The list's age is in the evidence: a project registered
 * after it was fetched is missing from it.
 */
export function unknownOnList(packages: readonly Package[], list: ProjectList, now?: number | Date | (() => number)): NameFinding[] {
  const fetched = Date.parse(list.meta.fetchedAt);
  const age = Number.isNaN(fetched) ? '' : `, ${days(nowMs(now) - fetched)} old`;
  const source = `PyPI (its project list of ${list.meta.fetchedAt.slice(0, 10)}: ${list.size.toLocaleString('en-US')} names${age})`;
  return publicRegistryPackages(packages)
    .filter((p) => !list.has(p.name))
    .map((p) => ({ ...notFoundFinding(p.name, source), ...where(p) }));
}
