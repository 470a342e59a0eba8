/**
 * Update sequences: version N and N+1 of an app built with the library, for the changes users
 * make every week, compared with compareTemplates (test/quality/update-hazards.ts). A common
 * change must not fail the CloudFormation update (no error) and must not lose data; where a
 * change really is hazardous (a layout switch that re-carves the subnets, a construct rename),
 * the test asserts the comparison says so, so the guard catches it before a deploy does.
 *
 * Each distinct version is synthesized once (update-app.ts caches), with validation off.
 */
import { NetworkLayout } from '../../lib';
import { compareStateful, describeFinding } from '../quality/stateful-guard';
import { compareTemplates, describeHazard, errorsOf, Hazard } from '../../lib/deploy-checks/update-hazards';
import { AppVersion, ServiceSpec, STACK_NAME, synthVersion } from './update-app';

const API: ServiceSpec = { id: 'Api', paths: ['/api/*'] };
const ADMIN: ServiceSpec = { id: 'Admin', paths: ['/admin/*'] };
const DOCS: ServiceSpec = { id: 'Docs', paths: ['/docs/*'] };
const NEW: ServiceSpec = { id: 'Billing', paths: ['/billing/*'] };
const WEB: ServiceSpec = { id: 'Web' }; // the listener's default action

/** Version N: three routed services and a default one, in one cluster behind one load balancer. */
const BASE: AppVersion = { services: [API, ADMIN, DOCS, WEB] };

function update(before: AppVersion, after: AppVersion): Hazard[] {
  return compareTemplates(synthVersion(before), synthVersion(after), { app: 'update-app' });
}

/** Errors, printed one per line so a failure says what and why. */
function errors(hazards: Hazard[]): string[] {
  return errorsOf(hazards).map(describeHazard);
}

/** The warnings other than the log groups a removed service leaves behind (retained on purpose). */
function unexpectedWarnings(hazards: Hazard[], removed: string[] = []): string[] {
  return hazards.filter((h) => h.severity === 'warning')
    .filter((h) => !(h.kind === 'retained-orphaned' && h.type === 'AWS::Logs::LogGroup' && removed.some((id) => h.logicalId.startsWith(`${id}Task`))))
    .map(describeHazard);
}

function listenerRulePriorities(version: AppVersion): Record<string, unknown> {
  const resources = synthVersion(version)[STACK_NAME].Resources ?? {};
  return Object.fromEntries(Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
    .map(([id, r]) => [id, r.Properties?.Priority]));
}

describe('routes: add or remove a routed service anywhere in the list, without a hazard', () => {
  // Listener-rule priorities must be stable per route: a rule that stays keeps its priority,
  // and a new rule never takes a priority a staying or removed rule holds in N.
  test.each([
    ['add a route first', { services: [NEW, API, ADMIN, DOCS, WEB] }],
    ['add a route in the middle', { services: [API, NEW, ADMIN, DOCS, WEB] }],
    ['add a route last', { services: [API, ADMIN, DOCS, NEW, WEB] }],
  ] as const)('%s', (_name, after) => {
    const hazards = update(BASE, after);
    expect(errors(hazards)).toEqual([]);
    expect(unexpectedWarnings(hazards)).toEqual([]);
  });

  test.each([
    ['remove the first route', { services: [ADMIN, DOCS, WEB] }, 'Api'],
    ['remove the middle route', { services: [API, DOCS, WEB] }, 'Admin'],
    ['remove the last route', { services: [API, ADMIN, WEB] }, 'Docs'],
  ] as const)('%s', (_name, after, removed) => {
    const hazards = update(BASE, after);
    expect(errors(hazards)).toEqual([]);
    // The removed service's log group is retained (its logs stay until their retention ends): a warning, nothing else.
    expect(unexpectedWarnings(hazards, [removed])).toEqual([]);
    expect(hazards.map((h) => `${h.kind} ${h.logicalId.replace(/[0-9A-F]{8}$/, '')}`)).toEqual([`retained-orphaned ${removed}TaskLogs`]);
  });

  test('change a route\'s path: its rule moves to another priority in place, nobody takes the old one', () => {
    const hazards = update(BASE, { services: [API, { ...ADMIN, paths: ['/console/*'] }, DOCS, WEB] });
    expect(hazards.map(describeHazard)).toEqual([]);
  });

  test('the old sequential scheme (10, 20, 30 by construction order) is flagged when the first route goes', () => {
    // GIVEN priorities as 0.1 assigned them, given explicitly: removing Api renumbers the rest
    const before = { services: [{ ...API, priority: 10 }, { ...ADMIN, priority: 20 }, { ...DOCS, priority: 30 }, WEB] };
    const after = { services: [{ ...ADMIN, priority: 10 }, { ...DOCS, priority: 20 }, WEB] };
    // THEN Admin takes 10 from the deleted Api rule, and Docs races Admin for 20
    expect(errorsOf(update(before, after)).map((h) => `${h.kind} ${h.logicalId.replace(/[0-9A-F]{8}$/, '')}`)).toEqual([
      'priority-in-use AdminListenerRule', 'priority-race DocsListenerRule',
    ]);
  });

  test('the rules that stay keep their priorities when one is removed', () => {
    const before = listenerRulePriorities(BASE);
    const after = listenerRulePriorities({ services: [API, DOCS, WEB] });
    for (const [id, priority] of Object.entries(after)) expect([id, priority]).toEqual([id, before[id]]);
  });
});

