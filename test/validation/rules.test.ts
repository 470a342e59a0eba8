import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { validateScaling } from '../../lib/auto-scaling/service-scaling';
import { ContainerWebApp, ContainerWebAppProps } from '../../lib/bundle';
import { ServiceCluster } from '../../lib/cluster';
import { Architecture, ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { ImageRepository } from '../../lib/registry';
import { WebService, WebServiceOptions, WebServiceProps } from '../../lib/service';
import { ConfigurationErrors } from '../../lib/validation';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

/** Runs `build`, expects a ConfigurationError whose message contains `text`. */
function expectConfigError(build: () => unknown, text: string): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeDefined();
  expect((error as Error).message).toContain(text);
  expect(ConfigurationErrors.isConfigurationError(error)).toBe(true);
}

// One stack with a cluster (SINGLE_NAT) and a load balancer for all rule tests: each test adds a
// WebService with its own id, and the failed construct's path appears in the message.
let stack: Stack;
let cluster: ServiceCluster;
let loadBalancer: ServiceLoadBalancer;
let counter = 0;
beforeAll(() => {
  stack = testStack(testApp());
  cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
});

/** GIVEN options WHEN a WebService is built THEN it fails with `TestStack/<id>: <text>`. */
function expectServiceError(options: Partial<WebServiceProps>, text: string): void {
  const id = `Web${++counter}`;
  expectConfigError(() => new WebService(stack, id, { cluster, loadBalancer, image: NGINX, ...options }), `TestStack/${id}: ${text}`);
}

describe('the message names the construct, the prop and the value', () => {
  test('Fargate size (the example in the docs)', () => {
    // GIVEN
    const s = testStack(testApp());
    const c = new ServiceCluster(s, 'Cluster', { restrictDefaultSecurityGroup: false });
    const lb = new ServiceLoadBalancer(s, 'LB', { vpc: c.vpc });
    // WHEN / THEN
    expect(() => new WebService(s, 'Web', { cluster: c, loadBalancer: lb, image: NGINX, memoryMiB: 4096 }))
      .toThrow(/TestStack\/Web: cpu 256 with memoryMiB 4096 is not a Fargate size; with cpu 256 use memoryMiB 512, 1024 or 2048/);
  });
});

