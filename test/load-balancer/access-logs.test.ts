import { App, Annotations as CdkAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerWebApp } from '../../lib/bundle';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { testApp } from '../util/test-app';

const SERVICE_PRINCIPAL = 'logdelivery.elasticloadbalancing.amazonaws.com';
const WARNING_ID = 'ecs-service-kit:imported-access-log-bucket';

function vpcIn(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
}

/** The names of the conditions a template uses: `Condition` keys and the first argument of `Fn::If`. */
function conditionsUsedIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) conditionsUsedIn(item, found);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Conditions') continue; // the declarations themselves
      if (key === 'Condition' && typeof value === 'string') found.push(value);
      if (key === 'Fn::If' && Array.isArray(value) && typeof value[0] === 'string') found.push(value[0]);
      conditionsUsedIn(value, found);
    }
  }
  return found;
}

/** The Allow statement of the stack's bucket policies that lets ELB write access logs. */
function logDeliveryStatement(template: Template): any {
  const statements = Object.values(template.findResources('AWS::S3::BucketPolicy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
  return statements.find((s: any) => s.Effect === 'Allow' && s.Action === 's3:PutObject' && JSON.stringify(s.Resource).includes('AWSLogs'));
}

describe('access logs in an environment-agnostic stack (no env, as `cdk init app` makes)', () => {
  test('the README\'s smallest ContainerWebApp synthesizes with access logs on', () => {
    // GIVEN a stack without env: region and account are tokens
    const app = testApp();
    const stack = new Stack(app, 'MyStack');
    // WHEN
    new ContainerWebApp(stack, 'Web', {
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
      cpu: 512,
      memoryMiB: 1024,
      healthCheck: { path: '/health' },
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^WebLoadBalancerAccessLogBucket') } },
      ]),
    });
    // the principal is chosen at deploy time: ELB account in older regions, service principal in newer ones
    const json = template.toJSON();
    const mapping = json.Mappings.EcsServiceKitElbLogDeliveryAccounts;
    expect(mapping['us-east-1']).toEqual({ account: '127311923021' });
    expect(mapping['eu-west-1']).toEqual({ account: '156460612806' });
    expect(mapping['ap-southeast-4']).toEqual({ account: 'none' });
    const findAccount = { 'Fn::FindInMap': ['EcsServiceKitElbLogDeliveryAccounts', { Ref: 'AWS::Region' }, 'account'] };
    expect(json.Conditions.EcsServiceKitElbLogDeliveryByServicePrincipal).toEqual({ 'Fn::Equals': [findAccount, 'none'] });
    expect(logDeliveryStatement(template)).toEqual({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Principal: {
        AWS: { 'Fn::If': ['EcsServiceKitElbLogDeliveryByServicePrincipal', { Ref: 'AWS::NoValue' },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', findAccount, ':root']] }] },
        Service: { 'Fn::If': ['EcsServiceKitElbLogDeliveryByServicePrincipal', SERVICE_PRINCIPAL, { Ref: 'AWS::NoValue' }] },
      },
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancerAccessLogBucket/), 'Arn'] }, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
    });
    // the load balancer waits for the policy (ELB checks it may write when logging is turned on)
    const [lb] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')) as any[];
    expect(lb.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^WebLoadBalancerAccessLogBucketPolicy/)]));
  });

  test('two load balancers in one stack share one mapping and one condition; the prefix is kept', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    const vpc = vpcIn(stack);
    new ServiceLoadBalancer(stack, 'A', { vpc, accessLogPrefix: 'a' });
    new ServiceLoadBalancer(stack, 'B', { vpc });
    const json = Template.fromStack(stack).toJSON();
    expect(Object.keys(json.Mappings)).toEqual(['EcsServiceKitElbLogDeliveryAccounts']);
    expect(Object.keys(json.Conditions)).toEqual(['EcsServiceKitElbLogDeliveryByServicePrincipal']);
    expect(JSON.stringify(json)).toContain('"/a/AWSLogs/"');
  });

  test('a log bucket in another environment-agnostic stack gets the mapping and condition in its own template', () => {
    // GIVEN a shared logging stack that owns the bucket, and the app stack with the load balancer
    const app = testApp();
    const logs = new Stack(app, 'Logs');
    const bucket = new s3.Bucket(logs, 'AccessLogs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
    const stack = new Stack(app, 'Web');
    // WHEN
    new ServiceLoadBalancer(stack, 'Lb', { vpc: vpcIn(stack), accessLogBucket: bucket });
    // THEN it synthesizes, every condition a template uses is declared in that same template (a
    // condition referenced from another template fails CloudFormation's validation), and the
    // statement, its mapping and its condition are all in the bucket's template
    expect(() => app.synth()).not.toThrow();
    for (const s of [logs, stack]) {
      const json = Template.fromStack(s).toJSON();
      expect(conditionsUsedIn(json).filter((c) => !(c in (json.Conditions ?? {})))).toEqual([]);
    }
    expect(conditionsUsedIn(Template.fromStack(logs).toJSON())).toContain('EcsServiceKitElbLogDeliveryByServicePrincipal');
    const logsJson = Template.fromStack(logs).toJSON();
    expect(Object.keys(logsJson.Conditions)).toEqual(['EcsServiceKitElbLogDeliveryByServicePrincipal']);
    expect(Object.keys(logsJson.Mappings)).toEqual(['EcsServiceKitElbLogDeliveryAccounts']);
    expect(JSON.stringify(logDeliveryStatement(Template.fromStack(logs)).Principal)).toContain('EcsServiceKitElbLogDeliveryByServicePrincipal');
    const webJson = Template.fromStack(stack).toJSON();
    expect(webJson.Conditions).toBeUndefined();
    expect(webJson.Mappings).toBeUndefined();
  });

  test('the target-partitions context limits the mapping', () => {
    const app = new App({ builtinCloudFormationValidation: false, context: { '@aws-cdk/core:target-partitions': ['aws'] } });
    const stack = new Stack(app, 'Agnostic');
    new ServiceLoadBalancer(stack, 'Lb', { vpc: vpcIn(stack) });
    const mapping = Template.fromStack(stack).toJSON().Mappings.EcsServiceKitElbLogDeliveryAccounts;
    expect(mapping['us-east-1']).toBeDefined();
    expect(mapping['cn-north-1']).toBeUndefined();
  });
});

