/**
 * The popular-projects index: PyPI projects ranked by downloads (a snapshot of hugovk's
 * top-pypi-packages, shipped in data/ and refreshable with `refreshPopular`), plus the lookup
 * tables the name checks need, in typed arrays (compact.ts).
 *
 * Cache: `<cache dir>/popular/` holds the refreshed list (`pyward db update --popular`) and the
 * compiled tables of each list used (`index-*.bin`, about 5 MB), so that a load reads them instead of
 * rebuilding them from the TSV: about 1 ms for the name -> rank table, the rest on first need.
 *
 * Offline behavior: this source is entirely local. The shipped snapshot is always there; a refreshed
 * file can replace it. Nothing here touches the network.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, SourceError } from '../../core/errors.js';
import type { Diagnostic } from '../../core/model.js';
import { normalizeName } from '../../core/names.js';
import { hashString, packArrays, readPacked, stringAt, stringList, StringMultiMap, unpackArrays, type Packed, type StringList } from './compact.js';
import { DeletionIndex } from './deletions.js';
import { compact, skeleton, unaffixed, versionStem } from './forms.js';

/** The snapshot shipped with pyward (same path from src/ and from dist/). */
export const DEFAULT_POPULAR_FILE = fileURLToPath(new URL('../../../data/pypi-top15000.tsv', import.meta.url));

/** Where `pyward db update --popular` keeps the refreshed list, under the cache directory. */
export function refreshedPopularFile(cacheDir: string): string {
  return join(cacheDir, 'popular', 'top-pypi-packages.tsv');
}

/** The list the checks use: the refreshed one when there is one, else the shipped snapshot. */
export function popularListFile(cacheDir: string): string {
  const refreshed = refreshedPopularFile(cacheDir);
  return existsSync(refreshed) ? refreshed : DEFAULT_POPULAR_FILE;
}

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

const VIA: readonly FormVia[] = ['name', 'stem', 'core'];

/**
 * Everything the index is, in typed arrays (compact.ts): what `toBytes` saves and `fromBytes`
 * views again without parsing. Entries are best rank first; forms are numbered in build order.
 */
interface PopularData {
  names: StringList;
  ranks: Uint32Array;
  formText: StringList;
  formEntry: Uint32Array;
  formVia: Uint8Array;
  /** Index into `removed`; 0 is "nothing removed". */
  formRemoved: Uint32Array;
  removed: StringList;
  byName: StringMultiMap;
  byText: StringMultiMap;
  /** Skeleton -> forms, only for the forms whose skeleton is not their own text (`rn`, `0`, ...). */
  bySkeleton: StringMultiMap;
  /** Sorted tokens of multi-word names -> entries. */
  byTokens: StringMultiMap;
  prefixUse: StringMultiMap;
  suffixUse: StringMultiMap;
}

/** Bump when the saved layout or anything that goes into it changes: old files are then rebuilt. */
export const INDEX_FORMAT = 2;

/** A saved index to view instead of building one (see the constructor). */
export interface SavedIndex {
  file: Packed;
  /** Where the tables left out of `file` are, to read on first use. */
  restFile?: string;
}

export class PopularIndex {
  readonly diagnostics: readonly Diagnostic[];
  /** Where the list came from (a file path, or `memory`). */
  readonly source: string;
  /** The cache key a saved index was written with (see loadPopular); undefined when built in memory. */
  readonly key: string | undefined;
  /** The name -> rank table: all that a check of a popular name needs. */
  private readonly exact: Pick<PopularData, 'names' | 'ranks' | 'byName'>;
  /** Every table; read from the saved index (or built) on first use when the index was opened. */
  private tables: PopularData | undefined;
  /** The arrays `exact` views, when opened from a saved index. */
  private exactArrays: Packed['arrays'] | undefined;
  private readonly formCache: (PopularForm | undefined)[] = [];
  private entryCache: PopularEntry[] | undefined;
  private oneEdit: DeletionIndex | undefined;
  private twoEdits: DeletionIndex | undefined;
  private twoEditForms: Int32Array | undefined;
  /** The saved index whose other tables are still to be read (see `open`). */
  private restFile: string | undefined;

