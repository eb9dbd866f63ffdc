/**
 * What pip decides about a requirement that is not a plain `name<spec>`: is it a URL, a VCS
 * checkout, a local path or archive; which project name it declares (`#egg=`, a wheel file name);
 * and how to show its URL without leaking a token.
 */
import { isValidName } from '../../core/names.js';

/** pip's `vcs.all_schemes`: only these `+` schemes make a VCS requirement. */
const VCS_SCHEMES = new Set(
  ['git', 'hg', 'svn', 'bzr'].flatMap((vcs) =>
    ({
      git: ['http', 'https', 'ssh', 'git', 'file'],
      hg: ['file', 'http', 'https', 'ssh', 'static-http'],
      svn: ['ssh', 'http', 'https', 'svn', 'file'],
      bzr: ['http', 'https', 'ssh', 'sftp', 'ftp', 'lp', 'file'],
    })[vcs]!.map((transport) => `${vcs}+${transport}`),
  ),
);

const URL_SCHEMES = new Set(['http', 'https', 'file', 'ftp', ...VCS_SCHEMES]);

/** The VCS names pip accepts bare in `-e git:...`, and rewrites to `git+git:...`. */
const BARE_VCS = ['git', 'hg', 'svn', 'bzr'];

/** pip's ARCHIVE_EXTENSIONS: a name ending in one of these is a file to install, not a project name. */
const ARCHIVE_EXTENSIONS = ['.whl', '.zip', '.tar.gz', '.tgz', '.tar', '.tar.bz2', '.tbz', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma'];

/** pip's `get_url_scheme`: whatever comes before the first colon, lowercased. */
export function urlScheme(text: string): string | undefined {
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : text.slice(0, colon).toLowerCase();
}

export function isUrl(text: string): boolean {
  const scheme = urlScheme(text);
  return scheme !== undefined && URL_SCHEMES.has(scheme);
}

export function isVcsUrl(text: string): boolean {
  const scheme = urlScheme(text);
  return scheme !== undefined && VCS_SCHEMES.has(scheme);
}

/** `-e git:...` means `-e git+git:...` to pip. */
export function normalizeEditableUrl(text: string): string {
  const lower = text.toLowerCase();
  const vcs = BARE_VCS.find((v) => lower.startsWith(`${v}:`));
  return vcs ? `${vcs}+${text}` : text;
}

/** pip's `_looks_like_path`: a separator or a leading dot. */
export function looksLikePath(text: string): boolean {
  return text.includes('/') || text.includes('\\') || text.startsWith('.');
}

/** The part after the last dot of every archive extension: a name ending in none of them is no archive. */
const ARCHIVE_LAST_PARTS = new Set(ARCHIVE_EXTENSIONS.map((ext) => ext.slice(ext.lastIndexOf('.') + 1)));

export function isArchive(text: string): boolean {
  // Every requirement line asks this, and nearly all end in a version (`==2.31.0`): rule those out
  // on the last dot-separated part before lowercasing the whole text.
  const dot = text.lastIndexOf('.');
  if (dot < 0 || !ARCHIVE_LAST_PARTS.has(text.slice(dot + 1).toLowerCase())) return false;
  const lower = text.toLowerCase();
  return ARCHIVE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** pip's `_strip_extras`: `./pkg[a,b]` -> `./pkg` and `[a,b]`. */
export function stripExtras(text: string): { path: string; extras: string[] } {
  // pip's `^(.+)(\[[^\]]+\])$`, written as index arithmetic: the regex backtracks quadratically on many `[`.
  const open = text.lastIndexOf('[');
  const inner = text.slice(open + 1, -1);
  if (!text.endsWith(']') || open < 1 || inner === '' || inner.includes(']')) return { path: text, extras: [] };
  return { path: text.slice(0, open), extras: splitExtras(inner) };
}

function splitExtras(list: string): string[] {
  return list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

export interface EggName {
  rawName: string;
  extras: string[];
  /** False when pip would warn (or, since pip 25, fail): the fragment is no PEP 508 name. */
  valid: boolean;
}

/** The project an URL names with `#egg=name` (or `&egg=`), possibly with `[extras]`. */
export function eggFragment(url: string): EggName | undefined {
  const m = /[#&]egg=([^&]*)/.exec(url);
  if (!m) return undefined;
  const fragment = decodePercent(m[1]!);
  const withExtras = /^([^[]*)\[([^\]]*)\]$/.exec(fragment);
  const rawName = withExtras ? withExtras[1]! : fragment;
  return { rawName, extras: withExtras ? splitExtras(withExtras[2]!) : [], valid: isValidName(rawName) };
}

/** `sha256=...` in a URL fragment is a hash pip checks, like `--hash`. */
export function urlHash(url: string): string | undefined {
  const m = /[#&](sha256|sha384|sha512|sha1|md5|sha224)=([0-9a-fA-F]+)(?:&|$)/.exec(url);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The last path segment of a URL or path, without query or fragment, percent-decoded. */
export function fileName(urlOrPath: string): string {
  const bare = urlOrPath.replace(/[?#].*$/, '');
  const segment = bare.split(/[/\\]/).pop() ?? '';
  return decodePercent(segment);
}

/**
 * pip's rule for logs, applied to what we record: a password, or a user name alone (usually a
 * token, as in `https://TOKEN@host`), becomes `****`. Index URLs are often written with
 * `${TOKEN}`, which we expand like pip; without this a report would print the secret. An ssh user
 * name (`git@`) is an account name, not a secret, so it stays. Works on every URL inside a text,
 * so messages that quote a requirement line are safe too.
 */
export function redactUrl(text: string): string {
  // The lookbehind starts a match only at the start of a scheme, which keeps this linear on long words.
  return text.replace(/(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s"']*)@/gi, (_whole, prefix: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    let shown: string;
    if (colon >= 0) shown = `${userinfo.slice(0, colon)}:****`;
    else if (prefix.toLowerCase().includes('ssh')) shown = userinfo;
    else shown = '****';
    return `${prefix}${shown}@`;
  });
}

/**
 * The revision a VCS URL asks for: `git+https://host/repo.git@v1.2#egg=x` -> `v1.2`. The `@` that
 * matters is the last one in the path, after the host (where `user@` may also appear).
 */
export function vcsRevision(url: string): string | undefined {
  const bare = url.replace(/#.*$/, '');
  const sep = bare.indexOf('://');
  if (sep < 0) return undefined;
  const slash = bare.indexOf('/', sep + 3);
  if (slash < 0) return undefined;
  const path = bare.slice(slash);
  const at = path.lastIndexOf('@');
  return at < 0 ? undefined : decodePercent(path.slice(at + 1));
}

/** A full commit id cannot move; a branch or tag can be re-pointed by whoever controls the repository. */
export function isImmutableRevision(rev: string): boolean {
  return /^[0-9a-f]{40}$/i.test(rev) || /^[0-9a-f]{64}$/i.test(rev);
}
