import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Architecture, ServiceImage } from '../../lib/image';
import { ServiceTaskDefinition } from '../../lib/task-definition';
import { controlTowerFindings } from '../util/control-tower';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const ENVOY = ServiceImage.fromRegistry('public.ecr.aws/envoyproxy/envoy:v1.30.0');
const EXAMPLE_APP = path.join(__dirname, '..', '..', 'examples', 'app');

/** The container definitions of the only task definition in `template`, by name. */
function containersOf(template: Template): Record<string, any> {
  const tds = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  expect(tds).toHaveLength(1);
  const out: Record<string, any> = {};
  for (const c of (tds[0] as any).Properties.ContainerDefinitions) out[c.Name] = c;
  return out;
}

describe('ServiceTaskDefinition defaults', () => {
  // GIVEN a task definition with nothing but an image (one synth shared by the tests below)
  let stack: Stack;
  let task: ServiceTaskDefinition;
  let template: Template;
  beforeAll(() => {
    stack = testStack(testApp());
    // WHEN
    task = new ServiceTaskDefinition(stack, 'Task', { image: NGINX });
    template = Template.fromStack(stack);
  });

  test('is a Fargate awsvpc task of 256 CPU units and 512 MiB on X86_64 Linux', () => {
    // THEN
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    expect(task.architecture).toBe(Architecture.X86_64);
  });

  test("runs one essential container named 'app' with a read-only root and a writable /tmp volume", () => {
    // THEN
    const containers = containersOf(template);
    expect(Object.keys(containers)).toEqual(['app']);
    expect(containers.app).toMatchObject({
      Essential: true,
      Image: 'public.ecr.aws/nginx/nginx:1.27',
      ReadonlyRootFilesystem: true,
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'app-tmp', ReadOnly: false }],
      StopTimeout: 30,
    });
    // A standalone task definition has no port unless asked (the web service adds 8080).
    expect(containers.app.PortMappings).toBeUndefined();
    expect(containers.app.HealthCheck).toBeUndefined();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: [{ Name: 'app-tmp' }] });
    expect(task.container.containerName).toBe('app');
    expect(task.sidecars).toEqual([]);
  });

  test('logs to one retained log group kept 30 days, through non-blocking awslogs', () => {
    // THEN
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30, KmsKeyId: Match.absent() },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(containersOf(template).app.LogConfiguration).toEqual({
      LogDriver: 'awslogs',
      Options: {
        'awslogs-group': { Ref: stack.getLogicalId(task.logGroup.node.defaultChild as logs.CfnLogGroup) },
        'awslogs-stream-prefix': 'app',
        'awslogs-region': 'us-east-1',
        'mode': 'non-blocking',
      },
    });
  });

  test('the execution role may write to that log group only', () => {
    // THEN
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [stack.getLogicalId(task.logGroup.node.defaultChild as logs.CfnLogGroup), 'Arn'] },
        }],
      },
    });
  });
});

describe('ServiceTaskDefinition container memory limit (AWS Control Tower CT.ECS.PR.7)', () => {
  function containers(props: Partial<ConstructorParameters<typeof ServiceTaskDefinition>[2]>): { stack: Stack; containers: Record<string, any> } {
    const stack = testStack(testApp());
    new ServiceTaskDefinition(stack, 'Task', { image: NGINX, ...props });
    return { stack, containers: containersOf(Template.fromStack(stack)) };
  }

  test('a lone container gets the task memory as its hard limit: the limit it has in effect anyway', () => {
    // GIVEN / WHEN
    const { stack, containers: c } = containers({ memoryMiB: 2048, cpu: 512 });

    // THEN
    expect(c.app.Memory).toBe(2048);
    expect(c.app.MemoryReservation).toBeUndefined();
    expect(controlTowerFindings(stack, 'CT.ECS.PR.7')).toEqual([]);
  });

  test('the default task: 512 MiB for the task and its container', () => {
    expect(containers({}).containers.app.Memory).toBe(512);
  });

  test('a given memoryLimitMiB wins', () => {
    expect(containers({ memoryMiB: 1024, memoryLimitMiB: 700 }).containers.app.Memory).toBe(700);
  });

  test('with sidecars, no container gets a limit it was not given (their memory must fit in the task\'s together)', () => {
    // GIVEN / WHEN
    const { stack, containers: c } = containers({ memoryMiB: 1024, sidecars: [{ containerName: 'envoy', image: ENVOY, memoryLimitMiB: 128 }] });

    // THEN
    expect(c.app.Memory).toBeUndefined();
    expect(c.envoy.Memory).toBe(128);
    // The control still fails for the container without a limit: the user splits the memory.
    expect(controlTowerFindings(stack, 'CT.ECS.PR.7')).toHaveLength(1);
  });

  test('with every container limited by the user, the control passes', () => {
    const { stack } = containers({ memoryMiB: 1024, memoryLimitMiB: 896, sidecars: [{ containerName: 'envoy', image: ENVOY, memoryLimitMiB: 128 }] });
    expect(controlTowerFindings(stack, 'CT.ECS.PR.7')).toEqual([]);
  });
});

