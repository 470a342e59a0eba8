/**
 * Unit tests of the update-hazard comparison on fabricated templates: each kind triggers on the
 * change it names, and benign changes give nothing. The update-sequence tests in test/update run
 * it on versions of a real app.
 */
import { CfnTemplate, compareTemplates, describeHazard, HAZARD_KINDS, TemplateSet } from '../../lib/deploy-checks/update-hazards';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const kinds = (before: TemplateSet, after: TemplateSet): string[] =>
  compareTemplates(before, after).map((h) => `${h.kind} ${h.logicalId}`);

const rule = (priority: number, path: string) => ({
  Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
  Properties: {
    ListenerArn: { Ref: 'Listener' },
    Priority: priority,
    Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
    Actions: [{ Type: 'forward', TargetGroupArn: { Ref: `${path.slice(1, 4)}Tg` } }],
  },
});
const service = (props: Record<string, unknown> = {}) => ({
  Type: 'AWS::ECS::Service',
  Properties: { Cluster: { Ref: 'Cluster' }, TaskDefinition: { Ref: 'TaskDef' }, DesiredCount: 1, ...props },
});

/** Version N: a listener with three rules, a service, a retained log group, a subnet. */
const N: TemplateSet = {
  Stack: {
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      SubnetA: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/17' } },
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Lb' }, Port: 80 } },
      ApiRule: rule(10, '/api/*'),
      AdminRule: rule(20, '/admin/*'),
      DocsRule: rule(30, '/docs/*'),
      Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
      Service: service(),
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
      TargetGroup: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 8080, Protocol: 'HTTP', VpcId: { Ref: 'Vpc' }, Name: 'web' } },
    },
  },
};
const stack = (set: TemplateSet): Record<string, any> => set.Stack.Resources as Record<string, any>;

