/**
 * Defaults that depend on the environment, shared by the commands. Kept apart from options.ts (the
 * commander validators) so that the audit fast path (audit-run.ts) loads no part of commander.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultCacheDir(): string {
  if (process.env['PYWARD_CACHE_DIR']) return process.env['PYWARD_CACHE_DIR'];
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'pyward');
}

export function defaultDbFile(cacheDir: string): string {
  return join(cacheDir, 'osv.db');
}

/** Color only on a TTY, never with NO_COLOR (https://no-color.org) or --no-color. */
export function useColor(flag: boolean, stream: NodeJS.WriteStream): boolean {
  return flag && stream.isTTY === true && !process.env['NO_COLOR'];
}
