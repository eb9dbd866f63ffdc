/**
 * Words that, added to a popular name, describe an edition of the same project rather than a
 * feature of a new one. `requests-secure`, `pillow-simd`, `requests-darwin-lite`: the attacker's
 * promise is "this is requests, only better or for your platform". Feature words (`-cache`, `-mock`,
 * `-utils`, `-client`) are deliberately absent: popular projects grow whole namespaces of genuine
 * extensions named that way (requests-cache, requests-mock are themselves in the top list), and
 * flagging them would bury the real alerts.
 */
export const EDITION_WORDS: ReadonlySet<string> = new Set([
  // claims of quality or trust
  'secure', 'security', 'safe', 'safer', 'fixed', 'fix', 'patched', 'hotfix', 'official', 'verified', 'trusted',
  'original', 'real', 'genuine', 'legit', 'stable', 'better', 'improved', 'enhanced', 'premium', 'pro', 'plus',
  'ultra', 'super', 'extra', 'full', 'complete',
  // claims of recency
  'new', 'newer', 'latest', 'update', 'updated', 'upgrade', 'next', 'dev', 'devel', 'beta', 'nightly', 'release', 'modern',
  // claims of speed or size
  'fast', 'faster', 'speed', 'speedup', 'turbo', 'lite', 'light', 'mini', 'tiny', 'slim', 'simd', 'gpu', 'cpu', 'cuda',
  'accelerated', 'optimized',
  // platforms
  'win', 'win32', 'win64', 'windows', 'linux', 'darwin', 'mac', 'macos', 'osx', 'arm', 'arm64', 'amd64', 'x64', 'x86',
]);

/** Tokens that only say "Python" or "a version": `python-flask`, `requests-py3`, `numpy-v2`. */
export function isFillerToken(token: string): boolean {
  return /^(py|py2|py3|python|python2|python3|v?\d{1,2})$/.test(token);
}
