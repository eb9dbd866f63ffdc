#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `pyward: needs Node.js >= 22.12 (this is ${process.versions.node}); run it with npx pyward or through npm scripts, which use the project's Node 24\n`,
  );
  process.exit(2);
}
// V8's compiled code for pyward's modules is kept on disk between runs (Node >= 22.1), which saves
// most of the cost of compiling them at every start. It lives in pyward's cache directory (the same
// default as `--cache-dir`, see src/cli/options.ts), is validated against each module's source by
// Node, and is best effort: an unwritable directory only costs that saving.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const env = process.env;
const cacheDir = env.PYWARD_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pyward');
try {
  module.enableCompileCache?.(join(cacheDir, 'compile-cache'));
} catch {
  // best effort, as above
}
// A reader that stops early (`pyward audit ... | head`) closes the pipe: the rest of the report has
// nowhere to go, which is the reader's choice, not an error. The command still finishes and exits
// with its own code (findings are still findings), instead of an unhandled EPIPE and a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}
const { main } = await import('../dist/cli/main.js');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Every command is done when main resolves. Ending the process here, instead of letting Node wind
// down on its own, saves about 10 ms of CPU on every run. Only once all output has reached the OS:
// stdout and stderr are synchronous for files, pipes and terminals on Linux, but a pipe on macOS
// can still hold a pending write, and then Node exits the usual way, after flushing it.
if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
