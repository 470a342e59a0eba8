/**
 * Preload (`node --require ./scripts/use-cdk-lib.cjs …`) that makes every `require('aws-cdk-lib…')`
 * and `require('constructs…')` in the process (the library, the examples, cdk-nag, aws-cdk-lib
 * itself) resolve to the copies installed under $USE_CDK_LIB_DIR/node_modules instead of the
 * repository's node_modules. scripts/compat.sh uses it to synthesize the examples on the
 * peer-dependency floor of aws-cdk-lib without a second checkout.
 *
 * NODE_PATH cannot do this: Node looks in the nearest node_modules first, so the repository's own
 * aws-cdk-lib would always win. At exit the hook fails the process if any file of another
 * aws-cdk-lib or constructs copy was loaded, and prints the version that was used.
 */
'use strict';
const Module = require('module');
const path = require('path');

const dir = process.env.USE_CDK_LIB_DIR;
if (!dir) throw new Error('use-cdk-lib: set USE_CDK_LIB_DIR to a folder whose node_modules holds aws-cdk-lib and constructs');
const modulesDir = path.resolve(dir, 'node_modules');
const REDIRECTED = ['aws-cdk-lib', 'constructs'];
const pinned = Object.fromEntries(REDIRECTED.map((name) => [name, require(path.join(modulesDir, name, 'package.json')).version]));

// Resolve as if the request came from a module inside $USE_CDK_LIB_DIR.
const anchor = path.join(modulesDir, '.use-cdk-lib-anchor.js');
const original = Module._resolveFilename;
Module._resolveFilename = function resolveFilename(request, parent, isMain, options) {
  const name = REDIRECTED.find((n) => request === n || request.startsWith(`${n}/`));
  if (name && !(parent && parent.filename && parent.filename.startsWith(modulesDir + path.sep))) {
    return original.call(this, request, { id: anchor, filename: anchor, paths: Module._nodeModulePaths(path.dirname(anchor)) }, isMain, options);
  }
  return original.call(this, request, parent, isMain, options);
};

process.on('exit', (code) => {
  const strays = Object.keys(require.cache).filter((file) =>
    REDIRECTED.some((n) => file.includes(`${path.sep}node_modules${path.sep}${n}${path.sep}`)) && !file.startsWith(modulesDir + path.sep));
  if (strays.length > 0) {
    console.error(`use-cdk-lib: ${strays.length} file(s) loaded from another aws-cdk-lib/constructs copy, e.g. ${strays[0]}`);
    process.exitCode = code || 1;
    return;
  }
  console.error(`use-cdk-lib: ran on aws-cdk-lib ${pinned['aws-cdk-lib']}, constructs ${pinned.constructs} from ${modulesDir}`);
});