describe('compareTemplates', () => {
  test('benign changes (new image, desired count, health check, a new rule on a free priority, key order) give no hazard', () => {
    // GIVEN in-place changes and an addition on a free priority
    const after = clone(N);
    stack(after).Service.Properties.DesiredCount = 3;
    stack(after).TaskDef = { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Image: 'nginx:2' }] } };
    stack(after).TargetGroup.Properties = { VpcId: { Ref: 'Vpc' }, Name: 'web', Protocol: 'HTTP', Port: 8080, HealthCheckPath: '/health' };
    stack(after).NewRule = rule(40, '/new/*');
    // WHEN / THEN
    expect(compareTemplates(N, after)).toEqual([]);
    expect(compareTemplates(N, clone(N))).toEqual([]);
  });

  test('priority-in-use: a removed rule\'s priority taken by a staying rule', () => {
    // GIVEN the first rule removed and the others renumbered (the sequential 10/20/30 scheme)
    const after = clone(N);
    delete stack(after).ApiRule;
    stack(after).AdminRule.Properties.Priority = 10;
    stack(after).DocsRule.Properties.Priority = 20;
    // WHEN
    const hazards = compareTemplates(N, after);
    // THEN AdminRule takes 10 from the deleted ApiRule; DocsRule races AdminRule for 20
    expect(hazards.map((h) => [h.kind, h.logicalId])).toEqual([
      ['priority-in-use', 'AdminRule'],
      ['priority-race', 'DocsRule'],
    ]);
    expect(describeHazard(hazards[0])).toMatch(/^error priority-in-use: app Stack AdminRule \(AWS::ElasticLoadBalancingV2::ListenerRule\): takes priority 10 from ApiRule, which is deleted only in the cleanup phase/);
  });

  test('priority-in-use: a new rule (a renamed one) on the priority of a removed rule', () => {
    const after = clone(N);
    stack(after).ApiRuleRenamed = stack(after).ApiRule;
    delete stack(after).ApiRule;
    expect(kinds(N, after)).toEqual(['priority-in-use ApiRuleRenamed']);
  });

  test('priority-race: two staying rules swap priorities', () => {
    const after = clone(N);
    stack(after).ApiRule.Properties.Priority = 20;
    stack(after).AdminRule.Properties.Priority = 10;
    expect(kinds(N, after)).toEqual(['priority-race ApiRule', 'priority-race AdminRule']);
  });

  test('priorities on a replaced listener start afresh; the same priority on another listener is no conflict', () => {
    // GIVEN the listener replaced (new load balancer), its rules keep their priorities
    const after = clone(N);
    stack(after).Listener.Properties.LoadBalancerArn = { Ref: 'OtherLb' };
    stack(after).Other = { ...rule(30, '/other/*'), Properties: { ...rule(30, '/other/*').Properties, ListenerArn: { Ref: 'OtherListener' } } };
    // THEN the rules are replaced along with it, on a new listener: no priority hazard
    expect(compareTemplates(N, after).filter((h) => h.kind.startsWith('priority'))).toEqual([]);
  });

  test('name-in-use: a construct rename that keeps an explicit name', () => {
    // GIVEN the queue and target group renamed, names kept
    const after = clone(N);
    stack(after).JobsQueue = stack(after).Queue;
    delete stack(after).Queue;
    stack(after).WebTargetGroup = stack(after).TargetGroup;
    delete stack(after).TargetGroup;
    // WHEN / THEN
    const hazards = compareTemplates(N, after);
    expect(hazards.map((h) => `${h.kind} ${h.logicalId}: ${h.reason}`)).toEqual([
      expect.stringMatching(/^name-in-use JobsQueue: takes name "jobs" from Queue: Queue is deleted only in the cleanup phase, after JobsQueue is created → "already exists"$/),
      expect.stringMatching(/^name-in-use WebTargetGroup: takes name "web" from TargetGroup/),
    ]);
  });

  test('name-in-use: an ECS service name is unique per cluster; a retained holder keeps the name for good', () => {
    const before = clone(N);
    stack(before).Service.Properties.ServiceName = 'web';
    stack(before).Repo = { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'web' }, DeletionPolicy: 'Retain' };
    const after = clone(before);
    stack(after).WebService = stack(after).Service;
    delete stack(after).Service;
    stack(after).Images = stack(after).Repo;
    delete stack(after).Repo;
    const hazards = compareTemplates(before, after);
    expect(hazards.map((h) => h.kind).sort()).toEqual(['name-in-use', 'name-in-use', 'retained-orphaned', 'service-replaced']);
    expect(hazards.find((h) => h.logicalId === 'Images')!.reason).toMatch(/Repo is removed but retained, so it keeps the name for good/);
    // The same name in another cluster is no conflict
    const elsewhere = clone(before);
    stack(elsewhere).WebService = clone(stack(before).Service);
    stack(elsewhere).WebService.Properties.Cluster = 'other';
    expect(compareTemplates(before, elsewhere)).toEqual([]);
    // … but moving the named service to another cluster (a replacement under the same name, refused) while a new one takes its name in the old cluster
    const moved = clone(elsewhere);
    stack(moved).Service.Properties.Cluster = 'other';
    stack(moved).WebService.Properties.Cluster = { Ref: 'Cluster' };
    expect(compareTemplates(before, moved).map((h) => `${h.kind} ${h.logicalId}`)).toEqual([
      'named-replacement Service', 'service-replaced Service', 'name-in-use WebService',
    ]);
  });

  test('named-replacement: a replacing property changes on a resource that keeps its explicit name', () => {
    // GIVEN the target group's port changes (replacement) with Name "web" kept
    const after = clone(N);
    stack(after).TargetGroup.Properties.Port = 9090;
    // WHEN
    const hazards = compareTemplates(N, after);
    // THEN
    expect(hazards.map((h) => [h.kind, h.logicalId])).toEqual([['named-replacement', 'TargetGroup']]);
    expect(hazards[0].reason).toMatch(/^Port changed from 8080 to 9090 \(update requires replacement\), and it keeps its explicit name "web": CloudFormation refuses/);
    // A replacement that also changes the name is allowed
    stack(after).TargetGroup.Properties.Name = 'web-v2';
    expect(compareTemplates(N, after)).toEqual([]);
  });

  test('named-replacement and service-replaced: a replaced cluster replaces the named service on it', () => {
    // GIVEN a named cluster renamed: the service's Cluster Ref now resolves to a new cluster
    const before = clone(N);
    stack(before).Cluster.Properties.ClusterName = 'main';
    stack(before).Service.Properties.ServiceName = 'web';
    const after = clone(before);
    stack(after).Cluster.Properties.ClusterName = 'main-v2';
    // WHEN
    const hazards = compareTemplates(before, after);
    // THEN the service is replaced by propagation, under its kept name
    expect(hazards.map((h) => `${h.kind} ${h.logicalId}`)).toEqual(['named-replacement Service', 'service-replaced Service']);
    expect(hazards[0].reason).toMatch(/^Cluster refers to Cluster, which is replaced/);
  });

  test('service-replaced: a service removed and re-added with the same settings under a new logical id', () => {
    const after = clone(N);
    stack(after).WebService = stack(after).Service;
    delete stack(after).Service;
    const hazards = compareTemplates(N, after);
    expect(hazards.map((h) => [h.kind, h.severity, h.logicalId])).toEqual([['service-replaced', 'warning', 'WebService']]);
    expect(hazards[0].reason).toMatch(/looks like Service renamed or moved/);
    // Removing a service, or adding one, is not a replacement
    const removed = clone(N);
    delete stack(removed).Service;
    expect(compareTemplates(N, removed)).toEqual([]);
  });

  test('stateful-deleted, stateful-replaced, unretained, retained-orphaned', () => {
    const before = clone(N);
    stack(before).Bucket = { Type: 'AWS::S3::Bucket', Properties: {} };
    stack(before).Key = { Type: 'AWS::KMS::Key', Properties: {} };
    stack(before).Repo = { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'r', EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': ['Key', 'Arn'] } } }, DeletionPolicy: 'Retain' };
    stack(before).Table = { Type: 'AWS::DynamoDB::Table', Properties: {}, DeletionPolicy: 'Retain' };
    const after = clone(before);
    delete stack(after).Bucket; // deleted with its objects
    delete stack(after).Logs; // retained: orphaned
    stack(after).Key.Properties.KeySpec = 'RSA_2048'; // key replaced → the repository's encryption key changes
    stack(after).Table.DeletionPolicy = 'Delete';
    const hazards = compareTemplates(before, after);
    expect(hazards.map((h) => `${h.severity} ${h.kind} ${h.logicalId}`)).toEqual([
      'warning retained-orphaned Logs',
      'error stateful-replaced Key',
      'error stateful-replaced Repo',
      'error named-replacement Repo',
      'error unretained Table',
      'error stateful-deleted Bucket',
    ].sort((x, y) => order(x) - order(y)));
    expect(hazards.find((h) => h.kind === 'stateful-replaced' && h.logicalId === 'Repo')!.reason).toBe('EncryptionConfiguration refers to Key, which is replaced (update requires replacement)');
    function order(line: string): number { return ['Logs', 'Bucket', 'Key', 'Repo', 'Table'].indexOf(line.split(' ')[2]) * 10 + (line.includes('named') ? 1 : 0); }
  });

  test('cidr-in-use: re-carved subnets overlap the subnets they replace', () => {
    // GIVEN the subnet shrinks (replacement) and a new subnet takes the freed addresses
    const after = clone(N);
    stack(after).SubnetA.Properties.CidrBlock = '10.0.0.0/18';
    stack(after).SubnetB = { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.64.0/18' } };
    stack(after).SubnetC = { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.128.0/18' } };
    // WHEN / THEN: both overlap the old 10.0.0.0/17, which exists until cleanup; SubnetC does not
    expect(compareTemplates(N, after).map((h) => `${h.kind} ${h.logicalId}: ${h.reason}`)).toEqual([
      'cidr-in-use SubnetA: is replaced with CidrBlock 10.0.0.0/18, which overlaps 10.0.0.0/17 of its own old copy, still there until cleanup → "The CIDR conflicts with another subnet"',
      expect.stringMatching(/^cidr-in-use SubnetB: is new with CidrBlock 10.0.64.0\/18, which overlaps 10.0.0.0\/17 of SubnetA/),
    ]);
  });

  test('across stacks: a name moving from one stack to another is in use too', () => {
    const before: TemplateSet = { A: { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } } } }, B: { Resources: {} } };
    const after: TemplateSet = { A: { Resources: {} }, B: { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } } } } };
    expect(compareTemplates(before, after).map(describeHazard)).toEqual([
      'error name-in-use: app B Q (AWS::SQS::Queue): takes name "jobs" from A/Q: A/Q is deleted only in the cleanup phase, after Q is created → "already exists"',
    ]);
  });

  test('service-connect-protocol: a published port changes its appProtocol (absent = tcp); a replaced service may', () => {
    // GIVEN version N: a service publishing app-8080 of its task definition through Service Connect, with no AppProtocol (0.1's TCP)
    const task = (appProtocol?: string) => ({
      Type: 'AWS::ECS::TaskDefinition',
      Properties: { ContainerDefinitions: [
        { Name: 'app', Image: 'nginx:1', PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080', ...(appProtocol ? { AppProtocol: appProtocol } : {}) }] },
        { Name: 'metrics', Image: 'agent:1', PortMappings: [{ ContainerPort: 9100, Protocol: 'tcp', Name: 'metrics-9100' }] },
      ] },
    });
    const serviceConnect = { Enabled: true, Namespace: { 'Fn::GetAtt': ['Ns', 'Arn'] }, Services: [{ PortName: 'app-8080', DiscoveryName: 'web', ClientAliases: [{ DnsName: 'web', Port: 8080 }] }] };
    const before = clone(N);
    stack(before).TaskDef = task();
    stack(before).Service.Properties.ServiceConnectConfiguration = serviceConnect;
    // WHEN the next version publishes it as HTTP (a new task definition revision, same service)
    const after = clone(before);
    stack(after).TaskDef = task('http');
    // THEN
    expect(compareTemplates(before, after).map(describeHazard)).toEqual([
      'error service-connect-protocol: app Stack Service (AWS::ECS::Service): publishes port mapping "app-8080" through Service Connect with appProtocol http, deployed as tcp: '
      + 'ECS refuses to change the appProtocol of a running Service Connect service ("The following config cannot be changed for a SC service"), so the update fails',
    ]);
    // An explicit tcp is the same as none; an unpublished port may change; a task definition under a new logical id is followed.
    const same = clone(before);
    stack(same).TaskDef = task('TCP');
    stack(same).TaskDef.Properties.ContainerDefinitions[1].PortMappings[0].AppProtocol = 'http';
    expect(compareTemplates(before, same)).toEqual([]);
    const moved = clone(after);
    stack(moved).TaskDef2 = stack(moved).TaskDef;
    delete stack(moved).TaskDef;
    stack(moved).Service.Properties.TaskDefinition = { Ref: 'TaskDef2' };
    expect(kinds(before, moved)).toEqual(['service-connect-protocol Service']);
    // Publishing for the first time, or a replaced service (new cluster), is free to choose the
    // protocol (though a replacement that keeps its name in the namespace fails for that reason).
    const first = clone(N);
    stack(first).TaskDef = task();
    expect(compareTemplates(first, after)).toEqual([]);
    const replaced = clone(after);
    stack(replaced).Service.Properties.Cluster = { Ref: 'OtherCluster' };
    expect(kinds(before, replaced)).toEqual(['service-replaced Service', 'service-connect-name-in-use Service']);
  });

  test('service-connect-name-in-use: a replaced or new service publishes a name a service of N holds until cleanup', () => {
    // GIVEN version N: Service publishes discovery name "api" (alias api:8080) in namespace Ns
    const published = (discovery?: string, alias?: string) => ({
      Enabled: true, Namespace: { 'Fn::GetAtt': ['Ns', 'Arn'] },
      Services: [{ PortName: 'app-8080', ...(discovery ? { DiscoveryName: discovery } : {}), ...(alias ? { ClientAliases: [{ DnsName: alias, Port: 8080 }] } : {}) }],
    });
    const before = clone(N);
    stack(before).Ns = { Type: 'AWS::ServiceDiscovery::HttpNamespace', Properties: { Name: 'internal' } };
    stack(before).Service.Properties.ServiceConnectConfiguration = published('api', 'api');
    // WHEN Fargate Spot is toggled on: LaunchType goes, the service is replaced with the same names
    const spot = clone(before);
    stack(spot).Service.Properties.LaunchType = undefined;
    stack(before).Service.Properties.LaunchType = 'FARGATE';
    stack(spot).Service.Properties.CapacityProviderStrategy = [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }];
    // THEN an error beside the replacement warning, naming both names and the way out
    const hazards = compareTemplates(before, spot);
    expect(hazards.map((h) => `${h.severity} ${h.kind} ${h.logicalId}`)).toEqual(['warning service-replaced Service', 'error service-connect-name-in-use Service']);
    expect(hazards[1].reason).toBe('publishes the Service Connect discovery name "api", client alias "api" port 8080: Service is replaced (LaunchType changed from "FARGATE" to (absent) '
      + '(update may require replacement)): the new service is created while the old one still publishes them, until cleanup → "SC service is already used" (unique in the namespace). '
      + 'Deploy this change with a new serviceConnect.name (callers switch to it), or first deploy the service without its name (serviceConnect clientOnly; '
      + 'callers cannot reach it meanwhile), then this change with the name back');
    // A new name for the replacement, or a replaced namespace (another namespace), is free
    const renamed = clone(spot);
    stack(renamed).Service.Properties.ServiceConnectConfiguration = published('api-v2', 'api-v2');
    expect(kinds(before, renamed)).toEqual(['service-replaced Service']);
    // Only the alias kept: still an error (name and port are unique too); the port name as the default discovery name counts
    const aliasKept = clone(spot);
    stack(aliasKept).Service.Properties.ServiceConnectConfiguration = published('api-v2', 'api');
    expect(compareTemplates(before, aliasKept)[1].reason).toMatch(/^publishes the Service Connect client alias "api" port 8080: /);
    const byPortName = clone(before);
    stack(byPortName).Service.Properties.ServiceConnectConfiguration = published();
    const byPortNameSpot = clone(byPortName);
    stack(byPortNameSpot).Service.Properties.LaunchType = 'EC2';
    expect(compareTemplates(byPortName, byPortNameSpot)[1].reason).toMatch(/^publishes the Service Connect discovery name "app-8080": /);
    // A construct rename (new logical id, old one removed) and a name moving to another service that stays
    const moved = clone(before);
    stack(moved).Api = stack(moved).Service;
    delete stack(moved).Service;
    expect(kinds(before, moved)).toEqual(['service-replaced Api', 'service-connect-name-in-use Api']);
    expect(compareTemplates(before, moved)[1].reason).toMatch(/Service publishes them until it is deleted in the cleanup phase, after Api is created/);
    const swapped = clone(before);
    stack(swapped).Other = service({ ServiceConnectConfiguration: published('other') });
    stack(before).Other = service({ ServiceConnectConfiguration: published('other') });
    stack(swapped).Service.Properties.ServiceConnectConfiguration = published('other');
    stack(swapped).Other.Properties.ServiceConnectConfiguration = published('api', 'api');
    expect(kinds(before, swapped)).toEqual(['service-connect-name-in-use Service', 'service-connect-name-in-use Other']);
    // An in-place update that keeps the names is no hazard
    const scaled = clone(before);
    stack(scaled).Service.Properties.DesiredCount = 4;
    expect(compareTemplates(before, scaled)).toEqual([]);
  });

  test('a conditional create-only property that the service updates in place is no replacement: an RDS instance\'s BackupRetentionPeriod, a classic load balancer\'s HealthCheck, an Auto Scaling group\'s subnets', () => {
    // GIVEN named resources whose schemas list these properties as "may require replacement"
    const before: TemplateSet = { S: { Resources: {
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'orders', Engine: 'postgres', BackupRetentionPeriod: 7 } },
      Clb: { Type: 'AWS::ElasticLoadBalancing::LoadBalancer', Properties: { LoadBalancerName: 'web', HealthCheck: { Target: 'HTTP:80/', Interval: '30' } } },
      Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { AutoScalingGroupName: 'workers', MinSize: '1', MaxSize: '2', VPCZoneIdentifier: ['subnet-1'] } },
    } } };
    const after: TemplateSet = { S: { Resources: {
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'orders', Engine: 'postgres', BackupRetentionPeriod: 14 } },
      Clb: { Type: 'AWS::ElasticLoadBalancing::LoadBalancer', Properties: { LoadBalancerName: 'web', HealthCheck: { Target: 'HTTP:80/health', Interval: '30' } } },
      Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { AutoScalingGroupName: 'workers', MinSize: '1', MaxSize: '2', VPCZoneIdentifier: ['subnet-1', 'subnet-2'] } },
    } } };
    // WHEN / THEN
    expect(compareTemplates(before, after)).toEqual([]);
    // while a change of the engine does replace the database
    const engine: TemplateSet = { S: { Resources: { ...after.S.Resources, Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'orders', Engine: 'mysql', BackupRetentionPeriod: 14 } } } } };
    expect(compareTemplates(after, engine).map((h) => `${h.kind} ${h.logicalId}`)).toEqual(['named-replacement Db']);
  });

  test('replacements of every schema type: a DynamoDB table (outside the former hand list) keeps its TableName while its KeySchema changes', () => {
    // GIVEN a retained, named table whose key schema changes (create-only, conditionally, in its schema)
    const table = (key: string) => ({
      Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'Retain',
      Properties: { TableName: 'orders', KeySchema: [{ AttributeName: key, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }] },
    });
    const before: TemplateSet = { S: { Resources: { Table: table('id') } } };
    const after: TemplateSet = { S: { Resources: { Table: table('orderId') } } };
    // WHEN / THEN the replacement is found from the schema: data at risk, and the kept name refused
    expect(compareTemplates(before, after).map((h) => `${h.kind} ${h.logicalId}`)).toEqual(['stateful-replaced Table', 'named-replacement Table']);
    expect(compareTemplates(before, after)[0].reason).toMatch(/^KeySchema changed from .* \(update may require replacement\)$/);
  });

  test('a nested create-only path: a capacity provider\'s managed scaling changes in place, its Auto Scaling group replaces it', () => {
    const provider = (asg: string, target: number) => ({
      Type: 'AWS::ECS::CapacityProvider',
      Properties: { Name: 'cp', AutoScalingGroupProvider: { AutoScalingGroupArn: { Ref: asg }, ManagedScaling: { Status: 'ENABLED', TargetCapacity: target } } },
    });
    const before: TemplateSet = { S: { Resources: { Cp: provider('Asg', 100) } } };
    // A new target capacity: in place (the former hand list took all of AutoScalingGroupProvider as replacing)
    expect(compareTemplates(before, { S: { Resources: { Cp: provider('Asg', 90) } } })).toEqual([]);
    // Another Auto Scaling group under the kept Name: refused
    expect(compareTemplates(before, { S: { Resources: { Cp: provider('Asg2', 100) } } }).map((h) => `${h.kind} ${h.reason.slice(0, 57)}`))
      .toEqual(['named-replacement AutoScalingGroupProvider/AutoScalingGroupArn changed from']);
  });

  test('identifier-in-use: a replacement that keeps a primary identifier the template sets (a transit gateway route moved to another attachment)', () => {
    // GIVEN a route whose create-only attachment changes; its identifier is the route table and CIDR
    const route = (attachment: string) => ({
      Type: 'AWS::EC2::TransitGatewayRoute',
      Properties: { TransitGatewayRouteTableId: { Ref: 'Rt' }, DestinationCidrBlock: '10.1.0.0/16', TransitGatewayAttachmentId: { Ref: attachment } },
    });
    const table = { Type: 'AWS::EC2::TransitGatewayRouteTable', Properties: { TransitGatewayId: 'tgw-1' } };
    const before: TemplateSet = { S: { Resources: { Rt: table, Route: route('AttA') } } };
    const after: TemplateSet = { S: { Resources: { Rt: table, Route: route('AttB') } } };
    // WHEN / THEN
    expect(compareTemplates(before, after).map(describeHazard)).toEqual([
      'error identifier-in-use: app S Route (AWS::EC2::TransitGatewayRoute): TransitGatewayAttachmentId changed from {"Ref":"AttA"} to {"Ref":"AttB"} (update requires replacement), '
      + 'and it keeps its primary identifier TransitGatewayRouteTableId {"Ref":"Rt"}, DestinationCidrBlock "10.1.0.0/16": the new one is created while the old one still holds it '
      + '(deleted only in cleanup), so the create fails AlreadyExists; change the identifier in the same deploy, or replace it in two deploys',
    ]);
    // A new CIDR with it is a new identifier; a replaced route table gives a new one too
    const elsewhere = clone(after);
    elsewhere.S.Resources!.Route.Properties.DestinationCidrBlock = '10.2.0.0/16';
    expect(compareTemplates(before, elsewhere)).toEqual([]);
    const newTable = clone(after);
    (newTable.S.Resources!.Rt.Properties as Record<string, unknown>).TransitGatewayId = 'tgw-2';
    expect(compareTemplates(before, newTable).map((h) => h.kind)).toEqual([]);
  });

  test('identifier-in-use: a scalable target moved to another logical id with the same identifier; not when a part is unknown or replaced', () => {
    const target = (resourceId: unknown) => ({
      Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
      Properties: { ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', ServiceNamespace: 'ecs', MinCapacity: 1, MaxCapacity: 4 },
    });
    const joined = { 'Fn::Join': ['/', ['service', { Ref: 'Cluster' }, { 'Fn::GetAtt': ['Svc', 'Name'] }]] };
    const base = { Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} }, Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: { Ref: 'Cluster' } } } };
    for (const resourceId of ['service/main/web', joined]) {
      const before: TemplateSet = { S: { Resources: { ...base, Target: target(resourceId) } } };
      const after: TemplateSet = { S: { Resources: { ...base, ScaleTarget: target(resourceId) } } };
      const hazards = compareTemplates(before, after);
      expect(hazards.map((h) => `${h.kind} ${h.logicalId}`)).toEqual(['identifier-in-use ScaleTarget']);
      expect(hazards[0].reason).toMatch(/^takes the primary identifier ResourceId .*, ScalableDimension "ecs:service:DesiredCount", ServiceNamespace "ecs" from Target: Target is deleted only in the cleanup phase/);
    }
    // The service replaced too (another cluster): the identifier resolves to a new service
    const before: TemplateSet = { S: { Resources: { ...base, Target: target(joined) } } };
    const moved = clone({ S: { Resources: { ...base, ScaleTarget: target(joined) } } }) as TemplateSet;
    (moved.S.Resources!.Svc.Properties as Record<string, unknown>).Cluster = 'other';
    expect(compareTemplates(before, moved).filter((h) => h.kind === 'identifier-in-use')).toEqual([]);
    // A parameter in the identifier: unknown before the deploy, so not compared
    const param = { 'Fn::Sub': 'service/${ClusterName}/web' };
    expect(compareTemplates({ S: { Resources: { Target: target(param) } } }, { S: { Resources: { ScaleTarget: target(param) } } })).toEqual([]);
  });

  test('identifier-in-use is not repeated for a name (name-in-use says it); a one-per-account resource moved, also to another stack of its account and region, collides on it', () => {
    const provider = { Type: 'AWS::ECS::CapacityProvider', Properties: { Name: 'spot', AutoScalingGroupProvider: { AutoScalingGroupArn: 'arn:asg' } } };
    expect(kinds({ S: { Resources: { Cp: provider } } }, { S: { Resources: { SpotCp: provider } } })).toEqual(['name-in-use SpotCp']);
    const replication = { Type: 'AWS::ECR::ReplicationConfiguration', Properties: { ReplicationConfiguration: { Rules: [{ Destinations: [{ Region: 'us-west-2', RegistryId: '111111111111' }] }] } } };
    expect(kinds({ S: { Resources: { Replication: replication } } }, { S: { Resources: { Registry: replication } } })).toEqual(['identifier-in-use Registry']);
    // Moved to another stack: the same account and region (unknown environments are taken to be
    // one), so the new stack's create fails while the old one holds it
    const [from, to] = [{ S: { Resources: { Replication: replication } }, T: { Resources: {} } }, { S: { Resources: {} }, T: { Resources: { Replication: replication } } }];
    expect(kinds(from, to)).toEqual(['account-setting-reset Replication', 'identifier-in-use Replication']);
    // in another region it is another registry's: not compared
    const apart = compareTemplates(from, to, { environments: { S: '111111111111/us-east-1', T: '111111111111/eu-west-1' } });
    expect(apart.map((h) => `${h.kind} ${h.logicalId}`)).toEqual(['account-setting-reset Replication']);
  });

  test('account-setting-reset: a one-per-account resource removed resets the account\'s setting; retained, it is only orphaned', () => {
    const policy = { Type: 'AWS::ECR::RegistryPolicy', Properties: { PolicyText: { Version: '2012-10-17', Statement: [] } } };
    const hazards = compareTemplates({ S: { Resources: { Policy: policy } } }, { S: { Resources: {} } });
    expect(hazards.map((h) => [h.kind, h.severity, h.logicalId])).toEqual([['account-setting-reset', 'warning', 'Policy']]);
    expect(hazards[0].reason).toMatch(/one per account and region, so its delete handler resets the setting for the whole account and region/);
    expect(kinds({ S: { Resources: { Policy: { ...policy, DeletionPolicy: 'Retain' } } } }, { S: { Resources: {} } })).toEqual(['retained-orphaned Policy']);
    // An update in place resets nothing
    expect(compareTemplates({ S: { Resources: { Policy: policy } } }, { S: { Resources: { Policy: { ...policy, Properties: { PolicyText: { Version: '2012-10-17', Statement: [{}] } } } } } })).toEqual([]);
  });

  test('a name that refers to a replaced resource is a new name: a renamed cluster replaces its capacity provider associations, which keep no name', () => {
    const cluster = (name: string) => ({ Type: 'AWS::ECS::Cluster', Properties: { ClusterName: name } });
    const associations = { Type: 'AWS::ECS::ClusterCapacityProviderAssociations', Properties: { Cluster: { Ref: 'Cluster' }, CapacityProviders: ['FARGATE'], DefaultCapacityProviderStrategy: [] } };
    const hazards = compareTemplates({ S: { Resources: { Cluster: cluster('main'), Assoc: associations } } }, { S: { Resources: { Cluster: cluster('main-v2'), Assoc: associations } } });
    expect(hazards).toEqual([]);
  });

  test('every kind has a severity and a one-line summary', () => {
    for (const [kind, { severity, summary }] of Object.entries(HAZARD_KINDS)) {
      expect([kind, ['error', 'warning'].includes(severity), summary.includes('\n')]).toEqual([kind, true, false]);
    }
  });
});

