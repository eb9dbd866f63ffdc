/**
 * `audit --fix` for requirements files: raise `name==old` pins to `name==new` and change nothing
 * else, byte for byte. Lines are read with the same rules as parse.ts (continuations, comments,
 * options), so a change lands on the requirement pip would read, and line numbers match the
 * parser's locations.
 */
import { compareVersions, parseVersion } from '../../core/version.js';
import { parseRequirement } from '../../core/requirement.js';
import { isArchive, isUrl, looksLikePath, redactUrl } from './links.js';
import { logicalLines, sliceMapped, splitArgsOptions, stripComment } from './lines.js';

export interface PinChange {
  /** Normalized name. */
  name: string;
  /** Line the requirement starts on (the parser's location line). */
  line: number;
  /** The version as it was written. */
  from: string;
  to: string;
}

export interface RewriteResult {
  text: string;
  changes: PinChange[];
  warnings: string[];
}

/** The version of a `==` clause, as written; never `===` (arbitrary equality is left to the user). */
const EQ_VERSION = /(?<![=!<>~])==(?!=)\s*([A-Za-z0-9._+!-]+)/;

export function rewritePins(text: string, upgrades: Map<string, string>): RewriteResult {
  const edits: { start: number; end: number; to: string }[] = [];
  const changes: PinChange[] = [];
  const warnings: string[] = [];

  for (const logical of logicalLines(text)) {
    const content = stripComment(logical);
    if (content.text === '') continue;
    const { args, options } = splitArgsOptions(content.text);
    const requirement = args.trim();
    if (requirement === '') continue; // option lines and -e lines pin nothing

    // Bare URLs, paths and wheel files are not name==version pins (the auditor skips them too).
    const beforeMarker = requirement.split(';')[0]!.trim();
    const at = beforeMarker.indexOf('@');
    const namedUrl = at >= 0 && !looksLikePath(beforeMarker.slice(0, at));
    if (isUrl(requirement) || (!namedUrl && (isArchive(beforeMarker) || looksLikePath(beforeMarker)))) continue;

    let req;
    try {
      req = parseRequirement(requirement);
    } catch {
      continue; // the parser reports invalid lines; a fix leaves them alone
    }
    const to = upgrades.get(req.name);
    if (to === undefined) continue;
    const where = `line ${logical.line}: ${req.rawName}`;
    if (req.url !== undefined) {
      warnings.push(`${where} is installed from ${redactUrl(req.url)}, not pinned with ==; change its URL by hand`);
      continue;
    }
    const clauses = req.specifier === '' ? [] : req.specifier.split(',');
    if (clauses.length !== 1 || !/^==[^=*]+$/.test(clauses[0]!)) {
      warnings.push(`${where}${req.specifier} is not one exact == pin, left as is; change it by hand to allow ${to}`);
      continue;
    }
    const target = parseVersion(to);
    if (target === undefined) {
      warnings.push(`${where}: ${to} is not a valid version, left as is`);
      continue;
    }
    // A marker can hold "==" too, so look only before the `;`. The requirement starts at 0: stripComment trimmed it.
    const semi = args.indexOf(';');
    const m = EQ_VERSION.exec(semi < 0 ? args : args.slice(0, semi));
    if (!m) continue;
    const from = m[1]!;
    // 1.0 and 1.0.0 are the same version: compare them as versions, never as strings.
    const current = parseVersion(from);
    if (current !== undefined && compareVersions(current, target) === 0) continue;
    const first = m.index + m[0].length - from.length;
    const span = sliceMapped(content, first, first + from.length);
    const start = span.offsets[0]!;
    // The version has to sit in one run of the original text; split over a continuation it cannot be replaced in place.
    if (span.offsets.some((o, i) => o !== start + i)) {
      warnings.push(`${where}==${from} is split over a line continuation, left as is; change it by hand to ${to}`);
      continue;
    }
    edits.push({ start, end: start + from.length, to });
    changes.push({ name: req.name, line: logical.line, from, to });
    if (/(^|\s)--hash(=|\s|$)/.test(options)) {
      warnings.push(
        `${where}==${to} still carries the --hash values of ${from}, which pip will reject; regenerate them (e.g. pip-compile --generate-hashes)`,
      );
    }
  }

  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.to + out.slice(e.end);
  return { text: out, changes, warnings };
}
