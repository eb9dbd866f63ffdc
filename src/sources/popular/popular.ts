/**
 * The popular-projects index: PyPI projects ranked by downloads (a snapshot of hugovk's
 * top-pypi-packages, shipped in data/ and refreshable with `refreshPopular`), plus the lookup
 * structures the name checks need, built once per load.
 *
 * Offline behavior: this source is entirely local. The shipped snapshot is always there; a refreshed
 * file can replace it. Nothing here touches the network.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError, SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { DeletionIndex } from './deletions.js';
import { compact, skeleton, unaffixed, versionStem } from './forms.js';

/** The snapshot shipped with pyward (same path from src/ and from dist/). */
export const DEFAULT_POPULAR_FILE = fileURLToPath(new URL('../../../data/pypi-top15000.tsv', import.meta.url));

export interface PopularEntry {
  /** PEP 503-normalized name. */
  name: string;
  /** 1 is the most downloaded. */
  rank: number;
}

/**
 * How a popular project is spelled in a form: as itself, without its version digit (`urllib` for
 * `urllib3`), or without its py/python affix (`dateutil` for `python-dateutil`).
 */
export type FormVia = 'name' | 'stem' | 'core';

export interface PopularForm {
  /** The spelling, compact (no separators). */
  text: string;
  /** The popular project it stands for. */
  name: string;
  rank: number;
  via: FormVia;
  /** What was removed for a `stem` (the version, `3`) or a `core` (the affix, `python-`). */
  removed?: string;
}

/**
 * What the near-spelling lookups cover, a superset of what the name checks accept so that their
 * thresholds can be tuned without touching the index: one edit from every spelling of 3+
 * characters; two edits only from the spellings (7+ characters) of the best-ranked projects.
 *
 * Two edits are kept to the top of the list for speed, and because a second edit is a weak
 * resemblance worth reporting only for a famous target. The two-edit table is also small enough to
 * stay in the CPU cache, which is most of what makes 886,000 names take seconds.
 */
export const NEAR_MIN_LENGTH = 3;
export const TWO_EDITS_MIN_LENGTH = 7;
export const TWO_EDITS_MAX_RANK = 2000;

export class PopularIndex {
  /** Best rank first. */
  readonly entries: readonly PopularEntry[];
  readonly diagnostics: readonly Diagnostic[];
  /** Where the list came from (a file path, or `memory`). */
  readonly source: string;
  readonly forms: readonly PopularForm[];
  private readonly ranks = new Map<string, number>();
  private readonly byText = new Map<string, number[]>();
  private readonly bySkeleton = new Map<string, number[]>();
  private readonly byTokens = new Map<string, string[]>();
  private readonly prefixUse = new Map<string, number>();
  private readonly suffixUse = new Map<string, number>();
  private oneEdit: DeletionIndex | undefined;
  private twoEdits: DeletionIndex | undefined;
  private twoEditForms: number[] = [];

