import { App, AppProps, Stack, StackProps } from 'aws-cdk-lib';

/**
 * The context every test app runs with: aws-cdk-lib's built-in CloudFormation validation in
 * strict mode (errors and warnings fail synth), as in cdk.json.
 */
export const STRICT_VALIDATION_CONTEXT = {
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  '@aws-cdk/core:strictCfnValidateErrors': true,
};

export const TEST_ENV = { account: '123456789012', region: 'us-east-1' };

/** An App with strict template validation and no tree metadata (keeps synth fast). */
export function testApp(props: AppProps = {}): App {
  return new App({
    treeMetadata: false,
    ...props,
    context: { ...STRICT_VALIDATION_CONTEXT, ...(props.context ?? {}) },
  });
}

/** A stack with a concrete environment, so AZ and hosted-zone lookups have an account and region. */
export function testStack(app: App = testApp(), id = 'TestStack', props: StackProps = {}): Stack {
  return new Stack(app, id, { env: TEST_ENV, ...props });
}