test('CfnTemplate is the shape the guard reads too', () => {
  const t: CfnTemplate = { Resources: {} };
  expect(compareTemplates({ S: t }, { S: t })).toEqual([]);
});

describe('EFS file systems hold data', () => {
  const efs = (props: Record<string, unknown>, deletionPolicy?: string) => ({
    Type: 'AWS::EFS::FileSystem', Properties: { Encrypted: true, PerformanceMode: 'generalPurpose', ...props }, ...(deletionPolicy ? { DeletionPolicy: deletionPolicy } : {}),
  });

  test('a changed create-only property (PerformanceMode, KmsKeyId) replaces it: an error, even when it is not retained', () => {
    // GIVEN a file system that a user let be deleted (removalPolicy DESTROY)
    const before = clone(N);
    stack(before).Files = efs({});
    const after = clone(before);
    stack(after).Files.Properties.PerformanceMode = 'maxIO';
    // WHEN / THEN the new file system starts empty
    const hazards = compareTemplates(before, after);
    expect(hazards.map((h) => `${h.severity} ${h.kind} ${h.logicalId}`)).toEqual(['error stateful-replaced Files']);
    expect(hazards[0].reason).toMatch(/PerformanceMode/);
    const keyed = clone(before);
    stack(keyed).Files.Properties.KmsKeyId = 'arn:aws:kms:us-east-1:111111111111:key/k';
    expect(kinds(before, keyed)).toEqual(['stateful-replaced Files']);
  });

  test('removing a file system that is not retained deletes its files; in-place changes (throughput, lifecycle, backups) are no hazard', () => {
    const before = clone(N);
    stack(before).Files = efs({});
    const removed = clone(before);
    delete stack(removed).Files;
    expect(kinds(before, removed)).toEqual(['stateful-deleted Files']);
    const tuned = clone(before);
    stack(tuned).Files.Properties.ThroughputMode = 'bursting';
    stack(tuned).Files.Properties.LifecyclePolicies = [{ TransitionToIA: 'AFTER_7_DAYS' }];
    stack(tuned).Files.Properties.BackupPolicy = { Status: 'DISABLED' };
    expect(compareTemplates(before, tuned)).toEqual([]);
  });

  test('an access point or mount target replaced (a new POSIX user, another subnet) is no data hazard: the files stay in the file system; a new user on the same directory is warned (ESK-UPD16)', () => {
    const before = clone(N);
    stack(before).Files = efs({}, 'Retain');
    stack(before).AccessPoint = { Type: 'AWS::EFS::AccessPoint', Properties: { FileSystemId: { Ref: 'Files' }, PosixUser: { Uid: '1000', Gid: '1000' }, RootDirectory: { Path: '/data' } } };
    stack(before).MountTarget = { Type: 'AWS::EFS::MountTarget', Properties: { FileSystemId: { Ref: 'Files' }, SubnetId: { Ref: 'SubnetA' }, SecurityGroups: ['sg-1'] } };
    const after = clone(before);
    stack(after).AccessPoint.Properties.PosixUser = { Uid: '2000', Gid: '2000' };
    stack(after).MountTarget.Properties.SubnetId = 'subnet-other';
    // No data hazard; the one warning is the directory's owner (ESK-UPD16): EFS keeps 1000:1000's /data
    expect(compareTemplates(before, after).map((h) => `${h.severity} ${h.kind} ${h.logicalId}`)).toEqual(['warning efs-directory-owner-kept AccessPoint']);
    // A new user on a new root directory gets a directory of its own: nothing to report
    stack(after).AccessPoint.Properties.RootDirectory = { Path: '/data-2000' };
    expect(compareTemplates(before, after)).toEqual([]);
  });
});

