import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ServiceCluster } from '../../lib/cluster';
import { DeploymentStrategy } from '../../lib/deployment';
import { DeployChecks } from '../../lib/deploy-checks';
import { StackTemplate } from '../../lib/deploy-checks/rule';
import { ESK_ELB8 } from '../../lib/deploy-checks/rules/elb/load-balancer-cannot-reach-tasks';
import { compareTemplates, replacedResources } from '../../lib/deploy-checks/update-hazards';
import { ServiceImage } from '../../lib/image';
import { NetworkProtocol, ServiceNetworkLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { NetworkHealthCheckProtocol, NetworkService, NetworkServiceOptions } from '../../lib/service';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/eclipse-mosquitto:2');
const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

interface Fixture { stack: Stack; cluster: ServiceCluster; loadBalancer: ServiceNetworkLoadBalancer }

function fixture(options: { deployChecks?: boolean } = {}): Fixture {
  const app = testApp();
  if (options.deployChecks) Validations.of(app).addPlugins(new DeployChecks());
  const stack = testStack(app);
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceNetworkLoadBalancer(stack, 'Nlb', { vpc: cluster.vpc });
  return { stack, cluster, loadBalancer };
}

function service(f: Fixture, id: string, options: Partial<NetworkServiceOptions> = {}): NetworkService {
  const s = new NetworkService(f.stack, id, { cluster: f.cluster, loadBalancer: f.loadBalancer, image: IMAGE, port: 1883, ...options });
  Validations.of(s).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'test' });
  return s;
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('NetworkService defaults (TCP)', () => {
  let f: Fixture;
  let broker: NetworkService;
  let template: Template;
  beforeAll(() => {
    f = fixture({ deployChecks: true });
    broker = service(f, 'Broker');
    template = Template.fromStack(f.stack);
  });

  test('target group: TCP to the container port, IP targets, 120 s drain then reset (an NLB sends new connections to a deregistered target for up to two minutes), client IP not preserved (stated)', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TCP', Port: 8080, TargetType: 'ip',
      HealthCheckProtocol: 'TCP', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 4, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
      HealthCheckPath: Match.absent(), Matcher: Match.absent(),
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '120' },
        { Key: 'preserve_client_ip.enabled', Value: 'false' },
        { Key: 'deregistration_delay.connection_termination.enabled', Value: 'true' },
      ]),
    });
  });

  test('the rolling-deploy estimate is 30 s start + 5 s × 2 + 120 s = 160 s, read back from the template', () => {
    const [tg] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    const p = tg.Properties;
    const drain = Number(p.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
    expect(30 + p.HealthCheckIntervalSeconds * p.HealthyThresholdCount + drain).toBe(160);
    expect(broker.rollingDeployEstimateSeconds).toBe(160);
  });

  test('lifecycle, create: the listener is on the load balancer port and the service depends on it (ECS refuses a target group no listener forwards to)', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 1883, Protocol: 'TCP',
      LoadBalancerArn: { Ref: logicalId(f.stack, f.loadBalancer.networkLoadBalancer) },
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId(f.stack, broker.targetGroup) } }],
    });
    template.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith([logicalId(f.stack, broker.listener)]) });
  });

  test('circuit breaker with rollback, no library deployment alarm, rolling only', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true, ResetOnHealthyTask: false },
        MinimumHealthyPercent: 100, MaximumPercent: 200, Strategy: 'ROLLING',
        Alarms: { AlarmNames: [], Enable: false, Rollback: false },
      }),
      HealthCheckGracePeriodSeconds: 60,
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(broker.deploymentAlarms).toEqual([]);
    expect(broker.releaseSafety.detectSeconds).toBeUndefined();
  });

  test('tasks join the load balancer\'s target group, which admits only the load balancer\'s group on the container port', () => {
    const targetSg = logicalId(f.stack, f.loadBalancer.targetSecurityGroup);
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ SecurityGroups: Match.arrayWith([{ 'Fn::GetAtt': [targetSg, 'GroupId'] }]) }) },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [targetSg, 'GroupId'] }, IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(f.stack, f.loadBalancer.securityGroup), 'GroupId'] },
    });
    // The tasks' own group admits nothing.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Tasks of TestStack/Broker: ingress from the network load balancer only',
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('the deploy checks pass (listener order, load balancer reaches the tasks)', () => {
    Annotations.fromStack(f.stack).hasNoError('*', Match.anyValue());
  });
});