describe('ServiceTaskDefinition with every option', () => {
  // GIVEN a secret, an SSM parameter and a task with sidecars (one synth)
  let stack: Stack;
  let template: Template;
  let task: ServiceTaskDefinition;
  let secret: secretsmanager.Secret;
  let otherSecret: secretsmanager.Secret;
  let parameter: ssm.StringParameter;
  beforeAll(() => {
    stack = testStack(testApp());
    secret = new secretsmanager.Secret(stack, 'DbSecret', { removalPolicy: RemovalPolicy.DESTROY });
    otherSecret = new secretsmanager.Secret(stack, 'OtherSecret', { removalPolicy: RemovalPolicy.DESTROY });
    parameter = new ssm.StringParameter(stack, 'ApiKey', { stringValue: 'not-a-secret' });
    // WHEN
    task = new ServiceTaskDefinition(stack, 'Task', {
      image: NGINX,
      cpu: 1024,
      memoryMiB: 3072,
      architecture: Architecture.ARM64,
      containerPort: 8080,
      family: 'web-api',
      environment: { LOG_LEVEL: 'info' },
      secrets: {
        DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'),
        API_KEY: ecs.Secret.fromSsmParameter(parameter),
      },
      command: ['node', 'server.js'],
      user: '1000:1000',
      writablePaths: ['/tmp', '/var/cache/app'],
      containerHealthCheck: {
        command: ['CMD-SHELL', 'wget -qO- http://localhost:8080/ || exit 1'],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(3),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
      stopTimeout: Duration.seconds(45),
      logRetention: logs.RetentionDays.ONE_WEEK,
      logRemovalPolicy: RemovalPolicy.DESTROY,
      sidecars: [
        {
          containerName: 'envoy',
          image: ENVOY,
          containerPort: 9901,
          startBeforeMain: true,
          containerHealthCheck: { command: ['CMD-SHELL', 'true'] },
        },
        { containerName: 'log-router', image: ENVOY, essential: false, startBeforeMain: true, readonlyRootFilesystem: false },
        { containerName: 'agent', image: ENVOY, essential: false },
      ],
    });
    template = Template.fromStack(stack);
  });

  test('size, ARM64 runtime platform and family', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '3072',
      Family: 'web-api',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(task.architecture).toBe(Architecture.ARM64);
  });

  test('main container: port, environment, secrets, command, user, health check, stop timeout', () => {
    // THEN
    const app = containersOf(template).app;
    expect(app).toMatchObject({
      PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080' }],
      Environment: [{ Name: 'LOG_LEVEL', Value: 'info' }],
      Command: ['node', 'server.js'],
      User: '1000:1000',
      StopTimeout: 45,
      HealthCheck: {
        Command: ['CMD-SHELL', 'wget -qO- http://localhost:8080/ || exit 1'],
        Interval: 10,
        Timeout: 3,
        Retries: 3,
        StartPeriod: 20,
      },
    });
    expect(app.Secrets).toEqual(expect.arrayContaining([
      { Name: 'DB_PASSWORD', ValueFrom: { 'Fn::Join': ['', [{ Ref: stack.getLogicalId(secret.node.defaultChild as any) }, ':password::']] } },
      expect.objectContaining({ Name: 'API_KEY' }),
    ]));
    expect(task.containerPort).toBe(8080);
  });

  test('writablePaths become one volume and mount point each', () => {
    // THEN
    const app = containersOf(template).app;
    expect(app.ReadonlyRootFilesystem).toBe(true);
    expect(app.MountPoints).toEqual([
      { ContainerPath: '/tmp', SourceVolume: 'app-tmp', ReadOnly: false },
      { ContainerPath: '/var/cache/app', SourceVolume: 'app-var-cache-app', ReadOnly: false },
    ]);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.arrayWith([{ Name: 'app-tmp' }, { Name: 'app-var-cache-app' }]),
    });
  });

  test('the execution role reads exactly the given secret and parameter', () => {
    // THEN
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const secretReads = statements.filter((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretReads).toHaveLength(1);
    expect(secretReads[0].Resource).toEqual({ Ref: stack.getLogicalId(secret.node.defaultChild as any) });
    expect(JSON.stringify(statements)).not.toContain(stack.getLogicalId(otherSecret.node.defaultChild as any));
    const ssmReads = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('ssm:')));
    expect(ssmReads).toHaveLength(1);
    expect(JSON.stringify(ssmReads[0].Resource)).toContain(':parameter/');
    expect(JSON.stringify(ssmReads[0].Resource)).toContain(stack.getLogicalId(parameter.node.defaultChild as any));
    // Nothing is readable on '*' except what ECR auth needs.
    expect(statements.filter((s: any) => s.Resource === '*' && [s.Action].flat().some((a: string) => /secretsmanager|ssm:/.test(a)))).toEqual([]);
  });

  test('log group: given retention and removal policy', () => {
    // THEN
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 7 },
      DeletionPolicy: 'Delete',
    });
  });

  test('sidecars: names, essential flags, ports and start order', () => {
    // THEN
    const containers = containersOf(template);
    expect(Object.keys(containers)).toEqual(['app', 'envoy', 'log-router', 'agent']);
    expect(containers.envoy).toMatchObject({
      Essential: true,
      PortMappings: [{ ContainerPort: 9901, Name: 'envoy-9901', Protocol: 'tcp' }],
      ReadonlyRootFilesystem: true,
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'envoy-tmp', ReadOnly: false }],
      LogConfiguration: { Options: expect.objectContaining({ 'awslogs-stream-prefix': 'envoy' }) },
    });
    expect(containers['log-router']).toMatchObject({ Essential: false, ReadonlyRootFilesystem: false });
    expect(containers['log-router'].MountPoints).toBeUndefined();
    expect(containers.agent.Essential).toBe(false);
    // The main container waits for sidecars marked startBeforeMain: HEALTHY when the sidecar has a health check.
    expect(containers.app.DependsOn).toEqual([
      { ContainerName: 'envoy', Condition: 'HEALTHY' },
      { ContainerName: 'log-router', Condition: 'START' },
    ]);
    expect(containers.agent.DependsOn).toBeUndefined();
    expect(task.sidecars.map((c) => c.containerName)).toEqual(['envoy', 'log-router', 'agent']);
  });
});

