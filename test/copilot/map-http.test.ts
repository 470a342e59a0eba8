import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CopilotApplication } from '../../lib';
import { testStack } from '../util/test-app';
import { configurationErrorOf, writeWorkspace, yaml } from './workspace-fixture';

const WEB = yaml('name: web', 'type: Load Balanced Web Service', 'image:', '  build: app/Dockerfile', '  port: 8080');
const NGINX = (port?: number) => yaml('sidecars:', '  nginx:', '    image: public.ecr.aws/nginx/nginx:1.27', ...(port ? [`    port: ${port}`] : []));

function synth(manifest: string): { stack: Stack; template: Template; shop: CopilotApplication } {
  const stack = testStack();
  const shop = new CopilotApplication(stack, 'Shop', { workspace: writeWorkspace({ 'copilot/web/manifest.yml': manifest }), environment: 'prod' });
  return { stack, template: Template.fromStack(stack), shop };
}

test('http.target_container: the load balancer reaches the sidecar on its port, the app keeps image.port', () => {
  // GIVEN / WHEN
  const { template, shop } = synth(WEB + yaml('http:', '  path: /', '  target_container: nginx', '  target_port: 8081') + NGINX(8081));
  // THEN
  expect(shop.webService('web').targetContainerName).toBe('nginx');
  template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'nginx', ContainerPort: 8081 })] });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8081 });
});

test('target_port alone, the port of a sidecar, sends the traffic to that sidecar, as Copilot picks it (review finding)', () => {
  const { template, stack } = synth(WEB + yaml('http:', '  path: /', '  target_port: 8081') + NGINX(8081));
  template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'nginx', ContainerPort: 8081 })] });
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('target_port is not mapped'))).toEqual([]);
});

test('with network.connect, Service Connect publishes the target sidecar\'s port under the workload\'s name, as Copilot did (review finding)', () => {
  const { template } = synth(WEB + yaml('http:', '  path: /', '  target_container: nginx', 'network:', '  connect: true') + NGINX(8081));
  const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
  expect(service.Properties.ServiceConnectConfiguration.Services).toEqual([expect.objectContaining({ PortName: 'nginx-8081', ClientAliases: [{ DnsName: 'web', Port: 8081 }] })]);
});

test('a Backend Service without image.port reaches its sidecar, and its main container gets no port (review finding)', () => {
  const backend = yaml('name: web', 'type: Backend Service', 'image:', '  build: app/Dockerfile', 'http:', '  path: /', '  target_container: nginx', 'network:', '  connect: true') + NGINX(8080);
  const { template } = synth(backend);
  const taskDefinition = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
  expect(taskDefinition.Properties.ContainerDefinitions[0].PortMappings).toBeUndefined();
  template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'nginx', ContainerPort: 8080 })] });
  const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
  expect(service.Properties.ServiceConnectConfiguration.Services[0].ClientAliases).toEqual([{ DnsName: 'web', Port: 8080 }]);
});

test('target_container naming the workload is the main container; a target_port other than image.port is named at synth', () => {
  const { stack, template } = synth(WEB + yaml('http:', '  path: /', '  target_container: web', '  target_port: 9090'));
  template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'app', ContainerPort: 8080 })] });
  const warning = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('http\\.target_port is not mapped'));
  expect(warning).toHaveLength(1);
});

test('http.redirect_to_https: true is the load balancer\'s own behaviour; false next to a certificate is named at synth', () => {
  const withCertificate = (redirect: boolean) => {
    const stack = testStack();
    new CopilotApplication(stack, 'Shop', {
      environment: 'prod',
      workspace: writeWorkspace({
        'copilot/web/manifest.yml': WEB + yaml('http:', '  path: /', `  redirect_to_https: ${redirect}`),
        'copilot/environments/prod/manifest.yml': yaml('name: prod', 'type: Environment', 'http:', '  public:', '    certificates: [arn:aws:acm:us-east-1:123456789012:certificate/abc]'),
      }),
    });
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('redirect_to_https is not mapped'));
  };
  expect(withCertificate(true)).toEqual([]);
  expect(withCertificate(false)).toHaveLength(1);
  // without a certificate nothing redirects, on either side
  expect(Annotations.fromStack(synth(WEB + yaml('http:', '  path: /', '  redirect_to_https: false')).stack).findWarning('*', Match.stringLikeRegexp('redirect_to_https'))).toEqual([]);
});

test('http.healthcheck.port: the load balancer checks that port', () => {
  const { template } = synth(WEB + yaml('http:', '  path: /', '  healthcheck:', '    path: /health', '    port: 9090'));
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPort: '9090', HealthCheckPath: '/health' });
});

describe('target_container that cannot work fails at the manifest', () => {
  const errorOf = (manifest: string): string => configurationErrorOf(() => synth(manifest));

  test('a container the task does not have', () => {
    expect(errorOf(WEB + yaml('http:', '  path: /', '  target_container: envoy') + NGINX(8081)))
      .toMatch(/copilot\/web\/manifest\.yml:8 http\.target_container.*names envoy, which is not a container of this task.*\(nginx\)/);
  });

  test('a sidecar with no port, even with target_port (Copilot refuses it too)', () => {
    expect(errorOf(WEB + yaml('http:', '  path: /', '  target_container: nginx', '  target_port: 8443') + NGINX()))
      .toMatch(/http\.target_container.*names sidecar nginx, which exposes no port \(Copilot refuses it too\).*give sidecars\.nginx\.port/);
  });
});

test('http.allowed_source_ips: the workload\'s rule matches those sources only; others get the load balancer\'s 404', () => {
  const { template } = synth(WEB + yaml('http:', '  path: api', '  allowed_source_ips: [203.0.113.0/24]'));
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
    Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api', '/api/*'] } }, { Field: 'source-ip', SourceIpConfig: { Values: ['203.0.113.0/24'] } }],
  });
});

test('allowed_source_ips with path / is a rule for every path from those sources, not the default route', () => {
  const { template } = synth(WEB + yaml('http:', '  path: /', '  allowed_source_ips: [203.0.113.0/24]'));
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Conditions: [{ Field: 'source-ip', SourceIpConfig: { Values: ['203.0.113.0/24'] } }] });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { DefaultActions: [Match.objectLike({ Type: 'fixed-response' })] });
});

test('allowed_source_ips that with the path and aliases pass the ALB\'s 5 condition values fail at the manifest', () => {
  expect(() => synth(WEB + yaml('http:', '  path: api', '  alias: [a.example.com, b.example.com]', '  allowed_source_ips: [203.0.113.0/24, 198.51.100.0/24]')))
    .toThrow(/copilot\/web\/manifest\.yml:\d+ http\.allowed_source_ips.*makes 6 condition values/);
});

test('a Backend Service\'s internal host name counts in the five condition values, at the manifest line (review finding)', () => {
  const backend = yaml('name: web', 'type: Backend Service', 'image:', '  build: app/Dockerfile', '  port: 8080', 'http:', '  path: api', '  allowed_source_ips: [10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24]');
  expect(() => synth(backend)).toThrow(/copilot\/web\/manifest\.yml:\d+ http\.allowed_source_ips.*makes 6 condition values/);
});