describe('NetworkService protocols', () => {
  test('UDP: UDP target group with client IPs preserved, one UDP port mapping, UDP and TCP (health check) opened to the load balancer, deploy checks pass', () => {
    const f = fixture({ deployChecks: true });
    const game = service(f, 'Game', { port: 7777, protocol: NetworkProtocol.UDP, containerPort: 7777 });
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'UDP', HealthCheckProtocol: 'TCP',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'preserve_client_ip.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 7777, Protocol: 'UDP' });
    // One mapping for the load-balanced port (ECS has refused a port in two mappings, TCP and UDP)
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    expect(definition.Properties.ContainerDefinitions[0].PortMappings).toEqual([expect.objectContaining({ ContainerPort: 7777, Protocol: 'udp' })]);
    const targetSg = { 'Fn::GetAtt': [logicalId(f.stack, f.loadBalancer.targetSecurityGroup), 'GroupId'] };
    const rules = template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: targetSg } });
    expect(Object.values(rules).map((r: any) => `${r.Properties.IpProtocol} ${r.Properties.FromPort}`).sort()).toEqual(['tcp 7777', 'udp 7777']);
    expect(game.port).toBe(7777);
  });

  test('TLS: terminated at the load balancer (certificate, policy, ALPN), TCP to the tasks, access logs on', () => {
    const f = fixture();
    const certificate = acm.Certificate.fromCertificateArn(f.stack, 'Cert', CERT_ARN);
    service(f, 'Grpc', { port: 443, protocol: NetworkProtocol.TLS, certificate, alpnPolicy: elbv2.AlpnPolicy.HTTP2_ONLY });
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443, Protocol: 'TLS', AlpnPolicy: ['HTTP2Only'], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Protocol: 'TCP' });
    template.resourceCountIs('AWS::S3::Bucket', 1);
  });

  test('TLS in a stack without env (what cdk init makes): access logs with the bucket policy NLB log delivery needs, for this account only, before the load balancer', () => {
    // GIVEN a stack whose region and account are only known at deploy
    const stack = new Stack(testApp(), 'Agnostic');
    const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    const loadBalancer = new ServiceNetworkLoadBalancer(stack, 'Nlb', { vpc: cluster.vpc });
    // WHEN
    service({ stack, cluster, loadBalancer }, 'Grpc', { port: 443, protocol: NetworkProtocol.TLS, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN) });
    // THEN
    const template = Template.fromStack(stack);
    const source = { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Sid: 'AWSLogDeliveryWrite', Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 's3:PutObject',
          Condition: { StringEquals: { ...source, 's3:x-amz-acl': 'bucket-owner-full-control' }, ArnLike: Match.anyValue() } }),
        Match.objectLike({ Sid: 'AWSLogDeliveryAclCheck', Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 's3:GetBucketAcl',
          Condition: { StringEquals: source, ArnLike: Match.anyValue() } }),
      ]) },
    });
    const [nlb] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    expect(nlb.Properties.LoadBalancerAttributes).toEqual(expect.arrayContaining([{ Key: 'access_logs.s3.enabled', Value: 'true' }]));
    const [policyId] = Object.keys(template.findResources('AWS::S3::BucketPolicy'));
    expect(nlb.DependsOn).toEqual(expect.arrayContaining([policyId]));
  });

  test('HTTP health check on another port: path, codes, and that port opened to the load balancer', () => {
    const f = fixture();
    service(f, 'Broker', { healthCheck: { protocol: NetworkHealthCheckProtocol.HTTP, port: 9000, path: '/healthz' } });
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckProtocol: 'HTTP', HealthCheckPort: '9000', HealthCheckPath: '/healthz', Matcher: { HttpCode: '200-399' },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 9000, ToPort: 9000 });
  });
});

