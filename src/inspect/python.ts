/**
 * Python source -> a small structural analysis that rules match against: imports and what each
 * local name stands for, every call with its callee resolved through aliases (`b.b64decode` ->
 * `base64.b64decode`, `getattr(__builtins__, 'exec')` -> `exec`, `__import__('os').system` ->
 * `os.system`), string literals with their decoded values, and constant folding of the usual
 * obfuscations (`'ex' + 'ec'`, `chr(101)+...`, `'cexe'[::-1]`, `base64.b64decode('...')`), so that
 * a URL hidden in base64 is still a URL to the rules.
 *
 * The parser is tree-sitter's Python grammar compiled to WASM: no native build, no Python process,
 * and error tolerant, so a file that does not parse (or parses only in Python 2) is still analysed
 * as far as it goes. Everything here is bounded: file size, expression depth, folded string size.
 */
import { createRequire } from 'node:module';
import { inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';
import type * as TS from '@vscode/tree-sitter-wasm';

type Node = TS.Node;

export type Expr =
  | { k: 'str'; value: string; bytes: boolean; line: number }
  | { k: 'fstr'; value: string; parts: Expr[]; line: number }
  | { k: 'num'; value: number; line: number }
  /**
   * `local`: a variable or parameter rather than a module, builtin or imported name; `scope`: the
   * function it is used in (see valuesOf), absent at module level.
   */
  | { k: 'name'; name: string; line: number; local?: boolean; scope?: string }
  | { k: 'call'; call: PyCall; line: number }
  | { k: 'seq'; items: Expr[]; line: number }
  | { k: 'dict'; entries: { key?: Expr; value: Expr }[]; line: number }
  | { k: 'bin'; op: string; left: Expr; right: Expr; line: number }
  | { k: 'sub'; value: Expr; index: Expr; reverse: boolean; line: number }
  | { k: 'other'; type: string; parts: Expr[]; line: number };

export interface PyCall {
  /**
   * The callee as a dotted name with aliases resolved and builtins bare (`exec`, `os.system`,
   * `base64.b64decode`); for a method on something that is not a name, `.method` (`.decode`).
   */
  callee: string;
  /** For a method call, the object it is called on (`'x'.join` -> the string `'x'`). */
  receiver?: Expr;
  args: Expr[];
  kwargs: Map<string, Expr>;
  line: number;
  /** Runs when the module runs: not inside a def or lambda (class bodies do run). */
  topLevel: boolean;
  /** Inside `if __name__ == '__main__':`, which runs for `python setup.py` but not on import. */
  mainGuard: boolean;
  /** Inside a setup.py block for a command an install does not run (`if sys.argv[-1] == 'publish':`). */
  commandGuard?: boolean;
  /** The innermost enclosing function and class, if any. */
  func?: string;
  cls?: PyClass;
  /** The constant this call folds to, when it decodes or assembles constants. */
  folded?: string;
  /** The callable or module the call evaluates to: `getattr(os, 'system')` is `os.system`. */
  value?: string;
  /** An exec/eval/compile of constant code, which was parsed and analysed as part of the file. */
  literalExec?: boolean;
}

export interface PyImport {
  /** The module imported (`os.path`), or for `from m import n`, `m`. */
  module: string;
  /** For `from m import n`, `n`; `*` for a star import. */
  name?: string;
  /** The local name bound. */
  alias: string;
  line: number;
  topLevel: boolean;
  /** `__import__(...)`, `importlib.import_module(...)` rather than an import statement. */
  dynamic: boolean;
}

export interface PyClass {
  name: string;
  /** Base classes, resolved (`setuptools.command.install.install`). */
  bases: string[];
  line: number;
  methods: string[];
}

export interface PyString {
  value: string;
  line: number;
  /** `literal`, `docstring`, or how it was obtained: `base64`, `hex`, `chr`, `concat`, `reverse`, `zlib`, ... */
  via: string;
}

export interface PyAnalysis {
  imports: PyImport[];
  calls: PyCall[];
  strings: PyString[];
  classes: PyClass[];
  /**
   * Every value assigned to a plain name, in source order (for data flow), keyed by the name at
   * module level and by `<function path>\0<name>` inside functions; read it through valuesOf.
   */
  assignments: Map<string, Expr[]>;
  /** Attribute lookups by computed or string name on modules and builtins (getattr, __dict__[...], globals()[...]). */
  reflective: { line: number; target: string; name?: string; nameExpr?: Expr; viaGetattr?: boolean }[];
  /** Names of functions called from module top level: their bodies run on import too. */
  calledAtTopLevel: Set<string>;
  /** The tree had syntax errors (analysis went on around them). */
  hasErrors: boolean;
  /** Line where expression nesting passed the depth bound, which only generated code reaches. */
  deepNesting?: number;
}

/** Larger files are scanned as text only: the parser is linear, but reports on megabytes of generated code are not useful. */
export const MAX_PARSE_BYTES = 5 * 1024 * 1024;
const MAX_DEPTH = 150;
const MAX_FOLD = 1024 * 1024;

const require = createRequire(import.meta.url);
let parserPromise: Promise<TS.Parser> | undefined;

/** The parser, loaded once on first use (about 20 ms). */
export function pythonParser(): Promise<TS.Parser> {
  parserPromise ??= (async () => {
    const ts = require('@vscode/tree-sitter-wasm') as typeof TS;
    await ts.Parser.init();
    const language = await ts.Language.load(require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm'));
    const parser = new ts.Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

export async function analysePython(source: string): Promise<PyAnalysis> {
  const parser = await pythonParser();
  return analyseWith(parser, source);
}

/**
 * `shallow`: analyse module level (and class bodies) only, not function bodies. For modules whose
 * only interest to the rules is what they do when imported (network use at import, calls of other
 * modules' functions at import; see prefilter.ts), it saves walking the bulk of the tree.
 */
export function analyseWith(parser: TS.Parser, source: string, nesting = 0, shallow = false, ranges?: TS.Range[]): PyAnalysis {
  const input = parseInput(source, ranges);
  const tree = ranges ? parser.parse(input, null, { includedRanges: ranges }) : parser.parse(input);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const w = new Walker(parser, source, nesting, shallow);
    w.statement(tree.rootNode, 0);
    w.out.hasErrors = tree.rootNode.hasError;
    return w.out;
  } finally {
    tree.delete();
  }
}

/** The most characters the tree-sitter glue copies into WASM per call of the input (its 10 KB buffer). */
const CHUNK = 5119;
/** A chunk that the lexer is expected to leave at once (see parseInput). */
const PROBE = 64;

/**
 * The parse input, handed to tree-sitter in chunks that cost less to copy. Given the source string,
 * the glue copies up to CHUNK characters from the asked position, one by one, at every call; and
 * the lexer calls again each time it steps out of its chunk, which is often just behind it: it
 * reads past a chunk's end (a call there), then lexes the next token from a character or two
 * before (another call there, another full chunk). Parsing only some ranges, each range start
 * costs a full chunk too, however short the range. So:
 * - a chunk ends where its included range ends (the lexer jumps to the next range from there);
 * - a call right at the end of the chunk before is answered with a short chunk, and a long one
 *   comes with the call after (back a character, or on): each chunk boundary copies about PROBE
 *   characters more instead of a whole chunk.
 * Any chunking gives the same tree (tree-sitter reads its input through chunks of any length,
 * and this only changes where they end); only the copying changes.
 */
function parseInput(source: string, ranges: TS.Range[] | undefined): (index: number) => string {
  let lastEnd = -1;
  let lastShort = false;
  return (index: number): string => {
    if (index >= source.length) return '';
    let short = index === lastEnd && !lastShort;
    let end = index + CHUNK;
    if (ranges) {
      // the first range that ends after `index` (a binary search: the lexer moves back as well as on)
      let lo = 0;
      let hi = ranges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ranges[mid]!.endIndex <= index) lo = mid + 1;
        else hi = mid;
      }
      const r = ranges[lo];
      if (r && r.startIndex <= index && index < r.endIndex) {
        if (r.endIndex < end) end = r.endIndex;
        // (from the end of a range the lexer looks into the next one, and comes back, several times)
        if (index === r.startIndex && index > 0 && !lastShort) short = true;
      }
    }
    if (short) end = Math.min(end, index + PROBE);
    lastShort = short;
    lastEnd = Math.min(end, source.length);
    return source.slice(index, lastEnd);
  };
}

const FIELD_NAMES = [
  'alias', 'alternative', 'arguments', 'attribute', 'body', 'condition', 'consequence', 'expression', 'function', 'key',
  'left', 'module_name', 'name', 'object', 'operator', 'parameters', 'right', 'subscript', 'superclasses', 'value',
] as const;
type FieldIds = Record<(typeof FIELD_NAMES)[number], number>;
const fieldIdCache = new WeakMap<TS.Language, FieldIds>();

/**
 * The grammar's field ids by name, looked up once per language: `childForFieldName` searches the
 * language's field list on every call, and the walker asks for fields on most nodes. -1 (absent)
 * and 0 behave as in childForFieldName and childrenForFieldName.
 */
function fieldIds(language: TS.Language): FieldIds {
  let ids = fieldIdCache.get(language);
  if (!ids) {
    ids = Object.fromEntries(FIELD_NAMES.map((n) => [n, language.fields.indexOf(n)])) as FieldIds;
    fieldIdCache.set(language, ids);
  }
  return ids;
}

/** Names the interpreter provides without an import; `builtins.exec` and `__builtins__.exec` are these. */
const BUILTIN_ROOTS = new Set(['builtins', '__builtins__', '__builtin__']);

interface Scope {
  kind: 'def' | 'class' | 'lambda';
  name: string;
  cls?: PyClass;
  /** For a def: `name@line`, unique in the file, the key of its local names. */
  id?: string;
  /** The enclosing functions' ids up to this scope (see scopePath), kept so that it is not rebuilt per name. */
  path?: string;
}

class Walker {
  readonly out: PyAnalysis = {
    imports: [],
    calls: [],
    strings: [],
    classes: [],
    assignments: new Map(),
    reflective: [],
    calledAtTopLevel: new Set(),
    hasErrors: false,
  };
  /** Local name -> the dotted name it stands for (imports and aliases); changed only by bind and unbind. */
  private readonly aliases = new Map<string, string>();
  /**
   * How many aliases stand for a name under each first segment (`os` for `os.path`), kept with
   * aliases so that isKnownRoot, asked at every assignment of a name, does not go through them
   * all: a file of many imports and assignments was quadratic.
   */
  private readonly aliasRoots = new Map<string, number>();
  private starModules: string[] = [];
  private readonly scopes: Scope[] = [];
  private mainGuard = 0;
  private commandGuard = 0;
  private docstring = false;

  private readonly parser: TS.Parser;
  /** The parsed text: a node's text is sliced from it (see text). */
  private readonly source: string;
  private readonly f: FieldIds;
  /** How many exec'd string literals deep this source is (bounded, see execLiteral). */
  private readonly nesting: number;

  private readonly shallow: boolean;

  constructor(parser: TS.Parser, source: string, nesting: number, shallow = false) {
    this.parser = parser;
    this.source = source;
    this.f = fieldIds(parser.language!);
    this.nesting = nesting;
    this.shallow = shallow;
  }

  /**
   * A node's text. tree-sitter's `node.text` asks the parse input again (slicing the rest of the
   * source from the node's start) and then cuts that to length; the indices of this binding are
   * UTF-16 code units, the same as a JS string's, so slicing the source once gives the same text.
   */
  private text(node: Node): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }

  /** The text of a node that may be absent (`node?.text`). */
  private textOf(node: Node | null): string | undefined {
    return node ? this.text(node) : undefined;
  }

  /** `node.childrenForFieldName(name)`, by id. */
  private fields(node: Node, id: number): (Node | null)[] {
    return id > 0 ? node.childrenForFieldId(id) : [];
  }

  /** `node.childForFieldName(name)` without looking the name up in the language's field list each time. */
  private field(node: Node, id: number): Node | null {
    return id === -1 ? null : node.childForFieldId(id);
  }

  private get topLevel(): boolean {
    return !this.scopes.some((s) => s.kind !== 'class');
  }

  /**
   * `if sys.argv[-1] == 'publish':`, `if command in ('test', 'coverage'):` with `command =
   * sys.argv[1]`: a block for a setup.py command that an install does not run.
   */
  private isCommandGuard(cond: Expr): boolean {
    if (!someExpr(cond, this.out, (x) => x.k === 'name' && x.name === 'sys.argv', 2)) return false;
    const literals: string[] = [];
    const stack: Expr[] = [cond];
    while (stack.length > 0 && literals.length < 20) {
      const x = stack.pop()!;
      if (x.k === 'str') literals.push(x.value);
      else if (x.k === 'seq' || x.k === 'other' || x.k === 'bin') stack.push(...(x.k === 'seq' ? x.items : x.k === 'bin' ? [x.left, x.right] : x.parts));
    }
    return literals.length > 0 && literals.every((l) => /^[\w-]+$/.test(l) && !INSTALL_TIME_COMMANDS.has(l));
  }

  /** The enclosing functions (`outer@3/inner@10`), undefined at module level. */
  private get scopePath(): string | undefined {
    return this.scopes.at(-1)?.path;
  }

  private pushScope(s: Scope): void {
    const outer = this.scopePath;
    const path = s.id === undefined ? outer : outer === undefined ? s.id : `${outer}/${s.id}`;
    if (path !== undefined) s.path = path;
    this.scopes.push(s);
  }

  statement(node: Node, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.out.deepNesting ??= line(node);
      return;
    }
    switch (ty(node)) {
      case 'import_statement':
        return this.importStatement(node);
      case 'import_from_statement':
        return this.importFrom(node);
      case 'future_import_statement':
        return;
      case 'function_definition': {
        const name = this.textOf(this.field(node, this.f.name)) ?? '?';
        const cls = this.scopes.at(-1)?.kind === 'class' ? this.scopes.at(-1)!.cls : undefined;
        cls?.methods.push(name);
        // Default values run when the def runs (at import for a module-level def), so they are
        // analysed in a shallow walk too.
        // The grammar's only `parameters` child of a def is its parameters field: fetched alone, not
        // with every other child (name, return type, body), each of which would be a new node object.
        const params = this.field(node, this.f.parameters);
        if (params && ty(params) === 'parameters') this.expr(params, depth + 1);
        // Module level only (see analyseWith): bodies run when called, and nothing in them matters here.
        if (this.shallow) return;
        this.pushScope({ kind: 'def', name, id: `${name}@${line(node)}`, ...(cls ? { cls } : {}) });
        const body = this.field(node, this.f.body);
        if (body) this.statement(body, depth + 1);
        this.scopes.pop();
        return;
      }
      case 'class_definition': {
        const name = this.textOf(this.field(node, this.f.name)) ?? '?';
        const bases: string[] = [];
        const supers = this.field(node, this.f.superclasses);
        if (supers) {
          for (const b of supers.namedChildren) {
            if (!b) continue;
            const e = this.expr(b, depth + 1);
            if (e.k === 'name') bases.push(e.name);
          }
        }
        const cls: PyClass = { name, bases, line: line(node), methods: [] };
        this.out.classes.push(cls);
        this.pushScope({ kind: 'class', name, cls });
        const body = this.field(node, this.f.body);
        if (body) this.statement(body, depth + 1);
        this.scopes.pop();
        return;
      }
      case 'if_statement':
      case 'elif_clause': {
        const cond = this.field(node, this.f.condition);
        const guard = cond !== null && isMainGuard(this.text(cond));
        const condExpr = cond ? this.expr(cond, depth + 1) : undefined;
        const command = condExpr !== undefined && this.isCommandGuard(condExpr);
        const consequence = this.field(node, this.f.consequence);
        if (guard) this.mainGuard++;
        if (command) this.commandGuard++;
        if (consequence) this.statement(consequence, depth + 1);
        if (command) this.commandGuard--;
        if (guard) this.mainGuard--;
        for (const alt of this.fields(node, this.f.alternative)) if (alt) this.statement(alt, depth + 1);
        return;
      }
      case 'expression_statement': {
        // A bare string statement is a docstring or a comment in disguise: documentation, so string
        // rules skip it (an exec of __doc__ is still seen as exec of a non-literal).
        // The children are fetched once: each fetch crosses into WASM and makes new node objects.
        const children = node.namedChildren;
        const only = children.length === 1 ? children[0] : null;
        if (only && (ty(only) === 'string' || ty(only) === 'concatenated_string')) {
          this.docstring = true;
          this.expr(only, depth + 1);
          this.docstring = false;
          return;
        }
        for (const c of children) if (c) this.expr(c, depth + 1);
        return;
      }
      case 'for_statement': {
        // `for k, v in os.environ.items():` binds k and v to what they iterate over, so data flow
        // follows a loop variable back to its source (the ctx theft joined the environment this way).
        const right = this.field(node, this.f.right);
        const it = right ? this.expr(right, depth + 1) : otherExpr(line(node));
        const left = this.field(node, this.f.left);
        if (left) this.bindTargets(left, it);
        const body = this.field(node, this.f.body);
        if (body) this.statement(body, depth + 1);
        const alt = this.field(node, this.f.alternative);
        if (alt) this.statement(alt, depth + 1);
        return;
      }
      case 'block':
      case 'module':
      default:
        for (const c of node.namedChildren) {
          if (!c) continue;
          if (isStatementLike(ty(c))) this.statement(c, depth + 1);
          else this.expr(c, depth + 1);
        }
    }
  }

  /**
   * `exec('import os\nos.system(...)')`, or exec of a constant that decodes to code: the code is in
   * the file, only quoted. It is parsed and its calls, imports and strings join this file's, at the
   * exec's line and position, so the rules judge what the code does rather than that it was quoted
   * (coverage's .pth execs a literal honestly; a setup.py that execs `os.system('curl ...|sh')` does
   * not). `literalExec` marks an exec whose code was analysed this way.
   */
  private execLiteral(call: PyCall, arg: Expr): void {
    const code = constValue(arg);
    if (code === undefined || code.length > 256 * 1024 || this.nesting >= 3 || !/[\n;(=]|^\s*(import|from)\s/.test(code)) return;
    let inner: PyAnalysis;
    try {
      inner = analyseWith(this.parser, code, this.nesting + 1);
    } catch {
      return;
    }
    if (inner.hasErrors) return;
    call.literalExec = true;
    const ln = call.line;
    for (const c of inner.calls) {
      c.line = ln;
      c.topLevel = c.topLevel && call.topLevel;
      c.mainGuard = c.mainGuard || call.mainGuard;
      if (c.func === undefined && call.func !== undefined) c.func = call.func;
      if (c.cls === undefined && call.cls !== undefined) c.cls = call.cls;
      this.out.calls.push(c);
    }
    for (const i of inner.imports) this.out.imports.push({ ...i, line: ln, topLevel: i.topLevel && call.topLevel });
    for (const s of inner.strings) this.out.strings.push({ ...s, line: ln });
    for (const r of inner.reflective) this.out.reflective.push({ ...r, line: ln });
    for (const [k, v] of inner.assignments) for (const e of v) this.addAssignment(k, e);
    if (call.topLevel && !call.mainGuard) for (const f of inner.calledAtTopLevel) this.out.calledAtTopLevel.add(f);
    this.out.classes.push(...inner.classes);
  }

  private bind(alias: string, target: string): void {
    this.unbind(alias, false);
    this.aliases.set(alias, target);
    const root = firstSegment(target);
    this.aliasRoots.set(root, (this.aliasRoots.get(root) ?? 0) + 1);
  }

  /** `remove`: also forget the name (bind keeps its place in aliases, as Map.set does). */
  private unbind(alias: string, remove = true): void {
    const old = this.aliases.get(alias);
    if (old === undefined) return;
    if (remove) this.aliases.delete(alias);
    const root = firstSegment(old);
    const n = this.aliasRoots.get(root)! - 1;
    if (n === 0) this.aliasRoots.delete(root);
    else this.aliasRoots.set(root, n);
  }

  private importStatement(node: Node): void {
    for (const n of this.fields(node, this.f.name)) {
      if (!n) continue;
      if (ty(n) === 'aliased_import') {
        const module = this.textOf(this.field(n, this.f.name)) ?? '';
        const alias = this.textOf(this.field(n, this.f.alias)) ?? module;
        this.addImport(module, undefined, alias, line(node), false);
      } else {
        const module = this.text(n);
        // `import a.b.c` binds `a`, which then resolves attribute chains to the full name.
        const root = module.split('.')[0]!;
        this.addImport(module, undefined, root, line(node), false, root);
      }
    }
  }

  private importFrom(node: Node): void {
    const m = this.field(node, this.f.module_name);
    const module = m ? this.text(m).replace(/\s+/g, '') : '';
    for (const c of node.namedChildren) {
      if (tyq(c) === 'wildcard_import') {
        this.addImport(module, '*', '*', line(node), false);
        if (!module.startsWith('.')) this.starModules = [module, ...this.starModules];
      }
    }
    for (const n of this.fields(node, this.f.name)) {
      if (!n) continue;
      const name = ty(n) === 'aliased_import' ? (this.textOf(this.field(n, this.f.name)) ?? '') : this.text(n);
      const alias = ty(n) === 'aliased_import' ? (this.textOf(this.field(n, this.f.alias)) ?? name) : name;
      this.addImport(module, name, alias, line(node), false);
    }
  }

  private addImport(module: string, name: string | undefined, alias: string, ln: number, dynamic: boolean, target?: string): void {
    const imp: PyImport = { module, alias, line: ln, topLevel: this.topLevel, dynamic };
    if (name !== undefined) imp.name = name;
    this.out.imports.push(imp);
    if (alias === '*') return;
    this.bind(alias, target ?? (name !== undefined ? `${module}.${name}` : module));
  }

  /** Resolves a bare identifier: an alias, a builtin, a star-imported name, or a plain local. */
  private resolveName(id: string): string {
    const a = this.aliases.get(id);
    if (a !== undefined) return a;
    const scope = this.scopePath;
    if (this.starModules.length > 0 && !this.out.assignments.has(id) && !(scope !== undefined && this.out.assignments.has(`${scope}\0${id}`)) && !PY_BUILTINS.has(id)) {
      return `${this.starModules[0]}.${id}`;
    }
    return id;
  }

  expr(node: Node, depth: number): Expr {
    const ln = line(node);
    if (depth > MAX_DEPTH) {
      this.out.deepNesting ??= ln;
      return { k: 'other', type: 'deep', parts: [], line: ln };
    }
    const d = depth + 1;
    switch (ty(node)) {
      case 'identifier': {
        const id = this.text(node);
        const name = this.resolveName(id);
        // A name that is neither imported, aliased, builtin nor star-imported is a variable:
        // `f.read()` is a method call on f, not a function `f.read`.
        if (name === id && !this.aliases.has(id) && !PY_BUILTINS.has(id) && !BUILTIN_ROOTS.has(id)) {
          const scope = this.scopePath;
          return scope === undefined ? { k: 'name', name, line: ln, local: true } : { k: 'name', name, line: ln, local: true, scope };
        }
        return { k: 'name', name, line: ln };
      }
      case 'string':
        return this.stringExpr(node, d);
      case 'concatenated_string': {
        const mark = this.out.strings.length;
        const parts = node.namedChildren.filter((c): c is Node => c !== null).map((c) => this.expr(c, d));
        if (parts.every((p) => p.k === 'str')) {
          const value = parts.map((p) => (p as { value: string }).value).join('');
          // `"see " "http://..." " for details"` is one string: the rules see it whole (a URL split
          // across parts is still a URL; a message is still prose), at its first line.
          this.out.strings.length = mark;
          if (value.length > 0) this.addString(value, ln, this.docstring ? 'docstring' : 'literal');
          return { k: 'str', value, bytes: (parts[0] as { bytes: boolean }).bytes, line: ln };
        }
        return { k: 'fstr', value: parts.map((p) => (p.k === 'str' || p.k === 'fstr' ? p.value : '{}')).join(''), parts, line: ln };
      }
      case 'integer': {
        const v = parseInteger(this.text(node));
        return { k: 'num', value: v, line: ln };
      }
      case 'float':
        return { k: 'num', value: Number(this.text(node).replace(/_/g, '')), line: ln };
      case 'attribute': {
        const obj = this.field(node, this.f.object);
        const attr = this.textOf(this.field(node, this.f.attribute)) ?? '';
        const o = obj ? this.expr(obj, d) : undefined;
        const base = o ? moduleOf(o) : undefined;
        if (base !== undefined) return { k: 'name', name: normalizeBuiltin(`${base}.${attr}`), line: ln };
        return { k: 'other', type: `.${attr}`, parts: o ? [o] : [], line: ln };
      }
      case 'call':
        return this.call(node, d);
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c !== null && ty(c) !== 'comment');
        return inner ? this.expr(inner, d) : { k: 'other', type: 'paren', parts: [], line: ln };
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return { k: 'seq', items: this.children(node, d), line: ln };
      case 'dictionary': {
        const entries: { key?: Expr; value: Expr }[] = [];
        for (const c of node.namedChildren) {
          if (!c) continue;
          if (ty(c) === 'pair') {
            const key = this.field(c, this.f.key);
            const value = this.field(c, this.f.value);
            const v = value ? this.expr(value, d) : { k: 'other' as const, type: '?', parts: [], line: ln };
            entries.push(key ? { key: this.expr(key, d), value: v } : { value: v });
          } else {
            entries.push({ value: this.expr(c, d) });
          }
        }
        return { k: 'dict', entries, line: ln };
      }
      case 'binary_operator': {
        // `a + b + c + ...` is a left-leaning chain, not nesting: a long sum in generated tables
        // (sympy's polynomials) would otherwise reach the depth bound. Walk the left spine in a
        // loop, so only real nesting (parentheses, calls) counts towards the bound.
        const spine: Node[] = [];
        let leftmost: Node | null = node;
        while (leftmost !== null && ty(leftmost) === 'binary_operator') {
          spine.push(leftmost);
          leftmost = this.field(leftmost, this.f.left);
        }
        let acc = leftmost ? this.expr(leftmost, d) : otherExpr(ln);
        for (let i = spine.length - 1; i >= 0; i--) {
          const n = spine[i]!;
          const r = this.field(n, this.f.right);
          const op = this.textOf(this.field(n, this.f.operator)) ?? '?';
          const right = r ? this.expr(r, d) : otherExpr(ln);
          acc = { k: 'bin', op, left: acc, right, line: line(n) };
          const folded = constValue(acc);
          if (folded !== undefined) this.addString(folded, line(n), 'concat');
        }
        return acc;
      }
      case 'subscript': {
        const v = this.field(node, this.f.value);
        const s = this.field(node, this.f.subscript);
        const value = v ? this.expr(v, d) : otherExpr(ln);
        const index = s ? this.expr(s, d) : otherExpr(ln);
        const reverse = s !== null && ty(s) === 'slice' && /^\s*:\s*:\s*-\s*1\s*$/.test(this.text(s));
        const e: Expr = { k: 'sub', value, index, reverse, line: ln };
        // `__builtins__['exec']`, `globals()['os']`, `vars(m)['system']`, `m.__dict__['system']`.
        const key = constValue(index);
        const target = reflectiveTarget(value);
        if (target !== undefined && key !== undefined) {
          this.out.reflective.push({ line: ln, target, name: key });
          return { k: 'name', name: normalizeBuiltin(target === 'globals' ? key : `${target}.${key}`), line: ln };
        }
        if (reverse) {
          const rv = constValue(e);
          if (rv !== undefined) this.addString(rv, ln, 'reverse');
        }
        return e;
      }
      case 'assignment':
      case 'augmented_assignment': {
        const left = this.field(node, this.f.left);
        const right = this.field(node, this.f.right);
        const r = right ? this.expr(right, d) : otherExpr(ln);
        if (left) {
          if (ty(left) === 'identifier') this.assign(this.text(left), r, ty(node) === 'augmented_assignment');
          else if (ty(left) === 'pattern_list' || ty(left) === 'tuple_pattern') {
            const names = left.namedChildren.filter((c): c is Node => tyq(c) === 'identifier');
            names.forEach((n, i) => this.assign(this.text(n), r.k === 'seq' ? (r.items[i] ?? r) : r, false));
          } else if (ty(left) === 'subscript') {
            // `loot['env'] = dict(os.environ)` puts the value into loot: the container carries it.
            this.expr(left, d);
            const base = this.field(left, this.f.value);
            if (base !== null && ty(base) === 'identifier') this.addAssignment(this.text(base), r);
          } else this.expr(left, d);
        }
        return r;
      }
      case 'for_in_clause': {
        // A comprehension's `for x in xs`: x stands for xs, and xs stays part of the expression.
        const right = this.field(node, this.f.right);
        const it = right ? this.expr(right, d) : otherExpr(ln);
        const left = this.field(node, this.f.left);
        if (left) this.bindTargets(left, it);
        return { k: 'other', type: 'for_in_clause', parts: [it], line: ln };
      }
      case 'if_clause':
        return { k: 'other', type: 'if_clause', parts: this.children(node, d), line: ln };
      case 'as_pattern': {
        // `with open(p) as f:` binds f to the opened file, as an assignment would.
        const value = node.namedChildren.find((c) => c !== null && ty(c) !== 'as_pattern_target');
        const target = node.namedChildren.find((c) => tyq(c) === 'as_pattern_target');
        const v = value ? this.expr(value, d) : otherExpr(ln);
        const id = target?.namedChildren.find((c) => tyq(c) === 'identifier');
        if (id) this.assign(this.text(id), v, false);
        return v;
      }
      case 'lambda': {
        this.pushScope({ kind: 'lambda', name: '<lambda>' });
        const parts = this.children(node, d);
        this.scopes.pop();
        return { k: 'other', type: 'lambda', parts, line: ln };
      }
      case 'comment':
        return { k: 'other', type: 'comment', parts: [], line: ln };
      default: {
        if (isStatementLike(ty(node))) {
          this.statement(node, d);
          return { k: 'other', type: ty(node), parts: [], line: ln };
        }
        return { k: 'other', type: ty(node), parts: this.children(node, d), line: ln };
      }
    }
  }

  private children(node: Node, depth: number): Expr[] {
    const out: Expr[] = [];
    for (const c of node.namedChildren) if (c && ty(c) !== 'comment') out.push(this.expr(c, depth));
    return out;
  }

  /** Loop and comprehension targets (`x`, `k, v`, `(a, b)`) each take the iterated value. */
  private bindTargets(target: Node, value: Expr): void {
    if (ty(target) === 'identifier') {
      this.assign(this.text(target), value, true);
      return;
    }
    if (ty(target) === 'pattern_list' || ty(target) === 'tuple_pattern' || ty(target) === 'list_pattern') {
      for (const c of target.namedChildren) if (c) this.bindTargets(c, value);
    }
  }

  /** Records a value flowing into a name without rebinding it (an item stored into a container). */
  private addAssignment(name: string, value: Expr): void {
    // A name assigned in a function is that function's: `v` in one function is not `v` in another.
    const scope = this.scopePath;
    const key = scope === undefined ? name : `${scope}\0${name}`;
    const list = this.out.assignments.get(key);
    if (list) list.push(value);
    else this.out.assignments.set(key, [value]);
  }

  private assign(name: string, value: Expr, augmented: boolean): void {
    this.addAssignment(name, value);
    // `e = exec`, `s = os.system`, `b = __import__('base64')`: the name now stands for that
    // callable or module. Plain data keeps its own name, so `x = foo.bar` stays `x`.
    if (!augmented && value.k === 'name' && this.isKnownRoot(value.name)) this.bind(name, value.name);
    else if (!augmented && value.k === 'call') {
      const mod = value.call.value ?? importedModule(value.call);
      if (mod !== undefined) this.bind(name, mod);
      else this.unbind(name);
    } else this.unbind(name);
  }

  /** Whether a builtin, or an alias stands for `root` or something under it (`os` for `os.path.join`). */
  private isKnownRoot(dotted: string): boolean {
    if (PY_BUILTINS.has(dotted)) return true;
    return this.aliasRoots.has(firstSegment(dotted));
  }

  private stringExpr(node: Node, depth: number): Expr {
    const ln = line(node);
    const plain = this.plainString(node);
    if (plain !== undefined) {
      if (plain.value.length > 0) this.addString(plain.value, ln, this.docstring ? 'docstring' : 'literal');
      return { k: 'str', value: plain.value, bytes: plain.bytes, line: ln };
    }
    let prefix = '';
    let value = '';
    const parts: Expr[] = [];
    let interpolated = false;
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (ty(c) === 'string_start') prefix = this.text(c).replace(/['"]+$/, '').toLowerCase();
      else if (ty(c) === 'string_content') value += prefix.includes('r') ? this.text(c) : unescapePython(this.text(c), prefix.includes('b'));
      else if (ty(c) === 'interpolation') {
        interpolated = true;
        value += '{}';
        const e = this.field(c, this.f.expression);
        if (e) parts.push(this.expr(e, depth));
      }
    }
    if (value.length > 0) this.addString(value, ln, this.docstring ? 'docstring' : 'literal');
    if (interpolated) return { k: 'fstr', value, parts, line: ln };
    return { k: 'str', value, bytes: prefix.includes('b'), line: ln };
  }

  /**
   * The value of a string literal that cannot interpolate (no f or t prefix) and parsed without
   * errors, read from its own text: such a string is its prefix, its quotes, one body (tree-sitter's
   * string_content) and the same quotes, so this is what the loop over its children in stringExpr
   * gives, without making the three child nodes, which costs more than the rest of the string's
   * analysis. Anything else (interpolation, errors, an unexpected shape) takes that loop.
   */
  private plainString(node: Node): { value: string; bytes: boolean } | undefined {
    const text = this.text(node);
    let p = 0;
    while (p < text.length && /[rRbBuU]/.test(text[p]!)) p++;
    const q = text[p];
    if (q !== "'" && q !== '"') return undefined;
    const quotes = text.startsWith(q + q + q, p) ? q + q + q : q;
    if (text.length < p + 2 * quotes.length || !text.endsWith(quotes) || node.hasError) return undefined;
    const prefix = text.slice(0, p).toLowerCase();
    const body = text.slice(p + quotes.length, text.length - quotes.length);
    const bytes = prefix.includes('b');
    if (!prefix.includes('r')) return { value: unescapePython(body, bytes), bytes };
    // In a raw string, the grammar's scanner steps over `\\` and `\'` without counting them as
    // content: a body of only such pairs (`r'\\'`) becomes part of string_end, and the value is ''.
    // Raw strings with a backslash are left to the loop over the children, which sees that.
    return body.includes('\\') ? undefined : { value: body, bytes };
  }

  addString(value: string, ln: number, via: string): void {
    this.out.strings.push({ value: value.length > MAX_FOLD ? value.slice(0, MAX_FOLD) : value, line: ln, via });
  }

  private call(node: Node, depth: number): Expr {
    const ln = line(node);
    const fn = this.field(node, this.f.function);
    const argsNode = this.field(node, this.f.arguments);
    let callee = '';
    let receiver: Expr | undefined;
    if (fn) {
      if (ty(fn) === 'attribute') {
        const obj = this.field(fn, this.f.object);
        const attr = this.textOf(this.field(fn, this.f.attribute)) ?? '';
        const o = obj ? this.expr(obj, depth) : otherExpr(ln);
        const base = moduleOf(o);
        if (base !== undefined) callee = normalizeBuiltin(`${base}.${attr}`);
        else {
          callee = `.${attr}`;
          receiver = o;
        }
      } else {
        const f = this.expr(fn, depth);
        const resolved = f.k === 'call' ? f.call.value : undefined;
        if (f.k === 'name') callee = f.name;
        else if (resolved !== undefined) callee = resolved;
        else {
          callee = '';
          receiver = f;
        }
      }
    }
    const args: Expr[] = [];
    const kwargs = new Map<string, Expr>();
    if (argsNode) {
      for (const a of argsNode.namedChildren) {
        if (!a || ty(a) === 'comment') continue;
        if (ty(a) === 'keyword_argument') {
          const name = this.textOf(this.field(a, this.f.name)) ?? '';
          const v = this.field(a, this.f.value);
          kwargs.set(name, v ? this.expr(v, depth) : otherExpr(ln));
        } else args.push(this.expr(a, depth));
      }
    }
    // The innermost def, and the innermost class or method of one (searched from the inside out).
    let func: Scope | undefined;
    let cls: PyClass | undefined;
    let clsFound = false;
    for (let i = this.scopes.length - 1; i >= 0 && (func === undefined || !clsFound); i--) {
      const s = this.scopes[i]!;
      if (func === undefined && s.kind === 'def') func = s;
      if (!clsFound && (s.kind === 'class' || s.cls)) {
        cls = s.cls;
        clsFound = true;
      }
    }
    const call: PyCall = { callee, args, kwargs, line: ln, topLevel: this.topLevel, mainGuard: this.mainGuard > 0 };
    if (this.commandGuard > 0) call.commandGuard = true;
    if (receiver) call.receiver = receiver;
    if (func) call.func = func.name;
    if (cls) call.cls = cls;

    // getattr(obj, 'name') is obj.name; with a computed name it hides what is called.
    if (callee === 'getattr' && args.length >= 2) {
      const target = moduleOf(args[0]!);
      const name = constValue(args[1]!);
      if (target !== undefined) {
        this.out.reflective.push({ line: ln, target, nameExpr: args[1]!, viaGetattr: true, ...(name !== undefined ? { name } : {}) });
        if (name !== undefined && /^[\w.]+$/.test(name)) call.value = normalizeBuiltin(`${target}.${name}`);
      }
    }
    const mod = importedModule(call);
    if (mod !== undefined) this.addImport(mod, undefined, '', ln, true);
    const folded = foldCall(call);
    if (folded !== undefined) {
      call.folded = folded.value;
      this.addString(folded.value, ln, folded.via);
    } else if (PATH_JOINS.has(callee) && args.length >= 2) {
      // `os.path.join(appdata, 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup')`: the
      // path is not a constant, but its constant parts say where it points, so the string rules see
      // them joined (`*/Microsoft/.../Startup`). Not a folded value: nothing else treats it as one.
      const parts = args.map((a) => constValue(a) ?? '*');
      if (parts.filter((p) => p !== '*').length >= 2) this.addString(parts.join('/'), ln, 'path-join');
    }
    if (call.topLevel && !call.mainGuard && !call.commandGuard && /^[A-Za-z_]\w*$/.test(callee)) this.out.calledAtTopLevel.add(callee);
    this.out.calls.push(call);
    if (EXEC_LIKE.has(callee) && args[0]) this.execLiteral(call, args[0]);
    return { k: 'call', call, line: ln };
  }
}

const TYPE = Symbol('type');

/**
 * A node's type, asked of tree-sitter once per node: each `.type` crosses into WASM (the node is
 * written to a transfer buffer first), and the walker asks most nodes several times.
 */
function ty(n: Node): string {
  const holder = n as unknown as { [TYPE]?: string };
  return (holder[TYPE] ??= n.type);
}

function tyq(n: Node | null | undefined): string | undefined {
  return n ? ty(n) : undefined;
}

function line(node: Node): number {
  return node.startPosition.row + 1;
}

function otherExpr(ln: number): Expr {
  return { k: 'other', type: '?', parts: [], line: ln };
}

const STATEMENT_SUFFIXES = ['_statement', '_definition', '_clause'];
/** isStatementLike by node type: it is asked for most children of every block. */
const statementLike = new Map<string, boolean>();
function isStatementLike(type: string): boolean {
  let is = statementLike.get(type);
  if (is === undefined) {
    is = type === 'block' || type === 'module' || STATEMENT_SUFFIXES.some((s) => type.endsWith(s)) || type === 'decorated_definition';
    statementLike.set(type, is);
  }
  return is;
}

function isMainGuard(cond: string): boolean {
  return /^__name__\s*==\s*['"]__main__['"]$|^['"]__main__['"]\s*==\s*__name__$/.test(cond);
}

/** setup.py commands pip runs while installing, building a wheel or reading metadata. */
const INSTALL_TIME_COMMANDS = new Set([
  'install', 'develop', 'egg_info', 'dist_info', 'bdist_wheel', 'build', 'build_ext', 'build_py', 'build_clib',
  'build_scripts', 'editable_wheel', 'sdist', 'bdist_egg', 'install_lib', 'install_scripts', 'install_data',
  'install_egg_info', 'bdist', 'bdist_dumb', 'easy_install', 'setup.py',
]);

/** Calls whose first argument is code. */
const EXEC_LIKE = new Set(['exec', 'eval', 'compile', 'execfile']);

/** Calls that build a file-system path from parts. */
const PATH_JOINS = new Set(['os.path.join', 'posixpath.join', 'ntpath.join', 'pathlib.Path', 'pathlib.PurePath', 'pathlib.PureWindowsPath', 'pathlib.PosixPath', 'pathlib.WindowsPath', '.joinpath']);

/** The builtins rules care about, plus common ones that must not be mistaken for star imports. */
export const PY_BUILTINS = new Set([
  'exec', 'eval', 'compile', '__import__', 'getattr', 'setattr', 'hasattr', 'open', 'globals', 'locals', 'vars',
  'chr', 'ord', 'bytes', 'bytearray', 'str', 'int', 'print', 'map', 'filter', 'zip', 'range', 'len', 'list',
  'dict', 'tuple', 'set', 'type', 'input', 'execfile', 'reversed', 'sorted', 'isinstance', 'super', 'object',
  'memoryview', 'hex', 'format', 'repr', 'iter', 'next', 'any', 'all', 'sum', 'min', 'max', 'abs', 'id', 'hash',
]);

/** `os` of `os.path.join`; a target is under a root (equal to it, or it and a dot) when this is the root. */
function firstSegment(dotted: string): string {
  const dot = dotted.indexOf('.');
  return dot < 0 ? dotted : dotted.slice(0, dot);
}

/** `builtins.exec`, `__builtins__.exec` -> `exec`. */
function normalizeBuiltin(dotted: string): string {
  const dot = dotted.indexOf('.');
  if (dot > 0 && BUILTIN_ROOTS.has(dotted.slice(0, dot))) return dotted.slice(dot + 1);
  return dotted;
}

/** The dotted name an expression stands for when it is a name or an imported module. */
function moduleOf(e: Expr): string | undefined {
  if (e.k === 'name') return e.local ? undefined : e.name;
  if (e.k === 'call') return e.call.value ?? importedModule(e.call);
  return undefined;
}

/** `__import__('os')`, `importlib.import_module('os')` -> `os`. */
function importedModule(call: PyCall): string | undefined {
  if (call.callee !== '__import__' && call.callee !== 'importlib.import_module' && call.callee !== 'importlib.__import__') return undefined;
  const first = call.args[0];
  if (!first) return undefined;
  const name = constValue(first);
  if (name === undefined || !/^[\w.]+$/.test(name)) return undefined;
  // `__import__('a.b')` returns `a`; import_module returns `a.b`.
  return call.callee === '__import__' && call.args.length < 4 && !call.kwargs.has('fromlist') ? name.split('.')[0] : name;
}

function reflectiveTarget(value: Expr): string | undefined {
  if (value.k === 'name' && BUILTIN_ROOTS.has(value.name)) return value.name;
  // `__builtins__.__dict__` normalizes to `__dict__`: the builtins' own namespace.
  if (value.k === 'name' && value.name === '__dict__') return '__builtins__';
  if (value.k === 'name' && value.name.endsWith('.__dict__')) return value.name.slice(0, -'.__dict__'.length);
  if (value.k === 'call' && (value.call.callee === 'globals' || value.call.callee === 'locals')) return 'globals';
  if (value.k === 'call' && value.call.callee === 'vars' && value.call.args[0]) return moduleOf(value.call.args[0]);
  return undefined;
}

/** Constant string value of an expression, when it has one. */
export function constValue(e: Expr, depth = 0): string | undefined {
  if (depth > 40) return undefined;
  switch (e.k) {
    case 'str':
      return e.value;
    case 'call':
      return e.call.folded;
    case 'bin': {
      if (e.op === '+') {
        const l = constValue(e.left, depth + 1);
        if (l === undefined) return undefined;
        const r = constValue(e.right, depth + 1);
        if (r === undefined || l.length + r.length > MAX_FOLD) return undefined;
        return l + r;
      }
      if (e.op === '*') {
        const s = constValue(e.left, depth + 1);
        if (s !== undefined && e.right.k === 'num' && s.length * e.right.value <= 4096) return s.repeat(Math.max(0, e.right.value));
      }
      return undefined;
    }
    case 'sub': {
      if (!e.reverse) return undefined;
      const v = constValue(e.value, depth + 1);
      return v === undefined ? undefined : [...v].reverse().join('');
    }
    default:
      return undefined;
  }
}

/** Numbers of a list of integer constants (`[101, 120]`), for chr and bytes folding. */
function numbers(e: Expr | undefined): number[] | undefined {
  if (!e || e.k !== 'seq' || e.items.length === 0) return undefined;
  const out: number[] = [];
  for (const i of e.items) {
    if (i.k !== 'num' || !Number.isInteger(i.value)) return undefined;
    out.push(i.value);
  }
  return out;
}

const B64_DECODERS = new Set([
  'base64.b64decode', 'base64.decodebytes', 'base64.decodestring', 'base64.standard_b64decode',
  'base64.urlsafe_b64decode', 'binascii.a2b_base64',
]);

/** Constant folding of calls that assemble or decode constants. */
function foldCall(call: PyCall): { value: string; via: string } | undefined {
  const c = call.callee;
  const a0 = call.args[0];
  if (c === 'chr' && a0?.k === 'num' && a0.value >= 0 && a0.value < 0x110000) {
    return { value: String.fromCodePoint(a0.value), via: 'chr' };
  }
  if (c === '.join' && call.receiver) {
    const sep = constValue(call.receiver);
    if (sep === undefined || !a0) return undefined;
    if (a0.k === 'seq') {
      const items = a0.items.map((i) => constValue(i));
      if (items.some((i) => i === undefined)) return undefined;
      return { value: items.join(sep), via: items.length > 1 && a0.items.every((i) => i.k === 'call' && i.call.callee === 'chr') ? 'chr' : 'concat' };
    }
    // ''.join(map(chr, [101, 120]))
    if (a0.k === 'call' && a0.call.callee === 'map' && a0.call.args[0]?.k === 'name' && a0.call.args[0].name === 'chr') {
      const ns = numbers(a0.call.args[1]);
      if (ns && ns.every((n) => n >= 0 && n < 0x110000)) return { value: ns.map((n) => String.fromCodePoint(n)).join(sep), via: 'chr' };
    }
    return undefined;
  }
  if ((c === 'bytes' || c === 'bytearray') && a0) {
    const ns = numbers(a0);
    if (ns && ns.every((n) => n >= 0 && n < 256)) return { value: Buffer.from(ns).toString('latin1'), via: 'bytes' };
    return undefined;
  }
  if (!a0) {
    // `'...'.decode()`, `b'...'.decode()`: the receiver is already the value.
    if (c === '.decode' && call.receiver) {
      const v = constValue(call.receiver);
      return v === undefined ? undefined : { value: v, via: 'concat' };
    }
    return undefined;
  }
  const input = constValue(a0);
  if (input === undefined) {
    return undefined;
  }
  if (c === '.decode' && call.receiver) {
    const v = constValue(call.receiver);
    if (v === undefined) return undefined;
    const codec = input.toLowerCase().replace(/[-_]/g, '');
    if (codec === 'rot13') return { value: rot13(v), via: 'rot13' };
    if (codec === 'hex') return decodeHex(v);
    if (codec === 'base64') return decodeB64(v);
    return { value: v, via: 'concat' };
  }
  if (c === 'str' && call.args.length >= 2) return { value: input, via: 'concat' };
  if (B64_DECODERS.has(c)) return decodeB64(input);
  if (c === 'base64.b32decode') return decodeWith(() => b32decode(input), 'base64');
  if (c === 'base64.b16decode' || c === 'bytes.fromhex' || c === 'binascii.unhexlify' || c === 'binascii.a2b_hex' || c === 'bytearray.fromhex') {
    return decodeHex(input);
  }
  if (c === 'codecs.decode' || c === 'codecs.encode') {
    const codec = call.args[1] ? constValue(call.args[1])?.toLowerCase().replace(/[-_]/g, '') : undefined;
    if (codec === 'rot13') return { value: rot13(input), via: 'rot13' };
    if (codec === 'hex' || codec === 'hexcodec') return decodeHex(input);
    if (codec === 'base64' || codec === 'base64codec') return decodeB64(input);
    return undefined;
  }
  if (c === 'zlib.decompress' || c === 'gzip.decompress') {
    return decodeWith(() => {
      const raw = Buffer.from(input, 'latin1');
      const opts = { maxOutputLength: MAX_FOLD };
      if (c === 'gzip.decompress') return gunzipSync(raw, opts);
      try {
        return inflateSync(raw, opts);
      } catch {
        return inflateRawSync(raw, opts);
      }
    }, 'zlib');
  }
  return undefined;
}

function decodeWith(f: () => Buffer, via: string): { value: string; via: string } | undefined {
  try {
    const b = f();
    return b.length > MAX_FOLD ? undefined : { value: b.toString('latin1'), via };
  } catch {
    return undefined;
  }
}

function decodeB64(s: string): { value: string; via: string } | undefined {
  const clean = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length < 4) return undefined;
  return decodeWith(() => Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64'), 'base64');
}

function decodeHex(s: string): { value: string; via: string } | undefined {
  const clean = s.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(clean)) return undefined;
  return decodeWith(() => Buffer.from(clean, 'hex'), 'hex');
}

function b32decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error('not base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (ch) => {
    const base = ch <= 'Z' ? 65 : 97;
    return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
  });
}