describe('services', () => {
  test('add a service (the default route)', () => {
    const hazards = update({ services: [API, ADMIN, DOCS] }, BASE);
    expect(errors(hazards)).toEqual([]);
    expect(unexpectedWarnings(hazards)).toEqual([]);
  });

  test('remove a service (the default route): only its retained log group is left behind', () => {
    const hazards = update(BASE, { services: [API, ADMIN, DOCS] });
    expect(errors(hazards)).toEqual([]);
    expect(unexpectedWarnings(hazards, ['Web'])).toEqual([]);
  });

  test('change the image tag: a new task definition revision, nothing replaced that matters', () => {
    const hazards = update(BASE, { services: [{ ...API, tag: '1.28' }, ADMIN, DOCS, WEB] });
    expect(hazards.map(describeHazard)).toEqual([]);
  });

  test('change the task size (cpu/memory)', () => {
    const hazards = update(BASE, { services: [{ ...API, cpu: 512, memoryMiB: 1024 }, ADMIN, DOCS, WEB] });
    expect(hazards.map(describeHazard)).toEqual([]);
  });

  test('an explicit service name survives an image change (the service is updated, not replaced)', () => {
    const named = { services: [{ ...API, serviceName: 'api' }, ADMIN, DOCS, WEB] };
    const hazards = update(named, { services: [{ ...API, serviceName: 'api', tag: '1.28', cpu: 512, memoryMiB: 1024 }, ADMIN, DOCS, WEB] });
    expect(hazards.map(describeHazard)).toEqual([]);
  });
});

describe('a queue worker on PRIVATE_WITH_ENDPOINTS and its SQS endpoint', () => {
  const PRIVATE: AppVersion = { network: NetworkLayout.PRIVATE_WITH_ENDPOINTS, services: [API] };
  const WITH_WORKER: AppVersion = { ...PRIVATE, workers: ['Jobs'] };
  const resourcesOf = (version: AppVersion) => synthVersion(version)[STACK_NAME].Resources ?? {};
  const sqsEndpoints = (version: AppVersion) => Object.entries(resourcesOf(version))
    .filter(([, r]) => r.Type === 'AWS::EC2::VPCEndpoint' && JSON.stringify(r.Properties?.ServiceName).includes('.sqs')).map(([id]) => id);

  test('adding the first worker adds the endpoint, which its service waits for: no hazard', () => {
    expect(sqsEndpoints(PRIVATE)).toEqual([]);
    const [endpoint] = sqsEndpoints(WITH_WORKER);
    expect(endpoint).toBeDefined();
    const [, service] = Object.entries(resourcesOf(WITH_WORKER)).find(([id, r]) => r.Type === 'AWS::ECS::Service' && id.startsWith('Jobs'))!;
    expect(service.DependsOn).toEqual(expect.arrayContaining([endpoint]));
    const hazards = update(PRIVATE, WITH_WORKER);
    expect(errors(hazards)).toEqual([]);
    expect(unexpectedWarnings(hazards)).toEqual([]);
  });

  test('removing the last worker removes the endpoint after the service (cleanup, in dependency order): only its retained queues and logs stay', () => {
    const hazards = update(WITH_WORKER, PRIVATE);
    expect(errors(hazards)).toEqual([]);
    // What stays in the account on purpose: the worker's retained queue, dead-letter queue and log group.
    expect(hazards.filter((h) => h.severity === 'warning').every((h) => h.kind === 'retained-orphaned' && h.logicalId.startsWith('Jobs'))).toBe(true);
    expect(hazards.map((h) => h.type).sort()).toEqual(['AWS::Logs::LogGroup', 'AWS::SQS::Queue', 'AWS::SQS::Queue']);
  });
});