describe('several NetworkServices on one load balancer', () => {
  test('each on its own listener port; a shared container port is opened once', () => {
    const f = fixture();
    service(f, 'Mqtt', { port: 1883 });
    service(f, 'MqttWs', { port: 8083 });
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    expect(Object.keys(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { FromPort: 8080 } }))).toHaveLength(1);
  });

  test('a port clash names both services', () => {
    const f = fixture();
    service(f, 'Mqtt', { port: 1883 });
    expect(() => service(f, 'Other', { port: 1883, protocol: NetworkProtocol.UDP }))
      .toThrow(/^TestStack\/Other: port 1883 is already the TCP listener port of TestStack\/Mqtt on the load balancer TestStack\/Nlb/);
  });

  test('lifecycle, removal: the listener belongs to the service, so removing the service removes its listener and keeps the load balancer', () => {
    const withBoth = fixture();
    service(withBoth, 'Mqtt', { port: 1883 });
    service(withBoth, 'Game', { port: 7777, protocol: NetworkProtocol.UDP });
    const withOne = fixture();
    service(withOne, 'Mqtt', { port: 1883 });
    const before = Template.fromStack(withBoth.stack).toJSON().Resources;
    const after = Template.fromStack(withOne.stack).toJSON().Resources;
    const removed = Object.keys(before).filter((id) => !(id in after));
    // The service's resources, and the load balancer's rules for the port only it used (closed again).
    const leftovers = removed.filter((id) => !id.startsWith('Game'));
    expect(leftovers.map((id) => `${before[id].Type} ${before[id].Properties.IpProtocol} ${before[id].Properties.FromPort}`).sort())
      .toEqual(['AWS::EC2::SecurityGroupEgress udp 8080', 'AWS::EC2::SecurityGroupIngress udp 8080']);
    expect(removed.map((id) => before[id].Type)).toEqual(expect.arrayContaining(['AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ECS::Service']));
    // The load balancer and its security group are unchanged.
    const lbId = logicalId(withOne.stack, withOne.loadBalancer.networkLoadBalancer);
    expect(after[lbId]).toEqual(before[lbId]);
  });
});

