/**
 * CycloneDX 1.6 JSON with the audited inventory as `components` and the findings as
 * `vulnerabilities`, so Dependency-Track and other SBOM tools ingest an audit directly (a VDR, in
 * CycloneDX terms). Ignored findings stay in, with the reason as their analysis: dropping them would
 * tell the consumer the package is clean.
 */
import type { AuditReport, Package, SeverityScore, VulnerabilityFinding } from '../core/model.js';
import {
  advisorySource,
  advisoryUrl,
  compareNatural,
  compareStrings,
  dependencyViews,
  description,
  displayLocation,
  displayPath,
  severityOf,
  severityRank,
  unique,
} from './common.js';
import { describeNameFinding } from './names.js';
import type { ReporterOptions } from './types.js';

const SCHEMA = 'http://cyclonedx.org/schema/bom-1.6.schema.json';

type CdxMethod = 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4' | 'other';

/**
 * OSV says CVSS_V3 for both 3.0 and 3.1; CycloneDX tells them apart, and the vector's prefix is
 * the only place the difference is written down.
 */
export function ratingMethod(severity: SeverityScore): CdxMethod {
  const vector = severity.vector ?? '';
  switch (severity.type) {
    case 'CVSS_V4':
      return 'CVSSv4';
    case 'CVSS_V3':
      return vector.startsWith('CVSS:3.0/') ? 'CVSSv3' : 'CVSSv31';
    case 'CVSS_V2':
      return 'CVSSv2';
    default:
      return 'other';
  }
}

/** PEP 503 names are already what the purl spec wants for pypi; versions may hold `+` and `!`. */
export function purl(pkg: Package): string {
  const base = `pkg:pypi/${encodeURIComponent(pkg.name)}`;
  return pkg.version !== undefined && pkg.source.kind === 'registry'
    ? `${base}@${encodeURIComponent(pkg.version)}`
    : base;
}

/**
 * A pinned index package is identified by its purl, so the same pin from two files is one
 * component. Anything else is only identified by where it was written.
 */
function bomRef(pkg: Package, cwd: string | undefined): string {
  if (pkg.source.kind === 'registry' && pkg.version !== undefined) return purl(pkg);
  return `requirement:${displayLocation(pkg.location, cwd)}:${pkg.name}`;
}

