/**
 * The one model every command shares: inputs produce an Inventory of Packages, checks turn it
 * into Findings, reporters render them. Names here are always PEP 503-normalized.
 */

/** Where something came from: a file and line, or an archive member, or an image layer and path. */
export interface Location {
  file: string;
  line?: number;
  column?: number;
}

/** How a package is obtained. Only `registry` packages can be matched against advisories by version. */
export type SourceKind = 'registry' | 'url' | 'vcs' | 'path' | 'editable';

export interface PackageSource {
  kind: SourceKind;
  /** Index URL for registry packages when the input names one; the URL/path otherwise. */
  url?: string;
}

export interface Package {
  /** PEP 503-normalized name. */
  name: string;
  /** The name as the input wrote it. */
  rawName: string;
  /** The exact version when pinned (`==X`, `===X`), locked or installed; canonical PEP 440 form. */
  version?: string;
  /** The specifier set as written when the version is not pinned (`>=2,<3`, or '' for none). */
  specifier?: string;
  extras?: string[];
  /** PEP 508 marker as written, for requirements that apply only in some environments. */
  marker?: string;
  source: PackageSource;
  /** `sha256:<hex>` and the like, as the input lists them. */
  hashes?: string[];
  /** True when the package is a direct dependency of the project; undefined when the input cannot tell. */
  direct?: boolean;
  /** Normalized names of the packages it depends on, when the input records them. */
  dependencies?: string[];
  /** Dependency groups / extras / dev sections the package belongs to. */
  groups?: string[];
  location: Location;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Stable code, e.g. `unpinned`, `vcs-requirement`, `bad-advisory`. */
  code: string;
  message: string;
  location?: Location;
}

export interface Inventory {
  /** The input's kind: `requirements-txt`, `uv-lock`, `site-packages`, ... */
  format: string;
  /** The file or directory that was read. */
  path: string;
  packages: Package[];
  diagnostics: Diagnostic[];
  /** Index options found in the input (`--index-url`, `--extra-index-url`, `[[tool.uv.index]]`, ...). */
  indexUrls?: string[];
}

export type Severity = 'unknown' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITY_ORDER: readonly Severity[] = ['unknown', 'low', 'medium', 'high', 'critical'];

export interface SeverityScore {
  /** `CVSS_V3`, `CVSS_V4`, `CVSS_V2`, or `ECOSYSTEM` when the database gives only a word. */
  type: string;
  vector?: string;
  score?: number;
  level: Severity;
}

/** One vulnerability, with all its aliases merged (GHSA, PYSEC, CVE ids of the same flaw). */
export interface Vulnerability {
  /** Preferred id (PYSEC, then GHSA, then the first id). */
  id: string;
  /** Every other id of the same vulnerability, sorted. */
  aliases: string[];
  summary?: string;
  details?: string;
  published?: string;
  modified?: string;
  severity?: SeverityScore;
  references: string[];
}

export interface VulnerabilityFinding {
  kind: 'vulnerability';
  package: Package;
  vulnerability: Vulnerability;
  /** The smallest fixed versions above the installed one, one per affected range that holds it. */
  fixVersions: string[];
  location: Location;
}

export type Finding = VulnerabilityFinding;

export interface IgnoredFinding {
  finding: VulnerabilityFinding;
  /** Why it was ignored: `--ignore-vuln` or the ignore file's reason. */
  reason: string;
}

/** The smallest version of a package that clears every finding it has, when one exists. */
export interface FixSuggestion {
  name: string;
  from: string;
  to: string;
  location: Location;
}

/** What a vulnerability audit hands to reporters. */
export interface AuditReport {
  /** Every dependency that was considered, in input order. */
  packages: Package[];
  findings: VulnerabilityFinding[];
  ignored: IgnoredFinding[];
  fixes: FixSuggestion[];
  diagnostics: Diagnostic[];
  /** The inputs that were read, e.g. `requirements.txt` (requirements-txt). */
  inputs: { path: string; format: string }[];
  database: { source: string; builtAt?: string; records?: number };
  tool: { name: 'pyward'; version: string };
  /** The name checks (typosquats and the like) of the same dependencies; absent when turned off. */
  names?: NameChecks;
}

/** What the name checks found in an audit: one finding per requirement, located on its line. */
export interface NameChecks {
  findings: NameFinding[];
  /** Checks that did not run and why (`offline`), with the names they were skipped for when not all. */
  skipped: { check: string; reason: string; names?: string[] }[];
}

/** Kinds of name and publisher risk `pyward check` reports. */
export type NameRiskKind =
  | 'typosquat'
  | 'combosquat'
  | 'slopsquat'
  | 'not-found'
  | 'repojacking'
  | 'publisher-change'
  | 'dependency-confusion';

export type Risk = 'low' | 'medium' | 'high' | 'critical';

/** A finding about a package's name or publisher, not its code or version. */
export interface NameFinding {
  kind: NameRiskKind;
  /** Normalized name that was checked. */
  name: string;
  risk: Risk;
  /** The project it probably imitates or was meant, when one is suspected. */
  target?: string;
  /** Facts behind the verdict, each readable alone: `edit distance 1 to 'requests', rank 6`. */
  evidence: string[];
  suggestion?: string;
  location?: Location;
}
