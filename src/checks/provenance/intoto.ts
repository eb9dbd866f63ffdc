/**
 * in-toto statements (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md), the
 * payload of every DSSE attestation pyward judges. Parsed only after the envelope's signature has
 * verified: before that, the bytes are anyone's.
 */
import { VerifyError } from './errors.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_TYPES = new Set(['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1']);

export interface Subject {
  name: string | undefined;
  /** Algorithm -> lower-case hex, e.g. `sha256`. */
  digest: Record<string, string>;
}

export interface Statement {
  type: string;
  subjects: Subject[];
  predicateType: string;
  predicate: unknown;
}

export function parseStatement(payloadType: string, payload: Uint8Array): Statement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new VerifyError('bundle-malformed', `the envelope's payload type is ${JSON.stringify(payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    throw new VerifyError('bundle-malformed', `the signed statement is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw new VerifyError('bundle-malformed', 'the signed statement is not a JSON object');
  const type = json['_type'];
  if (typeof type !== 'string' || !STATEMENT_TYPES.has(type)) {
    throw new VerifyError('bundle-malformed', `not an in-toto statement (_type ${JSON.stringify(type)})`);
  }
  const rawSubjects = json['subject'];
  if (!Array.isArray(rawSubjects)) throw new VerifyError('bundle-malformed', 'the statement has no subject list');
  const subjects = rawSubjects.map((s, i): Subject => {
    if (!isObject(s) || !isObject(s['digest'])) throw new VerifyError('bundle-malformed', `subject ${i} has no digest`);
    const name = s['name'];
    if (name !== undefined && typeof name !== 'string') throw new VerifyError('bundle-malformed', `subject ${i} has a non-string name`);
    const digest: Record<string, string> = {};
    for (const [alg, value] of Object.entries(s['digest'])) {
      if (typeof value !== 'string' || !/^[0-9a-fA-F]+$/.test(value)) {
        throw new VerifyError('bundle-malformed', `subject ${i} has a non-hex ${alg} digest`);
      }
      digest[alg] = value.toLowerCase();
    }
    return { name, digest };
  });
  const predicateType = json['predicateType'];
  if (typeof predicateType !== 'string') throw new VerifyError('bundle-malformed', 'the statement has no predicateType');
  return { type, subjects, predicateType, predicate: json['predicate'] };
}

/** The subjects whose sha256 is the artifact's. */
export function subjectsWithSha256(statement: Statement, sha256: string): Subject[] {
  const want = sha256.toLowerCase();
  return statement.subjects.filter((s) => s.digest['sha256'] === want);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
