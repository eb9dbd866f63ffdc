/**
 * Where the Python tools the tests drive live. `npm run test:tools` (run by .ci/run) installs pinned
 * versions into .cache/tools; a developer's own uv on the PATH works too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TOOLS_BIN = fileURLToPath(new URL('../../.cache/tools/bin', import.meta.url));

/** The PATH for child processes: our tools first. */
export function toolsPath(): string {
  return `${TOOLS_BIN}:${process.env['PATH'] ?? ''}`;
}

export function hasTool(cmd: string): boolean {
  if (existsSync(`${TOOLS_BIN}/${cmd}`)) return true;
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** In CI a missing tool is a failure of the setup, not a reason to skip. */
export function requireToolInCi(cmd: string): boolean {
  const present = hasTool(cmd);
  if (!present && process.env['CI']) throw new Error(`${cmd} is missing: run npm run test:tools`);
  return present;
}
