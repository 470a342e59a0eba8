/**
 * Jest's module runtime (jest-runtime, the one jest-runner loads) with one change: modules from
 * node_modules are compiled with `vm.Script` instead of `vm.compileFunction`.
 *
 * Why: every test file has its own module registry, so each file loads aws-cdk-lib again.
 * `vm.compileFunction` gets no help from V8's compilation cache (nodejs/node#35375), so every file
 * parsed and compiled aws-cdk-lib's large modules anew: about 12 s of CPU per `npm test`, and
 * their functions' bytecode again on first call. A `vm.Script` of the same source is found in
 * the isolate's cache: each worker compiles a module once and every later test file runs it in
 * its own context (module state stays per file: the script is run again, not shared).
 *
 * Our own files (lib/, test/, examples/: transformed by test/util/jest-transform.js) keep Jest's compile, with its
 * dynamic import() support. Untransformed node_modules code has no import() of its own to run.
 * A Jest whose runtime no longer has this shape falls back to its own compile (slower, the same
 * results) and says so once per worker.
 */
'use strict';
const path = require('node:path');
const vm = require('node:vm');
// jest's own dependency, the runtime jest-runner uses when jest.config.js sets none.
const Runtime = require('jest-runtime').default;

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
let warned = false;

class SharedCompileRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const executor = this.executor;
    if (typeof executor?.compile !== 'function' || !Array.isArray(executor.injectedModuleParameters)
      || typeof executor.environment?.getVmContext !== 'function') {
      if (!warned) process.stderr.write('test/util/jest-runtime.js: this jest-runtime has no executor.compile; using its own compile (slower)\n');
      warned = true;
      return;
    }
    const jestCompile = executor.compile.bind(executor);
    executor.compile = (source, filename) => {
      if (!filename.includes(NODE_MODULES)) return jestCompile(source, filename);
      const context = executor.environment.getVmContext();
      if (context == null) return null;
      // The same parameters, in the same order, as Jest's compileFunction call.
      const prefix = `(function (${executor.injectedModuleParameters.join(', ')}) {`;
      let script;
      try {
        script = new vm.Script(`${prefix}${source}\n})`, { filename, columnOffset: -prefix.length });
      } catch {
        return jestCompile(source, filename); // Jest's own error for a module it cannot compile
      }
      return script.runInContext(context);
    };
  }
}

module.exports = SharedCompileRuntime;
