import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildExample as buildEc2Capacity } from '../../examples/ec2-capacity';
import { buildExample as buildQueueWorker } from '../../examples/queue-worker';
import { buildExample as buildSmallest } from '../../examples/smallest-service';
import { cdkJsonContext } from '../../examples';
import { ConfigurationErrors, Governance, GovernanceMode, ServiceLoadBalancer, ServiceNetwork, ServiceNetworkLoadBalancer } from '../../lib';
import { controlTowerFindings, controlTowerFindingsOf } from '../util/control-tower';
import { compareTemplates, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { schemaFacts } from '../../lib/deploy-checks/schema-facts';
import { testApp, testStack } from '../util/test-app';
import { governedViolations } from './governed-templates.verify';

const GOVERNED = { [Governance.CONTEXT_KEY]: 'control-tower' };

/** An app as `cdk synth` builds it from cdk.json, with or without the switch. */
function exampleApp(governed: boolean): App {
  return testApp({ context: { ...cdkJsonContext(), ...(governed ? GOVERNED : {}) } });
}

function templateOf(build: (app: App) => Stack[], governed: boolean): Template {
  return Template.fromStack(build(exampleApp(governed))[0]);
}

/** The smallest example's template per mode, synthesized once for the tests that only read it. */
const smallestTemplates = new Map<boolean, Template>();
function smallestTemplate(governed: boolean): Template {
  if (!smallestTemplates.has(governed)) smallestTemplates.set(governed, templateOf(buildSmallest, governed));
  return smallestTemplates.get(governed)!;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: unknown }>;

function onlyOfWith(template: Template, type: string, props: Record<string, unknown>): Resources[string] {
  const found = Object.values(template.findResources(type, { Properties: props }) as Resources);
  expect(found).toHaveLength(1);
  return found[0];
}

function onlyOf(template: Template, type: string): [string, Resources[string]] {
  const found = Object.entries(template.findResources(type) as Resources);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('the switch: context ecs-service-kit:governance', () => {
  test('absent: default mode; "control-tower": Control Tower mode', () => {
    expect(Governance.modeOf(testStack(testApp()))).toBe(GovernanceMode.DEFAULT);
    expect(Governance.modeOf(testStack(testApp({ context: GOVERNED })))).toBe(GovernanceMode.CONTROL_TOWER);
    expect(Governance.isControlTower(testStack(testApp({ context: GOVERNED })))).toBe(true);
  });

  test('an unknown value fails synth naming the key, the value and what is allowed', () => {
    const stack = testStack(testApp({ context: { [Governance.CONTEXT_KEY]: 'controltower' } }));
    let error: unknown;
    try {
      new ServiceNetwork(stack, 'Net');
    } catch (e) {
      error = e;
    }
    expect(ConfigurationErrors.isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/context ecs-service-kit:governance "controltower" is not a governance mode; use "control-tower"/);
  });

  test('without the switch nothing the switch adds appears (the snapshots guard the templates byte for byte)', () => {
    const template = smallestTemplate(false);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.absent(), RetentionInDays: 30 });
  });
});

