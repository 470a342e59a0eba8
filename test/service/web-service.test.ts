import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { WebService, WebServiceOptions } from '../../lib/service';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

interface Fixture {
  stack: Stack;
  cluster: ServiceCluster;
  loadBalancer: ServiceLoadBalancer;
}

/** A stack with a cluster (no default-SG custom resource: faster) and a shared load balancer. */
function fixture(network = NetworkLayout.SINGLE_NAT): Fixture {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network, restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  return { stack, cluster, loadBalancer };
}

function webService(f: Fixture, id: string, options: Partial<WebServiceOptions> = {}): WebService {
  return new WebService(f.stack, id, { cluster: f.cluster, loadBalancer: f.loadBalancer, image: NGINX, ...options });
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('WebService defaults (SINGLE_NAT, three services on one load balancer)', () => {
  // GIVEN one load balancer with a default service and two path-routed ones (one synth)
  let f: Fixture;
  let web: WebService;
  let api: WebService;
  let admin: WebService;
  let template: Template;
  beforeAll(() => {
    f = fixture();
    // WHEN
    web = webService(f, 'Web');
    api = webService(f, 'Api', { pathPatterns: ['/api/*'] });
    admin = webService(f, 'Admin', { pathPatterns: ['/admin/*'], hostHeaders: ['admin.example.com'] });
    template = Template.fromStack(f.stack);
  });

  test('fast, safe rolling deploys: circuit breaker with rollback, 100 %/200 %, 60 s grace', () => {
    // THEN
    template.resourceCountIs('AWS::ECS::Service', 3);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true, ResetOnHealthyTask: false },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
      HealthCheckGracePeriodSeconds: 60,
      DesiredCount: 1,
      EnableExecuteCommand: false,
      LaunchType: 'FARGATE',
      CapacityProviderStrategy: Match.absent(),
      LoadBalancers: [{ ContainerName: 'app', ContainerPort: 8080, TargetGroupArn: { Ref: logicalId(f.stack, web.targetGroup) } }],
    });
  });

  test('tasks get no public IP in the SINGLE_NAT layout and run in the private subnets', () => {
    // THEN
    const service = template.findResources('AWS::ECS::Service')[logicalId(f.stack, web.ecsService)] as any;
    const awsvpc = service.Properties.NetworkConfiguration.AwsvpcConfiguration;
    expect(awsvpc.AssignPublicIp).toBe('DISABLED');
    expect(awsvpc.SecurityGroups).toEqual([
      { 'Fn::GetAtt': [logicalId(f.stack, web.securityGroup), 'GroupId'] },
      { 'Fn::GetAtt': [logicalId(f.stack, f.loadBalancer.targetSecurityGroup), 'GroupId'] },
    ]);
    const privateSubnets = f.cluster.vpc.privateSubnets.map((s) => ({ Ref: logicalId(f.stack, s) }));
    expect(awsvpc.Subnets).toEqual(privateSubnets);
  });

  test("the main container listens on 8080 (the web service's default port)", () => {
    // THEN
    expect(web.containerPort).toBe(8080);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'app', PortMappings: [{ ContainerPort: 8080, Name: 'app-8080', Protocol: 'tcp' }] })],
    });
  });

  test('target group: ip targets, tight health check, 20 s deregistration delay', () => {
    // THEN
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 3);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 8080,
      Protocol: 'HTTP',
      HealthCheckEnabled: true,
      HealthCheckPath: '/',
      HealthCheckProtocol: 'HTTP',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200-399' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '20' }]),
    });
  });

  test('tasks accept traffic on the container port only, and only from the load balancer', () => {
    // THEN
    const taskSg = logicalId(f.stack, web.securityGroup);
    const targetSg = logicalId(f.stack, f.loadBalancer.targetSecurityGroup);
    const lbSg = logicalId(f.stack, f.loadBalancer.securityGroup);
    // The service's own group admits nothing.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Tasks of TestStack/Web: ingress from the load balancer only',
      SecurityGroupIngress: Match.absent(),
    });
    const ingressOf = (sg: string) => Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r: any) => r.Properties)
      .filter((p: any) => JSON.stringify(p.GroupId).includes(sg));
    expect(ingressOf(taskSg)).toEqual([]);
    // The shared target group admits the load balancer on 8080, once for all three services.
    expect(ingressOf(targetSg)).toEqual([{
      Description: 'Load balancer to its targets on 8080',
      FromPort: 8080,
      ToPort: 8080,
      IpProtocol: 'tcp',
      GroupId: { 'Fn::GetAtt': [targetSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [lbSg, 'GroupId'] },
    }]);
    // The load balancer (no open egress) may reach the targets on that port, and nothing else.
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r: any) => r.Properties)
      .filter((p: any) => JSON.stringify(p.GroupId).includes(lbSg));
    expect(egress).toEqual([expect.objectContaining({
      DestinationSecurityGroupId: { 'Fn::GetAtt': [targetSg, 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
    })]);
  });

  test('a service without paths or hosts is the listener default action', () => {
    // THEN
    expect(web.listenerRule).toBeUndefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId(f.stack, web.targetGroup) } }],
    });
  });

  test('path- and host-routed services get listener rules with distinct priorities', () => {
    // THEN
    expect(api.listenerRule).toBeDefined();
    expect(admin.listenerRule).toBeDefined();
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
    // automatic priorities (see lib/load-balancer/route-priority.ts): host + path before path only
    const priorityOf = (rule: unknown) => (rule as { node: { defaultChild: { priority: number } } }).node.defaultChild.priority;
    expect(priorityOf(admin.listenerRule)).toBeLessThan(priorityOf(api.listenerRule));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: priorityOf(api.listenerRule),
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId(f.stack, api.targetGroup) } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: priorityOf(admin.listenerRule),
      Conditions: Match.arrayWith([
        { Field: 'host-header', HostHeaderConfig: { Values: ['admin.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } },
      ]),
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId(f.stack, admin.targetGroup) } }],
    });
  });

  test('rolling-deploy estimate is 60 s by default', () => {
    // THEN 30 s start + 5 s × 2 + 20 s
    expect(web.rollingDeployEstimateSeconds).toBe(60);
  });

  test('no ECS Exec permissions unless asked', () => {
    // THEN
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('ssmmessages');
  });
});

