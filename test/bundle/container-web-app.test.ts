import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ContainerWebApp } from '../../lib/bundle';
import { ServiceCluster } from '../../lib/cluster';
import { Architecture, ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { ImageRepository } from '../../lib/registry';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const EXAMPLE_APP = path.join(__dirname, '..', '..', 'examples', 'app');

describe('ContainerWebApp, the smallest call', () => {
  // GIVEN / WHEN an app built from a local Dockerfile on ARM64 (one synth)
  let stack: Stack;
  let app: ContainerWebApp;
  let template: Template;
  let assetPlatforms: string[];
  beforeAll(() => {
    const cdkApp = testApp();
    stack = testStack(cdkApp);
    app = new ContainerWebApp(stack, 'App', {
      image: ServiceImage.fromAsset(EXAMPLE_APP),
      architecture: Architecture.ARM64,
      restrictDefaultSecurityGroup: false,
    });
    const assembly = cdkApp.synth();
    template = Template.fromStack(stack);
    const manifest = assembly.artifacts.find((a) => a.id === `${stack.artifactId}.assets`) as any;
    assetPlatforms = Object.values(manifest.contents.dockerImages ?? {}).map((i: any) => i.source.platform);
  });

  test('creates a repository, a cluster in a SINGLE_NAT network, a load balancer and a service', () => {
    // THEN
    template.resourceCountIs('AWS::ECR::Repository', 1);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ECS::Service', 1);
    expect(app.cluster.layout).toBe(NetworkLayout.SINGLE_NAT);
    expect(app.repository.node.path).toBe('TestStack/App/Repository');
    expect(app.cluster.node.path).toBe('TestStack/App/Cluster');
    expect(app.loadBalancer.node.path).toBe('TestStack/App/LoadBalancer');
    expect(app.service.node.path).toBe('TestStack/App/Service');
  });

  test('the service is the default route and its tasks have no public IP', () => {
    // THEN
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: stack.getLogicalId(app.service.targetGroup.node.defaultChild as any) } }],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  test('the image is built for the task architecture', () => {
    // THEN
    expect(assetPlatforms).toEqual(['linux/arm64']);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: Match.objectLike({ CpuArchitecture: 'ARM64' }) });
  });

  test('url points at the load balancer', () => {
    // THEN
    expect(app.url).toBe(app.loadBalancer.url);
    expect(Stack.of(app).resolve(app.url)).toEqual({
      'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [stack.getLogicalId(app.loadBalancer.applicationLoadBalancer.node.defaultChild as any), 'DNSName'] }]],
    });
  });

  test('emits no outputs', () => {
    // THEN
    expect(Object.keys(template.findOutputs('*'))).toEqual([]);
  });
});