describe('under control-tower, per construct', () => {
  const smallest = smallestTemplate(true);

  test('one log key per stack: rotation, retained, 30-day deletion window, CloudWatch Logs of the region for the account\'s log groups only', () => {
    const [keyId, key] = onlyOf(smallest, 'AWS::KMS::Key');
    expect(keyId).toMatch(/^EcsServiceKitLogKey/);
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true, PendingWindowInDays: 30 });
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
    smallest.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':logs:us-east-1:')])] } } },
          }),
          // CT.KMS.PR.3
          Match.objectLike({
            Sid: 'DenyGrantsExceptByAwsServicesForAwsResources',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
          }),
        ]),
      },
    });
  });

  test('every log group (task logs, VPC flow logs): a year of retention, encrypted with the stack key, created after it', () => {
    const [keyId] = onlyOf(smallest, 'AWS::KMS::Key');
    const groups = Object.values(smallest.findResources('AWS::Logs::LogGroup') as Resources);
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      expect(group.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    }
    // The key policy is part of AWS::KMS::Key, so the GetAtt orders the log group after the policy:
    // CloudWatch Logs checks that it may use the key when the log group is created.
  });

  test('a log retention shorter than a year fails synth; one year or more is kept', () => {
    const app = testApp({ context: GOVERNED });
    expect(() => new ServiceNetwork(testStack(app, 'A'), 'Net', { flowLogRetention: logs.RetentionDays.ONE_MONTH }))
      .toThrow(/flowLogRetention 30 is shorter than the 365 days AWS Control Tower's CT.CLOUDWATCH.PR.2 requires/);
    const stack = testStack(app, 'B');
    new ServiceNetwork(stack, 'Net', { flowLogRetention: logs.RetentionDays.TWO_YEARS });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
  });

  test('the load balancer: deletion protection on (CT.ELASTICLOADBALANCING.PR.5)', () => {
    smallest.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
  });

  test('deletionProtection: false wins over the switch, with a warning (the lever for a destroy where the control is off)', () => {
    const stack = testStack(testApp({ context: GOVERNED }));
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    new ServiceLoadBalancer(stack, 'Lb', { vpc, deletionProtection: false });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Lb', Match.stringLikeRegexp('ecs-service-kit:governance-deletion-protection-off'));
  });

  test('a Network Load Balancer: deletion protection on, access logs from its creation although it has no TLS listener yet, into an SSE-KMS bucket (CT.ELASTICLOADBALANCING.PR.5, PR.6, CT.S3.PR.10)', () => {
    // GIVEN / WHEN
    const stack = testStack(testApp({ context: GOVERNED }));
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    new ServiceNetworkLoadBalancer(stack, 'Nlb', { vpc });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    // Its log bucket: SSE-KMS with the stack's log key, which NLB log delivery may use (an ALB's could not)
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowNetworkLoadBalancerLogDelivery', Principal: { Service: 'delivery.logs.amazonaws.com' } })]) },
    });
    // Only the server-access-log bucket stays (S3 delivers server access logs to SSE-S3 buckets only: listed)
    expect(controlTowerFindings(stack, 'CT.ELASTICLOADBALANCING.PR.5', 'CT.ELASTICLOADBALANCING.PR.6', 'CT.S3.PR.10'))
      .toEqual([expect.stringMatching(/^CT\.S3\.PR\.10 EcsServiceKitServerAccessLogsBucket/)]);
  });

  test('the access-log bucket: server access logs into the stack\'s log target, EventBridge notifications, object lock (CT.S3.PR.2, PR.4, PR.9)', () => {
    const buckets = smallest.findResources('AWS::S3::Bucket') as Resources;
    const targetId = Object.keys(buckets).find((id) => id.startsWith('EcsServiceKitServerAccessLogs'))!;
    const accessLogId = Object.keys(buckets).find((id) => id.startsWith('WebLoadBalancerAccessLogBucket'))!;
    expect(Object.keys(buckets).sort()).toEqual([targetId, accessLogId].sort());
    expect(buckets[accessLogId].Properties).toMatchObject({
      LoggingConfiguration: { DestinationBucketName: { Ref: targetId } },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      ObjectLockEnabled: true,
      // ALB access logs support SSE-S3 only: CT.S3.PR.10 (SSE-KMS) cannot be met.
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    // The target logs its own requests under a prefix (CT.S3.PR.2 applies to it too); no object lock:
    // S3 refuses a bucket with Object Lock as a server access log destination.
    expect(buckets[targetId].Properties).toMatchObject({
      LoggingConfiguration: { LogFilePrefix: 's3-access-logs/' },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(buckets[targetId].Properties!.ObjectLockEnabled).toBeUndefined();
    expect(buckets[targetId].Properties!.LoggingConfiguration).not.toHaveProperty('DestinationBucketName');
    // S3 delivers the server access logs under the target's bucket policy (no ACLs: BucketOwnerEnforced),
    // for both sources, each under its prefix.
    const policy = onlyOfWith(smallest, 'AWS::S3::BucketPolicy', { Bucket: { Ref: targetId } });
    const grants = (policy.Properties!.PolicyDocument as { Statement: { Principal?: { Service?: string }; Condition?: { ArnLike?: Record<string, unknown> } }[] }).Statement
      .filter((st) => st.Principal?.Service === 'logging.s3.amazonaws.com');
    expect(grants.map((g) => JSON.stringify(g.Condition?.ArnLike)).sort()).toEqual([
      JSON.stringify({ 'aws:SourceArn': { 'Fn::GetAtt': [accessLogId, 'Arn'] } }),
      JSON.stringify({ 'aws:SourceArn': { 'Fn::GetAtt': [targetId, 'Arn'] } }),
    ].sort());
  });

  test('one info message at synth states what the switch adds and costs', () => {
    const stack = buildSmallest(exampleApp(true))[0];
    const infos = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('ecs-service-kit:governance=control-tower adds'));
    expect(infos).toHaveLength(1);
    expect(infos[0].entry.data).toMatch(/\$1\/month/);
  });

  test('the alarm topic key gets the CreateGrant guard (CT.KMS.PR.3)', () => {
    const template = templateOf(buildQueueWorker, true);
    const keys = template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('alarm notifications') } }) as Resources;
    expect(Object.keys(keys)).toHaveLength(1);
    const statements = (Object.values(keys)[0].Properties!.KeyPolicy as { Statement: { Sid?: string }[] }).Statement;
    expect(statements.map((s) => s.Sid)).toContain('DenyGrantsExceptByAwsServicesForAwsResources');
  });

  test('EC2 capacity: detailed monitoring (CT.EC2.PR.10), its cost stated at synth, and the zones of its subnets on the group (CT.AUTOSCALING.PR.1)', () => {
    const [stack] = buildEc2Capacity(exampleApp(true));
    const template = Template.fromStack(stack);
    Annotations.fromStack(stack).hasInfo('*', Match.stringLikeRegexp('detailed \\(1-minute\\) monitoring.*about \\$2\\.10 per instance-month'));
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ Monitoring: { Enabled: true } }) });
    const [, group] = onlyOf(template, 'AWS::AutoScaling::AutoScalingGroup');
    const zones = group.Properties!.AvailabilityZones as unknown[];
    expect(zones.length).toBeGreaterThanOrEqual(2);
    expect(new Set(zones.map((z) => JSON.stringify(z))).size).toBe(zones.length);
    expect((group.Properties!.VPCZoneIdentifier as unknown[])).toHaveLength(zones.length);
  });
});

