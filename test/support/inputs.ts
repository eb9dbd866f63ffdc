/**
 * Helpers the input parsers' tests share: where their testdata is, finding a package in what a
 * parser returned, and catching the InputError a bad input must raise.
 */
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/core/errors.js';
import type { Inventory, Package } from '../../src/core/model.js';

/**
 * The `testdata/` folder beside a test file, as a function from a file name to its path:
 * `const testdata = testdataBeside(import.meta.url)`. `testdata('')` is the folder itself.
 */
export function testdataBeside(testFileUrl: string): (name: string) => string {
  return (name) => fileURLToPath(new URL(`testdata/${name}`, testFileUrl));
}

/** The package of that name (and in that group, when given); the test fails, listing the names there are, when there is none. */
export function byName(from: Inventory | readonly Package[], name: string, group?: string): Package {
  const packages = 'packages' in from ? from.packages : from;
  const pkg = packages.find((p) => p.name === name && (group === undefined || p.groups?.includes(group)));
  if (pkg === undefined) throw new Error(`no package ${name} in ${packages.map((p) => p.name).join(', ')}`);
  return pkg;
}

/** The InputError that `fn` throws; throwing anything else, or nothing, fails the test. */
export function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** The InputError that `promise` rejects with; anything else, or resolving, fails the test. */
export async function rejected(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}
