// Lets `node --import ./bench/ts-imports.mjs bench/<script>.ts` run our TypeScript sources directly:
// Node strips the types itself, but our imports say `./x.js` (NodeNext style) while the file on disk
// is `./x.ts`. This hook retries such relative imports with the .ts extension.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (e) {
      if (!/^\.{1,2}\//.test(specifier) || !specifier.endsWith('.js')) throw e;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
