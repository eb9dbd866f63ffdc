/**
 * A small on-disk JSON cache for network answers (OSV API, PyPI JSON API). One file per key, named
 * by a hash so that untrusted keys (package names, advisory ids) never become paths. Writes go to a
 * temporary file renamed into place, so a crash or a concurrent pyward never leaves half a file;
 * an unreadable entry is just a miss. The cache is an optimisation: failing to write it is not an error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Entry {
  key: string;
  storedAt: number;
  value: unknown;
}

export interface CacheHit {
  value: unknown;
  storedAt: number;
}

export class JsonCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  /** The entry for `key` if present and, when `maxAgeMs` is given, younger than that. */
  get(key: string, maxAgeMs?: number, now: number = Date.now()): CacheHit | undefined {
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(this.file(key), 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    // The key is stored too: a hash collision or a foreign file must not answer for another key.
    if (typeof entry !== 'object' || entry === null || entry.key !== key || typeof entry.storedAt !== 'number') {
      return undefined;
    }
    if (maxAgeMs !== undefined && now - entry.storedAt > maxAgeMs) return undefined;
    return { value: entry.value, storedAt: entry.storedAt };
  }

  set(key: string, value: unknown, now: number = Date.now()): void {
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, JSON.stringify({ key, storedAt: now, value } satisfies Entry));
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
}
