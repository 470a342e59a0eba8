// ESLint flat config: typescript-eslint (type-aware), @stylistic for the code's existing layout,
// eslint-plugin-jest for the tests. `npm run lint` fails on any warning (--max-warnings 0).
// Rules that do not fit the conventions (docs/development.md#conventions) are turned off below, each with its reason.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import jest from 'eslint-plugin-jest';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Code that reads untyped JSON (templates, reports): `any` and its unsafe uses are expected. */
const untypedJson = {
  '@typescript-eslint/no-explicit-any': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
};

export default defineConfig(
  {
    ignores: [
      'node_modules/', 'build/', 'dist/', 'cdk.out/', 'coverage/', 'scratch/', '.venv/', '.rehearsal/',
      'benchmarks/.out/', '**/*.d.ts',
      // jsii writes lib/**/*.js next to the sources when a build has no outDir
      'lib/**/*.js',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // Every file: ESLint's recommended rules and the layout the code already has.
  js.configs.recommended,
  {
    plugins: { '@stylistic': stylistic },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['TemplateLiteral *'] }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/member-delimiter-style': 'error',
      '@stylistic/type-annotation-spacing': 'error',
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-before-blocks': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/comma-spacing': 'error',
      '@stylistic/key-spacing': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxBOF: 0, maxEOF: 0 }],
      '@stylistic/no-tabs': 'error',
      '@stylistic/new-parens': 'error',
      '@stylistic/no-extra-semi': 'error',
      // Not enabled: arrow-parens (the code has both `(x) =>` and `x =>`) and list-style (it would
      // re-wrap argument and object lists the code wraps by line length, not by item).
      'eqeqeq': ['error', 'always', { null: 'ignore' }],
      'no-throw-literal': 'error',
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },

  // TypeScript: recommended and type-checked rules, with the types from tsconfig.dev.json
  // (it covers lib, bin, examples, test, scripts and benchmarks).
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: './tsconfig.dev.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // docs/development.md#conventions: defaults with `??`, never `||` (0 and false are real values).
      '@typescript-eslint/prefer-nullish-coalescing': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'error',
      // The library's own code, examples and tests use the current names: deprecated aliases
      // (`cluster.cluster`, `web.service`) exist only for users upgrading from 0.1.
      '@typescript-eslint/no-deprecated': 'error',
      // docs/development.md#conventions: interfaces in, never `any`. Exceptions are scoped below, each with its reason.
      '@typescript-eslint/no-explicit-any': 'error',
      // `never` is interpolated on purpose: the unreachable default branch of an exhaustive switch.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNever: true }],
      // Off: error messages name the value the user gave; formatValue and callerPath fall back to
      // String(value) on purpose, after JSON and the construct path.
      '@typescript-eslint/no-base-to-string': 'off',
      // Off: entry points and rehearsal phases keep one async signature whether or not they await yet.
      '@typescript-eslint/require-await': 'off',
      // Not enabled: consistent-type-imports would rewrite the imports of 94 files for no runtime
      // change (ts-jest's isolatedModules and esbuild already drop type-only imports).
    },
  },

  // A library file over 450 lines does more than one job (issue 17's review found each one that
  // did); generated tables are data, not code.
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/**/*.generated.ts'],
    rules: { 'max-lines': ['error', { max: 450, skipBlankLines: false, skipComments: false }] },
  },

  // Deploy checks read synthesized CloudFormation templates: JSON whose shape is `any` by
  // nature. Every access is guarded (`?.`, asArray, isObject); typing each resource type's
  // properties would duplicate the CloudFormation schema.
  {
    files: ['lib/deploy-checks/**/*.ts'],
    rules: {
      ...untypedJson,
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },

  // Tests, scripts and benchmarks read templates, reports and JSON files (Template.toJSON() and
  // JSON.parse return `any`): the same reason as the deploy checks, and nothing here is public API.
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'benchmarks/**/*.ts'],
    rules: untypedJson,
  },
  {
    files: ['scripts/**/*.ts', 'benchmarks/**/*.ts'],
    rules: {
      // Off: they save process.stdout.write / stderr.write and put them back; never call them unbound.
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // The tests: Jest's recommended and style rules.
  {
    files: ['test/**/*.ts'],
    extends: [jest.configs['flat/recommended'], jest.configs['flat/style']],
    rules: {
      // CDK's assertions throw on mismatch: they count as expectations, as do the expect* helpers.
      'jest/expect-expect': ['error', {
        assertFunctionNames: [
          'expect', 'expect*', '**.hasResource', '**.hasResourceProperties', '**.resourceCountIs',
          '**.resourcePropertiesCountIs', '**.templateMatches', '**.hasOutput', '**.hasMapping',
          '**.hasCondition', '**.hasParameter', '**.hasWarning', '**.hasNoWarning', '**.hasError',
          '**.hasNoError', '**.hasInfo', '**.hasNoInfo',
        ],
      }],
      // Off: conditional tests `(committed ? test : test.skip)(…)` are not recognised as test blocks.
      'jest/no-standalone-expect': 'off',
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/valid-expect': 'error',
      'jest/valid-title': 'error',
    },
  },

  // Plain JavaScript config and script files: CommonJS or ESM, no type information.
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
