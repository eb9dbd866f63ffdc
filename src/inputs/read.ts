/**
 * How a one-file input is read: bounded, strictly UTF-8, every I/O failure an InputError with a
 * fix. Every lockfile format and pyproject.toml read through here; requirements files have their
 * own reader, because pip's encoding rules and `-r` includes are part of that format.
 */
import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import type { Inventory } from '../core/model.js';
import type { InputFormat } from './types.js';

/**
 * Inputs are hostile until read: a file bigger than this is refused before it is loaded, so a
 * planted multi-gigabyte file cannot exhaust memory. Real lock files stay under 10 MiB.
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Reads an input file as UTF-8 text; the error says what is wrong with the path and what to do. */
export async function readInputText(path: string, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  const file = { file: path };
  let bytes: Buffer;
  try {
    const info = await stat(path);
    // A FIFO or a device has no size to check and may never end.
    if (!info.isFile()) throw new InputError('input-unreadable', 'not a regular file (name the lock file or pyproject.toml itself)', file);
    if (info.size > maxBytes) {
      throw new InputError('input-unreadable', `${info.size} bytes, over the ${maxBytes}-byte limit for an input file (real ones stay under 10 MiB; is it the right file?)`, file);
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('input-not-found', 'no such file (check the path)', file);
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError('input-unreadable', `cannot be read: ${reason} (check its permissions)`, file);
  }
  try {
    // JSON and TOML are UTF-8 by definition, and every tool writes them so. A leading BOM is
    // dropped (`ignoreBOM: false`) because editors add one.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError('input-parse', 'not UTF-8 text, so not a lock file or pyproject.toml (the tools that write them write UTF-8)', file);
  }
}

/** The last path segment, whichever separator the platform or the user wrote. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/**
 * A format whose input is one file, told by its name: `matches` looks at the name alone and
 * `read` hands the file's text to `parse`, which never reads anything itself so tests can give
 * it text directly.
 */
export function fileFormat(
  name: string,
  isNamed: (fileName: string) => boolean,
  parse: (text: string, file: string) => Inventory,
): InputFormat {
  return {
    name,
    matches: (path: string, isDirectory: boolean): boolean => !isDirectory && isNamed(baseName(path)),
    read: async (path: string): Promise<Inventory> => parse(await readInputText(path), path),
  };
}