describe('network layout switches', () => {
  test('SINGLE_NAT → NAT_PER_AZ adds a NAT gateway and repoints a route: no hazard', () => {
    const hazards = update(BASE, { ...BASE, network: NetworkLayout.NAT_PER_AZ });
    expect(hazards.map(describeHazard)).toEqual([]);
  });

  test('NAT_PER_AZ → SINGLE_NAT removes a NAT gateway: no hazard', () => {
    const hazards = update({ ...BASE, network: NetworkLayout.NAT_PER_AZ }, BASE);
    expect(hazards.map(describeHazard)).toEqual([]);
  });

  test('PUBLIC_ONLY → SINGLE_NAT re-carves the VPC: the public subnets are replaced and the new ones overlap them, so the update fails', () => {
    // GIVEN the same app deployed with PUBLIC_ONLY (two /17 public subnets fill the /16)
    const hazards = update({ ...BASE, network: NetworkLayout.PUBLIC_ONLY }, BASE);
    // THEN the comparison flags the subnets: CloudFormation creates the /18 replacements and the
    // private subnets while the /17s still exist → "The CIDR … conflicts with another subnet"
    const kinds = new Set(hazards.map((h) => h.kind));
    expect([...kinds]).toEqual(['cidr-in-use']);
    const subnets = hazards.map((h) => h.logicalId.replace(/Subnet[0-9A-F]{8}$/, ''));
    expect(subnets).toEqual(expect.arrayContaining(['ClusterNetworkVpcPublicSubnet1', 'ClusterNetworkVpcPublicSubnet2']));
    expect(subnets.some((id) => id.startsWith('ClusterNetworkVpcPrivateSubnet'))).toBe(true);
    // The VPC itself, the load balancer and the services are not replaced (they move subnets in place).
    expect(hazards.filter((h) => !/Subnet/.test(h.type))).toEqual([]);
  });

  test('SINGLE_NAT → PRIVATE_WITH_ENDPOINTS: the comparison says whether the subnets can be re-made', () => {
    const hazards = update(BASE, { ...BASE, network: NetworkLayout.PRIVATE_WITH_ENDPOINTS });
    // Private subnets with egress become isolated ones (new logical ids) on the same addresses:
    // the new subnets are created while the old ones hold the CIDRs.
    expect(hazards.length).toBeGreaterThan(0);
    expect(new Set(hazards.map((h) => h.kind))).toEqual(new Set(['cidr-in-use']));
  });
});

