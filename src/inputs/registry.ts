/**
 * Every input format pyward reads, listed explicitly, and how a path is mapped to them: a file by its
 * name, an environment directory to site-packages, a project directory to the lockfiles it holds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { Inventory } from '../core/model.js';
import type { InputFormat } from './types.js';
import { pdmLock } from './pdm-lock/parse.js';
import { pipfileLock } from './pipfile-lock/parse.js';
import { poetryLock } from './poetry-lock/parse.js';
import { pylock } from './pylock/parse.js';
import { pyproject } from './pyproject/parse.js';
import { requirementsTxt } from './requirements-txt/parse.js';
import { sitePackages } from './site-packages/parse.js';
import { uvLock } from './uv-lock/parse.js';

/** Lockfiles first: where a project has one, it is the exact truth and pyproject.toml is not. */
export const FORMATS: readonly InputFormat[] = [uvLock, poetryLock, pdmLock, pipfileLock, pylock, requirementsTxt, pyproject, sitePackages];

const LOCKFILES: readonly InputFormat[] = [uvLock, poetryLock, pdmLock, pipfileLock, pylock];

export function formatNames(): string[] {
  return FORMATS.map((f) => f.name);
}

function formatByName(name: string): InputFormat {
  const f = FORMATS.find((x) => x.name === name);
  if (!f) throw new InputError('input-unknown-format', `unknown input format '${name}' (one of: ${formatNames().join(', ')})`);
  return f;
}

function isEnvironment(dir: string, entries: string[]): boolean {
  const name = basename(dir);
  return (
    name === 'site-packages' ||
    name === 'dist-packages' ||
    entries.includes('pyvenv.cfg') ||
    entries.some((e) => e.endsWith('.dist-info') || e.endsWith('.egg-info'))
  );
}

/** The inputs a path stands for, with the format of each. */
export function detectInputs(path: string, format?: string): { path: string; format: InputFormat }[] {
  if (!existsSync(path)) throw new InputError('input-not-found', 'no such file or directory (check the path)', { file: path });
  if (format) return [{ path, format: formatByName(format) }];
  const isDir = statSync(path).isDirectory();
  if (!isDir) {
    const f = FORMATS.find((x) => x.matches(path, false)) ?? (/\.(txt|in)$/.test(path) ? requirementsTxt : undefined);
    if (!f)
      throw new InputError('input-unknown-format', `cannot tell the input format from the name; name it with --input-format (${formatNames().join(', ')})`, { file: path });
    return [{ path, format: f }];
  }
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    throw new InputError('input-unreadable', 'cannot list the directory (check its permissions)', { file: path });
  }
  if (isEnvironment(path, entries)) return [{ path, format: sitePackages }];
  const files = entries.filter((e) => !statSync(join(path, e)).isDirectory()).sort();
  const found = (formats: readonly InputFormat[]) =>
    files.flatMap((e) => {
      const f = formats.find((x) => x.matches(join(path, e), false));
      return f ? [{ path: join(path, e), format: f }] : [];
    });
  const locks = found([...LOCKFILES, requirementsTxt]);
  if (locks.length > 0) return locks;
  const project = found([pyproject]);
  if (project.length > 0) return project;
  if (entries.includes('.venv')) return [{ path: join(path, '.venv'), format: sitePackages }];
  throw new InputError(
    'input-unknown-format',
    'no lockfile, requirements file, pyproject.toml or environment found here (name a file, or use --input-format)',
    { file: path },
  );
}

export async function readInputs(inputs: { path: string; format?: string }[]): Promise<Inventory[]> {
  const detected = inputs.flatMap((i) => detectInputs(i.path, i.format));
  return Promise.all(detected.map((d) => d.format.read(d.path)));
}
