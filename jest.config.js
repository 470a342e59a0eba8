/** Tests import the TypeScript sources directly; `npm run build` does the type-check. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // esbuild transpiles each file on its own with tsconfig.dev.json's options (isolatedModules: no
    // type check, no program per worker); `npm run build` type-checks. test/util/jest-transform.js says why not ts-jest.
    '^.+\\.ts$': '<rootDir>/test/util/jest-transform.js',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Prefer .ts over stale compiled .js next to it (jsii emits lib/**/*.js).
  moduleNameMapper: {},
  testTimeout: 120000,
  maxWorkers: 2,
  // Time of npm test (docs/development.md): every test file synthesizes without creation and
  // annotation stack traces (test/util/jest-setup.ts), and each worker reads and compiles a module
  // once for all its test files (test/util/jest-runtime.js).
  setupFiles: ['<rootDir>/test/util/jest-setup.ts'],
  runtime: '<rootDir>/test/util/jest-runtime.js',
  // The longest files first, also on a fresh clone without Jest's timing cache.
  testSequencer: '<rootDir>/test/util/jest-sequencer.js',
};
