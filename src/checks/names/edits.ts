/**
 * Edit distance between two spellings and the words for each edit. The distance is the optimal
 * string alignment variant of Damerau-Levenshtein: insertions, deletions, substitutions and swaps of
 * adjacent letters each cost 1, which matches how people mistype (`reqeusts` is one slip, not two).
 * The edits are spelled out because "distance 1" alone does not tell a user what to look for.
 */

export type Edit =
  | { op: 'insert'; char: string; at: number }
  | { op: 'delete'; char: string; at: number }
  | { op: 'substitute'; from: string; to: string; at: number }
  | { op: 'swap'; pair: string; at: number };

/**
 * Distance from `target` to `typed`, or undefined when it exceeds `max`. Rows that can no longer
 * come back under `max` end the computation early, which is most calls in a bulk check.
 */
export function editDistance(typed: string, target: string, max: number): number | undefined {
  const n = typed.length;
  const m = target.length;
  if (Math.abs(n - m) > max) return undefined;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const a = typed.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const b = target.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a === b ? 0 : 1));
      if (i > 1 && j > 1 && a === target.charCodeAt(j - 2) && typed.charCodeAt(i - 2) === b) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return undefined;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]! <= max ? prev[m]! : undefined;
}

/** The edits that turn `target` into `typed` (one optimal alignment), for the evidence text. */
export function editsBetween(typed: string, target: string): Edit[] {
  const n = typed.length;
  const m = target.length;
  const d: number[][] = Array.from({ length: n + 1 }, (_, i) => Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const same = typed[i - 1] === target[j - 1];
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (same ? 0 : 1));
      if (i > 1 && j > 1 && typed[i - 1] === target[j - 2] && typed[i - 2] === target[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  const edits: Edit[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = d[i]![j]!;
    if (i > 0 && j > 0 && typed[i - 1] === target[j - 1] && d[i - 1]![j - 1] === here) {
      i--;
      j--;
    } else if (i > 1 && j > 1 && typed[i - 1] === target[j - 2] && typed[i - 2] === target[j - 1] && d[i - 2]![j - 2]! + 1 === here) {
      edits.push({ op: 'swap', pair: target.slice(j - 2, j), at: j - 2 });
      i -= 2;
      j -= 2;
    } else if (i > 0 && j > 0 && d[i - 1]![j - 1]! + 1 === here) {
      edits.push({ op: 'substitute', from: target[j - 1]!, to: typed[i - 1]!, at: j - 1 });
      i--;
      j--;
    } else if (i > 0 && d[i - 1]![j]! + 1 === here) {
      edits.push({ op: 'insert', char: typed[i - 1]!, at: j });
      i--;
    } else {
      edits.push({ op: 'delete', char: target[j - 1]!, at: j - 1 });
      j--;
    }
  }
  return edits.reverse();
}

const QWERTY = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** Keys that touch each other on a QWERTY keyboard (same row neighbours and the rows above/below). */
const NEIGHBOURS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const pos = new Map<string, [number, number]>();
  // Each row is shifted about half a key right of the one above it.
  QWERTY.forEach((row, r) => [...row].forEach((ch, c) => pos.set(ch, [r, c + r * 0.5])));
  const out = new Map<string, Set<string>>();
  for (const [a, [ra, ca]] of pos) {
    const set = new Set<string>();
    for (const [b, [rb, cb]] of pos) {
      if (a !== b && Math.abs(ra - rb) <= 1 && Math.abs(ca - cb) <= 1) set.add(b);
    }
    out.set(a, set);
  }
  return out;
})();

export function keyboardNeighbours(a: string, b: string): boolean {
  return NEIGHBOURS.get(a)?.has(b) ?? false;
}

/** Single characters a reader takes for one another (digits standing in for letters included). */
const LOOKALIKE_PAIRS = ['l1', 'i1', 'il', 'o0', 's5', 'e3', 'a4', 'b8', 'g9', 'z2', 't7'];

export function lookAlike(a: string, b: string): boolean {
  return LOOKALIKE_PAIRS.includes(a + b) || LOOKALIKE_PAIRS.includes(b + a);
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/** Positions right after each word of a normalized name, counted in its compact spelling. */
export function wordEnds(normalized: string): Set<number> {
  const ends = new Set<number>();
  let at = 0;
  for (const word of normalized.split('-')) {
    at += word.length;
    ends.add(at);
  }
  return ends;
}

/** One edit in words, e.g. `dropped letter 's'`, `keyboard neighbour 'd' for 'r'`. */
export function describeEdit(e: Edit, target: string, ends: ReadonlySet<number> = new Set([target.length])): string {
  switch (e.op) {
    case 'insert': {
      const nearby = target[e.at - 1] === e.char || target[e.at] === e.char;
      if (nearby) return `repeated letter '${e.char}'`;
      return e.char === 's' && ends.has(e.at) ? `plural 's' added` : `added ${kind(e.char)} '${e.char}'`;
    }
    case 'delete': {
      const doubled = target[e.at - 1] === e.char || target[e.at + 1] === e.char;
      if (doubled) return `single '${e.char}' for double '${e.char}${e.char}'`;
      return e.char === 's' && ends.has(e.at + 1) ? `plural 's' dropped` : `dropped ${kind(e.char)} '${e.char}'`;
    }
    case 'swap':
      return `swapped letters '${e.pair}' -> '${e.pair[1]}${e.pair[0]}'`;
    case 'substitute':
      if (lookAlike(e.from, e.to)) return `look-alike '${e.to}' for '${e.from}'`;
      if (keyboardNeighbours(e.from, e.to)) return `keyboard neighbour '${e.to}' for '${e.from}'`;
      if (VOWELS.has(e.from) && VOWELS.has(e.to)) return `vowel '${e.to}' for '${e.from}'`;
      return `'${e.to}' for '${e.from}'`;
  }
}

/**
 * The class of an edit, for the acceptance policy: `repeat`, `undouble`, `plural`, `swap`,
 * `look-alike`, `keyboard`, ... `wordEnds` are the positions in `target` right after each word
 * (compact spellings lose the separators), so `importlibs-resources` is a plural, not any insertion.
 */
export function editKind(e: Edit, target: string, wordEnds: ReadonlySet<number> = new Set([target.length])): string {
  switch (e.op) {
    case 'insert':
      if (target[e.at - 1] === e.char || target[e.at] === e.char) return 'repeat';
      return e.char === 's' && wordEnds.has(e.at) ? 'plural' : 'insert';
    case 'delete':
      if (target[e.at - 1] === e.char || target[e.at + 1] === e.char) return 'undouble';
      return e.char === 's' && wordEnds.has(e.at + 1) ? 'plural' : 'delete';
    case 'swap':
      return 'swap';
    case 'substitute':
      return lookAlike(e.from, e.to) ? 'look-alike' : keyboardNeighbours(e.from, e.to) ? 'keyboard' : VOWELS.has(e.from) && VOWELS.has(e.to) ? 'vowel' : 'substitute';
  }
}

function kind(ch: string): string {
  return /\d/.test(ch) ? 'digit' : 'letter';
}