describe('task rules (task-validation.ts, fargate-size.ts)', () => {
  const secret = () => ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, `S${++counter}`, 'db'));
  const cases: Array<[string, Partial<WebServiceOptions>, string]> = [
    ['image missing', { image: undefined }, 'image undefined is missing'],
    ['cpu not a Fargate CPU size', { cpu: 300 }, 'cpu 300 is not a Fargate CPU size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384'],
    ['cpu/memory not a Fargate size (steps)', { cpu: 1024, memoryMiB: 1024 }, 'cpu 1024 with memoryMiB 1024 is not a Fargate size; with cpu 1024 use memoryMiB 2048 to 8192 in steps of 1024'],
    ['architecture', { architecture: 'MIPS' as Architecture }, 'architecture "MIPS" is not an architecture'],
    ['family', { family: 'my family' }, 'family "my family" is not valid'],
    ['containerName', { containerName: 'my app' }, 'containerName "my app" is not valid'],
    ['containerPort', { containerPort: 70000 }, 'containerPort 70000 is out of range; use an integer from 1 to 65535'],
    ['cpuReservation', { cpuReservation: 300 }, "cpuReservation 300 is out of range; use an integer from 0 to 256 CPU units (the task's cpu)"],
    ['memoryLimitMiB', { memoryLimitMiB: 4 }, "memoryLimitMiB 4 is out of range; use an integer from 6 to 512 MiB (the task's memoryMiB)"],
    ['stopTimeout', { stopTimeout: Duration.seconds(121) }, 'stopTimeout 2 minutes 1 second is out of range; use whole seconds from 2 to 120'],
    ['environment name', { environment: { '1BAD': 'x' } }, 'environment "1BAD" is not valid'],
    ['secrets name', { secrets: { 'DB-PASSWORD': undefined as any } }, 'secrets "DB-PASSWORD" is not valid'],
    ['containerHealthCheck.command', { containerHealthCheck: { command: [] } }, 'containerHealthCheck.command [] is empty'],
    ['containerHealthCheck.interval', { containerHealthCheck: { command: ['CMD', 'true'], interval: Duration.seconds(4) } }, 'containerHealthCheck.interval 4 seconds is out of range; use whole seconds from 5 to 300'],
    ['containerHealthCheck.timeout range', { containerHealthCheck: { command: ['CMD', 'true'], timeout: Duration.seconds(1) } }, 'containerHealthCheck.timeout 1 second is out of range; use whole seconds from 2 to 60'],
    ['containerHealthCheck.retries', { containerHealthCheck: { command: ['CMD', 'true'], retries: 11 } }, 'containerHealthCheck.retries 11 is out of range; use an integer from 1 to 10'],
    ['containerHealthCheck.startPeriod', { containerHealthCheck: { command: ['CMD', 'true'], startPeriod: Duration.seconds(301) } }, 'containerHealthCheck.startPeriod 5 minutes 1 second is out of range; use whole seconds from 0 to 300'],
    ['containerHealthCheck.timeout not below interval', { containerHealthCheck: { command: ['CMD', 'true'], interval: Duration.seconds(10), timeout: Duration.seconds(10) } }, 'containerHealthCheck.timeout 10 seconds is not shorter than the interval 10 seconds'],
    ['writablePaths with a writable root', { readonlyRootFilesystem: false, writablePaths: ['/data'] }, 'writablePaths ["/data"] only applies with a read-only root filesystem'],
    ['writablePaths not absolute', { writablePaths: ['tmp'] }, 'writablePaths "tmp" is not valid'],
    ['writablePaths twice', { writablePaths: ['/tmp', '/tmp/'] }, 'writablePaths "/tmp/" is listed twice'],
    ['sidecar image missing', { sidecars: [{ containerName: 'proxy', image: undefined as any }] }, 'sidecars[0].image undefined is missing'],
    ['sidecar containerName', { sidecars: [{ containerName: 'my proxy', image: NGINX }] }, 'sidecars[0].containerName "my proxy" is not valid'],
    ['sidecar containerName taken', { sidecars: [{ containerName: 'app', image: NGINX }] }, 'sidecars[0].containerName "app" is already used in this task'],
    ['sidecar containerPort taken (by the default 8080)', { sidecars: [{ containerName: 'proxy', image: NGINX, containerPort: 8080 }] }, 'sidecars[0].containerPort 8080 is already used by containerPort'],
    ['sidecar options are checked like the main ones, with their prefix', { sidecars: [{ containerName: 'proxy', image: NGINX, stopTimeout: Duration.seconds(1) }] }, 'sidecars[0].stopTimeout 1 second is out of range'],
    ['cpuReservation summed over containers', { cpuReservation: 200, sidecars: [{ containerName: 'proxy', image: NGINX, cpuReservation: 100 }] }, "cpuReservation 300 (summed over all containers) exceeds the task's cpu 256"],
  ];
  test.each(cases)('%s', (_name, options, text) => {
    expectServiceError(options, text);
  });

  test('secrets also in environment', () => {
    expectServiceError({ environment: { DB: 'x' }, secrets: { DB: secret() } }, 'secrets "DB" is also a plain environment variable');
  });
});

