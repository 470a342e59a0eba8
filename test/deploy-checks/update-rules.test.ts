/**
 * The update rules (ESK-UPD*): each on a fabricated pair of versions that triggers it, and on a
 * safe pair. Their shared comparison has its own tests (update-hazards.test.ts); these check that
 * each rule reports its kinds, names the right resource and stays silent without a previous version.
 */
import { DEPLOY_CHECK_RULES } from '../../lib/deploy-checks/pack';
import { CfnResource, DeployCheckRule, PreviousVersion, StackTemplate } from '../../lib/deploy-checks/rule';
import { ESK_UPD11 } from '../../lib/deploy-checks/rules/update/account-setting-reset';
import { ESK_UPD4 } from '../../lib/deploy-checks/rules/update/custom-named-resource-replaced';
import { ESK_UPD7 } from '../../lib/deploy-checks/rules/update/ecs-service-replaced';
import { ESK_UPD12 } from '../../lib/deploy-checks/rules/update/identifier-kept-on-replacement';
import { ESK_UPD1 } from '../../lib/deploy-checks/rules/update/listener-rule-priority-in-use';
import { ESK_UPD16 } from '../../lib/deploy-checks/rules/update/efs-update';
import { ESK_UPD13, ESK_UPD14, ESK_UPD15, ESK_UPD17 } from '../../lib/deploy-checks/rules/update/load-balancer-update';
import { ESK_UPD2 } from '../../lib/deploy-checks/rules/update/physical-name-in-use';
import { ESK_UPD6 } from '../../lib/deploy-checks/rules/update/retained-resource-orphaned';
import { ESK_UPD10 } from '../../lib/deploy-checks/rules/update/service-connect-name-in-use';
import { ESK_UPD8 } from '../../lib/deploy-checks/rules/update/service-connect-protocol-changed';
import { ESK_UPD9 } from '../../lib/deploy-checks/rules/update/shifted-listener-rule-changed';
import { ESK_UPD5 } from '../../lib/deploy-checks/rules/update/stateful-data-lost';
import { ESK_UPD3 } from '../../lib/deploy-checks/rules/update/subnet-cidr-in-use';
import { fargateTask, ref, service, stack } from './fixtures';

/** The deployed version: one stack `A` with `resources`. */
function deployed(resources: Record<string, CfnResource>): PreviousVersion {
  return { templates: { A: { Resources: resources } }, templatePaths: { A: '/deployed/A.template.json' } };
}
const now = (resources: Record<string, CfnResource>): StackTemplate[] => [stack('A', resources)];

const listenerRule = (priority: number, path: string): CfnResource => ({
  Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
  Properties: { ListenerArn: ref('Listener'), Priority: priority, Conditions: [{ Field: 'path-pattern', Values: [path] }], Actions: [] },
});
const forward = (group: string) => ({ Type: 'forward', TargetGroupArn: ref(group) });
const notFound = { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } };
const listener = (action: unknown): CfnResource => ({ Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: ref('Alb'), Port: 80, Protocol: 'HTTP', DefaultActions: [action] } });
const queue = (name: string): CfnResource => ({ Type: 'AWS::SQS::Queue', Properties: { QueueName: name } });
const subnet = (cidr: string): CfnResource => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: ref('Vpc'), CidrBlock: cidr } });
const repository = (props: Record<string, unknown> = {}): CfnResource => ({ Type: 'AWS::ECR::Repository', Properties: props, DeletionPolicy: 'Retain' });
const logGroup: CfnResource = { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } };
/** Task `Task` mapping app-8080 (with `appProtocol`, if any) and a service publishing it through Service Connect. */
const publishing = (appProtocol?: string, serviceProps: Record<string, unknown> = {}): Record<string, CfnResource> => ({
  Task: fargateTask({ PortMappings: [{ ContainerPort: 8080, Name: 'app-8080', ...(appProtocol ? { AppProtocol: appProtocol } : {}) }] }),
  Svc: service({ ServiceConnectConfiguration: { Enabled: true, Namespace: 'internal', Services: [{ PortName: 'app-8080', DiscoveryName: 'web' }] }, ...serviceProps }),
});

