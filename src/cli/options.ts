/** Option helpers shared by the commands: defaults that depend on the environment, and validators. */
import { InvalidArgumentError } from 'commander';

export { defaultCacheDir, defaultDbFile, useColor } from './env.js';

export function oneOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return value as T;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