describe('service rules (web-service.ts: validateWebService, validateHealthCheck)', () => {
  const cases: Array<[string, Partial<WebServiceProps>, string]> = [
    ['cluster missing', { cluster: undefined }, 'cluster undefined is missing; give a ServiceCluster'],
    ['loadBalancer missing', { loadBalancer: undefined }, 'loadBalancer undefined is missing; give a ServiceLoadBalancer'],
    ['healthCheck.path', { healthCheck: { path: 'health' } }, 'healthCheck.path "health" is not valid; use a path that starts with "/"'],
    ['healthCheck.interval', { healthCheck: { interval: Duration.seconds(301) } }, 'healthCheck.interval 5 minutes 1 second is out of range; use whole seconds from 5 to 300'],
    ['healthCheck.timeout range', { healthCheck: { timeout: Duration.seconds(1) } }, 'healthCheck.timeout 1 second is out of range; use whole seconds from 2 to 120'],
    ['healthCheck.timeout not below interval', { healthCheck: { timeout: Duration.seconds(5) } }, 'healthCheck.timeout 5 seconds is not shorter than healthCheck.interval 5 seconds'],
    ['healthCheck.healthyThresholdCount', { healthCheck: { healthyThresholdCount: 1 } }, 'healthCheck.healthyThresholdCount 1 is out of range; use an integer from 2 to 10'],
    ['healthCheck.unhealthyThresholdCount', { healthCheck: { unhealthyThresholdCount: 11 } }, 'healthCheck.unhealthyThresholdCount 11 is out of range; use an integer from 2 to 10'],
    ['healthCheck.healthyHttpCodes', { healthCheck: { healthyHttpCodes: '200-600' } }, 'healthCheck.healthyHttpCodes "200-600" is not valid'],
    ['deregistrationDelay', { deregistrationDelay: Duration.seconds(3601) }, 'deregistrationDelay 1 hour 1 second is out of range; use whole seconds from 0 to 3600'],
    ['healthCheckGracePeriod (whole seconds)', { healthCheckGracePeriod: Duration.millis(1500) }, 'healthCheckGracePeriod 1 second 500 millis is out of range; use whole seconds'],
    ['minHealthyPercent', { minHealthyPercent: 101 }, 'minHealthyPercent 101 is out of range; use an integer from 0 to 100'],
    ['maxHealthyPercent', { maxHealthyPercent: 250 }, 'maxHealthyPercent 250 is out of range; use an integer from 100 to 200'],
    ['maxHealthyPercent not above minHealthyPercent', { maxHealthyPercent: 100 }, 'maxHealthyPercent 100 leaves no room to deploy with minHealthyPercent 100'],
    ['serviceName', { serviceName: 'my service' }, 'serviceName "my service" is not valid'],
    ['ECS Exec with a read-only root', { enableExecuteCommand: true }, 'enableExecuteCommand true needs a writable root filesystem'],
    ['spot.spotWeight', { spot: { spotWeight: 1001 } }, 'spot.spotWeight 1001 is out of range; use an integer from 0 to 1000'],
    ['spot.onDemandWeight', { spot: { spotWeight: 1, onDemandWeight: -1 } }, 'spot.onDemandWeight -1 is out of range'],
    ['spot.onDemandBase', { spot: { spotWeight: 1, onDemandBase: 100_001 } }, 'spot.onDemandBase 100001 is out of range; use an integer from 0 to 100000'],
    ['spot weights both 0', { spot: { spotWeight: 0, onDemandWeight: 0 } }, 'spot.spotWeight 0 with onDemandWeight 0 places no task'],
    ['assignPublicIp in private subnets', { assignPublicIp: true }, "assignPublicIp true in the cluster's private task subnets adds a public IPv4 address"],
  ];
  test.each(cases)('%s', (_name, options, text) => {
    expectServiceError(options, text);
  });

  test('assignPublicIp false in public subnets (PUBLIC_ONLY)', () => {
    // GIVEN
    const s = testStack(testApp());
    const c = new ServiceCluster(s, 'Cluster', { network: NetworkLayout.PUBLIC_ONLY, restrictDefaultSecurityGroup: false });
    const lb = new ServiceLoadBalancer(s, 'LB', { vpc: c.vpc });
    // WHEN / THEN
    expectConfigError(() => new WebService(s, 'Web', { cluster: c, loadBalancer: lb, image: NGINX, assignPublicIp: false }),
      "TestStack/Web: assignPublicIp false in the cluster's public task subnets leaves tasks unable to pull images");
  });

  test('load balancer and cluster in different VPCs', () => {
    // GIVEN a load balancer in another VPC
    const otherVpc = new ec2.Vpc(stack, 'OtherVpc', { maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false });
    const otherLb = new ServiceLoadBalancer(stack, 'OtherLB', { vpc: otherVpc });
    // WHEN / THEN
    expectServiceError({ loadBalancer: otherLb },
      'loadBalancer "TestStack/OtherLB" is in VPC TestStack/OtherVpc, not in the cluster\'s VPC TestStack/Cluster/Network/Vpc');
  });

  test('Fargate Spot on a cluster without the Fargate capacity providers fails at synth', () => {
    // GIVEN
    const app = testApp();
    const s = testStack(app);
    const c = new ServiceCluster(s, 'Cluster', { enableFargateSpot: false, restrictDefaultSecurityGroup: false });
    const lb = new ServiceLoadBalancer(s, 'LB', { vpc: c.vpc });
    new WebService(s, 'Web', { cluster: c, loadBalancer: lb, image: NGINX, spot: { spotWeight: 1 } });
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/TestStack\/Web: spot \{"spotWeight":1\} needs the FARGATE and FARGATE_SPOT capacity providers on the cluster/);
  });
});