describe('NetworkService validation', () => {
  const cases: Array<[string, Partial<NetworkServiceOptions>, RegExp]> = [
    ['UDP health check', { healthCheck: { protocol: 'UDP' as NetworkHealthCheckProtocol } }, /healthCheck\.protocol "UDP" is not a protocol a network load balancer health-checks with/],
    ['interval under 5 s', { healthCheck: { interval: Duration.seconds(4), timeout: Duration.seconds(2) } }, /healthCheck\.interval .* is out of range; use whole seconds from 5 to 300/],
    ['healthy threshold 11', { healthCheck: { healthyThresholdCount: 11 } }, /healthCheck\.healthyThresholdCount 11 is out of range; use an integer from 2 to 10/],
    ['unhealthy threshold 1', { healthCheck: { unhealthyThresholdCount: 1 } }, /healthCheck\.unhealthyThresholdCount 1 is out of range/],
    ['timeout not under interval', { healthCheck: { interval: Duration.seconds(5), timeout: Duration.seconds(5) } }, /healthCheck\.timeout .* is not shorter than healthCheck\.interval/],
    ['HTTP code 600', { healthCheck: { protocol: NetworkHealthCheckProtocol.HTTP, healthyHttpCodes: '200-600' } }, /healthyHttpCodes "200-600" is not valid; use codes from 200 to 599/],
    ['path on a TCP check', { healthCheck: { path: '/health' } }, /healthCheck\.path "\/health" is given for a TCP health check/],
    ['codes on a TCP check', { healthCheck: { healthyHttpCodes: '200' } }, /healthCheck\.healthyHttpCodes "200" is given for a TCP health check/],
    ['TLS without certificate', { protocol: NetworkProtocol.TLS, port: 443 }, /certificate undefined is missing for a TLS listener/],
    ['UDP with a TLS certificate', { protocol: NetworkProtocol.UDP, certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', CERT_ARN) }, /certificate ".*" is given for a UDP listener/],
    ['UDP without client IP preservation', { protocol: NetworkProtocol.UDP, preserveClientIp: false }, /preserveClientIp false cannot be turned off with UDP/],
    ['port 0', { port: 0 }, /port 0 is out of range; use an integer from 1 to 65535/],
    ['canary', { deployment: { strategy: DeploymentStrategy.canary() } }, /deployment\.strategy "CANARY" is not available for a NetworkService/],
    ['request scaling', { scaling: { requestsPerTarget: 100 } }, /scaling\.requestsPerTarget 100 needs an Application Load Balancer/],
    ['drain over an hour', { deregistrationDelay: Duration.seconds(3601) }, /deregistrationDelay .* is out of range; use whole seconds from 0 to 3600/],
  ];
  test.each(cases)('%s: a named ConfigurationError', (_name, options, message) => {
    const f = fixture();
    expect(() => service(f, 'Broker', options)).toThrow(message);
  });
});

describe('NetworkService lifecycle, update', () => {
  function resources(protocol: NetworkProtocol, port = 1883) {
    const f = fixture();
    service(f, 'Broker', { protocol, port });
    return { f, template: Template.fromStack(f.stack).toJSON() };
  }

  test('TCP → TCP_UDP: the target group is replaced (Protocol is create-only), the listener and the ECS service update in place', () => {
    const before = resources(NetworkProtocol.TCP);
    const after = resources(NetworkProtocol.TCP_UDP);
    const replaced = replacedResources(before.template, after.template);
    const types = [...replaced.keys()].map((id) => after.template.Resources[id].Type);
    expect(types).toContain('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(types).not.toContain('AWS::ElasticLoadBalancingV2::Listener');
    expect(types).not.toContain('AWS::ECS::Service');
    expect(types).not.toContain('AWS::ElasticLoadBalancingV2::LoadBalancer');
    // TCP_UDP keeps the one TCP mapping (ECS has refused a port in two mappings): no new task definition revision
    const definitionOf = (template: any) => Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ECS::TaskDefinition');
    expect(definitionOf(after.template).Properties.ContainerDefinitions[0].PortMappings).toEqual([expect.objectContaining({ ContainerPort: 8080, Protocol: 'tcp' })]);
    expect(definitionOf(after.template)).toEqual(definitionOf(before.template));
    // The deploy checks warn (ESK-UPD14): the listener forwards to the new, empty group first.
    const hazards = compareTemplates({ S: before.template }, { S: after.template });
    expect(hazards.map((h) => `${h.severity} ${h.kind} ${h.type}`)).toEqual(['warning target-group-replaced AWS::ElasticLoadBalancingV2::TargetGroup']);
  });

  test('a new listener port updates the listener in place; the load balancer (security groups set at create) is untouched', () => {
    const before = resources(NetworkProtocol.TCP, 1883);
    const after = resources(NetworkProtocol.TCP, 8883);
    const replaced = replacedResources(before.template, after.template);
    expect([...replaced.keys()].map((id) => after.template.Resources[id].Type)).toEqual([]);
    const lbId = logicalId(after.f.stack, after.f.loadBalancer.networkLoadBalancer);
    expect(after.template.Resources[lbId]).toEqual(before.template.Resources[lbId]);
  });
});

describe('NetworkService and the deploy checks', () => {
  test('UDP with its health check on another port: the load balancer reaches the UDP port and the TCP health-check port (ESK-ELB8 reads the protocol)', () => {
    const f = fixture({ deployChecks: true });
    service(f, 'Game', { port: 7777, protocol: NetworkProtocol.UDP, containerPort: 7777, healthCheck: { port: 8081 } });
    const template = Template.fromStack(f.stack);
    const targetSg = { 'Fn::GetAtt': [logicalId(f.stack, f.loadBalancer.targetSecurityGroup), 'GroupId'] };
    const rules = template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: targetSg } });
    expect(Object.values(rules).map((r: any) => `${r.Properties.IpProtocol} ${r.Properties.FromPort}`).sort()).toEqual(['tcp 8081', 'udp 7777']);
  });

  test('ESK-ELB8 flags a UDP service whose tasks admit the load balancer on TCP only', () => {
    const f = fixture();
    service(f, 'Game', { port: 7777, protocol: NetworkProtocol.UDP, containerPort: 7777 });
    const template = Template.fromStack(f.stack).toJSON();
    const check = (t: any) => ESK_ELB8.check([{ templatePath: 'T.template.json', template: t } satisfies StackTemplate]).map((x) => x.detail);
    expect(check(template)).toEqual([]);
    for (const [id, r] of Object.entries<any>(template.Resources)) {
      if (r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.IpProtocol === 'udp') delete template.Resources[id];
    }
    expect(check(template)).toEqual([expect.stringMatching(/to port 7777\/udp: no ingress into/)]);
  });
});

describe('NetworkService in another stack than its load balancer', () => {
  test('the listener and target group live in the service\'s stack, which depends on the load balancer\'s (no cycle); TLS access logs stay in the load balancer\'s stack', () => {
    const app = testApp();
    const platform = testStack(app, 'Platform');
    const cluster = new ServiceCluster(platform, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    const loadBalancer = new ServiceNetworkLoadBalancer(platform, 'Nlb', { vpc: cluster.vpc });
    const apps = testStack(app, 'Apps');
    const certificate = acm.Certificate.fromCertificateArn(apps, 'Cert', CERT_ARN);
    const s = new NetworkService(apps, 'Grpc', { cluster, loadBalancer, image: IMAGE, port: 443, protocol: NetworkProtocol.TLS, certificate });
    Validations.of(s).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'test' });
    const appsTemplate = Template.fromStack(apps);
    appsTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    appsTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    appsTemplate.resourceCountIs('AWS::S3::Bucket', 0);
    Template.fromStack(platform).resourceCountIs('AWS::S3::Bucket', 1);
    expect(apps.dependencies).toContain(platform);
    expect(platform.dependencies).not.toContain(apps);
  });
});
