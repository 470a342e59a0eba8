import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * An ARN of the scope's account and Region as cdk-nag writes it in a finding id
 * (`AwsSolutions-IAM5[Resource::arn:aws:ecs:us-east-1:<AWS::AccountId>:task/*]`): a part synth
 * does not know is the pseudo parameter in angle brackets. For acknowledgements of that finding.
 * Internal helper: not exported from any index.ts.
 */
export function nagArn(scope: IConstruct, service: string, resource: string): string {
  const stack = Stack.of(scope);
  const known = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:${known(stack.partition, 'Partition')}:${service}:${known(stack.region, 'Region')}:${known(stack.account, 'AccountId')}:${resource}`;
}