/** A blue/green service (or `strategy`) whose production rule `Prod` ECS shifts, with `path` on that rule. */
const shifting = (path: string, strategy = 'BLUE_GREEN', serviceProps: Record<string, unknown> = {}): Record<string, CfnResource> => ({
  Prod: listenerRule(50000, path),
  Svc: service({
    DeploymentConfiguration: { Strategy: strategy },
    LoadBalancers: [{ TargetGroupArn: ref('Blue'), AdvancedConfiguration: { AlternateTargetGroupArn: ref('Green'), ProductionListenerRule: ref('Prod') } }],
    ...serviceProps,
  }),
});

const scalableTarget = (max: number): CfnResource => ({
  Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
  Properties: { ResourceId: 'service/main/web', ScalableDimension: 'ecs:service:DesiredCount', ServiceNamespace: 'ecs', MinCapacity: 1, MaxCapacity: max },
});
const replication = (region: string): CfnResource => ({
  Type: 'AWS::ECR::ReplicationConfiguration', Properties: { ReplicationConfiguration: { Rules: [{ Destinations: [{ Region: region, RegistryId: '111111111111' }] }] } },
});

interface UpdateCase {
  readonly rule: DeployCheckRule;
  readonly before: Record<string, CfnResource>;
  readonly after: Record<string, CfnResource>;
  readonly flagged: string[];
  readonly safeAfter: Record<string, CfnResource>;
}

const nlb = (props: Record<string, unknown> = {}): CfnResource => ({
  Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'network', Scheme: 'internet-facing', Subnets: [ref('S1')], ...props },
});
const targetGroup = (protocol: string): CfnResource => ({
  Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Protocol: protocol, Port: 8080, TargetType: 'ip', VpcId: ref('Vpc') },
});
const registered = (protocol: string, healthCheckInterval = 5): Record<string, CfnResource> => ({
  Tg: { ...targetGroup(protocol), Properties: { ...targetGroup(protocol).Properties, HealthCheckIntervalSeconds: healthCheckInterval } },
  Svc: service({ LoadBalancers: [{ TargetGroupArn: ref('Tg'), ContainerName: 'app', ContainerPort: 8080 }] }),
});

