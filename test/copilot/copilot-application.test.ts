import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CopilotApplication, CopilotApplicationProps, WebService, WorkerService } from '../../lib';
import { MAIN_CONTAINER_NAME } from '../../lib/task-definition/service-task-options';
import { compareTemplates, describeHazard, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { testStack } from '../util/test-app';
import { configurationErrorOf, writeWorkspace, yaml } from './workspace-fixture';

const EXAMPLE_WORKSPACE = path.join(__dirname, '..', '..', 'examples', 'from-copilot');

function build(props: Partial<CopilotApplicationProps> & { workspace: string }, stack: Stack = testStack()): CopilotApplication {
  return new CopilotApplication(stack, 'Shop', { environment: 'prod', ...props });
}

/** The error a workspace's construction throws, as text (and it is the library's configuration error). */
function errorOf(props: Partial<CopilotApplicationProps> & { workspace: string }): string {
  return configurationErrorOf(() => build(props));
}

const STACK = 'TestStack';
const WORKER = yaml('name: worker', 'type: Worker Service', 'image:', '  build: app/Dockerfile');

describe('CopilotApplication of the from-copilot example (prod)', () => {
  // GIVEN the example's workspace: api (web), orders (backend with http), fulfilment (worker), nightly-report (job)
  let stack: Stack;
  let shop: CopilotApplication;
  let template: Template;
  beforeAll(() => {
    stack = testStack();
    shop = build({ workspace: EXAMPLE_WORKSPACE }, stack);
    template = Template.fromStack(stack);
  });

  const containerOf = (service: WebService | WorkerService) => {
    const taskDefinitions = template.findResources('AWS::ECS::TaskDefinition');
    return taskDefinitions[stack.getLogicalId(service.taskDefinition.node.defaultChild as any)].Properties.ContainerDefinitions[0];
  };
  const variablesOf = (service: WebService | WorkerService) => Object.fromEntries(containerOf(service).Environment.map((e: any) => [e.Name, e.Value]));

  test('the workspace names the application and its workloads', () => {
    expect(shop.application).toBe('shop');
    expect(shop.environmentName).toBe('prod');
    expect(shop.workloadNames).toEqual(['api', 'fulfilment', 'nightly-report', 'orders']);
  });

  test('the environment manifest gives the VPC its CIDR and the cluster Container Insights', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('the Service Connect namespace is not Copilot\'s <env>.<app>.local, which exists while Copilot runs beside (an HTTP namespace name is unique in the account)', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'prod.shop.service-connect' });
    template.resourcePropertiesCountIs('AWS::ServiceDiscovery::HttpNamespace', { Name: 'prod.shop.local' }, 0);
  });

  test('a Load Balanced Web Service is a WebService on the public load balancer, with the manifest\'s health check and drain', () => {
    const api = shop.webService('api');
    // the api is the public listener's default route (path /)
    expect(stack.resolve((shop.loadBalancer!.listener.node.defaultChild as any).defaultActions)).toEqual([{ type: 'forward', targetGroupArn: { Ref: stack.getLogicalId(api.targetGroup.node.defaultChild as any) } }]);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health', HealthyThresholdCount: 2, HealthCheckIntervalSeconds: 10,
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '60' },
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.type', Value: 'lb_cookie' },
      ]),
    });
  });

  test('the environment override applies: count 2-8 at 60 % CPU and LOG_LEVEL warn for prod', () => {
    const api = shop.webService('api');
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2, MaxCapacity: 8,
      ResourceId: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': [stack.getLogicalId(api.ecsService.node.defaultChild as any), 'Name'] })])]) }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60, ScaleInCooldown: 120, ScaleOutCooldown: 60 }),
    });
    expect(variablesOf(api)).toMatchObject({ LOG_LEVEL: 'warn' });
  });

  test('every container gets Copilot\'s COPILOT_APPLICATION_NAME, COPILOT_ENVIRONMENT_NAME and COPILOT_SERVICE_NAME', () => {
    expect(variablesOf(shop.workerService('fulfilment'))).toMatchObject({
      COPILOT_APPLICATION_NAME: 'shop', COPILOT_ENVIRONMENT_NAME: 'prod', COPILOT_SERVICE_NAME: 'fulfilment',
    });
  });

  test('a secret is read from the SSM parameter Copilot\'s `secret init` wrote, by its name, and the execution role may read exactly that one', () => {
    const api = shop.webService('api');
    expect(containerOf(api).Secrets).toEqual([{
      Name: 'DB_PASSWORD',
      ValueFrom: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter/copilot/shop/prod/secrets/db_password']] },
    }]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: Match.arrayWith(['ssm:GetParameters']),
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter/copilot/shop/prod/secrets/db_password']] },
      })]) },
    });
  });

  test('the root filesystem is writable as on Copilot, read-only where the manifest says storage.readonly_fs; exec turns ECS Exec on', () => {
    const api = shop.webService('api');
    template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true, ServiceConnectConfiguration: Match.objectLike({ Enabled: true }) });
    expect(containerOf(api).ReadonlyRootFilesystem).toBe(false);
    expect(containerOf(shop.workerService('fulfilment')).ReadonlyRootFilesystem).toBe(true);
  });

  test('a published topic is an EventTopic the publisher may publish to, named in COPILOT_SNS_TOPIC_ARNS', () => {
    const topic = shop.topic('api', 'orders');
    const arns = variablesOf(shop.webService('api')).COPILOT_SNS_TOPIC_ARNS;
    expect(JSON.stringify(stack.resolve(arns))).toContain(stack.getLogicalId(topic.topic.node.defaultChild as any));
  });

  test('a Worker Service gets its queue with the manifest\'s retention, timeout and tries, the subscription\'s filter, and backlog scaling from queue_delay', () => {
    const worker = shop.workerService('fulfilment');
    template.hasResourceProperties('AWS::SQS::Queue', Match.objectLike({
      MessageRetentionPeriod: 345600, VisibilityTimeout: 60,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    }));
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', FilterPolicy: { event: ['placed'] } });
    // 1 minute of acceptable latency at 2 s a message: 30 messages per task
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 30 }),
    });
    expect(Object.keys(variablesOf(worker))).toEqual(expect.arrayContaining(['COPILOT_QUEUE_URI', 'QUEUE_URL']));
  });

  test('a Backend Service with http is a WebService on the internal load balancer, on its path and everything under it', () => {
    const orders = shop.webService('orders');
    expect(stack.resolve((orders.listenerRule!.node.defaultChild as any).listenerArn)).toEqual(stack.resolve(shop.internalLoadBalancer!.listener.listenerArn));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    // Copilot routes a backend by its host <svc>.<env>.<app>.internal, which a private zone resolves to the internal load balancer
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([
        { Field: 'host-header', HostHeaderConfig: { Values: ['orders.prod.shop.internal'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/orders', '/orders/*'] } },
      ]),
    });
    template.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'prod.shop.internal.', VPCs: [Match.objectLike({ VPCRegion: 'us-east-1' })] });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'orders.prod.shop.internal.', Type: 'A', AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }) });
    expect(shop.internalZone).toBeDefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/orders/health' });
  });

  test('a Scheduled Job runs on the converted schedule, in UTC', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 ? * 2-6 *)', ScheduleExpressionTimezone: 'Etc/UTC', State: 'ENABLED',
    });
    expect(shop.scheduledTask('nightly-report').schedule).toBeDefined();
  });

  test('a Scheduled Job\'s retries re-run a failed task and its timeout stops the run, through a state machine as Copilot\'s did', () => {
    const job = shop.scheduledTask('nightly-report');
    expect(job.stateMachine).toBeDefined();
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[stack.getLogicalId(job.stateMachine!.node.defaultChild as any)];
    const definition = machine.Properties.DefinitionString['Fn::Join'][1].filter((p: unknown) => typeof p === 'string').join('');
    expect(definition).toContain('"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,"MaxAttempts":2,"BackoffRate":1.5}]');
    expect(definition).toContain('"TimeoutSeconds":1800');
  });

  test('the repositories Copilot created are imported by name, never created (their images stay)', () => {
    template.resourceCountIs('AWS::ECR::Repository', 0);
    expect(stack.resolve(shop.repository('api').repositoryName)).toBe('shop/api');
  });

  test('the example maps every field it writes: the one copilot warning is the backend\'s Cloud Map name, which is not served', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('copilot'));
    expect(warnings.map((w) => `${w.id} ${String(w.entry.data).split(';')[0]}`)).toEqual([
      '/TestStack/Shop/orders Copilot registered orders in Cloud Map as orders.prod.shop.local and gave every task COPILOT_SERVICE_DISCOVERY_ENDPOINT',
    ]);
  });

  test('members of the wrong kind or unknown names fail naming the workload and its type', () => {
    expect(() => shop.webService('fulfilment')).toThrow(/webService\(\) "fulfilment" is a Worker Service, not a Load Balanced Web Service/);
    expect(() => shop.scheduledTask('nope')).toThrow(/scheduledTask\(\) "nope" is not a workload of the workspace; use one of api, fulfilment, nightly-report, orders/);
    expect(() => shop.topic('api', 'payments')).toThrow(/topic\(\) "api\/payments" is not a published topic; use one of api\/orders/);
  });
});

describe('CopilotApplication with image tags', () => {
  test('imageTags deploys that tag from the workload\'s Copilot repository instead of building', () => {
    const stack = testStack();
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER });
    const app = build({ workspace, imageTags: { worker: 'v42' } }, stack);
    const [taskDefinition] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
    expect(JSON.stringify(stack.resolve(taskDefinition.Properties.ContainerDefinitions[0].Image))).toContain('/shop/worker:v42');
    expect(app.workerService('worker').queue).toBeDefined();
  });

  test('an image tag for a workload the workspace does not have fails naming it', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER });
    expect(errorOf({ workspace, imageTags: { wokrer: 'v1' } })).toMatch(/imageTags\.wokrer "v1" names no workload of the workspace; use one of worker/);
  });
});

describe('CopilotApplication names what it does not map', () => {
  // GIVEN a worker whose manifest has a field that is not mapped and a misspelt one (one synth)
  let warnings: { id: string; text: string }[];
  beforeAll(() => {
    const stack = testStack();
    const workspace = writeWorkspace({
      'copilot/worker/manifest.yml': WORKER + yaml('subscribe:', '  queue:', '    fifo: true', 'memroy: 1024'),
      'copilot/worker/addons/orders-table.yml': yaml('Resources:', '  OrdersTable:', '    Type: AWS::DynamoDB::Table'),
    });
    build({ workspace }, stack);
    warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => ({ id: String(w.id), text: String(w.entry.data) }));
  });

  test('an unmapped field is a warning named by its path, with its file and line and what to do', () => {
    const warning = warnings.find((w) => w.text.includes('subscribe.queue.fifo'));
    expect(warning?.text).toMatch(/copilot\/worker\/manifest\.yml:7: subscribe\.queue\.fifo is not mapped by CopilotApplication.*a FIFO queue is not built by CopilotApplication/);
    expect(warning?.text).toContain("acknowledge({ id: 'Annotation::ecs-service-kit:copilot-unmapped:subscribe.queue.fifo'");
  });

  test('a workload\'s addons directory is named: its resources are not deployed and go with the Copilot stacks', () => {
    expect(warnings.find((w) => w.text.includes('[ack: ecs-service-kit:copilot-not-deployed:copilot/worker/addons]'))?.text)
      .toMatch(/copilot\/worker\/addons holds CloudFormation addons, which CopilotApplication does not deploy.*set DeletionPolicy Retain on them/);
  });

  test('a field Copilot does not document (a typo) is its own warning', () => {
    expect(warnings.find((w) => w.text.includes('memroy'))?.text).toMatch(/copilot\/worker\/manifest\.yml:8: memroy is not a field Copilot's manifest docs document/);
  });
});

describe('CopilotApplication refuses what it cannot build, naming the file and the line', () => {
  test('a directory without copilot/.workspace', () => {
    expect(errorOf({ workspace: path.join(__dirname) })).toMatch(/workspace ".*" has no copilot\/\.workspace/);
  });

  test('a Request-Driven Web Service, saying what to use instead', () => {
    const workspace = writeWorkspace({ 'copilot/web/manifest.yml': yaml('name: web', 'type: Request-Driven Web Service') });
    expect(errorOf({ workspace })).toMatch(/copilot\/web\/manifest\.yml:2 type "Request-Driven Web Service" is not built by CopilotApplication: it runs on AWS App Runner/);
  });

  test('a Static Site, saying what to use instead', () => {
    const workspace = writeWorkspace({ 'copilot/site/manifest.yml': yaml('name: site', 'type: Static Site') });
    expect(errorOf({ workspace })).toMatch(/type "Static Site" is not built by CopilotApplication: it is an S3 bucket behind CloudFront/);
  });

  test('an unknown type', () => {
    const workspace = writeWorkspace({ 'copilot/web/manifest.yml': yaml('name: web', 'type: Web Service') });
    expect(errorOf({ workspace })).toMatch(/copilot\/web\/manifest\.yml:2 type "Web Service" is not a Copilot manifest type this construct reads; use one of "Load Balanced Web Service"/);
  });

  test('a manifest whose name is not its directory\'s', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER.replace('name: worker', 'name: consumer') });
    expect(errorOf({ workspace })).toMatch(/copilot\/worker\/manifest\.yml:1 name "consumer" differs from its directory copilot\/worker/);
  });

  test('a count range with min above max', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER + yaml('count:', '  range: 10-1', '  cpu_percentage: 70') });
    expect(errorOf({ workspace })).toMatch(/copilot\/worker\/manifest\.yml:6 count\.range "10-1" has min 10 above max 1; give min ≤ max/);
  });

  test('a schedule Copilot would not accept', () => {
    const workspace = writeWorkspace({ 'copilot/job/manifest.yml': yaml('name: job', 'type: Scheduled Job', 'on:', '  schedule: "@fortnightly"', 'image:', '  build: app/Dockerfile') });
    expect(errorOf({ workspace })).toMatch(/copilot\/job\/manifest\.yml:4 on\.schedule "@fortnightly" is not a schedule preset/);
  });

  test('a subscription to a topic no workload publishes', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER + yaml('subscribe:', '  topics:', '    - name: orders', '      service: api') });
    expect(errorOf({ workspace })).toMatch(/copilot\/worker\/manifest\.yml:7 subscribe\.topics .* names topic orders of api, which no workload of the workspace publishes/);
  });

  test('an environment manifest whose name is not its directory\'s', () => {
    const workspace = writeWorkspace({
      'copilot/worker/manifest.yml': WORKER,
      'copilot/environments/prod/manifest.yml': yaml('name: production', 'type: Environment'),
    });
    expect(errorOf({ workspace })).toMatch(/copilot\/environments\/prod\/manifest\.yml:1 name "production" differs from its directory copilot\/environments\/prod/);
  });

  test('an imported VPC id without the vpc prop, saying how to pass it', () => {
    const workspace = writeWorkspace({
      'copilot/worker/manifest.yml': WORKER,
      'copilot/environments/prod/manifest.yml': yaml('name: prod', 'type: Environment', 'network:', '  vpc:', '    id: vpc-0123456789abcdef0'),
    });
    expect(errorOf({ workspace })).toMatch(/copilot\/environments\/prod\/manifest\.yml network\.vpc\.id "vpc-0123456789abcdef0" names an existing VPC.*ec2\.Vpc\.fromLookup/);
  });

  test('an imported VPC that is not the one the manifest names', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-other', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] });
    const workspace = writeWorkspace({
      'copilot/worker/manifest.yml': WORKER,
      'copilot/environments/prod/manifest.yml': yaml('name: prod', 'type: Environment', 'network:', '  vpc:', '    id: vpc-0123456789abcdef0'),
    });
    expect(() => build({ workspace, vpc }, stack)).toThrow(/vpc vpc-other is not the VPC vpc-0123456789abcdef0 that copilot\/environments\/prod\/manifest\.yml names/);
  });
});

describe('CopilotApplication maps sidecars and taskdef_overrides', () => {
  // GIVEN a worker with a sidecar and overrides (one synth)
  let containers: any[];
  let taskDefinition: any;
  let warnings: string[];
  beforeAll(() => {
    const stack = testStack();
    const workspace = writeWorkspace({
      'copilot/worker/manifest.yml': WORKER + yaml(
        'sidecars:',
        '  proxy:',
        '    image: public.ecr.aws/nginx/nginx:1.27',
        '    port: 8080/tcp',
        '    essential: false',
        '    variables:',
        '      UPSTREAM: localhost:3000',
        '    secrets:',
        '      TOKEN: /copilot/shop/prod/secrets/token',
        '    command: nginx -g "daemon off;"',
        '    mount_points:',
        '      - source_volume: data',
        '        path: /data',
        'taskdef_overrides:',
        '  - path: ContainerDefinitions[0].Ulimits[-]',
        '    value:',
        '      Name: nofile',
        '      SoftLimit: 1024',
        '      HardLimit: 2048',
        '  - path: ContainerDefinitions[1].StopTimeout',
        '    value: 10',
      ),
    });
    build({ workspace }, stack);
    [taskDefinition] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
    containers = stack.resolve(taskDefinition.Properties.ContainerDefinitions);
    warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
  });

  test('a sidecar is a second container with its image, port, essential flag, variables, secret and command', () => {
    const proxy = containers.find((c) => c.Name === 'proxy');
    expect(proxy).toMatchObject({
      Image: 'public.ecr.aws/nginx/nginx:1.27',
      Essential: false,
      PortMappings: [expect.objectContaining({ ContainerPort: 8080 })],
      Command: ['nginx', '-g', 'daemon off;'],
    });
    expect(proxy.Environment).toEqual(expect.arrayContaining([{ Name: 'UPSTREAM', Value: 'localhost:3000' }]));
    expect(JSON.stringify(proxy.Secrets)).toContain('parameter/copilot/shop/prod/secrets/token');
  });

  test('taskdef_overrides set and append in the task definition as Copilot\'s rules do, the main container first', () => {
    expect(containers[0].Name).toBe(MAIN_CONTAINER_NAME);
    expect(containers[0].Ulimits).toEqual([{ Name: 'nofile', SoftLimit: 1024, HardLimit: 2048 }]);
    expect(containers[1].StopTimeout).toBe(10);
  });

  test('a sidecar field that is not mapped is named with the sidecar', () => {
    expect(warnings.join('\n')).toMatch(/copilot\/worker\/manifest\.yml:\d+: sidecars\.proxy\.mount_points is not mapped.*taskDefinition\.findContainer\(name\)\.addMountPoints/);
  });
});

describe('taskdef_overrides that Copilot refuses', () => {
  test('the family cannot be overridden', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER + yaml('taskdef_overrides:', '  - path: Family', '    value: other') });
    expect(errorOf({ workspace })).toMatch(/taskdef_overrides\[0\]\.path .* overrides what Copilot does not let you override/);
  });

  test('a path segment that is not key, key[n] or key[-]', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER + yaml('taskdef_overrides:', '  - path: ContainerDefinitions[x].Cpu', '    value: 1') });
    expect(errorOf({ workspace })).toMatch(/has the segment "ContainerDefinitions\[x\]"/);
  });
});

test('an image tag for a workload that pulls image.location fails: Copilot pushed nothing for it', () => {
  const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': yaml('name: worker', 'type: Worker Service', 'image:', '  location: public.ecr.aws/nginx/nginx:1.27') });
  expect(errorOf({ workspace, imageTags: { worker: 'v1' } })).toMatch(/image\.location .* is pulled as it is, so the image tag v1 given for worker in imageTags has nothing to select/);
});

describe('CopilotApplication keeps what a working Copilot app relies on (deploy-semantics review)', () => {
  // GIVEN two connected services, a private ECR image, secrets in Copilot's other forms and
  // number-like variables (one synth)
  let stack: Stack;
  let template: Template;
  let app: CopilotApplication;
  beforeAll(() => {
    stack = testStack();
    const workspace = writeWorkspace({
      'copilot/orders/manifest.yml': yaml(
        'name: orders', 'type: Backend Service',
        'image:', '  location: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/orders:1.4.2', '  port: 8080',
        'network:', '  connect: true',
        'variables:', '  VERSION: 1.10', '  ACCOUNT: 012345678901', '  TABLE:', '    from_cfn: users-table-name',
        'secrets:',
        '  DB: "\'arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/mysql-Yi6mvL\'"',
        '  SHARED: arn:aws:ssm:eu-west-1:222233334444:parameter/shared/token',
        '  PASSWORD:', '    secretsmanager: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mysql-AbCdEf:password::"',
      ),
      'copilot/worker/manifest.yml': WORKER + yaml('network:', '  connect: true'),
    });
    app = build({ workspace }, stack);
    template = Template.fromStack(stack);
  });
  const containerOf = (service: WebService | WorkerService) => stack.resolve(
    template.findResources('AWS::ECS::TaskDefinition')[stack.getLogicalId(service.taskDefinition.node.defaultChild as any)].Properties.ContainerDefinitions[0]);

  test('every connected service may call every other one on its Service Connect port, as in Copilot\'s shared security group', () => {
    const orders = app.workerService('orders');
    const worker = app.workerService('worker');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080,
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(orders.securityGroup.node.defaultChild as any), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(worker.securityGroup.node.defaultChild as any), 'GroupId'] },
    });
  });

  test('a worker with network.connect and no port is a Service Connect client', () => {
    const service = template.findResources('AWS::ECS::Service')[stack.getLogicalId(app.workerService('worker').ecsService.node.defaultChild as any)];
    expect(service.Properties.ServiceConnectConfiguration).toMatchObject({ Enabled: true });
    expect(service.Properties.ServiceConnectConfiguration.Services).toBeUndefined();
  });

  test('an image.location in a private ECR repository is pulled through that repository, so the execution role may pull it', () => {
    const orders = app.workerService('orders');
    expect(JSON.stringify(containerOf(orders).Image)).toContain('111122223333.dkr.ecr.eu-west-1.');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: Match.arrayWith(['ecr:BatchGetImage']),
        Resource: 'arn:aws:ecr:eu-west-1:111122223333:repository/team/orders',
      })]) },
    });
  });

  test('secrets in Copilot\'s other forms: a quoted Secrets Manager ARN, an SSM ARN of another account passed on as written, an ARN with a JSON key', () => {
    const secrets = Object.fromEntries(containerOf(app.workerService('orders')).Secrets.map((s: any) => [s.Name, JSON.stringify(s.ValueFrom)]));
    expect(secrets.DB).toContain('secret:demo/mysql-Yi6mvL');
    expect(secrets.SHARED).toBe(JSON.stringify('arn:aws:ssm:eu-west-1:222233334444:parameter/shared/token'));
    expect(secrets.PASSWORD).toContain('secret:mysql-AbCdEf:password::');
  });

  test('variables keep their text: 1.10 stays 1.10 and 012345678901 keeps its zero', () => {
    const variables = Object.fromEntries(containerOf(app.workerService('orders')).Environment.map((e: any) => [e.Name, e.Value]));
    expect(variables).toMatchObject({ VERSION: '1.10', ACCOUNT: '012345678901' });
  });

  test('a variable from_cfn is the exported value, as Copilot wrote it (Fn::ImportValue)', () => {
    const variables = Object.fromEntries(containerOf(app.workerService('orders')).Environment.map((e: any) => [e.Name, e.Value]));
    expect(variables.TABLE).toEqual({ 'Fn::ImportValue': 'users-table-name' });
  });

  test('a workload without storage.readonly_fs keeps a writable root filesystem, as on Copilot', () => {
    expect(containerOf(app.workerService('worker')).ReadonlyRootFilesystem).toBe(false);
  });

  test('a workspace without the environment\'s manifest warns, naming the environments it has', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('copilot-no-environment-manifest'));
    expect(String(warnings[0]?.entry.data)).toMatch(/The workspace has no copilot\/environments\/prod\/manifest\.yml: the network and load balancers use this library's defaults/);
  });
});

describe('CopilotApplication refuses, at the manifest, what would fail deeper', () => {
  test('exec with storage.readonly_fs: true', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER + yaml('exec: true', 'storage:', '  readonly_fs: true') });
    expect(errorOf({ workspace })).toMatch(/copilot\/worker\/manifest\.yml:5 exec true needs a writable root filesystem/);
  });

  test('a Scheduled Job timeout that is not whole seconds', () => {
    const workspace = writeWorkspace({ 'copilot/job/manifest.yml': yaml('name: job', 'type: Scheduled Job', 'on:', '  schedule: "@daily"', 'timeout: 1500ms', 'image:', '  build: app/Dockerfile') });
    expect(errorOf({ workspace })).toMatch(/copilot\/job\/manifest\.yml:5 timeout "1500ms" is not a whole number of seconds of at least 1s/);
  });

  test('a range from 0 with queue_delay scaling', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER + yaml('count:', '  range: 0-5', '  queue_delay:', '    acceptable_latency: 1m', '    msg_processing_time: 1s') });
    expect(errorOf({ workspace })).toMatch(/copilot\/worker\/manifest\.yml:6 count\.range "0-5" starts at 0 with queue_delay scaling/);
  });

  test('two topics whose construct ids read alike', () => {
    const publisher = (name: string, topic: string) => yaml(`name: ${name}`, 'type: Worker Service', 'image:', '  build: app/Dockerfile', 'publish:', '  topics:', `    - name: ${topic}`);
    const workspace = writeWorkspace({ 'copilot/web/manifest.yml': publisher('web', 'simple-events'), 'copilot/web-simple/manifest.yml': publisher('web-simple', 'events') });
    expect(errorOf({ workspace })).toMatch(/copilot\/web-simple\/manifest\.yml:6 publish\.topics .* gives topic events the construct id WebSimpleEventsTopic, which another workload's topic has/);
  });

  test('an empty secret', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER + yaml('secrets:', '  DB:') });
    expect(errorOf({ workspace })).toMatch(/secrets\.DB undefined is empty/);
  });

  test('an environment override that is not a map', () => {
    const workspace = writeWorkspace({ 'copilot/worker/manifest.yml': WORKER + yaml('environments:', '  prod: 5') });
    expect(errorOf({ workspace })).toMatch(/copilot\/worker\/manifest\.yml:6 environments\.prod 5 is not a map of fields/);
  });

  test('a subscription to a FIFO topic (the worker queue is standard)', () => {
    const workspace = writeWorkspace({
      'copilot/api/manifest.yml': yaml('name: api', 'type: Worker Service', 'image:', '  build: app/Dockerfile', 'publish:', '  topics:', '    - name: orders', '      fifo: true'),
      'copilot/worker/manifest.yml': WORKER + yaml('subscribe:', '  topics:', '    - name: orders', '      service: api'),
    });
    expect(errorOf({ workspace })).toMatch(/copilot\/worker\/manifest\.yml:7 subscribe\.topics .* subscribes to the FIFO topic orders of api/);
  });
});

test('count.response_time is reported as not mapped (Copilot accepts it), not refused', () => {
  const stack = testStack();
  const workspace = writeWorkspace({
    'copilot/backend/manifest.yml': yaml('name: backend', 'type: Backend Service', 'image:', '  build: app/Dockerfile', 'count:', '  range: 1-4', '  cpu_percentage: 50', '  response_time: 2s'),
  });
  build({ workspace }, stack);
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('copilot-unmapped:count.response_time'));
  expect(String(warnings[0]?.entry.data)).toMatch(/copilot\/backend\/manifest\.yml:8: count\.response_time is not mapped/);
});

test('with the VPC Copilot\'s environment uses, the private zone <env>.<app>.internal is not created (a VPC takes one zone of a name) and a warning says so', () => {
  const stack = testStack();
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-1', 'subnet-2'], publicSubnetIds: ['subnet-3', 'subnet-4'],
  });
  const workspace = writeWorkspace({
    'copilot/orders/manifest.yml': yaml('name: orders', 'type: Backend Service', 'image:', '  build: app/Dockerfile', '  port: 8080', 'http:', '  path: /'),
    'copilot/environments/prod/manifest.yml': yaml('name: prod', 'type: Environment', 'network:', '  vpc:', '    id: vpc-0123456789abcdef0'),
  });
  const app = build({ workspace, vpc }, stack);
  expect(app.internalZone).toBeUndefined();
  Template.fromStack(stack).resourceCountIs('AWS::Route53::HostedZone', 0);
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('copilot-internal-names'));
  expect(String(warnings[0]?.entry.data)).toMatch(/the private hosted zone prod\.shop\.internal is not created.*orders\.prod\.shop\.internal resolve to Copilot's load balancer/);
});

describe('CopilotApplication maps nlb without http to a NetworkService', () => {
  // GIVEN a TCP service behind an NLB only, and a web service with both http and nlb (one synth)
  let stack: Stack;
  let app: CopilotApplication;
  let template: Template;
  let warnings: string[];
  beforeAll(() => {
    stack = testStack();
    const workspace = writeWorkspace({
      'copilot/broker/manifest.yml': yaml(
        'name: broker', 'type: Load Balanced Web Service', 'http: false',
        'image:', '  build: app/Dockerfile', '  port: 1883',
        'nlb:', '  port: 8883/tcp', '  target_port: 1883',
        '  healthcheck:', '    port: 1883', '    healthy_threshold: 3', '    interval: 10s', '    grace_period: 30s',
      ),
      'copilot/web/manifest.yml': yaml(
        'name: web', 'type: Load Balanced Web Service', 'http:', '  path: /',
        'image:', '  build: app/Dockerfile', '  port: 8080',
        'nlb:', '  port: 9000/tcp',
      ),
    });
    app = build({ workspace }, stack);
    template = Template.fromStack(stack);
    warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
  });

  test('one Network Load Balancer; the workload listens on the nlb port and reaches the target port, with the manifest\'s health check', () => {
    expect(app.networkLoadBalancer).toBeDefined();
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network' }, 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8883, Protocol: 'TCP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 1883, Protocol: 'TCP', HealthCheckPort: '1883', HealthyThresholdCount: 3, HealthCheckIntervalSeconds: 10,
    });
    template.hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 30 });
    expect(app.networkService('broker').port).toBe(8883);
  });

  test('a workload with http and nlb is a WebService, and its nlb is reported with what to do', () => {
    expect(app.webService('web')).toBeDefined();
    expect(warnings.join('\n')).toMatch(/copilot\/web\/manifest\.yml:\d+: nlb is not mapped by CopilotApplication.*a service behind both an ALB and an NLB is not built/);
  });

  test('a TLS nlb without a certificate in the environment manifest fails at the manifest', () => {
    const workspace = writeWorkspace({
      'copilot/broker/manifest.yml': yaml('name: broker', 'type: Load Balanced Web Service', 'image:', '  build: app/Dockerfile', '  port: 1883', 'nlb:', '  port: 8883/tls'),
    });
    expect(errorOf({ workspace })).toMatch(/copilot\/broker\/manifest\.yml:7 nlb\.port "8883\/tls" is TLS, and the environment manifest imports no certificate/);
  });

  test('without target_port the target port is the listener\'s (Copilot\'s default), and a lone timeout takes Copilot\'s 30 s interval (review findings)', () => {
    const stack2 = testStack();
    const workspace = writeWorkspace({
      'copilot/broker/manifest.yml': yaml('name: broker', 'type: Load Balanced Web Service', 'http: false', 'image:', '  build: app/Dockerfile', '  port: 8080',
        'nlb:', '  port: 80/tcp', '  healthcheck:', '    timeout: 10s'),
    });
    build({ workspace }, stack2);
    Template.fromStack(stack2).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 80, HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 10 });
  });

  test('a UDP nlb without a health-check port, and a target container that is a sidecar, fail at the manifest as in Copilot', () => {
    const udp = writeWorkspace({
      'copilot/dns/manifest.yml': yaml('name: dns', 'type: Load Balanced Web Service', 'http: false', 'image:', '  build: app/Dockerfile', 'nlb:', '  port: 53/udp'),
    });
    expect(errorOf({ workspace: udp })).toMatch(/copilot\/dns\/manifest\.yml:7 nlb\.port "53\/udp" is UDP without nlb\.healthcheck\.port/);
    const sidecar = writeWorkspace({
      'copilot/broker/manifest.yml': yaml('name: broker', 'type: Load Balanced Web Service', 'http: false', 'image:', '  build: app/Dockerfile',
        'nlb:', '  port: 9000/tcp', '  target_container: proxy'),
    });
    expect(errorOf({ workspace: sidecar })).toMatch(/nlb\.target_container "proxy" names a container other than the main one; route the NLB to the main container \(broker\)/);
  });

  test('an nlb port that is not <port>[/protocol]', () => {
    const workspace = writeWorkspace({
      'copilot/broker/manifest.yml': yaml('name: broker', 'type: Load Balanced Web Service', 'image:', '  build: app/Dockerfile', '  port: 1883', 'nlb:', '  port: 8883/http'),
    });
    expect(errorOf({ workspace })).toMatch(/nlb\.port "8883\/http" is not a port with a protocol/);
  });
});

describe('the private zone <env>.<app>.internal and its records across versions (create, update, destroy)', () => {
  // GIVEN version N with two Backend Services behind the internal load balancer, N+1 with one (two synths)
  const backend = (name: string) => yaml(`name: ${name}`, 'type: Backend Service', 'image:', '  build: app/Dockerfile', '  port: 8080', 'http:', `  path: /${name}`);
  const synth = (names: string[]) => {
    const stack = testStack();
    build({ workspace: writeWorkspace(Object.fromEntries(names.map((n) => [`copilot/${n}/manifest.yml`, backend(n)]))) }, stack);
    return { stack, template: Template.fromStack(stack).toJSON() };
  };
  let before: ReturnType<typeof synth>;
  let after: ReturnType<typeof synth>;
  beforeAll(() => {
    before = synth(['orders', 'payments']);
    after = synth(['orders']);
  });

  test('create: the zone is associated with the cluster\'s VPC and each record points at the internal load balancer, so both exist first', () => {
    const resources = before.template.Resources as Record<string, any>;
    const [zone] = Object.values(resources).filter((r) => r.Type === 'AWS::Route53::HostedZone');
    expect(zone.Properties.VPCs[0].VPCId).toEqual({ Ref: expect.stringMatching(/Vpc/) });
    const records = Object.values(resources).filter((r) => r.Type === 'AWS::Route53::RecordSet');
    expect(records.map((r) => r.Properties.Name).sort()).toEqual(['orders.prod.shop.internal.', 'payments.prod.shop.internal.']);
    for (const record of records) {
      expect(record.Properties.HostedZoneId).toEqual({ Ref: expect.stringMatching(/InternalZone/) });
      expect(JSON.stringify(record.Properties.AliasTarget)).toMatch(/InternalLoadBalancer/);
    }
  });

  test('update: removing a Backend Service removes its record and route only, without an update hazard', () => {
    const hazards = compareTemplates({ [STACK]: before.template }, { [STACK]: after.template });
    expect(errorsOf(hazards).map(describeHazard)).toEqual([]);
    const records = Object.values(after.template.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::Route53::RecordSet');
    expect(records.map((r) => r.Properties.Name)).toEqual(['orders.prod.shop.internal.']);
  });

  test('destroy: the zone and its records are deleted with the stack (records first: they refer to the zone)', () => {
    for (const r of Object.values(before.template.Resources as Record<string, any>).filter((x) => x.Type.startsWith('AWS::Route53::'))) {
      expect(r.DeletionPolicy ?? 'Delete').toBe('Delete');
    }
  });
});
