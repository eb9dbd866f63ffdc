/**
 * The OSV schema (https://ossf.github.io/osv-schema/), as far as pyward reads it. Records come from
 * third parties: every field may be missing or of the wrong type until validated by `toOsvRecord`.
 */

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT' | string;
  repo?: string;
  events: OsvEvent[];
  database_specific?: unknown;
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: OsvRange[];
  versions?: string[];
  /** Per-package severity; the spec forbids it together with the top-level `severity`. */
  severity?: OsvSeverity[];
  ecosystem_specific?: unknown;
  database_specific?: unknown;
}

export interface OsvSeverity {
  type: string; // CVSS_V2 | CVSS_V3 | CVSS_V4 | Ubuntu | ...
  score: string;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  /** Ids of upstream vulnerabilities this one includes (distributions); not aliases. */
  upstream?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: { type: string; url: string }[];
  database_specific?: unknown;
}