const CASES: UpdateCase[] = [
  {
    rule: ESK_UPD13, // security groups added to an NLB created without them
    before: { Nlb: nlb() },
    after: { Nlb: nlb({ SecurityGroups: [ref('Sg')] }) },
    flagged: ['Nlb'],
    safeAfter: { Nlb: nlb({ LoadBalancerAttributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] }) },
  },
  {
    rule: ESK_UPD14, // a service's target group replaced: TCP to TCP_UDP
    before: registered('TCP'),
    after: registered('TCP_UDP'),
    flagged: ['Tg'],
    safeAfter: registered('TCP', 10),
  },
  {
    rule: ESK_UPD15, // a protected load balancer made internal (Scheme is create-only: replaced), as under the governance switch
    before: { Nlb: nlb({ LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] }) },
    after: { Nlb: nlb({ Scheme: 'internal', LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] }) },
    flagged: ['Nlb'],
    safeAfter: { Nlb: nlb({ LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }) },
  },
  {
    rule: ESK_UPD17, // the default route's target group moved onto a new rule (a WebService given sourceCidrs)
    before: { Listener: listener(forward('Tg')), Tg: targetGroup('HTTP') },
    after: { Listener: listener(notFound), Tg: targetGroup('HTTP'), Rule: { Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: { ListenerArn: ref('Listener'), Priority: 48000, Conditions: [{ Field: 'source-ip', SourceIpConfig: { Values: ['203.0.113.0/24'] } }], Actions: [forward('Tg')] } } },
    flagged: ['Rule'],
    safeAfter: { Listener: listener(forward('Tg')), Tg: targetGroup('HTTP') },
  },
  {
    rule: ESK_UPD16, // an access point's POSIX user changed, its root directory kept
    before: { Ap: { Type: 'AWS::EFS::AccessPoint', Properties: { FileSystemId: ref('Fs'), PosixUser: { Uid: '1000', Gid: '1000' }, RootDirectory: { Path: '/data' } } } },
    after: { Ap: { Type: 'AWS::EFS::AccessPoint', Properties: { FileSystemId: ref('Fs'), PosixUser: { Uid: '2000', Gid: '2000' }, RootDirectory: { Path: '/data' } } } },
    flagged: ['Ap'],
    safeAfter: { Ap: { Type: 'AWS::EFS::AccessPoint', Properties: { FileSystemId: ref('Fs'), PosixUser: { Uid: '2000', Gid: '2000' }, RootDirectory: { Path: '/data-2000' } } } },
  },
  {
    rule: ESK_UPD1, // Api removed, Admin renumbered onto its priority
    before: { Api: listenerRule(10, '/api/*'), Admin: listenerRule(20, '/admin/*') },
    after: { Admin: listenerRule(10, '/admin/*') },
    flagged: ['Admin'],
    safeAfter: { Admin: listenerRule(20, '/admin/*') },
  },
  {
    rule: ESK_UPD2, // the queue's construct renamed, its name kept
    before: { Jobs: queue('jobs') },
    after: { Work: queue('jobs') },
    flagged: ['Work'],
    safeAfter: { Jobs: queue('jobs') },
  },
  {
    rule: ESK_UPD3, // a subnet re-carved from /17 to /18 under a new logical id
    before: { SubnetA: subnet('10.0.0.0/17') },
    after: { SubnetB: subnet('10.0.0.0/18') },
    flagged: ['SubnetB'],
    safeAfter: { SubnetA: subnet('10.0.0.0/17'), SubnetB: subnet('10.0.128.0/18') },
  },
  {
    rule: ESK_UPD4, // a repository's encryption changes (replacement) while it keeps its name
    before: { Images: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'shop/api', EncryptionConfiguration: { EncryptionType: 'AES256' } } } },
    after: { Images: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'shop/api', EncryptionConfiguration: { EncryptionType: 'KMS' } } } },
    flagged: ['Images'],
    safeAfter: { Images: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'shop/api', EncryptionConfiguration: { EncryptionType: 'AES256' }, ImageScanningConfiguration: { ScanOnPush: true } } } },
  },
  {
    rule: ESK_UPD5, // a log group (not retained) removed
    before: { Logs: logGroup },
    after: {},
    flagged: ['Logs'],
    safeAfter: { Logs: logGroup },
  },
  {
    rule: ESK_UPD6, // a retained repository removed
    before: { Images: repository() },
    after: {},
    flagged: ['Images'],
    safeAfter: { Images: repository() },
  },
  {
    rule: ESK_UPD7, // a service moved to another cluster: replaced
    before: { Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} }, Svc: service() },
    after: { Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} }, Other: { Type: 'AWS::ECS::Cluster', Properties: {} }, Svc: service({ Cluster: ref('Other') }) },
    flagged: ['Svc'],
    safeAfter: { Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} }, Svc: service({ DesiredCount: 3 }) },
  },
  {
    rule: ESK_UPD8, // a 0.1 web service's published port (TCP) now HTTP by default
    before: publishing(),
    after: publishing('http'),
    flagged: ['Svc'],
    safeAfter: publishing('tcp', { DesiredCount: 3 }),
  },
  {
    rule: ESK_UPD9, // the production rule of a blue/green service gets a new path: its weights are re-sent
    before: shifting('/app/*'),
    after: shifting('/v2/*'),
    flagged: ['Prod'],
    safeAfter: shifting('/app/*', 'BLUE_GREEN', { DesiredCount: 3 }),
  },
  {
    rule: ESK_UPD10, // a service publishing "web" moved to Fargate Spot (LaunchType gone): replaced while the old one holds the name
    before: publishing(undefined, { LaunchType: 'FARGATE' }),
    after: publishing(undefined, { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] }),
    flagged: ['Svc'],
    safeAfter: publishing(undefined, { LaunchType: 'FARGATE', DesiredCount: 3 }),
  },
  {
    rule: ESK_UPD12, // a scalable target renamed (construct id) with its literal identifier
    before: { Target: scalableTarget(4) },
    after: { WebTarget: scalableTarget(4) },
    flagged: ['WebTarget'],
    safeAfter: { Target: scalableTarget(8) },
  },
  {
    rule: ESK_UPD11, // the registry's replication configuration removed
    before: { Replication: replication('us-west-2') },
    after: {},
    flagged: ['Replication'],
    safeAfter: { Replication: replication('eu-west-1') },
  },
];

