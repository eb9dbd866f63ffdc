/**
 * Building a Package from what an input wrote, the same way in every format: the name a lockfile
 * entry must have, a version that is canonical PEP 440 or a diagnostic, hashes in one form.
 */
import type { Diagnostic, Location, PackageSource } from '../core/model.js';
import { canonicalVersion } from '../core/version.js';
import { asString, asTable, type TomlTable } from './toml.js';

/**
 * The group name given to a project's main (non-optional, non-dev) dependencies. pdm.lock and
 * pdm's pylock export already call it `default`; the other formats leave it unnamed, so every
 * input uses this one word and `groups` reads the same whichever file it came from.
 */
export const DEFAULT_GROUP = 'default';

/** A hash as `Package.hashes` holds it: `<algorithm>:<hex>`. */
export function isHash(text: string): boolean {
  return /^[a-z0-9_-]+:[0-9a-f]+$/i.test(text);
}

/**
 * An entry of a lockfile's array of tables (`[[package]]`, `[[packages]]`) with its `name`. An
 * entry without one names nothing that could be checked: it is an error diagnostic and skipped.
 */
export function namedEntry(
  value: unknown,
  header: string,
  location: Location,
  diagnostics: Diagnostic[],
): { table: TomlTable; rawName: string } | undefined {
  const table = asTable(value);
  const rawName = asString(table?.['name']);
  if (table && rawName) return { table, rawName };
  diagnostics.push({ severity: 'error', code: 'missing-name', message: `${header} entry has no \`name\`; it was skipped`, location });
  return undefined;
}

/**
 * A version as the input wrote it, in canonical PEP 440 form. Anything else (a non-string too)
 * is an `invalid-version` diagnostic, because such a package cannot be matched against
 * advisories. The formats weigh that differently today: uv, PDM and PEP 751 lockfiles call it an
 * error, poetry.lock and installed metadata a warning; hence `severity`.
 */
export function checkedVersion(
  written: unknown,
  rawName: string,
  location: Location,
  severity: Diagnostic['severity'],
  diagnostics: Diagnostic[],
): string | undefined {
  const version = typeof written === 'string' ? canonicalVersion(written) : undefined;
  if (version === undefined) {
    diagnostics.push({
      severity,
      code: 'invalid-version',
      message: `${rawName}: version ${JSON.stringify(written)} is not a PEP 440 version; it cannot be matched against advisories`,
      location,
    });
  }
  return version;
}

/**
 * The `version` of a uv.lock or pdm.lock entry. Local projects with a dynamic version are locked
 * without one; anything fetched must have one, or it cannot be checked for vulnerabilities.
 */
export function lockedVersion(
  table: TomlTable,
  rawName: string,
  source: PackageSource,
  location: Location,
  diagnostics: Diagnostic[],
): string | undefined {
  const written = table['version'];
  if (written !== undefined) return checkedVersion(written, rawName, location, 'error', diagnostics);
  if (source.kind !== 'path' && source.kind !== 'editable') {
    diagnostics.push({
      severity: 'error',
      code: 'missing-version',
      message: `${rawName}: no \`version\` in its [[package]] entry, so it cannot be checked for known vulnerabilities`,
      location,
    });
  }
  return undefined;
}
