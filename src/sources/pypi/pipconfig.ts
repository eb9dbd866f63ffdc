/**
 * The index URLs pip itself would use, read the way pip reads them, so that pyward checks the
 * indexes that an install will really consult (dependency confusion lives in that configuration).
 *
 * pip merges configuration in this order, later overriding earlier (pip/_internal/configuration.py):
 * global files (`$XDG_CONFIG_DIRS/pip/pip.conf`, default `/etc/xdg`, then `/etc/pip.conf`), user
 * files (`~/.pip/pip.conf`, then `$XDG_CONFIG_HOME/pip/pip.conf` or `~/.config/pip/pip.conf`; on
 * macOS also `~/Library/Application Support/pip/pip.conf`), the site file (`$VIRTUAL_ENV/pip.conf`),
 * then `$PIP_CONFIG_FILE`. User files are skipped when `PIP_CONFIG_FILE` names an existing file, and
 * no file is read at all when it is `/dev/null`. Within the merged configuration the `[install]`
 * section overrides `[global]`, and the environment (`PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`)
 * overrides both.
 *
 * Values keep their credentials, because querying a private index needs them; show them only
 * through `redactCredentials`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { indexKey, jsonApiBase, PYPI_BASE } from './indexes.js';

export interface PipIndexConfig {
  /** `index-url`: replaces PyPI as pip's primary index. Undefined when pip would use PyPI. */
  indexUrl?: string;
  /** `extra-index-url`: consulted in addition to the primary index, all merged by version. */
  extraIndexUrls: string[];
  /** Where each setting came from: a file path or an environment variable. */
  origins: { indexUrl?: string; extraIndexUrls?: string };
  /** The configuration files that existed and were read, in the order pip reads them. */
  files: string[];
}

export interface PipConfigOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
  /** File reader; undefined for a missing file. Tests point it at fixtures. */
  readFile?: (path: string) => string | undefined;
}

type Sections = Map<string, Map<string, string>>;

/** The files pip would read, in merge order, before checking which exist. */
export function pipConfigFiles(options: PipConfigOptions = {}): { path: string; kind: 'global' | 'user' | 'site' | 'env' }[] {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const platform = options.platform ?? process.platform;
  const files: { path: string; kind: 'global' | 'user' | 'site' | 'env' }[] = [];
  const xdgDirs = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':').filter((d) => d !== '');
  for (const d of xdgDirs) files.push({ path: join(d, 'pip', 'pip.conf'), kind: 'global' });
  files.push({ path: '/etc/pip.conf', kind: 'global' });
  files.push({ path: join(home, '.pip', 'pip.conf'), kind: 'user' });
  if (platform === 'darwin') files.push({ path: join(home, 'Library', 'Application Support', 'pip', 'pip.conf'), kind: 'user' });
  files.push({ path: join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'pip', 'pip.conf'), kind: 'user' });
  if (env['VIRTUAL_ENV']) files.push({ path: join(env['VIRTUAL_ENV'], 'pip.conf'), kind: 'site' });
  if (env['PIP_CONFIG_FILE']) files.push({ path: env['PIP_CONFIG_FILE'], kind: 'env' });
  return files;
}

function defaultReadFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** pip's option names: lower case, `_` as `-`, no leading `--`. */
function optionName(key: string): string {
  return key.trim().toLowerCase().replace(/_/g, '-').replace(/^--/, '');
}

/**
 * INI as Python's RawConfigParser reads it: `[section]`, `key = value` or `key: value`, `#` and `;`
 * comment lines, and indented continuation lines appended to the previous value with a newline
 * (which is how several `extra-index-url`s are written).
 */