describe('EFS mount targets: one per Availability Zone', () => {
  const base = (): TemplateSet => {
    const set = clone(N);
    stack(set).SubnetA.Properties.AvailabilityZone = 'us-east-1a';
    stack(set).Files = { Type: 'AWS::EFS::FileSystem', Properties: { Encrypted: true }, DeletionPolicy: 'Retain' };
    stack(set).MountTargetA = { Type: 'AWS::EFS::MountTarget', Properties: { FileSystemId: { Ref: 'Files' }, SubnetId: { Ref: 'SubnetA' }, SecurityGroups: ['sg-1'] } };
    return set;
  };

  test('a task subnet re-carved in its zone replaces the mount target, created while the old one holds the zone: an error', () => {
    const after = base();
    stack(after).SubnetA.Properties.CidrBlock = '10.0.128.0/17';
    expect(kinds(base(), after)).toEqual(['mount-target-in-use MountTargetA']);
    expect(compareTemplates(base(), after)[0].reason).toMatch(/its own old copy.*MountTargetConflict/);
  });

  test('a mount target moved to another logical id in the same zone (a construct id or feature-flag change) is an error too', () => {
    const after = base();
    stack(after).MountTargetRenamed = stack(after).MountTargetA;
    delete stack(after).MountTargetA;
    expect(kinds(base(), after)).toEqual(['mount-target-in-use MountTargetRenamed']);
  });

  test('a mount target in another zone, or of a replaced file system, is no conflict', () => {
    const moved = base();
    stack(moved).SubnetB = { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.128.0/17', AvailabilityZone: 'us-east-1b' } };
    stack(moved).MountTargetA.Properties.SubnetId = { Ref: 'SubnetB' };
    expect(kinds(base(), moved)).toEqual([]);
    const newFs = base();
    stack(newFs).SubnetA.Properties.CidrBlock = '10.0.128.0/17';
    stack(newFs).Files.Properties.PerformanceMode = 'maxIO';
    expect(kinds(base(), newFs)).not.toContain('mount-target-in-use MountTargetA');
  });
});
