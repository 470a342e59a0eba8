import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { NetworkLayout } from '../../lib/network';
import { ServiceConnectProtocol, WebService } from '../../lib/service';
import { WorkerService, WorkerServiceProps } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36');

function fixture(serviceConnectNamespace?: string): { stack: Stack; cluster: ServiceCluster } {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false, serviceConnectNamespace });
  return { stack, cluster };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('Service Connect: a web service calls an internal API by name', () => {
  // GIVEN a cluster with a namespace, an internal API (worker with a port), a web service as
  // client, and a worker publishing a sidecar's port (one synth)
  let stack: Stack;
  let cluster: ServiceCluster;
  let api: WorkerService;
  let web: WebService;
  let agent: WorkerService;
  let template: Template;
  beforeAll(() => {
    ({ stack, cluster } = fixture('internal'));
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    // WHEN
    api = new WorkerService(stack, 'Orders', { cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'orders' } });
    web = new WebService(stack, 'Web', { cluster, loadBalancer, image: IMAGE, serviceConnect: { clientOnly: true } });
    agent = new WorkerService(stack, 'Agent', {
      cluster,
      image: IMAGE,
      sidecars: [{ containerName: 'metrics', image: IMAGE, containerPort: 9100 }],
      serviceConnect: { name: 'metrics', port: 9100 },
    });
    api.allowServiceConnectFrom(web);
    template = Template.fromStack(stack);
  });

  test('the cluster has an HTTP namespace as its Service Connect default', () => {
    // THEN
    template.resourceCountIs('AWS::ServiceDiscovery::HttpNamespace', 1);
    template.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'internal' });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ServiceConnectDefaults: { Namespace: { 'Fn::GetAtt': [logicalId(stack, cluster.namespace as any), 'Arn'] } },
    });
  });

  test('the API publishes "orders" on its container port through its named port mapping', () => {
    // THEN
    expect(api.serviceConnectPort).toBe(8080);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'app', PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080' }] })],
    });
    const service = template.findResources('AWS::ECS::Service')[logicalId(stack, api.service)] as any;
    expect(service.Properties.ServiceConnectConfiguration).toEqual({
      Enabled: true,
      Namespace: { 'Fn::GetAtt': [logicalId(stack, cluster.namespace as any), 'Arn'] },
      Services: [{ PortName: 'app-8080', DiscoveryName: 'orders', ClientAliases: [{ DnsName: 'orders', Port: 8080 }] }],
    });
  });

  test('the web service is a client only: Service Connect on, nothing published', () => {
    // THEN
    expect(web.serviceConnectPort).toBeUndefined();
    const service = template.findResources('AWS::ECS::Service')[logicalId(stack, web.service)] as any;
    expect(service.Properties.ServiceConnectConfiguration).toEqual({
      Enabled: true,
      Namespace: { 'Fn::GetAtt': [logicalId(stack, cluster.namespace as any), 'Arn'] },
    });
  });

  test("a sidecar's port can be the published one", () => {
    // THEN
    expect(agent.serviceConnectPort).toBe(9100);
    const service = template.findResources('AWS::ECS::Service')[logicalId(stack, agent.service)] as any;
    expect(service.Properties.ServiceConnectConfiguration.Services).toEqual([
      { PortName: 'metrics-9100', DiscoveryName: 'metrics', ClientAliases: [{ DnsName: 'metrics', Port: 9100 }] },
    ]);
  });

  test("the API's security group admits exactly the web service's tasks on 8080, nothing else", () => {
    // THEN
    const apiSg = logicalId(stack, api.securityGroup);
    const sg = template.findResources('AWS::EC2::SecurityGroup')[apiSg] as any;
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [apiSg, 'GroupId'] } },
    })).map((r: any) => r.Properties);
    expect(ingress).toEqual([{
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      GroupId: { 'Fn::GetAtt': [apiSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(stack, web.securityGroup), 'GroupId'] },
      Description: 'Service Connect from TestStack/Web',
    }]);
    // The agent publishes a port but allowed no caller: no rule at all.
    const agentIngress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [logicalId(stack, agent.securityGroup), 'GroupId'] } },
    });
    expect(Object.keys(agentIngress)).toEqual([]);
  });
});

