/**
 * The options part of a requirements line, read the way pip reads it: `shlex.split` (POSIX rules)
 * followed by optparse with exactly the options pip allows in a requirements file. Anything else
 * pip rejects, so we report it rather than guess what it meant.
 */

export interface OptionSpec {
  /** Canonical long name, used when recording the option. */
  readonly name: string;
  /** Other long spellings pip accepts. */
  readonly aliases?: readonly string[];
  readonly short?: string;
  readonly takesValue: boolean;
  /** `file` options act on the whole run; `requirement` options belong to the requirement on their line. */
  readonly scope: 'file' | 'requirement';
}

/** pip's SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ (pip/_internal/req/req_file.py). */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: '--index-url', aliases: ['--pypi-url'], short: '-i', takesValue: true, scope: 'file' },
  { name: '--extra-index-url', takesValue: true, scope: 'file' },
  { name: '--no-index', takesValue: false, scope: 'file' },
  { name: '--constraint', short: '-c', takesValue: true, scope: 'file' },
  { name: '--requirement', short: '-r', takesValue: true, scope: 'file' },
  { name: '--editable', short: '-e', takesValue: true, scope: 'file' },
  { name: '--find-links', short: '-f', takesValue: true, scope: 'file' },
  { name: '--no-binary', takesValue: true, scope: 'file' },
  { name: '--only-binary', takesValue: true, scope: 'file' },
  { name: '--prefer-binary', takesValue: false, scope: 'file' },
  { name: '--require-hashes', takesValue: false, scope: 'file' },
  { name: '--pre', takesValue: false, scope: 'file' },
  { name: '--trusted-host', takesValue: true, scope: 'file' },
  { name: '--use-feature', takesValue: true, scope: 'file' },
  { name: '--global-option', takesValue: true, scope: 'requirement' },
  { name: '--hash', takesValue: true, scope: 'requirement' },
  { name: '--config-settings', short: '-C', takesValue: true, scope: 'requirement' },
];

export interface ParsedOption {
  spec: OptionSpec;
  /** As written, e.g. `-i` or `--extra-index` (an abbreviation optparse accepts). */
  written: string;
  value?: string;
}

export interface OptionProblem {
  /** `unsupported-option` for options pip does not know; `invalid-option` for bad use of known ones. */
  code: 'unsupported-option' | 'invalid-option';
  message: string;
}

export interface ParsedOptions {
  options: ParsedOption[];
  /** Words that are not options; optparse collects them and pip then ignores them. */
  positionals: string[];
  /** The first problem; like optparse, parsing stops there, keeping what came before. */
  problem?: OptionProblem;
}

/** Python's `shlex.split(s)` (posix mode, no comments). Throws an Error with shlex's message. */
export function shlexSplit(s: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new Error('No escaped character');
      word = (word ?? '') + s[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      word = (word ?? '') + s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      // Inside double quotes a backslash escapes only `"` and itself; elsewhere it stays.
      let j = i + 1;
      let acc = '';
      for (;;) {
        if (j >= s.length) throw new Error('No closing quotation');
        const d = s[j]!;
        if (d === '"') break;
        if (d === '\\' && (s[j + 1] === '"' || s[j + 1] === '\\')) {
          acc += s[j + 1];
          j += 2;
        } else {
          acc += d;
          j++;
        }
      }
      word = (word ?? '') + acc;
      i = j + 1;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** optparse accepts any unambiguous prefix of a long option; an exact match always wins. */
function findLong(written: string): OptionSpec | OptionSpec[] | undefined {
  const names = (spec: OptionSpec) => [spec.name, ...(spec.aliases ?? [])];
  const exact = OPTION_SPECS.find((spec) => names(spec).includes(written));
  if (exact) return exact;
  const candidates = OPTION_SPECS.filter((spec) => names(spec).some((n) => n.startsWith(written)));
  if (candidates.length === 1) return candidates[0];
  return candidates.length > 1 ? candidates : undefined;
}

function unsupported(written: string): OptionProblem {
  return { code: 'unsupported-option', message: `unsupported option ${written} (pip would reject it too)` };
}

function needsValue(written: string): OptionProblem {
  return { code: 'invalid-option', message: `option ${written} needs a value (pip would reject it too)` };
}

export function parseOptionWords(words: readonly string[]): ParsedOptions {
  const result: ParsedOptions = { options: [], positionals: [] };
  let i = 0;
  while (i < words.length) {
    const word = words[i++]!;
    if (word === '--') {
      result.positionals.push(...words.slice(i));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const written = eq < 0 ? word : word.slice(0, eq);
      const found = findLong(written);
      if (found === undefined) return { ...result, problem: unsupported(written) };
      if (Array.isArray(found)) {
        const list = found.map((s) => s.name).join(', ');
        return {
          ...result,
          problem: { code: 'invalid-option', message: `ambiguous option ${written}: it could be ${list}; write it out` },
        };
      }
      if (!found.takesValue) {
        if (eq >= 0) {
          return {
            ...result,
            problem: { code: 'invalid-option', message: `option ${found.name} takes no value (pip would reject it too)` },
          };
        }
        result.options.push({ spec: found, written });
        continue;
      }
      const value: string | undefined = eq >= 0 ? word.slice(eq + 1) : words[i++];
      if (value === undefined) return { ...result, problem: needsValue(written) };
      result.options.push({ spec: found, written, value });
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      // Every short option pip allows here takes a value, so a cluster is one option and its value.
      const written = word.slice(0, 2);
      const spec = OPTION_SPECS.find((s) => s.short === written);
      if (!spec) return { ...result, problem: unsupported(written) };
      const value = word.length > 2 ? word.slice(2) : words[i++];
      if (value === undefined) return { ...result, problem: needsValue(written) };
      result.options.push({ spec, written, value });
      continue;
    }
    result.positionals.push(word);
  }
  return result;
}
