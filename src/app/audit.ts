/**
 * The audit use case: inputs -> Inventory -> (resolve unpinned) -> advisories -> findings ->
 * ignores -> fix suggestions -> AuditReport. The CLI renders the report and sets the exit code.
 */
import type { AuditReport, Diagnostic, FixSuggestion, Inventory, NameChecks, Package, VulnerabilityFinding } from '../core/model.js';
import { readInputs } from '../inputs/registry.js';
import { applyIgnores, ignoreRulesFromFlags, readIgnoreFile } from '../policy/ignore.js';
import { findingsOf, matchPackage, type PackageMatch } from '../checks/vulns/findings.js';
import { smallestUpgrade } from '../checks/vulns/upgrade.js';
import { resolveInventory, type ResolveMode } from './resolve.js';
import { packageKey, type AdvisorySource } from './advisories.js';
import { VERSION } from './version.js';
import type { OsvRecord } from '../sources/osv/schema.js';
import type { NameCheckOptions } from './check.js';

export interface AuditOptions {
  inputs: { path: string; format?: string }[];
  source: AdvisorySource;
  ignoreIds?: string[];
  ignoreFile?: string;
  resolve?: ResolveMode;
  resolver?: 'uv' | 'pip';
  pythonVersion?: string;
  now?: Date;
  /** Run the name checks too (offline: the popular-list checks only); undefined turns them off. */
  names?: NameCheckOptions;
}

export async function audit(opts: AuditOptions): Promise<AuditReport> {
  const diagnostics: Diagnostic[] = [];
  const warn = (message: string): void => void diagnostics.push({ severity: 'warning', code: 'warning', message });
  const rules = [...ignoreRulesFromFlags(opts.ignoreIds ?? []), ...(opts.ignoreFile ? readIgnoreFile(opts.ignoreFile) : [])];

  let inventories: Inventory[] = await readInputs(opts.inputs);
  inventories = await Promise.all(
    inventories.map((inv) =>
      resolveInventory(inv, { mode: opts.resolve ?? 'auto', resolver: opts.resolver, pythonVersion: opts.pythonVersion }),
    ),
  );
  const packages = inventories.flatMap((inv) => inv.packages);
  // Loops, not push(...list): spreading a hostile file's ~125,000 diagnostics overflows the stack.
  for (const inv of inventories) for (const d of inv.diagnostics) diagnostics.push(d);

  const auditable = packages.filter((p) => p.version !== undefined && p.source.kind === 'registry');
  const records = await opts.source.recordsFor(auditable.map((p) => ({ name: p.name, version: p.version! })), warn);

  // Match every package first, then read the whole of just the records that affect something.
  const matches: PackageMatch[] = [];
  for (const pkg of auditable) {
    const m = matchPackage(pkg, records.get(packageKey(pkg.name, pkg.version!)) ?? [], warn);
    if (m) matches.push(m);
  }
  let whole = (r: OsvRecord): OsvRecord => r;
  if (opts.source.wholeRecords) {
    const ids = new Set<string>();
    for (const m of matches) for (const r of m.hits.keys()) ids.add(r.id);
    const byId = await opts.source.wholeRecords([...ids]);
    whole = (r) => byId.get(r.id) ?? r;
  }
  const all: VulnerabilityFinding[] = [];
  for (const m of matches) all.push(...findingsOf(m, whole));
  const { kept, ignored } = applyIgnores(all, rules, opts.now ?? new Date(), warn);

  const names = opts.names ? await nameChecks(packages, inventories, opts.names, diagnostics) : undefined;

  return {
    packages,
    findings: kept,
    ignored,
    fixes: fixSuggestions(auditable, kept, records, warn),
    diagnostics: dedupeDiagnostics(diagnostics),
    inputs: inventories.map((inv) => ({ path: inv.path, format: inv.format })),
    database: opts.source.describe(),
    tool: { name: 'pyward', version: VERSION },
    ...(names ? { names } : {}),
  };
}

/**
 * The name checks of `pyward check` over the same dependencies, loaded only when they run. A name
 * is checked once; its finding is reported on every requirement that names it.
 */
async function nameChecks(packages: Package[], inventories: Inventory[], opts: NameCheckOptions, diagnostics: Diagnostic[]): Promise<NameChecks> {
  const { checkNames } = await import('./check.js');
  const result = await checkNames(packages, inventories, opts);
  for (const d of result.diagnostics) diagnostics.push(d);
  const byName = new Map<string, typeof result.findings>();
  for (const f of result.findings) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  const findings = packages.flatMap((p) => (byName.get(p.name) ?? []).map((f) => ({ ...f, location: p.location })));
  return { findings, skipped: result.skipped };
}

function fixSuggestions(
  packages: Package[],
  findings: VulnerabilityFinding[],
  records: Map<string, OsvRecord[]>,
  warn: (message: string) => void,
): FixSuggestion[] {
  const byPackage = new Map<Package, VulnerabilityFinding[]>();
  for (const f of findings) byPackage.set(f.package, [...(byPackage.get(f.package) ?? []), f]);
  const fixes: FixSuggestion[] = [];
  for (const pkg of packages) {
    const own = byPackage.get(pkg);
    if (!own) continue;
    const to = smallestUpgrade(pkg, own, records.get(packageKey(pkg.name, pkg.version!)) ?? [], warn);
    if (to) fixes.push({ name: pkg.name, from: pkg.version!, to, location: pkg.location });
  }
  return fixes;
}

/** The same warning about the same record is reported once, not once per package that touched it. */
function dedupeDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.severity}|${d.code}|${d.message}|${d.location?.file}:${d.location?.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
