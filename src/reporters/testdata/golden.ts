/**
 * Golden files for the reporters. Regenerate after an intended change with
 *   UPDATE_GOLDEN=1 npm exec -- vitest run src/reporters
 * and review the diff of src/reporters/testdata/golden/ before committing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const DIR = fileURLToPath(new URL('./golden/', import.meta.url));

export const UPDATING = process.env.UPDATE_GOLDEN === '1';

export function expectGolden(name: string, actual: string): void {
  const path = `${DIR}${name}`;
  if (UPDATING) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`no golden file ${name}; create it with UPDATE_GOLDEN=1 npm exec -- vitest run src/reporters`);
  }
  expect(actual, `${name} differs; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`).toBe(
    readFileSync(path, 'utf8'),
  );
}