  /**
   * Builds the index of `entries`, or, with `saved` (what `open` and `fromBytes` pass), views a saved
   * one: all of it, or with `restFile` only the name -> rank table until another table is needed.
   */
  constructor(entries: readonly PopularEntry[], source = 'memory', diagnostics: readonly Diagnostic[] = [], saved?: SavedIndex) {
    this.source = source;
    if (!saved) {
      this.diagnostics = diagnostics;
      this.key = undefined;
      this.tables = buildData(entries);
      this.exact = this.tables;
      return;
    }
    const { header } = saved.file;
    this.diagnostics = (header['diagnostics'] ?? []) as Diagnostic[];
    this.key = typeof header['key'] === 'string' ? header['key'] : undefined;
    if (saved.restFile) {
      this.exact = exactOf(saved.file);
      this.exactArrays = saved.file.arrays;
      this.restFile = saved.restFile;
    } else {
      this.tables = dataOf(saved.file);
      this.exact = this.tables;
      this.useNear(saved.file, this.tables.formEntry.length);
    }
  }

  /** Ranks by position: the first name is rank 1. For tests and small custom lists. */
  static fromNames(names: readonly string[]): PopularIndex {
    return new PopularIndex(names.map((name, i) => ({ name, rank: i + 1 })));
  }

  /**
   * The index saved by `toBytes`, viewed in place (nothing is parsed or copied), or undefined when
   * the bytes are not a saved index of this format.
   */
  static fromBytes(bytes: Uint8Array, source: string): PopularIndex | undefined {
    return PopularIndex.saved(unpackArrays(bytes), source);
  }

  /**
   * The index saved at `path`, reading only the name -> rank table (a tenth of the file): the other
   * tables are read when a name that is not popular is first checked, which an audit of popular
   * projects never does.
   */
  static open(path: string, source: string): PopularIndex | undefined {
    return PopularIndex.saved(readPacked(path, isExactArray), source, path);
  }

  private static saved(file: Packed | undefined, source: string, restFile?: string): PopularIndex | undefined {
    if (!file || file.header['format'] !== INDEX_FORMAT) return undefined;
    try {
      return new PopularIndex([], source, [], { file, ...(restFile ? { restFile } : {}) });
    } catch {
      return undefined; // a table is missing or damaged
    }
  }

  private get data(): PopularData {
    return (this.tables ??= this.readRest());
  }

  /** The tables `open` left unread, from the same saved index; rebuilt from the names if it changed. */
  private readRest(): PopularData {
    const path = this.restFile;
    this.restFile = undefined;
    const file = path ? readPacked(path, (name) => !isExactArray(name)) : undefined;
    if (file && file.header['key'] === this.key && file.header['format'] === INDEX_FORMAT) {
      try {
        const all = { header: file.header, arrays: { ...this.exactArrays, ...file.arrays } };
        const data = dataOf(all);
        this.useNear(all, data.formEntry.length);
        return data;
      } catch {
        // A damaged file: build below.
      }
    }
    // Whatever is there is not the index `open` started reading: drop it, so the next load saves a good one.
    if (path) rmSync(path, { force: true });
    return buildData(this.entries);
  }

  /** Takes the saved deletion tables when `file` has them (they are read lazily otherwise). */
  private useNear(file: Packed, formCount: number): boolean {
    const arr = file.arrays;
    const forms = arr['twoEditForms'];
    if (!(forms instanceof Int32Array)) return false;
    const deletions = (p: string, strings: number): DeletionIndex => {
      const ids = arr[`${p}.ids`];
      if (!(ids instanceof Uint16Array || ids instanceof Int32Array)) throw new Error(`missing ${p}.ids`);
      return new DeletionIndex({ start: typed(arr, `${p}.start`, Uint32Array), keys: typed(arr, `${p}.keys`, Uint16Array), ids, filter: typed(arr, `${p}.filter`, Uint32Array), strings });
    };
    const one = deletions('oneEdit', formCount);
    const two = deletions('twoEdits', forms.length);
    [this.oneEdit, this.twoEdits, this.twoEditForms] = [one, two, forms];
    return true;
  }