describe('construct renames are caught', () => {
  const RENAMED: AppVersion = { services: [API, { ...ADMIN, id: 'Console' }, DOCS, WEB] };

  test('renaming a WebService replaces its service: flagged, and the stateful guard flags its log group', () => {
    const hazards = update(BASE, RENAMED);
    expect(hazards).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'service-replaced', logicalId: expect.stringMatching(/^ConsoleService/), reason: expect.stringMatching(/looks like AdminService[0-9A-F]{8} renamed or moved/) }),
      expect.objectContaining({ kind: 'retained-orphaned', logicalId: expect.stringMatching(/^AdminTaskLogs/) }),
    ]));
    // The guard of the examples test, on the same templates
    const findings = compareStateful(synthVersion(BASE)[STACK_NAME], synthVersion(RENAMED)[STACK_NAME], { app: 'update-app', stack: STACK_NAME });
    expect(findings.map(describeFinding)).toEqual([expect.stringMatching(/^would be deleted: update-app UpdateApp AdminTaskLogs[0-9A-F]{8} \(AWS::Logs::LogGroup\): the logical id is gone/)]);
  });

  test('renaming the RegistryReplication fails the update: the registry\'s one replication configuration still exists when the new one is created', () => {
    const hazards = update({ ...BASE, replication: 'Replication' }, { ...BASE, replication: 'EcrReplication' });
    expect(errors(hazards)).toEqual([
      expect.stringMatching(/^error identifier-in-use: update-app UpdateApp EcrReplicationConfiguration[0-9A-F]{8} \(AWS::ECR::ReplicationConfiguration\): takes the primary identifier \(the account: one per account and region\) from ReplicationConfiguration[0-9A-F]{8}: .* → AlreadyExists/),
    ]);
    // Removing it succeeds and, retained by default, leaves replication on: a warning that it leaves
    // the stack (with removalPolicy DESTROY its delete would reset replication: account-setting-reset)
    expect(update({ ...BASE, replication: 'Replication' }, BASE).map((h) => `${h.severity} ${h.kind} ${h.type}`)).toEqual(['warning retained-orphaned AWS::ECR::ReplicationConfiguration']);
  });

  test('renaming a WebService that has an explicit serviceName fails the update: the name is still taken', () => {
    const before = { services: [API, { ...ADMIN, serviceName: 'admin' }, DOCS, WEB] };
    const after = { services: [API, { ...ADMIN, id: 'Console', serviceName: 'admin' }, DOCS, WEB] };
    expect(errors(update(before, after))).toEqual(expect.arrayContaining([
      expect.stringMatching(/^error name-in-use: update-app UpdateApp ConsoleService[0-9A-F]{8} \(AWS::ECS::Service\): takes name "admin" from AdminService/),
    ]));
  });
});

describe('a replaced service that publishes a Service Connect name', () => {
  // ECS: the discovery name and client alias are unique in the namespace; a replacement is created
  // while the old service still publishes them → "SC service is already used".
  const PUBLISHED: AppVersion = { namespace: 'internal', services: [{ ...API, serviceConnectName: 'api' }, WEB] };
  const nameErrors = (hazards: Hazard[]) => errorsOf(hazards).filter((h) => h.kind === 'service-connect-name-in-use')
    .map((h) => `${h.logicalId.replace(/[0-9A-F]{8}$/, '')}: ${h.reason}`);

  test.each([
    ['spot on (LaunchType FARGATE → a capacity provider strategy)', PUBLISHED, { ...PUBLISHED, services: [{ ...API, serviceConnectName: 'api', spot: true }, WEB] }],
    ['spot off', { ...PUBLISHED, services: [{ ...API, serviceConnectName: 'api', spot: true }, WEB] }, PUBLISHED],
  ] as const)('%s: the replacement keeps the name, so the update fails', (_name, before, after) => {
    const hazards = update(before, after);
    expect(hazards.filter((h) => h.kind === 'service-replaced').map((h) => h.logicalId)).toEqual([expect.stringMatching(/^ApiService/)]);
    expect(nameErrors(hazards)).toEqual([expect.stringMatching(
      /^ApiService: publishes the Service Connect discovery name "api", client alias "api" port 8080: ApiService[0-9A-F]{8} is replaced \(LaunchType changed/)]);
  });

  test('renaming its construct: the new service takes the name the old one holds until cleanup', () => {
    const hazards = update(PUBLISHED, { ...PUBLISHED, services: [{ ...API, id: 'Gateway', serviceConnectName: 'api' }, WEB] });
    expect(nameErrors(hazards)).toEqual([expect.stringMatching(/^GatewayService: publishes the Service Connect discovery name "api".*ApiService[0-9A-F]{8} publishes them until it is deleted in the cleanup phase/)]);
  });

  test('the ways out pass: a new name in the same deploy, or the name dropped first and added back with the replacement', () => {
    const spotWith = (name?: string): AppVersion => ({ ...PUBLISHED, services: [{ ...API, serviceConnectName: name, spot: true }, WEB] });
    expect(nameErrors(update(PUBLISHED, spotWith('api-v2')))).toEqual([]);
    const unnamed: AppVersion = { ...PUBLISHED, services: [API, WEB] };
    expect(errors(update(PUBLISHED, unnamed))).toEqual([]);
    expect(nameErrors(update(unnamed, spotWith('api')))).toEqual([]);
  });

  test('a change that keeps the service (a new image) keeps its name: no hazard', () => {
    expect(update(PUBLISHED, { ...PUBLISHED, services: [{ ...API, serviceConnectName: 'api', tag: '1.28' }, WEB] }).map(describeHazard)).toEqual([]);
  });
});
