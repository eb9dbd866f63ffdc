import type { AuditReport } from '../core/model.js';

export interface ReporterOptions {
  /** ANSI color; only the table uses it, and only when the CLI saw a TTY without NO_COLOR. */
  color: boolean;
  /** Directory that paths are shown relative to; files outside it keep their path as given. */
  cwd?: string;
}

/** A reporter is a pure function: same report and options, byte-identical output. */
export type Reporter = (report: AuditReport, options: ReporterOptions) => string;

export type ReporterName = 'table' | 'json' | 'sarif' | 'markdown' | 'cyclonedx';