export function parsePipConf(text: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) {
      // A blank line ends a continuation in configparser only when empty_lines_in_values is off;
      // pip leaves it on, but a blank value line adds nothing to a URL list, so skip it.
      continue;
    }
    if (/^\s/.test(raw) && current && lastKey !== undefined) {
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${raw.trim()}`);
      continue;
    }
    const section = /^\[([^\]]+)\]/.exec(raw);
    if (section) {
      const name = section[1]!.trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      lastKey = undefined;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && current) {
      lastKey = optionName(kv[1]!);
      current.set(lastKey, kv[2]!.trim());
    }
  }
  return sections;
}

function splitList(value: string): string[] {
  return value.split(/\s+/).filter((v) => v !== '');
}

/** The index configuration pip would use for `pip install`. */
export function readPipConfig(options: PipConfigOptions = {}): PipIndexConfig {
  const env = options.env ?? process.env;
  const read = options.readFile ?? defaultReadFile;
  const result: PipIndexConfig = { extraIndexUrls: [], origins: {}, files: [] };

  const configFile = env['PIP_CONFIG_FILE'];
  const skipAll = configFile === '/dev/null' || configFile === 'nul';
  const envFileText = configFile && !skipAll ? read(configFile) : undefined;
  // Merged as pip merges: per "section.option", the last file that sets it wins.
  const merged = new Map<string, { value: string; origin: string }>();
  if (!skipAll) {
    for (const { path, kind } of pipConfigFiles(options)) {
      if (kind === 'user' && envFileText !== undefined) continue;
      const text = kind === 'env' ? envFileText : read(path);
      if (text === undefined) continue;
      result.files.push(path);
      for (const [section, values] of parsePipConf(text)) {
        for (const [key, value] of values) merged.set(`${section}.${key}`, { value, origin: path });
      }
    }
  }

  const pick = (key: string, envVar: string): { value: string; origin: string } | undefined => {
    const fromEnv = env[envVar];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, origin: envVar };
    return merged.get(`install.${key}`) ?? merged.get(`global.${key}`);
  };
  const index = pick('index-url', 'PIP_INDEX_URL');
  if (index && index.value.trim() !== '') {
    result.indexUrl = index.value.trim();
    result.origins.indexUrl = index.origin;
  }
  const extra = pick('extra-index-url', 'PIP_EXTRA_INDEX_URL');
  if (extra) {
    result.extraIndexUrls = splitList(extra.value);
    if (result.extraIndexUrls.length) result.origins.extraIndexUrls = extra.origin;
  }
  return result;
}

/**
 * The JSON API base that goes with pip's configuration: the primary index's, when it is a
 * `.../simple` index (devpi, a PyPI mirror), else https://pypi.org. `from` says which, for messages.
 * A mirror that serves only the Simple API answers 404 for every project here; callers should
 * let the user override the base (and `checkSlopsquat` warns when every name comes back missing).
 */
export function pypiJsonBase(pip: PipIndexConfig | undefined): { baseUrl: string; from: string } {
  const derived = pip?.indexUrl ? jsonApiBase(pip.indexUrl) : undefined;
  if (derived !== undefined) return { baseUrl: derived, from: `index-url from ${pip!.origins.indexUrl ?? 'pip configuration'}` };
  return { baseUrl: PYPI_BASE, from: 'default' };
}

/**
 * The index URLs in play from pip's configuration and an input: configuration first (it carries
 * credentials; inputs' URLs are redacted), duplicates dropped.
 */
export function indexSetup(pip: PipIndexConfig | undefined, inputIndexUrls: readonly string[] = []): { indexUrls: string[]; primaryIndexUrl?: string } {
  const seen = new Set<string>();
  const indexUrls: string[] = [];
  for (const url of [...(pip?.indexUrl ? [pip.indexUrl] : []), ...(pip?.extraIndexUrls ?? []), ...inputIndexUrls]) {
    const key = indexKey(url);
    if (seen.has(key)) continue;
    seen.add(key);
    indexUrls.push(url);
  }
  return pip?.indexUrl ? { indexUrls, primaryIndexUrl: pip.indexUrl } : { indexUrls };
}