/** CycloneDX date-times are RFC 3339; a database's free-form date is better left out than rejected. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function rating(severity: SeverityScore | undefined): object[] {
  if (!severity) return [];
  return [
    {
      ...(severity.score !== undefined ? { score: severity.score } : {}),
      severity: severity.level,
      method: ratingMethod(severity),
      ...(severity.vector !== undefined ? { vector: severity.vector } : {}),
    },
  ];
}

interface Group {
  id: string;
  ignoredReason?: string;
  findings: VulnerabilityFinding[];
}

export function renderCycloneDx(report: AuditReport, options: ReporterOptions): string {
  const cwd = options.cwd;

  // Name risks (typosquats, ...) have no place among CycloneDX vulnerabilities: they are properties of
  // the component, one per risk, e.g. `pyward:name-risk` = `critical typosquat of 'requests' (...)`.
  const nameRisks = new Map<string, Set<string>>();
  for (const f of report.names?.findings ?? []) {
    nameRisks.set(f.name, (nameRisks.get(f.name) ?? new Set()).add(`${f.risk} ${describeNameFinding(f)}`));
  }
  const components: Record<string, unknown>[] = [];
  const componentByRef = new Map<string, { properties: { name: string; value: string }[] }>();
  for (const view of dependencyViews(report)) {
    const pkg = view.package;
    const ref = bomRef(pkg, cwd);
    const location = { name: 'pyward:location', value: displayLocation(pkg.location, cwd) };
    const existing = componentByRef.get(ref);
    if (existing) {
      // Same pin in another file: one component, every place it is required from.
      existing.properties.push(location);
      continue;
    }
    const properties = [location];
    if (pkg.specifier) properties.push({ name: 'pyward:specifier', value: pkg.specifier });
    if (pkg.source.kind !== 'registry') properties.push({ name: 'pyward:source', value: pkg.source.kind });
    if (view.skip) properties.push({ name: 'pyward:not-audited', value: view.skip.reason });
    for (const risk of nameRisks.get(pkg.name) ?? []) properties.push({ name: 'pyward:name-risk', value: risk });
    const refs =
      pkg.source.url && (pkg.source.kind === 'vcs' || pkg.source.kind === 'url')
        ? [{ type: pkg.source.kind === 'vcs' ? 'vcs' : 'distribution', url: pkg.source.url }]
        : [];
    const component = {
      type: 'library',
      'bom-ref': ref,
      name: pkg.name,
      ...(pkg.version !== undefined ? { version: pkg.version } : {}),
      purl: purl(pkg),
      ...(refs.length > 0 ? { externalReferences: refs } : {}),
      properties,
    };
    componentByRef.set(ref, component);
    components.push(component);
  }

  // One vulnerability per id; ignored findings of that id form their own entry, since the
  // analysis (the reason) belongs to the whole entry.
  const groups = new Map<string, Group>();
  const addTo = (f: VulnerabilityFinding, ignoredReason?: string): void => {
    const key = `${f.vulnerability.id}\u0000${ignoredReason ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { id: f.vulnerability.id, findings: [], ...(ignoredReason !== undefined ? { ignoredReason } : {}) };
      groups.set(key, group);
    }
    group.findings.push(f);
  };
  for (const f of report.findings) addTo(f);
  for (const i of report.ignored) addTo(i.finding, i.reason);

  const sorted = [...groups.values()].sort((a, b) => {
    const fa = a.findings[0] as VulnerabilityFinding;
    const fb = b.findings[0] as VulnerabilityFinding;
    return (
      Number(a.ignoredReason !== undefined) - Number(b.ignoredReason !== undefined) ||
      severityRank(severityOf(fb.vulnerability)) - severityRank(severityOf(fa.vulnerability)) ||
      compareNatural(a.id, b.id) ||
      compareStrings(a.ignoredReason ?? '', b.ignoredReason ?? '')
    );
  });

  const seenRefs = new Set<string>();
  const vulnerabilities = sorted.map((group) => {
    const v = (group.findings[0] as VulnerabilityFinding).vulnerability;
    let ref = group.ignoredReason === undefined ? v.id : `${v.id}:ignored`;
    for (let n = 2; seenRefs.has(ref); n++) ref = `${v.id}:ignored:${n}`;
    seenRefs.add(ref);

    const affects = unique(group.findings.map((f) => bomRef(f.package, cwd))).map((componentRef) => {
      const f = group.findings.find((x) => bomRef(x.package, cwd) === componentRef) as VulnerabilityFinding;
      return {
        ref: componentRef,
        ...(f.package.version !== undefined ? { versions: [{ version: f.package.version, status: 'affected' }] } : {}),
      };
    });

    const recommendations = unique(
      group.findings.map((f) => {
        const own =
          f.fixVersions.length > 0
            ? `Fixed in ${f.package.name} ${f.fixVersions.join(', ')}.`
            : `No fixed version of ${f.package.name} is known.`;
        // The suggested upgrade clears every reported finding of the package, so it is named only
        // for reported ones: it need not clear an ignored finding.
        const fix =
          group.ignoredReason === undefined
            ? report.fixes.find((x) => x.name === f.package.name && x.from === (f.package.version ?? ''))
            : undefined;
        if (!fix) return own;
        const upgrade = `Upgrade ${fix.name} from ${fix.from} to ${fix.to}`;
        return f.fixVersions.length === 1 && f.fixVersions[0] === fix.to
          ? `${upgrade}.`
          : `${own} ${upgrade} to fix every reported vulnerability of it.`;
      }),
    );

    const advisories = unique([advisoryUrl(v.id), ...v.references]).map((url, i) =>
      i === 0 ? { title: v.id, url } : { url },
    );
    const aliases = v.aliases.filter((a) => a !== v.id);

    return {
      'bom-ref': ref,
      id: v.id,
      source: advisorySource(v.id),
      ...(aliases.length > 0 ? { references: aliases.map((a) => ({ id: a, source: advisorySource(a) })) } : {}),
      ...(v.severity ? { ratings: rating(v.severity) } : {}),
      description: v.summary?.trim() || description(v),
      ...(v.summary && v.details ? { detail: v.details.trim() } : {}),
      recommendation: recommendations.join(' '),
      advisories,
      ...(v.published && RFC3339.test(v.published) ? { published: v.published } : {}),
      ...(v.modified && RFC3339.test(v.modified) ? { updated: v.modified } : {}),
      affects,
      ...(group.ignoredReason !== undefined ? { analysis: { detail: `Ignored: ${group.ignoredReason}` } } : {}),
    };
  });

  const db = report.database;
  const metadataProperties = [
    { name: 'pyward:database:source', value: db.source },
    ...(db.builtAt !== undefined ? [{ name: 'pyward:database:built-at', value: db.builtAt }] : []),
    ...(db.records !== undefined ? [{ name: 'pyward:database:records', value: String(db.records) }] : []),
    ...report.inputs.map((i) => ({ name: 'pyward:input', value: `${displayPath(i.path, cwd)} (${i.format})` })),
  ];

  // No serialNumber or timestamp: the report carries neither, and inventing them would make the
  // same audit print differently twice. A caller that needs them can add both.
  const bom = {
    $schema: SCHEMA,
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: {
      tools: {
        components: [{ type: 'application', name: report.tool.name, version: report.tool.version }],
      },
      properties: metadataProperties,
    },
    components,
    vulnerabilities,
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}