// The same sweep over every example and bin-app stage runs in `npm run verify`, on the governed
// templates it synthesizes anyway (test/governance/governed-templates.verify.ts); here it runs on
// the smallest example, governed and not, so the check itself is tested.
describe('under control-tower, every log group, KMS key, load balancer and created log bucket carries what its controls require', () => {
  test('the smallest example governed: no violation, and every kind is there', () => {
    const { violations, counts } = governedViolations([{ where: 'SmallestService', template: smallestTemplate(true).toJSON() }]);
    expect(violations).toEqual([]);
    for (const type of ['AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::S3::Bucket']) {
      expect([type, (counts[type] ?? 0) > 0]).toEqual([type, true]);
    }
  });

  test('without the switch the sweep names what the switch would add', () => {
    const { violations } = governedViolations([{ where: 'SmallestService', template: smallestTemplate(false).toJSON() }]);
    expect(violations).toEqual(expect.arrayContaining([
      expect.stringMatching(/^SmallestService\/.+: RetentionInDays 30$/),
      expect.stringMatching(/^SmallestService\/.+: KmsKeyId undefined$/),
      expect.stringMatching(/^SmallestService\/WebLoadBalancer.+: no deletion protection$/),
      expect.stringMatching(/^SmallestService\/WebLoadBalancerAccessLogBucket.+: no server access logging$/),
      expect.stringMatching(/^SmallestService\/WebLoadBalancerAccessLogBucket.+: no EventBridge notifications$/),
    ]));
  });
});

