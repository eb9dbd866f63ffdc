/**
 * Bookkeeping the three readers share: name normalization with its anomalies, duplicate paths,
 * the member-count and total-size limits. A reader asks `admit` before it reads a member's data.
 */
import { escapeForDisplay, normalizeMemberPath } from './paths.js';
import {
  DEFAULT_LIMITS,
  type AnomalyKind,
  type Archive,
  type ArchiveAnomaly,
  type ArchiveKind,
  type ArchiveLimits,
  type ArchiveMember,
  type ReadOptions,
} from './types.js';

export class Collector {
  readonly limits: ArchiveLimits;
  readonly want: (path: string, size: number) => boolean;
  readonly members: ArchiveMember[] = [];
  readonly anomalies: ArchiveAnomaly[] = [];
  truncated = false;
  /** Content bytes admitted so far. */
  total = 0;
  private readonly seen = new Set<string>();
  private readonly anomalyCounts = new Map<AnomalyKind, number>();

  constructor(options: ReadOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.want = options.want ?? (() => true);
  }

  /**
   * Records an anomaly. Repeats of one kind are capped so a crafted archive with a million bad
   * names cannot turn the report itself into the bomb.
   */
  anomaly(kind: AnomalyKind, member: string, detail: string): void {
    const n = (this.anomalyCounts.get(kind) ?? 0) + 1;
    this.anomalyCounts.set(kind, n);
    if (n <= 50) this.anomalies.push({ kind, member: escapeForDisplay(member), detail });
    else if (n === 51) this.anomalies.push({ kind, member: '', detail: `more ${kind} anomalies not listed` });
  }

  stop(kind: AnomalyKind, detail: string): void {
    this.truncated = true;
    this.anomaly(kind, '', detail);
  }

  /**
   * Normalizes a member name and checks the count limit. Returns the safe path, or undefined
   * when the member is to be skipped (a directory entry, an empty name, or the limit was hit).
   */
  admit(raw: string): { path: string; rawPath?: string } | undefined {
    const n = normalizeMemberPath(raw);
    for (const p of n.problems) this.anomaly(p.kind, raw, p.detail);
    if (n.directory || n.path === '') return undefined;
    if (this.members.length >= this.limits.maxMembers) {
      if (!this.truncated) {
        this.stop('too-many-members', `more than ${this.limits.maxMembers} members; the rest were not read`);
      }
      return undefined;
    }
    if (this.seen.has(n.path)) {
      this.anomaly('duplicate-member', raw, `a second member named ${JSON.stringify(n.path)}; extractors disagree about which one wins`);
    }
    this.seen.add(n.path);
    return n.problems.length > 0 ? { path: n.path, rawPath: escapeForDisplay(raw) } : { path: n.path };
  }

  /** Whether to keep the content of a member of this size; records why not when it is too large. */
  keep(raw: string, path: string, size: number): boolean {
    if (size > this.limits.maxMemberBytes) {
      this.anomaly('oversized-member', raw, `${size} bytes, over the ${this.limits.maxMemberBytes}-byte member limit; not read`);
      return false;
    }
    return this.want(path, size);
  }

  add(member: ArchiveMember): void {
    this.members.push(member);
  }

  finish(kind: ArchiveKind, path: string, name: string): Archive {
    return { kind, path, name, members: this.members, anomalies: this.anomalies, truncated: this.truncated };
  }
}
