/**
 * Sigstore trusted roots: which certificate authorities, transparency logs, CT logs and timestamp
 * authorities a bundle may chain to. pyward ships the production root (data/sigstore/, see its
 * README) so verification works offline; `--trusted-root FILE` replaces it (the staging instance,
 * a private Sigstore, the conformance suite's custom roots).
 *
 * Offline behaviour: this source never touches the network. A root refreshed through TUF would be a
 * third `TrustedRootSource` kind, picked by `resolveTrustedRoot` before the embedded one; that
 * refresh is not implemented yet.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type KeyFinderFunc, type TrustMaterial } from '@sigstore/verify';
import { InputError } from '../../core/errors.js';

export interface TrustedRootSource {
  /** `embedded`: the production root shipped with pyward; `file`: one given with --trusted-root. */
  kind: 'embedded' | 'file';
  /** For people: `Sigstore production (embedded)` or the file's path. */
  label: string;
  path: string;
  /** sha256 of the file's bytes, so a report says exactly which root it trusted. */
  sha256: string;
  root: TrustedRoot;
}

export const EMBEDDED_ROOT_PATH = fileURLToPath(new URL('../../../data/sigstore/trusted_root.json', import.meta.url));

const MEDIA_TYPES = new Set([
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.1+json',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
]);

let embedded: TrustedRootSource | undefined;

/** The root to verify against: the file when one is given, else the embedded production root. */
export function resolveTrustedRoot(options: { file?: string | undefined } = {}): TrustedRootSource {
  if (options.file !== undefined) return loadTrustedRootFile(options.file, 'file');
  // Parsed once per process: the gate verifies many files against the same root.
  embedded ??= loadTrustedRootFile(EMBEDDED_ROOT_PATH, 'embedded');
  return embedded;
}

export function loadTrustedRootFile(path: string, kind: TrustedRootSource['kind'] = 'file'): TrustedRootSource {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'input-not-found' : 'input-unreadable';
    throw new InputError(code, `cannot read the trusted root: ${(err as Error).message}`, { file: path });
  }
  return parseTrustedRoot(bytes, { path, kind });
}

export function parseTrustedRoot(
  bytes: Buffer,
  { path, kind }: { path: string; kind: TrustedRootSource['kind'] },
): TrustedRootSource {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InputError('input-parse', `the trusted root is not JSON: ${(err as Error).message}`, { file: path });
  }
  const problems = validateTrustedRootJson(json);
  if (problems.length > 0) {
    throw new InputError(
      'input-parse',
      `not a usable Sigstore trusted root: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
      { file: path },
    );
  }
  const root = TrustedRoot.fromJSON(json);
  // Building the trust material parses every key and certificate: do it once here so that a
  // corrupt root is reported as such, not as a failed signature later.
  try {
    toTrustMaterial(root);
  } catch (err) {
    throw new InputError('input-parse', `the trusted root holds an unreadable key or certificate: ${(err as Error).message}`, { file: path });
  }
  return {
    kind,
    label: kind === 'embedded' ? 'Sigstore production (embedded)' : path,
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    root,
  };
}

const materials = new WeakMap<TrustedRootSource, TrustMaterial>();

/**
 * Trust material for @sigstore/verify. `keys` resolves a managed key (`--key`); without it a bundle
 * signed with a bare key fails, which is what should happen when none was given.
 */
export function trustMaterial(source: TrustedRootSource, keys?: KeyFinderFunc): TrustMaterial {
  if (keys) return toTrustMaterial(source.root, keys);
  let material = materials.get(source);
  if (!material) {
    material = toTrustMaterial(source.root);
    materials.set(source, material);
  }
  return material;
}

/**
 * The protobuf reader fills gaps with defaults (a missing validity start becomes "since forever",
 * missing bytes become empty), which would turn a truncated root into a more permissive one. So
 * the JSON is checked first: every key and CA must say since when it is valid, and carry bytes.
 */
export function validateTrustedRootJson(json: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(json)) return ['the top level is not an object'];
  if (typeof json['mediaType'] !== 'string' || !MEDIA_TYPES.has(json['mediaType'])) {
    problems.push(`unknown mediaType ${JSON.stringify(json['mediaType'])}`);
  }
  const tlogs = json['tlogs'];
  if (!Array.isArray(tlogs) || tlogs.length === 0) problems.push('no transparency logs (tlogs)');
  else tlogs.forEach((t, i) => checkLog(t, `tlogs[${i}]`, problems));
  const ctlogs = json['ctlogs'] ?? [];
  if (!Array.isArray(ctlogs)) problems.push('ctlogs is not a list');
  else ctlogs.forEach((t, i) => checkLog(t, `ctlogs[${i}]`, problems));
  const cas = json['certificateAuthorities'] ?? [];
  if (!Array.isArray(cas)) problems.push('certificateAuthorities is not a list');
  else cas.forEach((c, i) => checkAuthority(c, `certificateAuthorities[${i}]`, problems));
  const tsas = json['timestampAuthorities'] ?? [];
  if (!Array.isArray(tsas)) problems.push('timestampAuthorities is not a list');
  else tsas.forEach((c, i) => checkAuthority(c, `timestampAuthorities[${i}]`, problems));
  return problems;
}

function checkLog(log: unknown, where: string, problems: string[]): void {
  if (!isObject(log)) {
    problems.push(`${where} is not an object`);
    return;
  }
  const key = log['publicKey'];
  if (!isObject(key)) {
    problems.push(`${where}.publicKey is missing`);
  } else {
    if (!isBase64(key['rawBytes'])) problems.push(`${where}.publicKey.rawBytes is missing or not base64`);
    if (typeof key['keyDetails'] !== 'string') problems.push(`${where}.publicKey.keyDetails is missing`);
    checkValidity(key['validFor'], `${where}.publicKey.validFor`, problems);
  }
  const logId = log['logId'];
  if (!isObject(logId) || !isBase64(logId['keyId'])) problems.push(`${where}.logId.keyId is missing or not base64`);
}

function checkAuthority(ca: unknown, where: string, problems: string[]): void {
  if (!isObject(ca)) {
    problems.push(`${where} is not an object`);
    return;
  }
  const chain = ca['certChain'];
  const certs = isObject(chain) ? chain['certificates'] : undefined;
  if (!Array.isArray(certs) || certs.length === 0) {
    problems.push(`${where}.certChain has no certificates`);
  } else {
    certs.forEach((c, i) => {
      if (!isObject(c) || !isBase64(c['rawBytes'])) problems.push(`${where}.certChain.certificates[${i}].rawBytes is missing or not base64`);
    });
  }
  checkValidity(ca['validFor'], `${where}.validFor`, problems);
}

function checkValidity(validFor: unknown, where: string, problems: string[]): void {
  if (!isObject(validFor)) {
    problems.push(`${where} is missing`);
    return;
  }
  const start = parseTime(validFor['start']);
  if (start === undefined) {
    problems.push(`${where}.start is missing or not a timestamp`);
    return;
  }
  // protobuf JSON writes an unset field as null or leaves it out; both mean "no end".
  if (validFor['end'] !== undefined && validFor['end'] !== null) {
    const end = parseTime(validFor['end']);
    if (end === undefined) problems.push(`${where}.end is not a timestamp`);
    else if (end < start) problems.push(`${where} ends before it starts`);
  }
}

/** RFC 3339, as protobuf JSON writes google.protobuf.Timestamp. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isBase64(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && BASE64.test(value);
}