describe('scaling rules (service-scaling.ts: validateScaling)', () => {
  const cron = appscaling.Schedule.cron({ hour: '8', minute: '0' });
  const cases: Array<[string, Partial<WebServiceOptions>, string]> = [
    ['desiredCount', { desiredCount: -1 }, 'desiredCount -1 is out of range; use an integer from 0 to 5000'],
    ['scaling.minCapacity', { scaling: { minCapacity: -1 } }, 'scaling.minCapacity -1 is out of range; use an integer from 0 to 5000'],
    ['scaling.maxCapacity', { scaling: { maxCapacity: 0 } }, 'scaling.maxCapacity 0 is out of range; use an integer from 1 to 5000'],
    ['scaling.minCapacity above maxCapacity', { scaling: { minCapacity: 5 } }, 'scaling.minCapacity 5 is above scaling.maxCapacity 4'],
    ['desiredCount outside the scaling range', { desiredCount: 6, scaling: {} }, "desiredCount 6 is outside scaling's range [1, 4]"],
    ['scaling.targetCpuPercent', { scaling: { targetCpuPercent: 0 } }, 'scaling.targetCpuPercent 0 is out of range; use a number from 1 to 100'],
    ['scaling.targetMemoryPercent', { scaling: { targetMemoryPercent: 101 } }, 'scaling.targetMemoryPercent 101 is out of range; use a number from 1 to 100'],
    ['scaling.requestsPerTarget', { scaling: { requestsPerTarget: 0 } }, 'scaling.requestsPerTarget 0 is out of range; use an integer from 1 to 1000000'],
    ['scaling.scaleInCooldown', { scaling: { scaleInCooldown: Duration.hours(2) } }, 'scaling.scaleInCooldown 2 hours is out of range; use whole seconds from 0 to 3600'],
    ['scaling.scaleOutCooldown', { scaling: { scaleOutCooldown: Duration.millis(500) } }, 'scaling.scaleOutCooldown 500 millis is out of range'],
    ['schedule name', { scaling: { schedules: [{ name: 'office hours', schedule: cron, minCapacity: 2 }] } }, 'scaling.schedules[0].name "office hours" is not valid'],
    ['schedule name twice', { scaling: { schedules: [{ name: 'day', schedule: cron, minCapacity: 2 }, { name: 'day', schedule: cron, minCapacity: 1 }] } }, 'scaling.schedules[1].name "day" is used twice'],
    ['schedule that changes nothing', { scaling: { schedules: [{ name: 'noop', schedule: cron }] } }, 'scaling.schedules[0] "noop" changes nothing; give minCapacity and/or maxCapacity'],
    ['schedule minCapacity', { scaling: { schedules: [{ name: 'day', schedule: cron, minCapacity: -1 }] } }, 'scaling.schedules[0].minCapacity -1 is out of range'],
    ['schedule maxCapacity', { scaling: { schedules: [{ name: 'day', schedule: cron, maxCapacity: 5001 }] } }, 'scaling.schedules[0].maxCapacity 5001 is out of range'],
    ['schedule minCapacity above maxCapacity', { scaling: { schedules: [{ name: 'day', schedule: cron, minCapacity: 3, maxCapacity: 2 }] } }, 'scaling.schedules[0].minCapacity 3 is above scaling.schedules[0].maxCapacity 2'],
  ];
  test.each(cases)('%s', (_name, options, text) => {
    expectServiceError(options, text);
  });

  test('requestsPerTarget needs a load balancer', () => {
    // GIVEN a service without a load balancer (validateScaling is shared with such services)
    const scope = new Stack(undefined, 'Plain');
    // WHEN / THEN
    expectConfigError(() => validateScaling(scope, { requestsPerTarget: 100 }, undefined, false),
      'Plain: scaling.requestsPerTarget 100 needs a load balancer');
  });
});

