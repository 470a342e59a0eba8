import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ServiceCluster } from '../../lib/cluster';
import { compareTemplates, describeHazard, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { DeploymentStrategy } from '../../lib/deployment';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { WebService, WebServiceOptions } from '../../lib/service';
import { testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');
const PROXY = { containerName: 'proxy', image: NGINX, containerPort: 8081 };

function build(options: Partial<WebServiceOptions> = {}, clusterProps: { serviceConnectNamespace?: string } = {}): { stack: Stack; web: WebService; loadBalancer: ServiceLoadBalancer } {
  const stack = testStack();
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false, ...clusterProps });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  const web = new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, containerPort: 8080, ...options });
  return { stack, web, loadBalancer };
}

describe('a WebService whose load balancer reaches a sidecar (a proxy in front of the app)', () => {
  let stack: Stack;
  let web: WebService;
  let template: Template;
  beforeAll(() => {
    // GIVEN / WHEN
    ({ stack, web } = build({ sidecars: [PROXY], targetContainerName: 'proxy' }));
    template = Template.fromStack(stack);
  });

  test('the target group, the health check and the service\'s load balancer entry use the sidecar and its port', () => {
    expect(web.targetContainerName).toBe('proxy');
    expect(web.targetPort).toBe(8081);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8081, HealthCheckPort: Match.absent() });
    template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [{ ContainerName: 'proxy', ContainerPort: 8081, TargetGroupArn: Match.anyValue() }] });
  });

  test('the load balancer may reach the tasks on the sidecar\'s port (and the main container keeps its own)', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8081, ToPort: 8081, IpProtocol: 'tcp' });
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp' }, 0);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Name: 'app', PortMappings: [Match.objectLike({ ContainerPort: 8080 })] })]),
    });
  });
});

test('with blue/green, both target groups and ECS\'s alternate target use the sidecar', () => {
  const { stack } = build({ sidecars: [PROXY], targetContainerName: 'proxy', deployment: { strategy: DeploymentStrategy.blueGreen() } });
  const template = Template.fromStack(stack);
  template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8081 }, 2);
  template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'proxy', ContainerPort: 8081 })] });
});

test('the main container\'s name is the default, and naming it changes nothing', () => {
  const before = Template.fromStack(build({ sidecars: [PROXY] }).stack).toJSON();
  const named = Template.fromStack(build({ sidecars: [PROXY], targetContainerName: 'app' }).stack).toJSON();
  expect(named).toEqual(before);
});

test('update: moving the load balancer to a sidecar on a new port replaces the target group, which the deploy checks warn about (traffic fails for a task start)', () => {
  const before = Template.fromStack(build({ sidecars: [PROXY] }).stack).toJSON();
  const after = Template.fromStack(build({ sidecars: [PROXY], targetContainerName: 'proxy' }).stack).toJSON();
  const hazards = compareTemplates({ TestStack: before }, { TestStack: after });
  expect(errorsOf(hazards).map(describeHazard)).toEqual([]);
  expect(hazards.map(describeHazard).join('\n')).toMatch(/warning target-group-replaced: .*WebTargetGroup.*Port changed from 8080 to 8081/);
});

describe('targetContainerName that cannot work fails at synth', () => {
  test('a container the task does not have', () => {
    expect(() => build({ sidecars: [PROXY], targetContainerName: 'nginx' })).toThrow(/targetContainerName.*"nginx".*is not a container of the task.*\(proxy\)/);
  });

  test('a sidecar without a port', () => {
    expect(() => build({ sidecars: [{ containerName: 'proxy', image: NGINX }], targetContainerName: 'proxy' }))
      .toThrow(/targetContainerName.*"proxy".*names a sidecar without a containerPort/);
  });
});

test('without containerPort, a WebService that reaches a sidecar gives its main container no port (it may listen on none)', () => {
  // GIVEN / WHEN the sidecar listens on 8080, which the main container would otherwise default to
  const stack = testStack();
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  const web = new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, sidecars: [{ ...PROXY, containerPort: 8080 }], targetContainerName: 'proxy' });
  // THEN
  expect(web.containerPort).toBe(8080);
  const taskDefinition = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0];
  expect(taskDefinition.Properties.ContainerDefinitions[0].PortMappings).toBeUndefined();
});

test('update with blue/green: moving the target to a sidecar replaces both target groups, which the deploy checks refuse (the shifted rule would reset to an empty group)', () => {
  const blueGreen = { deployment: { strategy: DeploymentStrategy.blueGreen() } };
  const before = Template.fromStack(build({ sidecars: [PROXY], ...blueGreen }).stack).toJSON();
  const after = Template.fromStack(build({ sidecars: [PROXY], targetContainerName: 'proxy', ...blueGreen }).stack).toJSON();
  expect(errorsOf(compareTemplates({ TestStack: before }, { TestStack: after })).map(describeHazard).join('\n')).toMatch(/shifted-rule-reset/);
});

describe('Service Connect next to a target sidecar (review finding)', () => {
  test('the main container\'s port is published as HTTP, as before the sidecar took the traffic (ECS refuses to change a published appProtocol)', () => {
    const { stack } = build({ sidecars: [PROXY], targetContainerName: 'proxy', serviceConnect: { name: 'web' } }, { serviceConnectNamespace: 'internal' });
    const taskDefinition = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0];
    expect(taskDefinition.Properties.ContainerDefinitions[0].PortMappings).toEqual([expect.objectContaining({ ContainerPort: 8080, Name: 'app-8080', AppProtocol: 'http' })]);
  });

  test('without a main port, Service Connect publishes the sidecar\'s port, as HTTP', () => {
    const { stack } = build({ containerPort: undefined, sidecars: [PROXY], targetContainerName: 'proxy', serviceConnect: { name: 'web' } }, { serviceConnectNamespace: 'internal' });
    const template = Template.fromStack(stack);
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service.Properties.ServiceConnectConfiguration.Services).toEqual([expect.objectContaining({ PortName: 'proxy-8081', ClientAliases: [{ DnsName: 'web', Port: 8081 }] })]);
    const taskDefinition = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
    expect(taskDefinition.Properties.ContainerDefinitions[1].PortMappings).toEqual([expect.objectContaining({ Name: 'proxy-8081', AppProtocol: 'http' })]);
  });
});