describe('ServiceTaskDefinition variants', () => {
  test('readonlyRootFilesystem false: no volumes, no mount points', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN
    new ServiceTaskDefinition(stack, 'Task', { image: NGINX, readonlyRootFilesystem: false, containerName: 'web' });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.absent(),
      ContainerDefinitions: [Match.objectLike({ Name: 'web', ReadonlyRootFilesystem: false, MountPoints: Match.absent() })],
    });
  });

  test('an image from an ECR repository: the execution role may pull from that repository', () => {
    // GIVEN
    const stack = testStack(testApp());
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'web');
    // WHEN
    new ServiceTaskDefinition(stack, 'Task', { image: ServiceImage.fromRepository(repository, { tag: 'v1.2.3' }) });
    // THEN
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const pull = statements.find((st: any) => [st.Action].flat().includes('ecr:BatchGetImage'));
    expect(pull.Action).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']);
    expect(JSON.stringify(pull.Resource)).toMatch(/:ecr:us-east-1:123456789012:repository\/web"/);
  });

  test('an image asset on ARM64 is built for linux/arm64', () => {
    // GIVEN
    const app = testApp();
    const stack = testStack(app);
    // WHEN
    new ServiceTaskDefinition(stack, 'Task', { image: ServiceImage.fromAsset(EXAMPLE_APP), architecture: Architecture.ARM64 });
    // THEN
    const assembly = app.synth();
    const manifest: any = assembly.artifacts.find((a) => a.id === `${stack.artifactId}.assets`);
    const images: any[] = Object.values(manifest.contents.dockerImages ?? {});
    expect(images).toHaveLength(1);
    expect(images[0].source.platform).toBe('linux/arm64');
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64' },
    });
  });

  test('container names whose ids would clash, and paths whose volume names would clash, still synthesize', () => {
    // GIVEN sidecar names that share a PascalCase form with each other or with the main container,
    // and writable paths that reduce to the same volume name
    const stack = testStack(testApp());
    // WHEN
    new ServiceTaskDefinition(stack, 'Task', {
      image: NGINX,
      writablePaths: ['/var/cache', '/var-cache'],
      sidecars: [
        { containerName: 'App', image: ENVOY },
        { containerName: 'my-proxy', image: ENVOY },
        { containerName: 'my_proxy', image: ENVOY },
        { containerName: 'resource', image: ENVOY },
      ],
    });
    // THEN every container and volume is there, with unique volume names
    const template = Template.fromStack(stack);
    expect(Object.keys(containersOf(template))).toEqual(['app', 'App', 'my-proxy', 'my_proxy', 'resource']);
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as any;
    const volumes = td.Properties.Volumes.map((v: any) => v.Name);
    expect(new Set(volumes).size).toBe(volumes.length);
    expect(volumes.slice(0, 2)).toEqual(['app-var-cache', 'app-var-cache-2']);
  });
});
