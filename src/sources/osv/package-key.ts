/** How advisory sources key their answers: one small module, so that using the key loads no client. */
import { normalizeName } from '../../core/names.js';

/** The map key for a package version: `normalized-name@version`. */
export function packageKey(name: string, version: string): string {
  return `${normalizeName(name)}@${version}`;
}