describe('ContainerWebApps sharing a cluster, a load balancer and a repository', () => {
  // GIVEN shared parts (one synth)
  let stack: Stack;
  let template: Template;
  let cluster: ServiceCluster;
  let loadBalancer: ServiceLoadBalancer;
  let repository: ImageRepository;
  let web: ContainerWebApp;
  let api: ContainerWebApp;
  beforeAll(() => {
    stack = testStack(testApp());
    cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.PUBLIC_ONLY, restrictDefaultSecurityGroup: false });
    loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    repository = new ImageRepository(stack, 'Repo');
    // WHEN
    web = new ContainerWebApp(stack, 'Web', { image: NGINX, cluster, loadBalancer, repository });
    api = new ContainerWebApp(stack, 'Api', {
      image: ServiceImage.fromImageRepository(repository, { tag: 'v1.0.0' }),
      cluster,
      loadBalancer,
      repository,
      pathPatterns: ['/api/*'],
    });
    template = Template.fromStack(stack);
  });

  test('reuses the given parts instead of creating new ones', () => {
    // THEN
    expect(web.cluster).toBe(cluster);
    expect(api.loadBalancer).toBe(loadBalancer);
    expect(api.repository).toBe(repository);
    template.resourceCountIs('AWS::ECR::Repository', 1);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ECS::Service', 2);
  });

  test('both apps route through the one load balancer without id clashes', () => {
    // THEN
    expect(web.service.listenerRule).toBeUndefined();
    expect(api.service.listenerRule).toBeDefined();
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      // automatic: derived from the route (its path and the service's id), in 10001–49640
      Priority: Match.anyValue(),
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
    });
    const [rule] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')) as any[];
    expect(rule.Properties.Priority).toBeGreaterThanOrEqual(10001);
    expect(rule.Properties.Priority).toBeLessThanOrEqual(49640);
    expect(web.url).toBe(api.url);
  });

  test('tasks follow the shared cluster layout (PUBLIC_ONLY: public IP)', () => {
    // THEN
    const services = Object.values(template.findResources('AWS::ECS::Service')) as any[];
    expect(services.map((s) => s.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp)).toEqual(['ENABLED', 'ENABLED']);
  });

  test('an image from the shared repository can be pulled by its task', () => {
    // THEN
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const pull = statements.find((s: any) => [s.Action].flat().includes('ecr:BatchGetImage'));
    expect(pull.Resource).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(repository.ecrRepository.node.defaultChild as any), 'Arn'] });
  });
});

describe('ContainerWebApp with Service Connect', () => {
  test('serviceConnectNamespace gives the new cluster a namespace the service publishes into', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN
    const app = new ContainerWebApp(stack, 'App', {
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
      serviceConnectNamespace: 'shop.internal',
      serviceConnect: { name: 'web' },
    });
    // THEN
    expect(app.cluster.namespace).toBeDefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'shop.internal' });
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({ Enabled: true, Services: [Match.objectLike({ PortName: 'app-8080' })] }),
    });
  });

  test('serviceConnectNamespace with an existing cluster is a configuration error', () => {
    // GIVEN
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster');
    // WHEN / THEN
    expect(() => new ContainerWebApp(stack, 'App', {
      image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
      cluster,
      serviceConnectNamespace: 'shop.internal',
    })).toThrow(/^TestStack\/App: serviceConnectNamespace "shop.internal" cannot be combined with cluster; create the cluster with serviceConnectNamespace/);
  });
});

describe('ContainerWebApp load-balancer settings', () => {
  test('are passed to the load balancer it creates, under ServiceLoadBalancer\'s names', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN
    const app = new ContainerWebApp(stack, 'App', {
      image: NGINX,
      accessLogs: false,
      idleTimeout: Duration.seconds(120),
      deletionProtection: true,
      internetFacing: false,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'idle_timeout.timeout_seconds', Value: '120' },
      ]),
    });
    expect(app.loadBalancer.accessLogBucket).toBeUndefined();
  });

  test('access-log settings reach the bucket the load balancer creates', () => {
    const stack = testStack(testApp());
    new ContainerWebApp(stack, 'App', { image: NGINX, accessLogExpiry: Duration.days(30), accessLogPrefix: 'web' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.prefix', Value: 'web' }]),
    });
  });

  test('an error from the load balancer names a prop that ContainerWebApp takes', () => {
    const stack = testStack(testApp());
    expect(() => new ContainerWebApp(stack, 'App', { image: NGINX, accessLogs: false, accessLogPrefix: 'web' }))
      .toThrow(/^TestStack\/App\/LoadBalancer: accessLogPrefix "web" is given but accessLogs is false; set accessLogs: true, or leave accessLogPrefix out/);
  });

  test('cannot be combined with an existing loadBalancer', () => {
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster');
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    expect(() => new ContainerWebApp(stack, 'App', { image: NGINX, cluster, loadBalancer, accessLogs: false }))
      .toThrow(/^TestStack\/App: accessLogs false cannot be combined with loadBalancer; configure the load balancer you pass instead/);
  });
});
