/**
 * Every rule, in the order reports and docs list them. An explicit list, not a directory scan:
 * adding a rule is a reviewed change here, and `--explain` and docs/inspect.md read from it.
 */
import type { Rule } from '../types.js';
import { consistencyRules } from './consistency.js';
import { credentialRules } from './credentials.js';
import { downloadRules } from './download.js';
import { execRules } from './exec.js';
import { hostRules } from './host.js';
import { installRules } from './install.js';
import { metadataRules } from './metadata.js';
import { networkRules } from './network.js';
import { obfuscationRules } from './obfuscation.js';
import { packagingRules } from './packaging.js';
import { processRules } from './process.js';

export const RULES: readonly Rule[] = [
  ...installRules,
  ...execRules,
  ...downloadRules,
  ...obfuscationRules,
  ...processRules,
  ...networkRules,
  ...credentialRules,
  ...hostRules,
  ...packagingRules,
  ...consistencyRules,
  ...metadataRules,
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}
