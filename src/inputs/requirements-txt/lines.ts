/**
 * How pip turns the text of a requirements file into logical lines: split, join continuations,
 * strip comments, then (in parse.ts) expand `${VAR}`. Every step keeps, for each character, its
 * offset in the original text, so that fix.ts can rewrite a version in place and leave every other
 * byte alone.
 */

/**
 * Python's `str.splitlines()` boundaries. pip numbers lines with it, so a form feed or a lone CR
 * starts a new line for pip too; using the same set keeps our line numbers equal to pip's.
 * (`\r\n` counts as one break.)
 */
function isLineBreak(code: number): boolean {
  return (
    code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c || code === 0x1c || code === 0x1d ||
    code === 0x1e || code === 0x85 || code === 0x2028 || code === 0x2029
  );
}

/** A line that is only a comment: it ends a continuation instead of joining the next line. */
const COMMENT_LINE = /^\s*#/;

/** Text with, for each of its characters, the offset it came from (-1 for characters pip inserts). */
export interface MappedText {
  text: string;
  offsets: number[];
}

export interface PhysicalLine {
  /** 1-based line number. */
  number: number;
  /** The line without its terminator. */
  text: string;
  /** Offset of the line's first character in the whole text. */
  start: number;
}

export interface LogicalLine extends MappedText {
  /** 1-based number of the physical line it starts on: pip reports that one, and so do we. */
  line: number;
}

/** The line breaks other than `\n`; most files have none of them. */
const RARE_LINE_BREAK = /[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

export function splitPhysicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = 0;
  if (!RARE_LINE_BREAK.test(text)) {
    // Only `\n`: found by the engine's own search, not a character loop in script.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      lines.push({ number: lines.length + 1, text: text.slice(start, i), start });
      start = i + 1;
    }
    if (start < text.length) lines.push({ number: lines.length + 1, text: text.slice(start), start });
    return lines;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x2029 || !isLineBreak(code)) continue;
    lines.push({ number: lines.length + 1, text: text.slice(start, i), start });
    if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  // Like splitlines(): a final terminator does not open an empty last line.
  if (start < text.length) lines.push({ number: lines.length + 1, text: text.slice(start), start });
  return lines;
}

/** Shared by every line read without offsets; never written to (slicing and joining make new arrays). */
const NO_OFFSETS: number[] = [];

function mapped(text: string, start: number, withOffsets: boolean): MappedText {
  if (!withOffsets) return { text, offsets: NO_OFFSETS };
  const offsets = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) offsets[i] = start + i;
  return { text, offsets };
}

function slice(m: MappedText, from: number, to = m.text.length): MappedText {
  return { text: m.text.slice(from, to), offsets: m.offsets.slice(from, to) };
}

function concat(parts: MappedText[]): MappedText {
  return { text: parts.map((p) => p.text).join(''), offsets: parts.flatMap((p) => p.offsets) };
}

/** Python's `str.strip('\\')`: pip removes backslashes from both ends of a continued line. */
function stripBackslashes(m: MappedText): MappedText {
  let from = 0;
  let to = m.text.length;
  while (from < to && m.text[from] === '\\') from++;
  while (to > from && m.text[to - 1] === '\\') to--;
  return slice(m, from, to);
}

/**
 * Joins lines ending in a backslash with the next one, as pip's `join_lines` does: a comment line
 * ends a continuation (and is kept, prefixed with a space, so the comment rule strips it later), and
 * a backslash on the last line of the file simply ends that logical line.
 *
 * `offsets: false` is for readers that need only the text (parsing): every `offsets` array is then
 * empty, which saves an array entry per character of the file.
 */
export function logicalLines(text: string, options: { offsets?: boolean } = {}): LogicalLine[] {
  const withOffsets = options.offsets ?? true;
  const out: LogicalLine[] = [];
  let pending: MappedText[] = [];
  let first = 0;
  for (const phys of splitPhysicalLines(text)) {
    let m = mapped(phys.text, phys.start, withOffsets);
    const isComment = COMMENT_LINE.test(phys.text);
    if (!phys.text.endsWith('\\') || isComment) {
      if (isComment) m = concat([{ text: ' ', offsets: withOffsets ? [-1] : NO_OFFSETS }, m]);
      if (pending.length > 0) {
        out.push({ line: first, ...concat([...pending, m]) });
        pending = [];
      } else {
        out.push({ line: phys.number, ...m });
      }
    } else {
      if (pending.length === 0) first = phys.number;
      pending.push(stripBackslashes(m));
    }
  }
  if (pending.length > 0) out.push({ line: first, ...concat(pending) });
  return out;
}

/**
 * pip's `ignore_comments` for one line: drop the comment (`#` at the start or after whitespace, so
 * `url#egg=x` is no comment), then surrounding whitespace. A scan, not pip's `(^|\s+)#.*$`, which
 * backtracks quadratically on a long run of spaces; the result is the same once trimmed.
 */
export function stripComment(m: MappedText): MappedText {
  let hash = m.text.indexOf('#');
  while (hash > 0 && !/\s/.test(m.text[hash - 1]!)) hash = m.text.indexOf('#', hash + 1);
  const cut = hash >= 0 ? slice(m, 0, hash) : m;
  const from = cut.text.length - cut.text.trimStart().length;
  return slice(cut, from, from + cut.text.trim().length);
}

/**
 * pip's `break_args_options`: the words up to the first one starting with `-` are the requirement,
 * the rest are options. It splits on single spaces only, so markers (which shlex would mangle) stay
 * intact, and a tab before `--hash` leaves the option inside the requirement, as in pip.
 */
export function splitArgsOptions(line: string): { args: string; options: string; optionsStart: number } {
  const tokens = line.split(' ');
  let k = tokens.findIndex((t) => t.startsWith('-'));
  if (k < 0) k = tokens.length;
  const args = tokens.slice(0, k).join(' ');
  const options = tokens.slice(k).join(' ');
  return { args, options, optionsStart: line.length - options.length };
}

export { slice as sliceMapped };