function parseInteger(text: string): number {
  const t = text.replace(/_/g, '').replace(/[lL]$/, '');
  if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
  return Number(t);
}

/**
 * Python string escapes (the body between the quotes, not raw). Unknown escapes stay as written, as in Python.
 * A scan from backslash to backslash: the prefilter runs it over whole files, where a regular
 * expression with a replacement callback per escape cost twice as much. It is exactly
 * `s.replace(/\\(?:(\r?\n)|([\\'"abfnrtv])|x([0-9a-fA-F]{2})|([0-7]{1,3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|N\{[^}]*\}|(.))/g, ...)`,
 * which it replaced (see the test that compares them): the first alternative that matches wins,
 * and `.` does not match a line terminator, so a backslash before one stays.
 */
export function unescapePython(s: string, bytes: boolean): string {
  let i = s.indexOf('\\');
  if (i < 0) return s;
  let out = '';
  // s[done..] is not yet copied to out.
  let done = 0;
  // The first `}` at or after the last `\N{` looked at (-1: none): searched for again only when
  // passed, so that many `\N{` without a `}` stay linear.
  let close = -2;
  while (i >= 0) {
    const c = s[i + 1];
    let length = 2;
    let value: string | undefined;
    if (c === undefined) break;
    if (c === '\n') value = '';
    else if (c === '\r' && s[i + 2] === '\n') {
      value = '';
      length = 3;
    } else if (SIMPLE_ESCAPES.has(c)) value = SIMPLE_ESCAPES.get(c);
    else if (c === 'x' && isHex(s, i + 2, 2)) {
      value = String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
      length = 4;
    } else if (c >= '0' && c <= '7') {
      while (length < 4 && s[i + length]! >= '0' && s[i + length]! <= '7') length++;
      value = String.fromCharCode(parseInt(s.slice(i + 1, i + length), 8) & 0xff);
    } else if (c === 'u' && isHex(s, i + 2, 4)) {
      length = 6;
      if (!bytes) value = String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
    } else if (c === 'U' && isHex(s, i + 2, 8)) {
      length = 10;
      const cp = parseInt(s.slice(i + 2, i + 10), 16);
      if (!bytes && cp < 0x110000) value = String.fromCodePoint(cp);
    } else if (c === 'N' && s[i + 2] === '{') {
      if (close !== -1 && close < i + 3) close = s.indexOf('}', i + 3);
      // `\N{...}` stays whole, escapes inside it included; without a `}`, `\N` stays as written.
      if (close >= 0) length = close + 1 - i;
    } else if (c === '\r' || c === '\u2028' || c === '\u2029') {
      // No alternative matches: the backslash stays and the scan goes on after it.
      length = 1;
    }
    if (value !== undefined) {
      out += s.slice(done, i) + value;
      done = i + length;
    }
    i = s.indexOf('\\', i + length);
  }
  return done === 0 ? s : out + s.slice(done);
}