describe('Service Connect: the published port\'s application protocol', () => {
  function portMappings(stack: Stack, service: { taskDefinition: { node: { defaultChild?: any } } }, container = 'app'): any[] {
    const taskDefinition = Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition')[logicalId(stack, service.taskDefinition)] as any;
    return taskDefinition.Properties.ContainerDefinitions.find((c: any) => c.Name === container).PortMappings;
  }

  test('a web service publishing its main port publishes it as HTTP (the load balancer reaches it over HTTP)', () => {
    // GIVEN
    const { stack, cluster } = fixture('internal');
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    // WHEN
    const web = new WebService(stack, 'Web', { cluster, loadBalancer, image: IMAGE, serviceConnect: { name: 'web' } });
    // THEN
    expect(portMappings(stack, web)).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080', AppProtocol: 'http' }]);
  });

  test("a web service keeps TCP when asked, and for a sidecar's port (nothing says what it speaks)", () => {
    // GIVEN
    const { stack, cluster } = fixture('internal');
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    // WHEN
    const tcp = new WebService(stack, 'Tcp', { cluster, loadBalancer, image: IMAGE, pathPatterns: ['/tcp/*'], serviceConnect: { name: 'tcp', appProtocol: ServiceConnectProtocol.TCP } });
    const sidecar = new WebService(stack, 'Sidecar', {
      cluster, loadBalancer, image: IMAGE, pathPatterns: ['/sidecar/*'],
      sidecars: [{ containerName: 'metrics', image: IMAGE, containerPort: 9100 }],
      serviceConnect: { name: 'metrics', port: 9100 },
    });
    // THEN
    expect(portMappings(stack, tcp)).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080' }]);
    expect(portMappings(stack, sidecar)).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080' }]);
    expect(portMappings(stack, sidecar, 'metrics')).toEqual([{ ContainerPort: 9100, Protocol: 'tcp', Name: 'metrics-9100' }]);
  });

  test('a worker publishes TCP unless configured as HTTP (or HTTP/2, gRPC)', () => {
    // GIVEN
    const { stack, cluster } = fixture('internal');
    // WHEN
    const plain = new WorkerService(stack, 'Plain', { cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'plain' } });
    const http = new WorkerService(stack, 'Http', { cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'http', appProtocol: ServiceConnectProtocol.HTTP } });
    const grpc = new WorkerService(stack, 'Grpc', {
      cluster, image: IMAGE,
      sidecars: [{ containerName: 'api', image: IMAGE, containerPort: 50051 }],
      serviceConnect: { name: 'grpc', port: 50051, appProtocol: ServiceConnectProtocol.GRPC },
    });
    // THEN
    expect(portMappings(stack, plain)).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080' }]);
    expect(portMappings(stack, http)).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'app-8080', AppProtocol: 'http' }]);
    expect(portMappings(stack, grpc, 'api')).toEqual([{ ContainerPort: 50051, Protocol: 'tcp', Name: 'api-50051', AppProtocol: 'grpc' }]);
  });
});