describe('WebService in the PUBLIC_ONLY layout with ECS Exec, Fargate Spot and scaling', () => {
  // GIVEN (one synth)
  let f: Fixture;
  let web: WebService;
  let template: Template;
  beforeAll(() => {
    f = fixture(NetworkLayout.PUBLIC_ONLY);
    // WHEN
    web = webService(f, 'Web', {
      enableExecuteCommand: true,
      readonlyRootFilesystem: false,
      spot: { spotWeight: 3, onDemandWeight: 1, onDemandBase: 2 },
      scaling: { maxCapacity: 6 },
      serviceName: 'web',
      priority: 5,
      pathPatterns: ['/'],
    });
    template = Template.fromStack(f.stack);
  });

  test('tasks get a public IP in public subnets', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
    });
  });

  test('tasks ask ECS for their public IP (awsvpc AssignPublicIp), so public subnets that map none on launch (CT.EC2.PR.11) leave them reachable', () => {
    // THEN the subnets the tasks run in assign no public IP themselves
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')) as any[];
    expect(subnets.length).toBeGreaterThan(0);
    for (const subnet of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    // and the service requests one per task
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
    });
  });

  test('ECS Exec is on, and the task role may open SSM message channels', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true, ServiceName: 'web' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel',
            'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel']),
          Effect: 'Allow',
        })]),
      },
      Roles: [{ Ref: logicalId(f.stack, web.taskDefinition.taskRole) }],
    });
  });

  test('Fargate Spot: capacity provider strategy with the on-demand base, and no launch type', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: Match.absent(),
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Weight: 1, Base: 2 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      ],
    });
  });

  test('with scaling on, the desired count is left to scaling', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 6 });
    expect(web.scaling).toBeDefined();
  });

  test('an explicit priority is used', () => {
    // THEN
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 5 });
  });
});

describe('WebService settings', () => {
  test('custom health check, drain and deploy bounds reach the template, and the estimate follows them', () => {
    // GIVEN
    const f = fixture();
    // WHEN
    const web = webService(f, 'Web', {
      containerPort: 3000,
      healthCheck: {
        path: '/healthz',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 3,
        unhealthyThresholdCount: 4,
        healthyHttpCodes: '200,204',
      },
      deregistrationDelay: Duration.seconds(45),
      healthCheckGracePeriod: Duration.seconds(120),
      minHealthyPercent: 50,
      maxHealthyPercent: 150,
      desiredCount: 3,
    });
    // THEN 30 s + 10 s × 3 + 45 s
    expect(web.rollingDeployEstimateSeconds).toBe(105);
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 4,
      Matcher: { HttpCode: '200,204' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '45' }]),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 3,
      HealthCheckGracePeriodSeconds: 120,
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 50, MaximumPercent: 150 }),
      LoadBalancers: [Match.objectLike({ ContainerPort: 3000 })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 3000, ToPort: 3000, Description: 'Load balancer to its targets on 3000' });
  });
});

describe('WebService health check on another port than the traffic', () => {
  test('the target group checks that port, and the load balancer may reach the tasks on it', () => {
    // GIVEN / WHEN
    const f = fixture();
    webService(f, 'Web', { containerPort: 8080, healthCheck: { path: '/health', port: 9090 } });
    // THEN
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPort: '9090', HealthCheckPath: '/health' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 9090, ToPort: 9090, Description: 'Load balancer to its targets on 9090' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, ToPort: 8080 });
  });

  test('a port out of range fails at synth', () => {
    expect(() => webService(fixture(), 'Web', { healthCheck: { port: 70000 } })).toThrow(/healthCheck\.port 70000/);
  });
});
