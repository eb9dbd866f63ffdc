/**
 * `text` without the `/` at its end, however many: `replace(/\/+$/, '')` as a loop. V8 runs that
 * regex from every slash of a run and fails at the character after it, quadratic on a hostile URL
 * with a long run of slashes before its end.
 */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return end === text.length ? text : text.slice(0, end);
}
