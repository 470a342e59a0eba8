/**
 * Jest's transform for the TypeScript sources: esbuild's transformSync, file by file, with the
 * compiler options of tsconfig.dev.json (the same isolated-modules transpile ts-jest did; neither
 * type-checks, `npm run build` does).
 *
 * Why not ts-jest: on a fresh clone (no transform cache) ts-jest's TypeScript transpile was about
 * 13 s of `npm test`'s CPU, as both workers load the compiler and transpile what they need; esbuild
 * does the same files in well under a second. With a warm cache the two cost about the same.
 * The code imports no module's default export and spies on no module namespace, so esbuild's
 * CommonJS interop helpers behave as TypeScript's without esModuleInterop here.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const TSCONFIG = path.join(__dirname, '..', '..', 'tsconfig.dev.json');
const { compilerOptions } = JSON.parse(fs.readFileSync(TSCONFIG, 'utf-8'));
const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  platform: 'node',
  target: String(compilerOptions.target).toLowerCase(),
  sourcemap: 'inline',
  sourcesContent: true,
  // experimentalDecorators, useDefineForClassFields (from target) and the like, as tsc reads them
  tsconfigRaw: { compilerOptions },
};
/** What every cached transform depends on besides the file: esbuild, the options and this file. */
const KEY = crypto.createHash('sha256')
  .update(esbuild.version).update(JSON.stringify(OPTIONS)).update(fs.readFileSync(__filename))
  .digest('hex');

module.exports = {
  process(source, filename) {
    return { code: esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename }).code };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(KEY).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
