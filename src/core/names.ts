/** PEP 503 project name normalization and PEP 508 name validity. */

const SEPARATORS = /[-_.]+/g;
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** `Foo.Bar_baz` -> `foo-bar-baz`. */
export function normalizeName(name: string): string {
  return name.replace(SEPARATORS, '-').toLowerCase();
}

export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}