function isHex(s: string, from: number, n: number): boolean {
  if (from + n > s.length) return false;
  for (let k = from; k < from + n; k++) if (hexDigit(s.charCodeAt(k)) < 0) return false;
  return true;
}

/** The value of a hex digit's character code, -1 for anything else (NaN past the end too). */
export function hexDigit(d: number): number {
  if (d >= 48 && d <= 57) return d - 48;
  if (d >= 97 && d <= 102) return d - 87;
  if (d >= 65 && d <= 70) return d - 55;
  return -1;
}

const SIMPLE_ESCAPES = new Map([
  ['\\', '\\'], ["'", "'"], ['"', '"'], ['a', '\x07'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t'], ['v', '\v'],
]);

/**
 * The values assigned to a name where it is used: the innermost enclosing function that assigns it,
 * else module level (Python's scoping, closures included).
 */
export function valuesOf(analysis: PyAnalysis, e: Extract<Expr, { k: 'name' }>): Expr[] {
  let scope = e.scope;
  while (scope !== undefined) {
    const local = analysis.assignments.get(`${scope}\0${e.name}`);
    if (local) return local;
    const slash = scope.lastIndexOf('/');
    scope = slash < 0 ? undefined : scope.slice(0, slash);
  }
  return analysis.assignments.get(e.name) ?? [];
}

/** Walks an expression tree (calls' arguments included), following names through their assignments up to `hops` times. */
export function someExpr(e: Expr, analysis: PyAnalysis, pred: (e: Expr) => boolean, hops = 2): boolean {
  const seen = new Set<Expr>();
  const stack: { e: Expr; hops: number }[] = [{ e, hops }];
  let budget = 5000;
  while (stack.length > 0 && budget-- > 0) {
    const { e: x, hops: h } = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (pred(x)) return true;
    switch (x.k) {
      case 'call':
        if (x.call.receiver) stack.push({ e: x.call.receiver, hops: h });
        for (const a of x.call.args) stack.push({ e: a, hops: h });
        for (const a of x.call.kwargs.values()) stack.push({ e: a, hops: h });
        break;
      case 'seq':
        for (const i of x.items) stack.push({ e: i, hops: h });
        break;
      case 'dict':
        for (const en of x.entries) {
          if (en.key) stack.push({ e: en.key, hops: h });
          stack.push({ e: en.value, hops: h });
        }
        break;
      case 'bin':
        stack.push({ e: x.left, hops: h }, { e: x.right, hops: h });
        break;
      case 'sub':
        stack.push({ e: x.value, hops: h }, { e: x.index, hops: h });
        break;
      case 'fstr':
      case 'other':
        for (const p of x.parts) stack.push({ e: p, hops: h });
        break;
      case 'name':
        if (h > 0) for (const v of valuesOf(analysis, x)) stack.push({ e: v, hops: h - 1 });
        break;
      default:
        break;
    }
  }
  return false;
}
