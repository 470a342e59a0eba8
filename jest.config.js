/** Tests import the TypeScript sources directly; `npm run build` does the type-check. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', isolatedModules: true }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Prefer .ts over stale compiled .js next to it (jsii emits lib/**/*.js).
  moduleNameMapper: {},
  testTimeout: 120000,
  maxWorkers: 2,
};