describe('access logs in a stack with a concrete region', () => {
  function statementIn(region: string): any {
    const stack = new Stack(testApp(), 'Regional', { env: { account: '123456789012', region } });
    new ServiceLoadBalancer(stack, 'Lb', { vpc: vpcIn(stack) });
    const template = Template.fromStack(stack);
    expect(template.toJSON().Mappings).toBeUndefined();
    expect(template.toJSON().Conditions).toBeUndefined();
    return logDeliveryStatement(template);
  }

  test('a region that existed before August 2022 (eu-west-1) names its Elastic Load Balancing account', () => {
    expect(statementIn('eu-west-1').Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::156460612806:root']] } });
  });

  test('a newer region (ap-southeast-4, Melbourne) names the log-delivery service principal', () => {
    expect(statementIn('ap-southeast-4').Principal).toEqual({ Service: SERVICE_PRINCIPAL });
  });
});

describe('an imported access-log bucket', () => {
  function withImportedBucket(stack: Stack, prefix?: string): ServiceLoadBalancer {
    const bucket = s3.Bucket.fromBucketName(stack, 'Logs', 'my-alb-logs');
    return new ServiceLoadBalancer(stack, 'Lb', { vpc: vpcIn(stack), accessLogBucket: bucket, accessLogPrefix: prefix });
  }

  test('warns with the exact statement for the stack\'s region (old region: ELB account)', () => {
    const stack = new Stack(testApp(), 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    withImportedBucket(stack, 'alb');
    const statement = '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::156460612806:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-alb-logs/alb/AWSLogs/123456789012/*"}';
    const warnings = Annotations.fromStack(stack).findWarning('/Regional/Lb', Match.stringLikeRegexp('is imported'));
    expect(warnings).toHaveLength(1);
    const text = JSON.stringify(warnings[0].entry.data);
    expect(text).toContain(WARNING_ID);
    expect(text).toContain('Access Denied');
    expect(text).toContain(JSON.stringify(statement).slice(1, -1));
    // no bucket policy can exist for it
    Template.fromStack(stack).resourceCountIs('AWS::S3::BucketPolicy', 0);
  });

  test('names the service principal in a newer region', () => {
    const stack = new Stack(testApp(), 'Regional', { env: { account: '123456789012', region: 'ap-southeast-4' } });
    withImportedBucket(stack);
    Annotations.fromStack(stack).hasWarning('/Regional/Lb', Match.stringLikeRegexp(
      '"Principal":\\{"Service":"logdelivery\\.elasticloadbalancing\\.amazonaws\\.com"\\},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-alb-logs/AWSLogs/123456789012/\\*"'));
  });

  test('gives both variants in an environment-agnostic stack', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    withImportedBucket(stack);
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Agnostic/Lb', Match.stringLikeRegexp('before August 2022: \\{"Effect":"Allow","Principal":\\{"AWS":"arn:<partition, e\\.g\\. aws>:iam::<Elastic Load Balancing account of the region>:root"\\}'));
    annotations.hasWarning('/Agnostic/Lb', Match.stringLikeRegexp('in a newer region: \\{"Effect":"Allow","Principal":\\{"Service":"logdelivery'));
    annotations.hasWarning('/Agnostic/Lb', Match.stringLikeRegexp('AWSLogs/<your account id>/\\*'));
    // no statement, so no mapping or condition is left unused
    expect(Template.fromStack(stack).toJSON().Mappings).toBeUndefined();
  });

  test('the warning can be acknowledged', () => {
    const stack = new Stack(testApp(), 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    const lb = withImportedBucket(stack);
    Annotations.fromStack(stack).hasWarning('/Regional/Lb', Match.stringLikeRegexp('is imported'));
    const stack2 = new Stack(testApp(), 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    const lb2 = withImportedBucket(stack2);
    CdkAnnotations.of(lb2).acknowledgeWarning(WARNING_ID, 'Statement added to the bucket policy by the platform team.');
    Annotations.fromStack(stack2).hasNoWarning('/Regional/Lb', Match.stringLikeRegexp('is imported'));
    expect(lb.accessLogBucket).toBeDefined();
  });

  test('a bucket created in the app gets its statement and no warning', () => {
    const stack = new Stack(testApp(), 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    new ServiceLoadBalancer(stack, 'Lb', { vpc: vpcIn(stack), accessLogBucket: new s3.Bucket(stack, 'Logs', { enforceSSL: true }) });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('is imported'));
  });
});