  /** The whole index, deletion tables included, as bytes for `fromBytes`; `header` is kept in it. */
  toBytes(header: Record<string, unknown> = {}): Uint8Array {
    this.warm();
    const d = this.data;
    const arrays: Record<string, Uint8Array | Uint16Array | Uint32Array | Int32Array> = {};
    const list = (p: string, l: StringList): void => void Object.assign(arrays, { [`${p}.chars`]: l.chars, [`${p}.start`]: l.start });
    const map = (p: string, m: StringMultiMap): void => {
      list(`${p}.keys`, m.parts.keys);
      Object.assign(arrays, { [`${p}.hashes`]: m.parts.hashes, [`${p}.valueStart`]: m.parts.valueStart, [`${p}.values`]: m.parts.values, [`${p}.slots`]: m.parts.slots });
    };
    // The exact-lookup tables first: `open` reads them as one span (see isExactArray).
    list('names', d.names);
    arrays['ranks'] = d.ranks;
    map('byName', d.byName);
    list('formText', d.formText);
    Object.assign(arrays, { formEntry: d.formEntry, formVia: d.formVia, formRemoved: d.formRemoved });
    list('removed', d.removed);
    for (const k of ['byText', 'bySkeleton', 'byTokens', 'prefixUse', 'suffixUse'] as const) map(k, d[k]);
    arrays['twoEditForms'] = this.twoEditForms!;
    for (const [p, ix] of [['oneEdit', this.oneEdit!], ['twoEdits', this.twoEdits!]] as const)
      Object.assign(arrays, { [`${p}.start`]: ix.parts.start, [`${p}.keys`]: ix.parts.keys, [`${p}.ids`]: ix.parts.ids, [`${p}.filter`]: ix.parts.filter });
    return packArrays({ ...header, format: INDEX_FORMAT, diagnostics: this.diagnostics }, arrays);
  }

  get size(): number {
    return this.exact.ranks.length;
  }

  /** Best rank first (built on first use: the checks themselves never need the whole list). */
  get entries(): readonly PopularEntry[] {
    this.entryCache ??= [...this.exact.ranks].map((rank, i) => ({ name: stringAt(this.exact.names, i), rank }));
    return this.entryCache;
  }

  /** Every spelling (built on first use, for benchmarks and tests). */
  get forms(): readonly PopularForm[] {
    return Array.from({ length: this.data.formEntry.length }, (_, id) => this.form(id));
  }

  private form(id: number): PopularForm {
    let f = this.formCache[id];
    if (!f) {
      const d = this.data;
      const entry = d.formEntry[id]!;
      const removed = d.formRemoved[id]!;
      f = {
        text: stringAt(d.formText, id),
        name: stringAt(d.names, entry),
        rank: d.ranks[entry]!,
        via: VIA[d.formVia[id]!]!,
        ...(removed > 0 ? { removed: stringAt(d.removed, removed) } : {}),
      };
      this.formCache[id] = f;
    }
    return f;
  }

  /** Rank of a (normalized) name, or undefined when it is not popular. */
  rankOf(name: string): number | undefined {
    const entry = this.exact.byName.first(name);
    return entry === undefined ? undefined : this.exact.ranks[entry];
  }

  has(name: string): boolean {
    return this.exact.byName.find(name) >= 0;
  }

  /** Forms spelled exactly `compactText`. */
  formsSpelled(compactText: string): readonly PopularForm[] {
    return this.data.byText.get(compactText).map((id) => this.form(id));
  }

  /** Forms that read the same once look-alike characters are folded (see `skeleton`). */
  formsLookingLike(compactText: string): readonly PopularForm[] {
    const sk = skeleton(compactText);
    // A form that reads as itself is spelled `sk`; the others are listed under their skeleton.
    const plain = this.data.byText.get(sk).filter((id) => skeleton(stringAt(this.data.formText, id)) === sk);
    return [...plain, ...this.data.bySkeleton.get(sk)].map((id) => this.form(id));
  }

  /** Popular names made of the same words in another order (`dateutil-python` -> `python-dateutil`). */
  sameWords(normalized: string): readonly string[] {
    const tokens = normalized.split('-');
    if (tokens.length < 2) return [];
    return this.data.byTokens.get([...tokens].sort().join('-')).map((entry) => stringAt(this.data.names, entry));
  }

  /**
   * How many popular projects start with `prefix-` (`pytest` -> 248): a prefix many popular projects
   * share is a namespace of plugins and extensions, not bait.
   */
  prefixUses(prefix: string): number {
    return this.data.prefixUse.first(prefix) ?? 0;
  }

  /** How many popular projects end with `-suffix` (`stubs`, `redis` in `django-redis`). */
  suffixUses(suffix: string): number {
    return this.data.suffixUse.first(suffix) ?? 0;
  }

