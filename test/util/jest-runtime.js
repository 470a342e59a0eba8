/**
 * Jest's module runtime (jest-runtime, the one jest-runner loads) with one change: a worker
 * reads, transforms and compiles a module once for all its test files, and each test file runs
 * the compiled script in its own context (module state stays per file: the script is run again,
 * its exports are new objects; nothing is shared between test files but the compiled code).
 *
 * Why: every test file has its own module registry, so each file loads aws-cdk-lib and lib/
 * again. Jest compiles with `vm.compileFunction`, which V8's compilation cache does not serve
 * (nodejs/node#35375): every file parsed and compiled aws-cdk-lib's large modules and our
 * sources anew, about 12 s of CPU per `npm test`, and their functions' bytecode again on first
 * call. A `vm.Script` is not tied to a context, so each worker keeps one per module and runs it
 * in every later test file's context. Jest also read every node_modules file from disk again
 * (and stat'ed it for its transform cache) in every test file: those reads are kept per worker
 * too (node_modules does not change during a run; Jest does not transform it).
 *
 * Jest's own compile stays for the test file itself (run once) and for a source with a dynamic
 * `import()` (Jest's callback for it belongs to one test file's runtime). A Jest whose runtime no
 * longer has this shape, or a run that collects coverage, gets Jest's own path (slower, the same
 * results), and a changed runtime says so once per worker.
 */
'use strict';
const path = require('node:path');
const vm = require('node:vm');
// jest's own dependency, the runtime jest-runner uses when jest.config.js sets none.
const Runtime = require('jest-runtime').default;

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const DYNAMIC_IMPORT = /\bimport\s*\(/;
/** Per worker: filename → { source, prefix, script } (script null: Jest's compile, for import()). */
const scripts = new Map();
/** Per worker: node_modules filename → its text, and → Jest's transform result for each set of options. */
const nodeModuleSources = new Map();
const nodeModuleTransforms = new Map();
let warned = false;

function warnOnce() {
  if (!warned) process.stderr.write('test/util/jest-runtime.js: this jest-runtime has another shape; using its own compile (slower)\n');
  warned = true;
}

class SharedCompileRuntime extends Runtime {
  constructor(config, environment, resolver, transformer, cacheFS, coverageOptions, testPath, globalConfig) {
    super(config, environment, resolver, transformer, cacheFS, coverageOptions, testPath, globalConfig);
    const executor = this.executor;
    if (typeof executor?.compile !== 'function' || !Array.isArray(executor.injectedModuleParameters)
      || typeof executor.environment?.getVmContext !== 'function') {
      warnOnce();
      return;
    }
    if (!coverageOptions?.collectCoverage) this.shareNodeModuleReads();
    plainAcknowledgmentTraces(environment);
    const jestCompile = executor.compile.bind(executor);
    executor.compile = (source, filename) => {
      if (filename === testPath) return jestCompile(source, filename);
      // The same parameters, in the same order, as Jest's compileFunction call.
      const prefix = `(function (${executor.injectedModuleParameters.join(', ')}) {`;
      let entry = scripts.get(filename);
      if (entry === undefined || entry.source !== source || entry.prefix !== prefix) {
        // Our sources with import() keep Jest's compile; node_modules code is not transformed
        // and has no import() for Jest to serve.
        const own = !filename.includes(NODE_MODULES) && DYNAMIC_IMPORT.test(source);
        let script = null;
        if (!own) {
          try {
            script = new vm.Script(`${prefix}${source}\n})`, { filename, columnOffset: -prefix.length });
          } catch {
            return jestCompile(source, filename); // Jest's own error for a module it cannot compile
          }
        }
        entry = { source, prefix, script };
        scripts.set(filename, entry);
      }
      if (entry.script === null) return jestCompile(source, filename);
      const context = executor.environment.getVmContext();
      if (context == null) return null;
      return entry.script.runInContext(context);
    };
  }

  /** A node_modules file is read, and its (absent) transform looked up, once per worker. */
  shareNodeModuleReads() {
    const fileCache = this.fileCache;
    const transformCache = this.transformCache;
    if (typeof fileCache?.readFile !== 'function' || typeof transformCache?.transform !== 'function'
      || !(transformCache.transforms instanceof Map) || !(transformCache.sourceMaps instanceof Map)) {
      warnOnce();
      return;
    }
    const readFile = fileCache.readFile.bind(fileCache);
    fileCache.readFile = (filename) => {
      if (!filename.includes(NODE_MODULES)) return readFile(filename);
      let source = nodeModuleSources.get(filename);
      if (source === undefined) {
        source = readFile(filename);
        nodeModuleSources.set(filename, source);
      }
      return source;
    };
    const transform = transformCache.transform.bind(transformCache);
    transformCache.transform = (filename, options) => {
      if (!filename.includes(NODE_MODULES) || options?.isInternalModule) return transform(filename, options);
      const key = `${filename}\0${JSON.stringify(options ?? {})}`;
      let hit = nodeModuleTransforms.get(key);
      if (hit === undefined) {
        const code = transform(filename, options);
        hit = { code, file: transformCache.transforms.get(filename) };
        nodeModuleTransforms.set(key, hit);
        return code;
      }
      // What Jest's TransformCache.transform records, for stack traces and coverage.
      if (hit.file !== undefined) {
        transformCache.transforms.set(filename, hit.file);
        if (hit.file.sourceMapPath) transformCache.sourceMaps.set(filename, hit.file.sourceMapPath);
      }
      return hit.code;
    };
  }
}

/**
 * aws-cdk-lib records a stack trace with every acknowledgement (`Validations.acknowledge`, which
 * the library calls for the rules it answers by design): metadata in the cloud assembly's
 * manifest, never in a template, a finding or an error message, and no test reads it. Under Jest
 * each such trace went through Jest's source-map stack formatter, up to 100 frames, about 2.5 s
 * of `npm test`. Those captures (a plain object, not an error, taken in aws-cdk-lib's
 * validations.js) get V8's own format; every other stack, every error's included, still goes to
 * Jest's formatter, as Node does when the sandbox sets none.
 */
function plainAcknowledgmentTraces(environment) {
  const SandboxError = environment?.global?.Error;
  if (typeof SandboxError !== 'function' || SandboxError.prepareStackTrace !== undefined) return;
  SandboxError.prepareStackTrace = function prepareStackTrace(error, frames) {
    const jest = Error.prepareStackTrace; // this worker's: Jest's source-map formatter
    if (typeof jest === 'function' && !isAcknowledgmentTrace(error, frames, SandboxError)) return jest(error, frames);
    let header;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = 'Error';
    }
    return header + frames.map((frame) => `\n    at ${frame}`).join('');
  };
}

const VALIDATIONS_JS = /[\\/]aws-cdk-lib[\\/]core[\\/]lib[\\/]validation[\\/]validations\.js$/;

function isAcknowledgmentTrace(error, frames, SandboxError) {
  if (error instanceof Error || error instanceof SandboxError || frames.length === 0) return false;
  const top = frames[0];
  return top.getFunctionName() === 'acknowledge' && VALIDATIONS_JS.test(top.getFileName() ?? '');
}

module.exports = SharedCompileRuntime;
