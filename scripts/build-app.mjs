// Compiles bin/app.ts and the library into one JavaScript file before every `cdk synth`
// (cdk.json "build"). esbuild only strips types (no type-check: `npm run build` does that), in
// about 50 ms, so synth runs plain precompiled JavaScript: no TypeScript runner at synth time.
import { buildSync } from 'esbuild';

buildSync({
  entryPoints: ['bin/app.ts'],
  outfile: 'build/app/app.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // aws-cdk-lib and constructs stay in node_modules: one copy, shared with any library the app loads.
  external: ['aws-cdk-lib', 'constructs'],
  logLevel: 'warning',
});
