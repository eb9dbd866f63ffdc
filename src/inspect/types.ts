/**
 * The inspection model: rules look at one file (or the whole package) and return evidence; the
 * score combines them; the report lists them per package. Everything a rule sees came out of a
 * package we do not trust, and nothing here runs it.
 */
import type { Archive } from '../archive/index.js';
import type { Diagnostic } from '../core/model.js';
import type { PyAnalysis, PyClass } from './python.js';

export type RuleSeverity = 'low' | 'medium' | 'high' | 'critical';

/**
 * What code can do (capabilities: common in honest code, they matter in combination) and what it
 * is after (intents: rare in honest code). The score pairs them as an analyst would.
 */
export type Tag =
  // capabilities
  | 'exec'
  | 'process'
  | 'network'
  | 'install-hook'
  | 'native'
  // intents
  | 'obfuscation'
  | 'download'
  | 'credentials'
  | 'env'
  | 'sysinfo'
  | 'surveillance'
  | 'exfiltration'
  | 'persistence'
  | 'mining'
  | 'remote-access'
  | 'evasion'
  | 'tampering'
  // about the project on its index, not its code
  | 'metadata';

/** When the code runs: while pip installs it, whenever Python starts or it is imported, or only if called. */
export type Phase = 'install' | 'import' | 'runtime';

export interface Evidence {
  /** Member path inside the package (`pkg-1.0/setup.py`), '' for the package as a whole. */
  file: string;
  line?: number;
  /** The source line, bounded and with control and bidi characters escaped. */
  snippet?: string;
  /** Why this is evidence, when the snippet alone does not say. */
  detail?: string;
  phase?: Phase;
}

/** What a file is for, which decides when its code runs. */
export type FileRole =
  /** setup.py: runs on every sdist install. */
  | 'setup'
  /** A `.pth` file: its `import` lines run at every interpreter start. */
  | 'pth'
  /** A module of an in-tree build backend (pyproject `backend-path`): runs at install. */
  | 'build-backend'
  /** A package `__init__.py`: runs on import. */
  | 'init'
  | 'module'
  /** A shell, batch or PowerShell script, or another text file scanned for strings. */
  | 'script';

export interface ScannedString {
  value: string;
  line: number;
  via: string;
}

export interface FileContext {
  /** Member path. */
  path: string;
  role: FileRole;
  text: string;
  lines: string[];
  /** The analysis, for Python files under the parse limit. */
  py?: PyAnalysis;
  /** String literals (decoded and folded ones too) for Python; each line for text-only files. */
  strings: ScannedString[];
  pkg: PackageContext;
  /** A module the prefilter found nothing in (see prefilter.ts): kept for digests, not analysed. */
  skipped?: boolean;
  /**
   * Test, doc, example and build-script files that the package's own code neither imports nor runs
   * (see the engine's auxiliaryFiles): their findings weigh less.
   */
  auxiliary?: boolean;
  /** In setup.py: the classes of the commands an install runs (their methods run at install). */
  installClasses?: Set<PyClass>;
}

export interface PyprojectBuildSystem {
  backend?: string;
  backendPath?: string[];
  requires?: string[];
  /** Line of `backend-path` in pyproject.toml, when found. */
  line?: number;
  file: string;
}

export interface PackageContext {
  archive: Archive;
  name?: string;
  version?: string;
  /** Whether the wheel's tags say pure Python (`py3-none-any`). */
  pureWheel: boolean;
  buildSystem?: PyprojectBuildSystem;
  /** The root folder of an sdist (`pkg-1.0/`), '' when members are not under one. */
  root: string;
  files: FileContext[];
  /** Paths of Python sources over the parse limit, scanned as text only. */
  unparsed: string[];
  /** Members that could not be read (damaged), with the reason. */
  unreadable: { path: string; reason: string }[];
}