test('ESK-UPD10 is an error whose fix names the ways out: a new name, or two deploys', () => {
  const renamed = publishing(undefined, { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] });
  (renamed.Svc.Properties!.ServiceConnectConfiguration as { Services: Record<string, unknown>[] }).Services[0].DiscoveryName = 'web-v2';
  expect(ESK_UPD10.check(now(renamed), deployed(publishing(undefined, { LaunchType: 'FARGATE' })))).toEqual([]);
  expect(ESK_UPD10.severity).toBe('error');
  expect(ESK_UPD10.fix).toMatch(/new serviceConnect\.name.*two steps: first the service without its name/);
});

test('ESK-UPD9 leaves a rolling service\'s rule alone: nobody else sets its weights', () => {
  expect(ESK_UPD9.check(now(shifting('/v2/*', 'ROLLING')), deployed(shifting('/app/*', 'ROLLING')))).toEqual([]);
});

test('ESK-UPD9 flags a default-route service going back to rolling: its catch-all rule lives until cleanup, maybe on the emptied group', () => {
  // GIVEN a blue/green service whose catch-all rule ECS shifts; WHEN it goes back to rolling (rule removed, service kept)
  const rolling = { Svc: service({ DeploymentConfiguration: { Strategy: 'ROLLING' }, LoadBalancers: [{ TargetGroupArn: ref('Blue') }] }) };
  const [finding] = ESK_UPD9.check(now(rolling), deployed(shifting('/*')));
  // THEN
  expect(finding.logicalId).toBe('Prod');
  expect(finding.detail).toMatch(/^shifted-rule-removed: is removed while the service Svc stays: it is deleted only in the cleanup phase/);
  // ...but removing the service with its rule is no hazard: nothing keeps serving through it
  expect(ESK_UPD9.check(now({}), deployed(shifting('/*')))).toEqual([]);
});

test('ESK-UPD9 flags a replaced target group: the rule\'s actions are re-sent though their text is the same', () => {
  // GIVEN the primary target group is replaced (a new port), the rule unchanged
  const group = (port: number) => ({ Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: port, Protocol: 'HTTP', TargetType: 'ip', VpcId: 'vpc-1' } });
  const weighted = (base: Record<string, CfnResource>) => ({
    ...base,
    Prod: { ...base.Prod, Properties: { ...base.Prod.Properties, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: ref('Blue'), Weight: 100 }, { TargetGroupArn: ref('Green'), Weight: 0 }] } }] } },
  });
  const before = { ...weighted(shifting('/app/*')), Blue: group(8080) };
  const after = { ...weighted(shifting('/app/*')), Blue: group(9090) };
  // WHEN / THEN
  const [finding] = ESK_UPD9.check(now(after), deployed(before));
  expect(finding.detail).toMatch(/^shifted-rule-reset: changes the target group Blue \(replaced\)/);
});

test('ESK-UPD9 flags a tags-only change of a shifted rule: the update handler may re-send its actions', () => {
  const tagged = shifting('/app/*');
  (tagged.Prod as any).Properties.Tags = [{ Key: 'team', Value: 'checkout' }];
  const [finding] = ESK_UPD9.check(now(tagged), deployed(shifting('/app/*')));
  expect(finding.detail).toMatch(/^shifted-rule-reset: changes Tags of the listener rule/);
});

test('ESK-UPD9 covers canary and linear too, and names the changed property', () => {
  for (const strategy of ['CANARY', 'LINEAR']) {
    const [finding] = ESK_UPD9.check(now(shifting('/v2/*', strategy)), deployed(shifting('/app/*', strategy)));
    expect(finding.detail).toMatch(/^shifted-rule-reset: changes Conditions of the listener rule whose weights ECS sets/);
  }
});

