/**
 * JSON Schema validation for the reporter tests, offline: every schema is read from disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { AnySchemaObject, ErrorObject, Plugin } from 'ajv';

// ajv-formats is CommonJS whose default export TypeScript cannot call under NodeNext; require it.
const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats') as Plugin<unknown>;

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** A draft-07 validator with the standard formats checked, not just ignored. */
export function newAjv(unicodeRegExp = true): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, unicodeRegExp });
  addFormats(ajv);
  // CycloneDX uses the IRI formats, which ajv-formats lacks. An IRI is a URI that may also hold
  // non-ASCII characters, so: no whitespace or characters RFC 3987 excludes, and, for `iri`, a scheme.
  const iriReference = /^[^\s<>"{}|\\^`]*$/u;
  ajv.addFormat('iri-reference', iriReference);
  ajv.addFormat('iri', (s: string) => iriReference.test(s) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s));
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  return ajv;
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

/** `../shared` beside the repository: the team's vendored standards, never read by shipped code. */
export const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export function loadCycloneDxValidator(): (doc: unknown) => string | undefined {
  const dir = `${SHARED}vectors/sbom-schemas/`;
  const ajv = newAjv();
  // The BOM schema $refs these by file name, which resolves against its own $id; their $ids name
  // the released files instead, so they are registered under the names the BOM asks for.
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const { $id: _released, ...schema } = readJson(`${dir}${name}`) as AnySchemaObject;
    ajv.addSchema(schema, `http://cyclonedx.org/schema/${name}`);
  }
  const validate = ajv.compile(readJson(`${dir}bom-1.6.SNAPSHOT.schema.json`) as AnySchemaObject);
  return (doc) => (validate(doc) ? undefined : describeErrors(validate.errors));
}

/**
 * The official SARIF 2.1.0 schema, from the devDependency that ships it
 * (@microsoft/jest-sarif: lib/schemas/sarif-2.1.0-rtm.5.json, the OASIS 2.1.0 schema as
 * SchemaStore publishes it), or from $SARIF_SCHEMA. Undefined when neither is there.
 */
export function sarifSchemaPath(): string | undefined {
  const candidates: string[] = [];
  if (process.env.SARIF_SCHEMA) candidates.push(process.env.SARIF_SCHEMA);
  try {
    candidates.push(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
  } catch {
    // not installed: the caller skips the official-schema test and says why
  }
  return candidates.find((p) => existsSync(p));
}

export function loadSarifValidator(path: string): (doc: unknown) => string | undefined {
  const schema = readJson(path) as AnySchemaObject;
  // That schema is written in draft-04, which ajv 8 reads as draft-07 once its draft-04 header
  // (`$schema`, and `id` for `$id`) is dropped; it uses no keyword whose meaning changed.
  const { $schema: _draft, id: _id, ...body } = schema;
  // Its `language` pattern ends in a stray `]?`, harmless without the u flag and a syntax error
  // with it; SARIF validators in other languages compile it without the flag too.
  const validate = newAjv(false).compile(body);
  return (doc) => (validate(doc) ? undefined : describeErrors(validate.errors));
}

export function loadAuditJsonValidator(): (doc: unknown) => string | undefined {
  const validate = newAjv().compile(readJson(`${REPO}test/schemas/pyward-audit-json.schema.json`) as AnySchemaObject);
  return (doc) => (validate(doc) ? undefined : describeErrors(validate.errors));
}