  /**
   * Forms that may be within one edit of `compactText` (a superset; verify the distance), and with
   * `edits` = 2 also those within two edits among the best-ranked (see TWO_EDITS_MAX_RANK). The
   * deletion indexes are built on first use (or loaded with a saved index), so a list built in
   * memory for exact lookups stays cheap.
   */
  formsNear(compactText: string, edits: 1 | 2): readonly PopularForm[] {
    this.warm();
    const ids = this.oneEdit!.candidates(compactText, 1);
    const out = ids.map((id) => this.form(id));
    if (edits === 2 && compactText.length >= TWO_EDITS_MIN_LENGTH - 2) {
      for (const k of this.twoEdits!.candidates(compactText, 2)) {
        const f = this.form(this.twoEditForms![k]!);
        if (!out.includes(f)) out.push(f);
      }
    }
    return out;
  }

  /** Builds the deletion indexes now (for benchmarks and servers that want the cost up front). */
  warm(): this {
    const d = this.data;
    if (this.oneEdit) return this;
    const texts = Array.from({ length: d.formEntry.length }, (_, id) => stringAt(d.formText, id));
    this.oneEdit = DeletionIndex.build(texts, (s) => (s.length >= NEAR_MIN_LENGTH ? 1 : 0));
    this.twoEditForms = new Int32Array(
      [...texts.keys()].filter((id) => d.ranks[d.formEntry[id]!]! <= TWO_EDITS_MAX_RANK && texts[id]!.length >= TWO_EDITS_MIN_LENGTH),
    );
    this.twoEdits = DeletionIndex.build(
      [...this.twoEditForms].map((id) => texts[id]!),
      () => 2,
    );
    return this;
  }
}

/** The arrays of a saved index that `open` reads at once (saved first, so they are one span). */
function isExactArray(name: string): boolean {
  return name === 'ranks' || name.startsWith('names.') || name.startsWith('byName.');
}

function typed<T>(arrays: Packed['arrays'], name: string, Ctor: new (n: number) => T): T {
  const a = arrays[name];
  if (!(a instanceof Ctor)) throw new Error(`saved popular index without ${name}`);
  return a as T;
}

function listOf(arr: Packed['arrays'], p: string): StringList {
  return { chars: typed(arr, `${p}.chars`, Uint8Array), start: typed(arr, `${p}.start`, Uint32Array) };
}

function mapOf(arr: Packed['arrays'], p: string): StringMultiMap {
  return new StringMultiMap({
    keys: listOf(arr, `${p}.keys`),
    hashes: typed(arr, `${p}.hashes`, Uint32Array),
    valueStart: typed(arr, `${p}.valueStart`, Uint32Array),
    values: typed(arr, `${p}.values`, Int32Array),
    slots: typed(arr, `${p}.slots`, Int32Array),
  });
}

function exactOf({ arrays }: Packed): Pick<PopularData, 'names' | 'ranks' | 'byName'> {
  return { names: listOf(arrays, 'names'), ranks: typed(arrays, 'ranks', Uint32Array), byName: mapOf(arrays, 'byName') };
}

/** The lookup tables of a saved index (throws when one is missing). */
function dataOf(file: Packed): PopularData {
  const arr = file.arrays;
  return {
    ...exactOf(file),
    formText: listOf(arr, 'formText'),
    formEntry: typed(arr, 'formEntry', Uint32Array),
    formVia: typed(arr, 'formVia', Uint8Array),
    formRemoved: typed(arr, 'formRemoved', Uint32Array),
    removed: listOf(arr, 'removed'),
    byText: mapOf(arr, 'byText'),
    bySkeleton: mapOf(arr, 'bySkeleton'),
    byTokens: mapOf(arr, 'byTokens'),
    prefixUse: mapOf(arr, 'prefixUse'),
    suffixUse: mapOf(arr, 'suffixUse'),
  };
}

