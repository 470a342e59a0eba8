import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CopilotApplication } from '../../lib';
import { testStack } from '../util/test-app';
import { configurationErrorOf, writeWorkspace, yaml } from './workspace-fixture';

const WEB = yaml('name: web', 'type: Load Balanced Web Service', 'image:', '  build: app/Dockerfile', '  port: 8080', 'http:', '  path: /');

function synth(environment: string): { template: Template; warnings: string[] } {
  const stack = testStack();
  new CopilotApplication(stack, 'Shop', {
    workspace: writeWorkspace({ 'copilot/web/manifest.yml': WEB, 'copilot/environments/prod/manifest.yml': yaml('name: prod', 'type: Environment') + environment }),
    environment: 'prod',
  });
  return { template: Template.fromStack(stack), warnings: Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data)) };
}

test('flow_logs retention, the public ssl_policy and access_logs to your bucket are kept', () => {
  // GIVEN / WHEN
  const { template, warnings } = synth(yaml(
    'network:', '  vpc:', '    flow_logs:', '      retention: 14',
    'http:', '  public:', '    certificates: [arn:aws:acm:us-east-1:123456789012:certificate/abc]', '    ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06',
    '    access_logs:', '      bucket_name: shop-access-logs', '      prefix: prod',
  ));
  // THEN
  template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.bucket', Value: 'shop-access-logs' }, { Key: 'access_logs.s3.prefix', Value: 'prod' }]),
  });
  // the imported bucket's policy is the user's to set: the library says which statement
  expect(warnings.filter((w) => w.includes('imported-access-log-bucket'))).toHaveLength(1);
  expect(warnings.filter((w) => w.includes('copilot-unmapped'))).toEqual([]);
});

test('flow_logs: true and access_logs: true are the library\'s own (it logs anyway); false is named at synth', () => {
  expect(synth(yaml('network:', '  vpc:', '    flow_logs: true', 'http:', '  public:', '    access_logs: true')).warnings.filter((w) => w.includes('copilot-unmapped'))).toEqual([]);
  const off = synth(yaml('network:', '  vpc:', '    flow_logs: false', 'http:', '  public:', '    access_logs: false')).warnings.filter((w) => w.includes('copilot-unmapped'));
  expect(off.map((w) => /(\S+) is not mapped/.exec(w)?.[1]).sort()).toEqual(['http.public.access_logs', 'network.vpc.flow_logs']);
});

test('an ssl_policy aws-cdk-lib does not know is passed on with a warning; without a certificate it is reported (review findings)', () => {
  const cert = ['    certificates: [arn:aws:acm:us-east-1:123456789012:certificate/abc]'];
  const newer = synth(yaml('http:', '  public:', ...cert, '    ssl_policy: ELBSecurityPolicy-TLS13-1-3-FIPS-2099-01'));
  newer.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-FIPS-2099-01' });
  expect(newer.warnings.filter((w) => w.includes('copilot-ssl-policy'))).toHaveLength(1);
  const plain = synth(yaml('http:', '  public:', '    ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06'));
  expect(plain.warnings.filter((w) => /http\.public\.ssl_policy is not mapped/.test(w))).toHaveLength(1);
});

test('flow_logs next to an imported VPC is reported: its flow logs are its owner\'s, and Copilot\'s goes with its stack (review finding)', () => {
  const stack = testStack();
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-a', 'subnet-b'], publicSubnetIds: ['subnet-c', 'subnet-d'] });
  new CopilotApplication(stack, 'Shop', {
    environment: 'prod', vpc,
    workspace: writeWorkspace({ 'copilot/web/manifest.yml': WEB, 'copilot/environments/prod/manifest.yml': yaml('name: prod', 'type: Environment', 'network:', '  vpc:', '    id: vpc-0123456789abcdef0', '    flow_logs: true') }),
  });
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('network\\.vpc\\.flow_logs is not mapped'));
  expect(warnings).toHaveLength(1);
  expect(String(warnings[0].entry.data)).toMatch(/an imported VPC's flow logs are its owner's.*add an ec2\.FlowLog/);
});

describe('environment settings CloudWatch or ELB would refuse fail at the manifest', () => {
  const errorOf = (environment: string): string => configurationErrorOf(() => synth(environment));

  test('a flow-log retention CloudWatch Logs does not offer', () => {
    expect(errorOf(yaml('network:', '  vpc:', '    flow_logs:', '      retention: 15'))).toMatch(/environments\/prod\/manifest\.yml:\d+ network\.vpc\.flow_logs\.retention.*is not a retention CloudWatch Logs offers.*14/);
  });

  test('an ssl_policy that is not an ELB policy name', () => {
    expect(errorOf(yaml('http:', '  public:', '    certificates: [arn:aws:acm:us-east-1:123456789012:certificate/abc]', '    ssl_policy: modern'))).toMatch(/http\.public\.ssl_policy.*is not an ELB security policy name/);
  });

  test('a flow-log retention of 9999 (aws-cdk-lib\'s INFINITE, which CloudFormation refuses)', () => {
    expect(errorOf(yaml('network:', '  vpc:', '    flow_logs:', '      retention: 9999'))).toMatch(/flow_logs\.retention.*is not a retention CloudWatch Logs offers/);
  });

  test('an access-log prefix ELB refuses, at the manifest line', () => {
    expect(errorOf(yaml('http:', '  public:', '    access_logs:', '      bucket_name: shop-logs', '      prefix: logs/'))).toMatch(/environments\/prod\/manifest\.yml:\d+ http\.public\.access_logs\.prefix.*is not an access-log prefix ELB takes/);
  });
});