describe('bundle rules (container-web-app.ts)', () => {
  function expectAppError(props: Partial<ContainerWebAppProps>, text: string): void {
    const id = `App${++counter}`;
    expectConfigError(() => new ContainerWebApp(stack, id, { image: NGINX, ...props }), `TestStack/${id}: ${text}`);
  }

  test('repository with repositoryProps', () => {
    const repository = new ImageRepository(stack, `Repo${++counter}`);
    expectAppError({ repository, repositoryProps: { imageScanOnPush: false } },
      'repositoryProps {"imageScanOnPush":false} cannot be combined with repository');
  });

  test('cluster with vpc', () => {
    expectAppError({ cluster, vpc: cluster.vpc }, 'vpc "TestStack/Cluster/Network/Vpc" cannot be combined with cluster');
  });

  test('cluster with network', () => {
    expectAppError({ cluster, network: NetworkLayout.PUBLIC_ONLY }, 'network "PUBLIC_ONLY" cannot be combined with cluster');
  });

  test('vpc with network', () => {
    expectAppError({ vpc: cluster.vpc, network: NetworkLayout.PUBLIC_ONLY }, 'network "PUBLIC_ONLY" cannot be combined with vpc');
  });

  test('restrictDefaultSecurityGroup with cluster', () => {
    expectAppError({ cluster, restrictDefaultSecurityGroup: false }, 'restrictDefaultSecurityGroup false cannot be combined with cluster');
  });

  test('loadBalancer with a setting of a new load balancer', () => {
    expectAppError({ cluster, loadBalancer, domainName: 'app.example.com' }, 'domainName "app.example.com" cannot be combined with loadBalancer');
    expectAppError({ cluster, loadBalancer, allowedCidrs: ['10.0.0.0/8'] }, 'allowedCidrs ["10.0.0.0/8"] cannot be combined with loadBalancer');
    const certificate = acm.Certificate.fromCertificateArn(stack, `Cert${++counter}`, 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    expectAppError({ cluster, loadBalancer, certificate }, `certificate "${certificate.node.path}" cannot be combined with loadBalancer`);
  });

  test('loadBalancer without cluster (a new network would not be its VPC)', () => {
    expectAppError({ loadBalancer }, 'loadBalancer "TestStack/LB" needs cluster (or vpc) too');
  });

  test('service options are checked too, naming the service inside the app', () => {
    expectConfigError(() => new ContainerWebApp(stack, 'BadSize', { image: NGINX, cluster, loadBalancer, cpu: 512, memoryMiB: 512, pathPatterns: ['/x/*'] }),
      'TestStack/BadSize/Service: cpu 512 with memoryMiB 512 is not a Fargate size; with cpu 512 use memoryMiB 1024, 2048, 3072 or 4096');
  });
});