/** The lookup tables of a ranked list: names, their spellings, word sets and namespace counts. */
function buildData(list: readonly PopularEntry[]): PopularData {
  const best = new Map<string, number>();
  for (const e of list) {
    const name = normalizeName(e.name);
    const prev = best.get(name);
    if (prev === undefined || e.rank < prev) best.set(name, e.rank);
  }
  const entries = [...best].map(([name, rank]) => ({ name, rank })).sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : 1));

  const byName = new Map<string, number[]>();
  const byTokens = new Map<string, number[]>();
  const prefixUse = new Map<string, number>();
  const suffixUse = new Map<string, number>();
  const texts: string[] = [];
  const formEntry: number[] = [];
  const formVia: number[] = [];
  const formRemoved: number[] = [];
  const removed = new Map<string, number>([['', 0]]);
  const addForm = (text: string, entry: number, via: FormVia, gone = ''): void => {
    if (!removed.has(gone)) removed.set(gone, removed.size);
    texts.push(text);
    formEntry.push(entry);
    formVia.push(VIA.indexOf(via));
    formRemoved.push(removed.get(gone)!);
  };
  entries.forEach(({ name }, i) => {
    byName.set(name, [i]);
    addForm(compact(name), i, 'name');
    const v = versionStem(name);
    if (v) addForm(compact(v.stem), i, 'stem', v.version);
    for (const u of unaffixed(name)) addForm(compact(u.core), i, 'core', u.affix);

    const tokens = name.split('-');
    if (tokens.length > 1) {
      push(byTokens, [...tokens].sort().join('-'), i);
      for (let k = 1; k < tokens.length; k++) {
        bump(prefixUse, tokens.slice(0, k).join('-'));
        bump(suffixUse, tokens.slice(k).join('-'));
      }
    }
  });
  const byText = new Map<string, number[]>();
  const bySkeleton = new Map<string, number[]>();
  texts.forEach((t, id) => {
    push(byText, t, id);
    const sk = skeleton(t);
    if (sk !== t) push(bySkeleton, sk, id);
  });
  const counts = (m: Map<string, number>): Map<string, number[]> => new Map([...m].map(([k, n]) => [k, [n]]));
  return {
    names: stringList(entries.map((e) => e.name)),
    ranks: new Uint32Array(entries.map((e) => e.rank)),
    formText: stringList(texts),
    formEntry: new Uint32Array(formEntry),
    formVia: new Uint8Array(formVia),
    formRemoved: new Uint32Array(formRemoved),
    removed: stringList([...removed.keys()]),
    byName: StringMultiMap.from(byName),
    byText: StringMultiMap.from(byText),
    bySkeleton: StringMultiMap.from(bySkeleton),
    byTokens: StringMultiMap.from(byTokens),
    prefixUse: StringMultiMap.from(counts(prefixUse)),
    suffixUse: StringMultiMap.from(counts(suffixUse)),
  };
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

export interface LoadOptions {
  /**
   * Where the compiled index of the list is kept (`popular/` under it). With it, the first load of
   * a list saves the built index there and later loads only read that file: a few milliseconds
   * instead of building the lookup tables again. Without it, everything is built in memory.
   */
  cacheDir?: string;
}

/**
 * Loads a ranked TSV (the shipped snapshot by default) and builds the index, or reads the index
 * compiled from the same file (same path, size and modification time) from the cache.
 */
export function loadPopular(file: string = DEFAULT_POPULAR_FILE, options: LoadOptions = {}): PopularIndex {
  const cache = options.cacheDir ? compiledFile(file, options.cacheDir) : undefined;
  if (cache) {
    // No compiled index yet, or an unreadable or stale one: build it below.
    const index = PopularIndex.open(cache.path, file);
    if (index && index.key === cache.key) return index;
  }
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
  const index = new PopularIndex(entries, file, diagnostics);
  if (cache) saveCompiled(index, cache);
  return index;
}

/**
 * Where the compiled index of `file` lives and the key it must carry: the format, the list's path,
 * size and modification time. A refreshed list is a new file (written beside and renamed over), so
 * it never meets an index compiled from the old one.
 */
function compiledFile(file: string, cacheDir: string): { path: string; key: string; dir: string; prefix: string } | undefined {
  let st;
  try {
    st = statSync(file);
  } catch {
    return undefined; // loadPopular reports the unreadable list
  }
  const abs = resolve(file);
  const key = `${INDEX_FORMAT}|${abs}|${st.size}|${st.mtimeMs}`;
  const dir = join(cacheDir, 'popular');
  const prefix = `index-${hashString(abs).toString(16)}-`;
  return { path: join(dir, `${prefix}${hashString(key).toString(16)}.bin`), key, dir, prefix };
}

/** Best effort: a cache that cannot be written only costs the next run the build again. */
function saveCompiled(index: PopularIndex, cache: NonNullable<ReturnType<typeof compiledFile>>): void {
  const tmp = `${cache.path}.${process.pid}.tmp`;
  try {
    mkdirSync(cache.dir, { recursive: true });
    writeFileSync(tmp, index.toBytes({ key: cache.key }));
    renameSync(tmp, cache.path);
    // Indexes of earlier versions of the same list are dead weight (a few MB each).
    for (const f of readdirSync(cache.dir)) {
      if (f.startsWith(cache.prefix) && f.endsWith('.bin') && join(cache.dir, f) !== cache.path) rmSync(join(cache.dir, f), { force: true });
    }
  } catch {
    rmSync(tmp, { force: true });
  }
}