describe.each(CASES.map((c) => [c.rule.id, c] as const))('%s', (_id, c) => {
  test('flags the hazardous update, with the hazard in the detail', () => {
    const findings = c.rule.check(now(c.after), deployed(c.before));
    expect(findings.map((f) => f.logicalId).sort()).toEqual([...c.flagged].sort());
    for (const f of findings) expect(f.detail).toMatch(/^[a-z-]+: /);
  });

  test('passes the safe update', () => {
    expect(c.rule.check(now(c.safeAfter), deployed(c.before))).toEqual([]);
  });

  test('finds nothing without a previous version', () => {
    expect(c.rule.check(now(c.after))).toEqual([]);
  });
});

test('a removed resource is reported in its stack\'s template with the stack\'s construct path', () => {
  const stacks = [{ ...stack('A', {}), stackConstructPath: 'A' }];
  const [finding] = ESK_UPD6.check(stacks, deployed({ Images: repository() }));
  expect(finding).toMatchObject({ templatePath: '/app/A.template.json', logicalId: 'Images', constructPath: 'A' });
});

test('ESK-UPD15: a protected load balancer removed is reported too; an unprotected one removed is not', () => {
  const protectedNlb = nlb({ LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] });
  expect(ESK_UPD15.check(now({}), deployed({ Nlb: protectedNlb })).map((f) => f.logicalId)).toEqual(['Nlb']);
  expect(ESK_UPD15.check(now({}), deployed({ Nlb: nlb() }))).toEqual([]);
  expect(ESK_UPD15.severity).toBe('error');
});

test('ESK-UPD8 says how to get out: the deployed appProtocol back, or a new service', () => {
  const [finding] = ESK_UPD8.check(now(publishing('http')), deployed(publishing()));
  expect(finding.detail).toMatch(/^service-connect-protocol: publishes port mapping "app-8080" through Service Connect with appProtocol http, deployed as tcp/);
  expect(ESK_UPD8.severity).toBe('error');
  expect(ESK_UPD8.fix).toMatch(/serviceConnect\.appProtocol back to the deployed value.*or delete and re-create the service/);
});

test('every update rule of the pack has a case; the severities are the hazards\'', () => {
  const ids = DEPLOY_CHECK_RULES.map((r) => r.id).filter((id) => id.startsWith('ESK-UPD'));
  expect(CASES.map((c) => c.rule.id).sort()).toEqual(ids.sort());
  expect(CASES.filter((c) => c.rule.severity === 'warning').map((c) => c.rule.id)).toEqual(['ESK-UPD14', 'ESK-UPD17', 'ESK-UPD16', 'ESK-UPD6', 'ESK-UPD7', 'ESK-UPD11']);
});

describe('a one-per-account resource moved to another stack of the same account and region', () => {
  const env = { account: '111111111111', region: 'us-east-1' };
  const previous: PreviousVersion = {
    templates: { A: { Resources: { Replication: replication('us-west-2') } }, B: { Resources: {} } },
    templatePaths: { A: '/deployed/A.template.json', B: '/deployed/B.template.json' },
  };

  test('ESK-UPD12: B creates it while A still holds it (deleted or retained), so the create fails AlreadyExists', () => {
    const moved = [stack('A', {}, env), stack('B', { Replication: replication('us-west-2') }, env)];
    const findings = ESK_UPD12.check(moved, previous);
    expect(findings.map((f) => [f.templatePath, f.logicalId])).toEqual([['/app/B.template.json', 'Replication']]);
    expect(findings[0].detail).toMatch(/^identifier-in-use: takes the primary identifier .* from A\/Replication/);
  });

  test('not in another region: there it is another registry\'s', () => {
    const moved = [stack('A', {}, env), stack('B', { Replication: replication('us-west-2') }, { ...env, region: 'eu-west-1' })];
    expect(ESK_UPD12.check(moved, previous)).toEqual([]);
  });

  test('ESK-UPD11\'s fix does not advise the move', () => {
    expect(ESK_UPD11.fix).not.toMatch(/move it to the stack/);
    expect(ESK_UPD11.fix).toMatch(/cdk import/);
  });
});