describe('lifecycle: turning the switch on for a deployed app', () => {
  test('the log groups and load balancer change in place, the access-log bucket is replaced (object lock), the key and the log target are added', () => {
    const before = smallestTemplate(false).toJSON() as { Resources: Resources };
    const after = smallestTemplate(true).toJSON() as { Resources: Resources };

    const added = Object.keys(after.Resources).filter((id) => !(id in before.Resources)).map((id) => after.Resources[id].Type).sort();
    expect(added).toEqual(['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy']);
    expect(Object.keys(before.Resources).filter((id) => !(id in after.Resources))).toEqual([]);

    const changed: string[] = [];
    for (const [id, old] of Object.entries(before.Resources)) {
      const now = after.Resources[id];
      const props = new Set([...Object.keys(old.Properties ?? {}), ...Object.keys(now.Properties ?? {})]);
      const changedProps = [...props].filter((p) => JSON.stringify(old.Properties?.[p]) !== JSON.stringify(now.Properties?.[p]));
      if (changedProps.length === 0) continue;
      changed.push(`${old.Type} ${changedProps.sort().join(',')}`);
      // None of them is create-only in the registry schema (ObjectLockEnabled: see below).
      const createOnly = (schemaFacts(old.Type)?.createOnly ?? []).map((p) => p[0]);
      expect(changedProps.filter((p) => createOnly.includes(p))).toEqual([]);
    }
    // KmsKeyId (AssociateKmsKey), RetentionInDays, load balancer attributes and the bucket's
    // logging, notifications and object lock (versioned already) are all updatable.
    expect(changed).toEqual(expect.arrayContaining([
      'AWS::Logs::LogGroup KmsKeyId,RetentionInDays',
      'AWS::ElasticLoadBalancingV2::LoadBalancer LoadBalancerAttributes',
      'AWS::S3::Bucket LoggingConfiguration,NotificationConfiguration,ObjectLockEnabled',
    ]));
    expect(changed.every((c) => /^AWS::(Logs::LogGroup|ElasticLoadBalancingV2::LoadBalancer|S3::Bucket|S3::BucketPolicy) /.test(c))).toBe(true);

    // The library's update-hazard checks agree, with one exception: CloudFormation still replaces
    // a bucket whose ObjectLockEnabled changes (cloudformation-coverage-roadmap#1929), so the
    // access-log bucket is replaced: a new, empty bucket; the old one (Retain) stays with its logs.
    const errors = errorsOf(compareTemplates({ SmallestService: before as never }, { SmallestService: after as never }));
    expect(errors.map((e) => `${e.kind} ${e.logicalId} ${e.reason}`)).toEqual([
      expect.stringMatching(/^stateful-replaced WebLoadBalancerAccessLogBucket5E9F286A ObjectLockEnabled changed/),
    ]);
    expect(before.Resources.WebLoadBalancerAccessLogBucket5E9F286A.UpdateReplacePolicy).toBe('Retain');
  });

  test('cdk destroy: the key and both log buckets stay (Retain), the load balancer needs its protection lifted first', () => {
    const template = smallestTemplate(true);
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      for (const resource of Object.values(template.findResources(type) as Resources)) {
        expect(resource.DeletionPolicy).toBe('Retain');
      }
    }
    // No custom resource empties or unprotects anything: the two-step destroy is in docs/governance.md.
    template.resourceCountIs('AWS::Lambda::Function', 1); // only aws-cdk-lib's default-security-group restrictor
  });
});

/** The failing controls of a template, each with the logical ids that fail it. */
function failingControls(template: Template): Map<string, Set<string>> {
  const findings = new Map<string, Set<string>>();
  for (const { control, logicalId } of controlTowerFindingsOf(template)) {
    findings.set(control, (findings.get(control) ?? new Set<string>()).add(logicalId));
  }
  return findings;
}

describe('AWS Control Tower proactive controls over an example with the switch on', () => {
  const onlyOnLinux = process.platform === 'linux' && process.arch === 'x64' ? test : test.skip;

  onlyOnLinux('smallest-service: the switch clears every control it owns; what is left is listed in docs/governance.md', () => {
    const off = failingControls(smallestTemplate(false));
    const on = failingControls(smallestTemplate(true));
    const owned = ['CT.CLOUDWATCH.PR.2', 'CT.CLOUDWATCH.PR.3', 'CT.ELASTICLOADBALANCING.PR.5', 'CT.S3.PR.2', 'CT.S3.PR.4'];
    for (const control of owned) {
      expect(off.has(control)).toBe(true); // the example did break it without the switch
      expect(on.has(control)).toBe(false);
    }
    expect([...on.keys()].sort()).toEqual([
      'CT.CLOUDWATCH.PR.1', // alarm actions: the example has no AppMonitoring topic to act on (user's choice)
      'CT.ECS.PR.3', // the image's user: set `user` (the example runs as the image's USER)
      'CT.ELASTICLOADBALANCING.PR.1', // HTTP to HTTPS redirect needs a certificate: the example has no domain
      'CT.LAMBDA.PR.3', // aws-cdk-lib's restrictDefaultSecurityGroup handler runs outside the VPC
      'CT.S3.PR.10', // SSE-KMS: ALB access logs and S3 server access logs support SSE-S3 only
      'CT.S3.PR.9', // object lock: S3 refuses it on a server access log destination (the access-log bucket has it)
    ]);
    expect([...on.get('CT.S3.PR.9')!].every((id) => id.startsWith('EcsServiceKitServerAccessLogs'))).toBe(true);
    expect([...off.get('CT.S3.PR.9')!]).toEqual([expect.stringMatching(/^WebLoadBalancerAccessLogBucket/)]);
  });
});
