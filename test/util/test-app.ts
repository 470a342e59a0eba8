import { App, AppProps, Stack, StackProps } from 'aws-cdk-lib';

/**
 * Strict mode for aws-cdk-lib's validation: findings of the built-in CloudFormation rules are
 * errors (`validateAgainstDefaultRules`), and a warning of any validation plugin fails synth
 * (`strictCfnValidateErrors`: cdk-nag, the deploy checks, annotations in the report), as in cdk.json.
 */
export const STRICT_VALIDATION_CONTEXT = {
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  '@aws-cdk/core:strictCfnValidateErrors': true,
};

export const TEST_ENV = { account: '123456789012', region: 'us-east-1' };

/**
 * The app of a unit test: strict mode (a warning of any plugin the test adds fails synth), no
 * tree metadata, and WITHOUT aws-cdk-lib's built-in CloudFormation validation engine
 * (`builtinCloudFormationValidation: false`, the same switch as `cdk synth --no-validation` and
 * `CDK_VALIDATION=false`).
 *
 * Why: the engine is a WebAssembly module that takes 1–2 s to start in every Jest test file (each
 * file has its own module registry), and it grows with every template; it was about 70 % of
 * `npm test`. Unit tests assert the templates they build; whether a template passes the built-in
 * rules is checked where the templates users deploy are made, with the engine on:
 * test/examples/examples.test.ts (every example and bin-app stage, and it asserts the validation
 * report lists the built-in plugin with no finding) and `npm run verify` (scripts/synth-all.ts,
 * scripts/fuzz-sample.ts and the full-size fuzz run). Use {@link strictApp} in the rare unit test
 * whose claim is that the built-in rules pass.
 */
export function testApp(props: AppProps = {}): App {
  return new App({
    treeMetadata: false,
    builtinCloudFormationValidation: false,
    ...props,
    context: { ...STRICT_VALIDATION_CONTEXT, ...(props.context ?? {}) },
  });
}

/**
 * An app WITH the built-in CloudFormation validation engine in strict mode, as `cdk synth` runs
 * with this repository's cdk.json. Costs 1–2 s per test file to start; see {@link testApp}.
 */
export function strictApp(props: AppProps = {}): App {
  return testApp({ ...props, builtinCloudFormationValidation: true });
}

/** A stack with a concrete environment, so AZ and hosted-zone lookups have an account and region. */
export function testStack(app: App = testApp(), id = 'TestStack', props: StackProps = {}): Stack {
  return new Stack(app, id, { env: TEST_ENV, ...props });
}