describe('Service Connect validation (one test per rule)', () => {
  let n = 0;
  function make(props: Partial<WorkerServiceProps>, namespace: string | null = 'internal'): () => WorkerService {
    const { stack, cluster } = fixture(namespace ?? undefined);
    return () => new WorkerService(stack, `W${n++}`, { cluster, image: IMAGE, ...props } as WorkerServiceProps);
  }

  test('serviceConnectNamespace must be lower-case DNS labels', () => {
    const stack = testStack(testApp());
    expect(() => new ServiceCluster(stack, 'C', { serviceConnectNamespace: 'My_Namespace' }))
      .toThrow(/C: serviceConnectNamespace "My_Namespace" is not valid/);
    expect(() => new ServiceCluster(stack, 'D', { serviceConnectNamespace: 'shop.' }))
      .toThrow(/D: serviceConnectNamespace "shop\." is not valid/);
  });

  test('serviceConnect needs a namespace on the cluster', () => {
    expect(make({ containerPort: 8080, serviceConnect: { name: 'orders' } }, null))
      .toThrow(/serviceConnect \{"name":"orders"\} needs a Cloud Map namespace on the cluster TestStack\/Cluster/);
  });

  test('serviceConnect.name is required unless clientOnly', () => {
    expect(make({ containerPort: 8080, serviceConnect: {} })).toThrow(/serviceConnect\.name undefined is missing/);
  });

  test('serviceConnect.name must be a DNS label', () => {
    expect(make({ containerPort: 8080, serviceConnect: { name: 'Orders_API' } })).toThrow(/serviceConnect\.name "Orders_API" is not valid/);
  });

  test('serviceConnect.clientOnly publishes nothing, so it takes no name and no port', () => {
    expect(make({ serviceConnect: { clientOnly: true, name: 'orders' } }))
      .toThrow(/serviceConnect\.name "orders" cannot be combined with serviceConnect\.clientOnly/);
    expect(make({ serviceConnect: { clientOnly: true, port: 8080 } }))
      .toThrow(/serviceConnect\.port 8080 cannot be combined with serviceConnect\.clientOnly/);
  });

  test('serviceConnect.appProtocol is one of ServiceConnectProtocol, and not for a client only', () => {
    expect(make({ containerPort: 8080, serviceConnect: { name: 'orders', appProtocol: 'HTTP' as ServiceConnectProtocol } }))
      .toThrow(/serviceConnect\.appProtocol "HTTP" is not allowed; use one of "tcp", "http", "http2", "grpc"/);
    expect(make({ serviceConnect: { clientOnly: true, appProtocol: ServiceConnectProtocol.HTTP } }))
      .toThrow(/serviceConnect\.appProtocol "http" cannot be combined with serviceConnect\.clientOnly/);
  });

  test('serviceConnect.port is a valid port', () => {
    expect(make({ containerPort: 8080, serviceConnect: { name: 'orders', port: 70000 } })).toThrow(/serviceConnect\.port 70000 is out of range/);
  });

  test('serviceConnect.port must be a port a container of the task maps', () => {
    expect(make({ containerPort: 8080, serviceConnect: { name: 'orders', port: 9090 } }))
      .toThrow(/serviceConnect\.port 9090 is not a port of any container of the task; use one of 8080/);
  });

  test('serviceConnect with a name needs a port: a worker without containerPort has none', () => {
    expect(make({ serviceConnect: { name: 'orders' } }))
      .toThrow(/serviceConnect\.port undefined \(the default: the main container's port\) is not set/);
  });

  test('serviceConnect.name is unique in the cluster\'s namespace', () => {
    const { stack, cluster } = fixture('internal');
    new WorkerService(stack, 'First', { cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'orders' } });
    expect(() => new WorkerService(stack, 'Second', { cluster, image: IMAGE, containerPort: 8081, serviceConnect: { name: 'orders' } }))
      .toThrow(/Second: serviceConnect\.name "orders" is already used by TestStack\/First in the cluster's namespace/);
    // Another cluster (another namespace) may reuse the name.
    const other = new ServiceCluster(stack, 'Other', { vpc: cluster.vpc, serviceConnectNamespace: 'other' });
    expect(() => new WorkerService(stack, 'Third', { cluster: other, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'orders' } })).not.toThrow();
  });

  test('allowServiceConnectFrom needs a published Service Connect endpoint', () => {
    const { stack, cluster } = fixture('internal');
    const client = new WorkerService(stack, 'Client', { cluster, image: IMAGE, serviceConnect: { clientOnly: true } });
    const plain = new WorkerService(stack, 'Plain', { cluster, image: IMAGE, containerPort: 8080 });
    expect(() => plain.allowServiceConnectFrom(client))
      .toThrow(/Plain: allowServiceConnectFrom "TestStack\/Client" needs a Service Connect endpoint on this service/);
  });

  test('allowServiceConnectFrom: the caller must use Service Connect (checked at synth)', () => {
    const { stack, cluster } = fixture('internal');
    const api = new WorkerService(stack, 'Api', { cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'api' } });
    const caller = new WorkerService(stack, 'Caller', { cluster, image: IMAGE });
    api.allowServiceConnectFrom(caller);
    expect(() => Template.fromStack(stack))
      .toThrow(/Api: allowServiceConnectFrom "TestStack\/Caller\/Service" has no Service Connect/);
  });
});
