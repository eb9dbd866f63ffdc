/** Option helpers shared by the commands: defaults that depend on the environment, and validators. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';

export function defaultCacheDir(): string {
  if (process.env['PYWARD_CACHE_DIR']) return process.env['PYWARD_CACHE_DIR'];
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'pyward');
}

export function defaultDbFile(cacheDir: string): string {
  return join(cacheDir, 'osv.db');
}

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

/** Color only on a TTY, never with NO_COLOR (https://no-color.org) or --no-color. */
export function useColor(flag: boolean, stream: NodeJS.WriteStream): boolean {
  return flag && stream.isTTY === true && !process.env['NO_COLOR'];
}