/** A package's Python sources by path and content digest: all a wheel/sdist comparison needs. */
export interface SourceDigests {
  /** Display name of the archive (`pkg-1.0.tar.gz`). */
  archive: string;
  /** Member path -> sha256 of its text with line endings normalized. */
  files: Map<string, string>;
}

export interface Rule {
  id: string;
  description: string;
  severity: RuleSeverity;
  tags: Tag[];
  /** Capabilities count only in combination or at install time; threats count alone. */
  kind: 'capability' | 'threat';
  /**
   * `pair` rules compare a wheel with the sdist of the same name and version, when both are given;
   * `index` rules judge what the index says about the project (downloaded inputs, online only).
   */
  scope: 'file' | 'package' | 'pair' | 'index';
  /** Longer documentation printed by `--explain`: what it looks for, and when honest code does it too. */
  explain: string;
  checkFile?(ctx: FileContext): Evidence[];
  checkPackage?(pkg: PackageContext): Evidence[];
  checkPair?(wheel: SourceDigests, sdist: SourceDigests): Evidence[];
  checkProject?(project: ProjectSignals): Evidence[];
}

/**
 * What an index's JSON API says about a project, reduced to what the `index` rules judge. Built in
 * app/ from the PyPI JSON API answer; the rules never fetch.
 */
export interface ProjectSignals {
  /** Normalized name. */
  name: string;
  /** Where the answer came from (the JSON API URL), for evidence. */
  source: string;
  /** Characters of the long description (0 for none or `UNKNOWN`). */
  descriptionLength: number;
  summary?: string;
  /** Releases that have files; undefined when the index did not list the releases. */
  releaseCount?: number;
  /** The earliest upload of any file, ISO 8601. */
  firstUpload?: string;
  /** Author and maintainer e-mail addresses, lower-case. */
  emails: string[];
  /** Every link the metadata gives: project URLs by label, `Homepage` and `Download` for the legacy fields. */
  urls: { label: string; url: string }[];
  /** Now, for ages (ms since the epoch). */
  now: number;
}

export interface Finding {
  rule: string;
  severity: RuleSeverity;
  file: string;
  line?: number;
  snippet?: string;
  detail?: string;
  phase?: Phase;
}

export type Verdict = 'malicious' | 'suspicious' | 'clean';

export interface PackageResult {
  /** The input as given (file or directory). */
  path: string;
  /** Display name of the archive (`pkg-1.0.tar.gz`), the root of finding locations. */
  archive: string;
  kind: Archive['kind'];
  name?: string;
  version?: string;
  score: number;
  verdict: Verdict;
  findings: Finding[];
  stats: { files: number; bytes: number; pythonFiles: number; parseErrors: number };
  /** The archive was only partly read (a limit or damage stopped it). */
  truncated: boolean;
  /** For a file downloaded from an index: what was asked for, where it came from, its checked digest. */
  origin?: PackageOrigin;
}

export interface PackageOrigin {
  /** The argument or input entry: `idna==3.4`, `requirements.txt:3`. */
  requested: string;
  /** The simple index the file was listed on (credentials redacted); undefined for a direct URL. */
  index?: string;
  url: string;
  /** The sha256 the file was checked against before it was read. */
  sha256: string;
  /** Answered from pyward's cache, not downloaded in this run. */
  cached: boolean;
  /** `checked` when the index's metadata was judged (`index` rules), else why it was not. */
  metadata: string;
}

/** An entry of a requirements file or lockfile that was not inspected, and why. */
export interface SkippedInput {
  name: string;
  version?: string;
  reason: string;
  /** `file:line` of the entry. */
  location?: string;
}

/** What `pyward inspect` hands to reporters. */
export interface InspectReport {
  packages: PackageResult[];
  /** Inputs that could not be inspected at all (missing, not an archive), with the reason. */
  diagnostics: Diagnostic[];
  /** Entries of requirements files and lockfiles that name nothing pyward can download and check (unpinned, VCS, local paths). */
  skipped: SkippedInput[];
  thresholds: { suspicious: number; malicious: number };
  tool: { name: 'pyward'; version: string };
}
