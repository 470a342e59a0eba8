import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
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
    const service = template.findResources('AWS::ECS::Service')[logicalId(stack, api.ecsService)] as any;
    expect(service.Properties.ServiceConnectConfiguration).toEqual({
      Enabled: true,
      Namespace: { 'Fn::GetAtt': [logicalId(stack, cluster.namespace as any), 'Arn'] },
      Services: [{ PortName: 'app-8080', DiscoveryName: 'orders', ClientAliases: [{ DnsName: 'orders', Port: 8080 }] }],
    });
  });

  test('the web service is a client only: Service Connect on, nothing published', () => {
    // THEN
    expect(web.serviceConnectPort).toBeUndefined();
    const service = template.findResources('AWS::ECS::Service')[logicalId(stack, web.ecsService)] as any;
    expect(service.Properties.ServiceConnectConfiguration).toEqual({
      Enabled: true,
      Namespace: { 'Fn::GetAtt': [logicalId(stack, cluster.namespace as any), 'Arn'] },
    });
  });

  test("a sidecar's port can be the published one", () => {
    // THEN
    expect(agent.serviceConnectPort).toBe(9100);
    const service = template.findResources('AWS::ECS::Service')[logicalId(stack, agent.ecsService)] as any;
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

describe('Service Connect: memory for the proxy ECS adds', () => {
  // ECS requires a Service Connect task's memory to exceed the sum of its containers' hard limits:
  // the proxy it adds at run time lives on the rest (64 MiB at least, ECS recommends).
  function containerMemory(template: Template): Record<string, number | undefined> {
    const result: Record<string, number | undefined> = {};
    for (const definition of Object.values(template.findResources('AWS::ECS::TaskDefinition'))) {
      for (const container of definition.Properties.ContainerDefinitions) {
        result[`${definition.Properties.Memory}/${container.Name}`] = container.Memory;
      }
    }
    return result;
  }

  test('a lone container of a Service Connect service is limited to the task memory less 64 MiB; without Service Connect, to the task memory', () => {
    // GIVEN
    const { stack, cluster } = fixture('internal');
    // WHEN
    new WorkerService(stack, 'Orders', { cluster, image: IMAGE, containerPort: 8080, memoryMiB: 1024, serviceConnect: { name: 'orders' } });
    new WorkerService(stack, 'Plain', { cluster, image: IMAGE, memoryMiB: 2048 });
    // THEN
    expect(containerMemory(Template.fromStack(stack))).toEqual({ '1024/app': 960, '2048/app': 2048 });
  });

  test('limits that leave the proxy nothing fail, naming memoryLimitMiB; limits that leave it 64 MiB pass', () => {
    // GIVEN
    const { stack, cluster } = fixture('internal');
    const sidecars = [{ containerName: 'metrics', image: IMAGE, memoryLimitMiB: 128 }];
    // WHEN / THEN
    expect(() => new WorkerService(stack, 'Orders', { cluster, image: IMAGE, containerPort: 8080, memoryLimitMiB: 512, serviceConnect: { name: 'orders' } }))
      .toThrow(/memoryLimitMiB.*512.*leaves less than 64 MiB of the task's 512 MiB for the Service Connect proxy/);
    expect(() => new WorkerService(stack, 'Billing', { cluster, image: IMAGE, containerPort: 8080, memoryLimitMiB: 384, sidecars, serviceConnect: { name: 'billing' } }))
      .toThrow(/memoryLimitMiB.*512/);
    new WorkerService(stack, 'Stock', { cluster, image: IMAGE, containerPort: 8080, memoryLimitMiB: 320, sidecars, serviceConnect: { name: 'stock' } });
    expect(containerMemory(Template.fromStack(stack))).toEqual({ '512/app': 320, '512/metrics': 128 });
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

describe('Service Connect: the proxy\'s timeouts', () => {
  function services(stack: Stack, service: { service: { node: { defaultChild?: any } } }): any[] {
    const resource = Template.fromStack(stack).findResources('AWS::ECS::Service')[logicalId(stack, service.service)] as any;
    return resource.Properties.ServiceConnectConfiguration.Services;
  }

  test('an HTTP port waits for a request as long as the load balancer does (60 s), not ECS\'s 15 s', () => {
    // GIVEN
    const { stack, cluster } = fixture('internal');
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    // WHEN a web service (HTTP by default) and workers speaking HTTP/2 and TCP
    const web = new WebService(stack, 'Web', { cluster, loadBalancer, image: IMAGE, serviceConnect: { name: 'web' } });
    const h2 = new WorkerService(stack, 'H2', { cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'h2', appProtocol: ServiceConnectProtocol.HTTP2 } });
    const tcp = new WorkerService(stack, 'Tcp', { cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'tcp' } });
    // THEN the request protocols get the load balancer's idle timeout; TCP has no per-request timeout
    expect(services(stack, web)).toEqual([expect.objectContaining({ PortName: 'app-8080', Timeout: { PerRequestTimeoutSeconds: 60 } })]);
    expect(services(stack, h2)).toEqual([expect.objectContaining({ Timeout: { PerRequestTimeoutSeconds: 60 } })]);
    expect(services(stack, tcp)[0].Timeout).toBeUndefined();
  });

  test('perRequestTimeout and idleTimeout are the given ones; 0 turns a timeout off', () => {
    // GIVEN
    const { stack, cluster } = fixture('internal');
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    // WHEN
    const web = new WebService(stack, 'Web', {
      cluster, loadBalancer, image: IMAGE,
      serviceConnect: { name: 'web', perRequestTimeout: Duration.minutes(2), idleTimeout: Duration.minutes(10) },
    });
    const off = new WorkerService(stack, 'Off', {
      cluster, image: IMAGE, containerPort: 8080,
      serviceConnect: { name: 'off', appProtocol: ServiceConnectProtocol.GRPC, perRequestTimeout: Duration.seconds(0) },
    });
    const tcp = new WorkerService(stack, 'Tcp', { cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: 'tcp', idleTimeout: Duration.hours(2) } });
    // THEN
    expect(services(stack, web)[0].Timeout).toEqual({ PerRequestTimeoutSeconds: 120, IdleTimeoutSeconds: 600 });
    expect(services(stack, off)[0].Timeout).toEqual({ PerRequestTimeoutSeconds: 0 });
    expect(services(stack, tcp)[0].Timeout).toEqual({ IdleTimeoutSeconds: 7200 });
  });
});

describe('Service Connect: services that call each other', () => {
  /** ECS services (by logical id) that depend, directly or through other resources, on themselves. */
  function servicesInDependsOnCycles(template: Template): string[] {
    const resources = template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[] }>;
    const reaches = (from: string, to: string): boolean => {
      const seen = new Set<string>();
      const pending = [...(resources[from].DependsOn ?? [])];
      while (pending.length > 0) {
        const next = pending.pop()!;
        if (next === to) return true;
        if (seen.has(next) || !resources[next]) continue;
        seen.add(next);
        pending.push(...(resources[next].DependsOn ?? []));
      }
      return false;
    };
    return Object.keys(resources).filter((id) => resources[id].Type === 'AWS::ECS::Service' && reaches(id, id));
  }
  const WARNING = 'ecs-service-kit:service-connect-mutual-calls';

  function workers(...names: string[]): { stack: Stack; services: WorkerService[] } {
    const { stack, cluster } = fixture('internal');
    const services = names.map((name) => new WorkerService(stack, name, {
      cluster, image: IMAGE, containerPort: 8080, serviceConnect: { name: name.toLowerCase() },
    }));
    return { stack, services };
  }

  test('two services calling each other synthesize without a DependsOn cycle, and the second call warns', () => {
    // GIVEN
    const { stack, services: [a, b] } = workers('A', 'B');
    // WHEN B calls A, then A calls B
    a.allowServiceConnectFrom(b);
    b.allowServiceConnectFrom(a);
    // THEN B still waits for A; A does not wait for B
    const template = Template.fromStack(stack);
    expect(servicesInDependsOnCycles(template)).toEqual([]);
    const ecsServices = template.findResources('AWS::ECS::Service');
    expect(ecsServices[logicalId(stack, b.ecsService)].DependsOn).toContain(logicalId(stack, a.ecsService));
    expect(ecsServices[logicalId(stack, a.ecsService)].DependsOn ?? []).not.toContain(logicalId(stack, b.ecsService));
    // Both calls keep their ingress rule.
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { Description: Match.stringLikeRegexp('^Service Connect from') }, 2);
    // The warning sits on the caller of the second call and names both services, the cause and the way out.
    Annotations.fromStack(stack).hasWarning('/TestStack/A', Match.stringLikeRegexp(
      '^TestStack/A and TestStack/B call each other through Service Connect.*resolves only the Service Connect endpoints that existed when it started.*'
      + 'aws ecs update-service .*--force-new-deployment.*two steps.*' + `Annotation::${WARNING}`));
    Annotations.fromStack(stack).hasNoWarning('/TestStack/B', Match.stringLikeRegexp(WARNING));
  });

  test('a chain of three (A calls B, B calls C, C calls A) synthesizes without a cycle and warns on the call that closes it', () => {
    // GIVEN
    const { stack, services: [a, b, c] } = workers('A', 'B', 'C');
    // WHEN
    b.allowServiceConnectFrom(a);
    c.allowServiceConnectFrom(b);
    a.allowServiceConnectFrom(c);
    // THEN A waits for B, B for C, and C for nobody
    const template = Template.fromStack(stack);
    expect(servicesInDependsOnCycles(template)).toEqual([]);
    const ecsServices = template.findResources('AWS::ECS::Service');
    expect(ecsServices[logicalId(stack, a.ecsService)].DependsOn).toContain(logicalId(stack, b.ecsService));
    expect(ecsServices[logicalId(stack, b.ecsService)].DependsOn).toContain(logicalId(stack, c.ecsService));
    expect(ecsServices[logicalId(stack, c.ecsService)].DependsOn ?? []).not.toContain(logicalId(stack, a.ecsService));
    Annotations.fromStack(stack).hasWarning('/TestStack/C', Match.stringLikeRegexp(`^TestStack/C and TestStack/A call each other.*${WARNING}`));
    for (const path of ['/TestStack/A', '/TestStack/B']) Annotations.fromStack(stack).hasNoWarning(path, Match.stringLikeRegexp(WARNING));
  });

  test('one-way calls are unchanged: the caller waits for each service it calls, no warning', () => {
    // GIVEN
    const { stack, services: [a, b, c] } = workers('A', 'B', 'C');
    // WHEN A calls B and C, B calls C
    b.allowServiceConnectFrom(a);
    c.allowServiceConnectFrom(a);
    c.allowServiceConnectFrom(b);
    // THEN
    const template = Template.fromStack(stack);
    const ecsServices = template.findResources('AWS::ECS::Service');
    expect(ecsServices[logicalId(stack, a.ecsService)].DependsOn).toEqual(expect.arrayContaining([logicalId(stack, b.ecsService), logicalId(stack, c.ecsService)]));
    expect(ecsServices[logicalId(stack, b.ecsService)].DependsOn).toContain(logicalId(stack, c.ecsService));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(WARNING));
  });

  test('the warning can be acknowledged on the caller', () => {
    // GIVEN
    const { stack, services: [a, b] } = workers('A', 'B');
    a.allowServiceConnectFrom(b);
    b.allowServiceConnectFrom(a);
    // WHEN
    Validations.of(a).acknowledge({ id: `Annotation::${WARNING}`, reason: 'A retries until B is reachable; B is redeployed after the first deploy.' });
    // THEN
    Annotations.fromStack(stack).hasNoWarning('/TestStack/A', Match.stringLikeRegexp(WARNING));
  });
});

describe('Service Connect validation (one test per rule)', () => {
  let n = 0;
  function make(props: Partial<WorkerServiceProps>, namespace: string | null = 'internal'): () => WorkerService {
    const { stack, cluster } = fixture(namespace ?? undefined);
    return () => new WorkerService(stack, `W${n++}`, { cluster, image: IMAGE, ...props });
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

  test('serviceConnect.perRequestTimeout and idleTimeout are whole seconds from 0 to 2147483647', () => {
    expect(make({ containerPort: 8080, serviceConnect: { name: 'orders', appProtocol: ServiceConnectProtocol.HTTP, perRequestTimeout: Duration.millis(1500) } }))
      .toThrow(/serviceConnect\.perRequestTimeout 1 second 500 millis is out of range; use whole seconds from 0 to 2147483647/);
    expect(make({ containerPort: 8080, serviceConnect: { name: 'orders', idleTimeout: Duration.days(30000) } }))
      .toThrow(/serviceConnect\.idleTimeout 30000 days is out of range; use whole seconds from 0 to 2147483647/);
  });

  test('serviceConnect.perRequestTimeout needs an HTTP, HTTP2 or GRPC appProtocol', () => {
    expect(make({ containerPort: 8080, serviceConnect: { name: 'orders', perRequestTimeout: Duration.seconds(30) } }))
      .toThrow(/serviceConnect\.perRequestTimeout 30 seconds needs a request protocol, but the published port speaks tcp \(the default here\).*; set serviceConnect\.appProtocol to HTTP, HTTP2 or GRPC/);
    expect(make({ containerPort: 8080, serviceConnect: { name: 'orders', appProtocol: ServiceConnectProtocol.TCP, perRequestTimeout: Duration.seconds(30) } }))
      .toThrow(/serviceConnect\.perRequestTimeout 30 seconds needs a request protocol, but the published port speaks tcp,/);
  });

  test('serviceConnect.clientOnly publishes nothing, so it takes no timeouts', () => {
    expect(make({ serviceConnect: { clientOnly: true, perRequestTimeout: Duration.seconds(30) } }))
      .toThrow(/serviceConnect\.perRequestTimeout 30 seconds cannot be combined with serviceConnect\.clientOnly/);
    expect(make({ serviceConnect: { clientOnly: true, idleTimeout: Duration.seconds(30) } }))
      .toThrow(/serviceConnect\.idleTimeout 30 seconds cannot be combined with serviceConnect\.clientOnly/);
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
