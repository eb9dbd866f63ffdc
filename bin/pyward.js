#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `pyward: needs Node.js >= 22.12 (this is ${process.versions.node}); run it with npx pyward or through npm scripts, which use the project's Node 24\n`,
  );
  process.exit(2);
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