  constructor(entries: readonly PopularEntry[], source = 'memory', diagnostics: readonly Diagnostic[] = []) {
    const best = new Map<string, number>();
    for (const e of entries) {
      const name = normalizeName(e.name);
      const prev = best.get(name);
      if (prev === undefined || e.rank < prev) best.set(name, e.rank);
    }
    this.entries = [...best].map(([name, rank]) => ({ name, rank })).sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : 1));
    this.source = source;
    this.diagnostics = diagnostics;

    const forms: PopularForm[] = [];
    for (const { name, rank } of this.entries) {
      this.ranks.set(name, rank);
      forms.push({ text: compact(name), name, rank, via: 'name' });
      const v = versionStem(name);
      if (v) forms.push({ text: compact(v.stem), name, rank, via: 'stem', removed: v.version });
      for (const u of unaffixed(name)) forms.push({ text: compact(u.core), name, rank, via: 'core', removed: u.affix });

      const tokens = name.split('-');
      if (tokens.length > 1) {
        push(this.byTokens, [...tokens].sort().join('-'), name);
        for (let i = 1; i < tokens.length; i++) {
          bump(this.prefixUse, tokens.slice(0, i).join('-'));
          bump(this.suffixUse, tokens.slice(i).join('-'));
        }
      }
    }
    this.forms = forms;
    forms.forEach((f, id) => {
      push(this.byText, f.text, id);
      push(this.bySkeleton, skeleton(f.text), id);
    });
  }

  /** Ranks by position: the first name is rank 1. For tests and small custom lists. */
  static fromNames(names: readonly string[]): PopularIndex {
    return new PopularIndex(names.map((name, i) => ({ name, rank: i + 1 })));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Rank of a (normalized) name, or undefined when it is not popular. */
  rankOf(name: string): number | undefined {
    return this.ranks.get(name);
  }

  has(name: string): boolean {
    return this.ranks.has(name);
  }

  /** Forms spelled exactly `compactText`. */
  formsSpelled(compactText: string): readonly PopularForm[] {
    return (this.byText.get(compactText) ?? []).map((id) => this.forms[id]!);
  }

  /** Forms that read the same once look-alike characters are folded (see `skeleton`). */
  formsLookingLike(compactText: string): readonly PopularForm[] {
    return (this.bySkeleton.get(skeleton(compactText)) ?? []).map((id) => this.forms[id]!);
  }

  /** Popular names made of the same words in another order (`dateutil-python` -> `python-dateutil`). */
  sameWords(normalized: string): readonly string[] {
    const tokens = normalized.split('-');
    if (tokens.length < 2) return [];
    return this.byTokens.get([...tokens].sort().join('-')) ?? [];
  }

  /**
   * How many popular projects start with `prefix-` (`pytest` -> 248): a prefix many popular projects
   * share is a namespace of plugins and extensions, not bait.
   */
  prefixUses(prefix: string): number {
    return this.prefixUse.get(prefix) ?? 0;
  }

  /** How many popular projects end with `-suffix` (`stubs`, `redis` in `django-redis`). */
  suffixUses(suffix: string): number {
    return this.suffixUse.get(suffix) ?? 0;
  }

  /**
   * Forms that may be within one edit of `compactText` (a superset; verify the distance), and with
   * `edits` = 2 also those within two edits among the best-ranked (see TWO_EDITS_MAX_RANK). The
   * deletion indexes are built on first use, so loading the list for exact lookups stays cheap.
   */
  formsNear(compactText: string, edits: 1 | 2): readonly PopularForm[] {
    this.warm();
    const ids = this.oneEdit!.candidates(compactText, 1);
    const out = ids.map((id) => this.forms[id]!);
    if (edits === 2 && compactText.length >= TWO_EDITS_MIN_LENGTH - 2) {
      for (const k of this.twoEdits!.candidates(compactText, 2)) {
        const f = this.forms[this.twoEditForms[k]!]!;
        if (!out.includes(f)) out.push(f);
      }
    }
    return out;
  }

  /** Builds the deletion indexes now (for benchmarks and servers that want the cost up front). */
  warm(): this {
    if (this.oneEdit) return this;
    this.oneEdit = new DeletionIndex(
      this.forms.map((f) => f.text),
      (s) => (s.length >= NEAR_MIN_LENGTH ? 1 : 0),
    );
    this.twoEditForms = [...this.forms.keys()].filter((id) => {
      const f = this.forms[id]!;
      return f.rank <= TWO_EDITS_MAX_RANK && f.text.length >= TWO_EDITS_MIN_LENGTH;
    });
    this.twoEdits = new DeletionIndex(
      this.twoEditForms.map((id) => this.forms[id]!.text),
      () => 2,
    );
    return this;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Reads the ranked TSV: a header naming at least `rank` and `name` columns (others are ignored), then
 * one project per line; `#` lines are comments. Bad lines become diagnostics, the rest is kept.
 */
export function parsePopularTsv(text: string, file = 'popular.tsv'): { entries: PopularEntry[]; diagnostics: Diagnostic[] } {
  const entries: PopularEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  let rankCol = -1;
  let nameCol = -1;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cols = line.split('\t');
    if (nameCol < 0) {
      rankCol = cols.indexOf('rank');
      nameCol = cols.indexOf('name');
      if (rankCol < 0 || nameCol < 0) {
        throw new InputError('input-parse', `${file}: the header must name a 'rank' and a 'name' column (found: ${cols.join(', ')})`, {
          file,
          line: i + 1,
        });
      }
      continue;
    }
    const name = cols[nameCol]?.trim() ?? '';
    const rank = Number(cols[rankCol]);
    if (!/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name) || !Number.isInteger(rank) || rank < 1) {
      diagnostics.push({
        severity: 'warning',
        code: 'bad-popular-row',
        message: `skipped a row without a valid project name and positive rank: ${JSON.stringify(line.slice(0, 80))}`,
        location: { file, line: i + 1 },
      });
      continue;
    }
    entries.push({ name, rank });
  }
  if (nameCol < 0) throw new InputError('input-parse', `${file}: empty popular-projects list (no header)`, { file });
  return { entries, diagnostics };
}

/** Loads a ranked TSV (the shipped snapshot by default) and builds the index. */
export function loadPopular(file: string = DEFAULT_POPULAR_FILE): PopularIndex {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SourceError(
      'source-unreachable',
      `cannot read the popular-projects list ${file}: ${(e as Error).message}; reinstall pyward or refresh the list`,
    );
  }
  const { entries, diagnostics } = parsePopularTsv(text, file);
  return new PopularIndex(entries, file, diagnostics);
}
