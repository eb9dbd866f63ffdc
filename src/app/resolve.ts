/**
 * Turns unpinned requirements into the versions a real resolver would install, so that they can be
 * audited instead of being skipped. Lockfiles and environments are already exact and pass through.
 */
import type { Inventory, Package } from '../core/model.js';
import type { ResolvedPackage } from '../sources/resolver/resolve.js';

/** auto: resolve only inputs that have unpinned requirements; always: also pull in transitive deps; never: report unpinned. */
export type ResolveMode = 'auto' | 'always' | 'never';

const RESOLVABLE = new Set(['requirements-txt', 'pyproject']);

export async function resolveInventory(
  inv: Inventory,
  opts: { mode: ResolveMode; resolver?: 'uv' | 'pip'; pythonVersion?: string },
): Promise<Inventory> {
  if (opts.mode === 'never' || !RESOLVABLE.has(inv.format)) return inv;
  const registry = inv.packages.filter((p) => p.source.kind === 'registry');
  const unpinned = registry.filter((p) => p.version === undefined);
  if (opts.mode === 'auto' && unpinned.length === 0) return inv;

  // Loaded only when something is to be resolved: an audit of pinned inputs never spawns a resolver.
  const { resolveRequirementLines, resolveRequirements, ResolveError } = await import('../sources/resolver/resolve.js');
  let resolved: ResolvedPackage[];
  try {
    const ropts = { resolver: opts.resolver, pythonVersion: opts.pythonVersion, indexUrls: inv.indexUrls };
    resolved =
      inv.format === 'requirements-txt'
        ? await resolveRequirements(inv.path, { ...ropts, indexUrls: [] }) // the file carries its own index options
        : await resolveRequirementLines(registry.map(requirementLine), ropts);
  } catch (err) {
    if (!(err instanceof ResolveError)) throw err;
    return {
      ...inv,
      diagnostics: [
        ...inv.diagnostics,
        { severity: 'warning', code: 'resolve-failed', message: `unpinned requirements not resolved: ${err.message}`, location: { file: inv.path } },
      ],
    };
  }
  return mergeResolved(inv, resolved);
}

function requirementLine(p: Package): string {
  const extras = p.extras?.length ? `[${p.extras.join(',')}]` : '';
  const spec = p.version !== undefined ? `==${p.version}` : (p.specifier ?? '');
  return `${p.rawName}${extras}${spec}${p.marker ? ` ; ${p.marker}` : ''}`;
}

/** Exact versions from the resolver fill in the declared packages; the rest join as transitive deps. */
export function mergeResolved(inv: Inventory, resolved: ResolvedPackage[]): Inventory {
  const byName = new Map(resolved.map((r) => [r.name, r]));
  const declared = new Set<string>();
  const filled = new Set<string>();
  const packages = inv.packages.map((p) => {
    declared.add(p.name);
    const r = byName.get(p.name);
    if (p.source.kind !== 'registry' || p.version !== undefined || !r) return p;
    filled.add(`${p.location.file}:${p.location.line}`);
    return { ...p, version: r.version };
  });
  for (const r of resolved) {
    if (declared.has(r.name)) continue;
    packages.push({
      name: r.name,
      rawName: r.name,
      version: r.version,
      source: { kind: 'registry' },
      direct: r.requested,
      location: { file: inv.path },
    });
  }
  const diagnostics = inv.diagnostics.filter(
    (d) => !(d.code === 'unpinned' && d.location && filled.has(`${d.location.file}:${d.location.line}`)),
  );
  return { ...inv, packages, diagnostics };
}
