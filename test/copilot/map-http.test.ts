import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigurationErrors, CopilotApplication } from '../../lib';
import { testStack } from '../util/test-app';
import { writeWorkspace, yaml } from './workspace-fixture';

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

test('a sidecar without a port takes target_port, as Copilot exposes it', () => {
  const { template } = synth(WEB + yaml('http:', '  path: /', '  target_container: nginx', '  target_port: 8443') + NGINX());
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: Match.arrayWith([Match.objectLike({ Name: 'nginx', PortMappings: [Match.objectLike({ ContainerPort: 8443 })] })]),
  });
  template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'nginx', ContainerPort: 8443 })] });
});

test('target_container naming the workload is the main container; a target_port other than image.port is named at synth', () => {
  const { stack, template } = synth(WEB + yaml('http:', '  path: /', '  target_container: web', '  target_port: 9090'));
  template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'app', ContainerPort: 8080 })] });
  const warning = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('http\\.target_port is not mapped'));
  expect(warning).toHaveLength(1);
});

test('http.healthcheck.port: the load balancer checks that port', () => {
  const { template } = synth(WEB + yaml('http:', '  path: /', '  healthcheck:', '    path: /health', '    port: 9090'));
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPort: '9090', HealthCheckPath: '/health' });
});

describe('target_container that cannot work fails at the manifest', () => {
  const errorOf = (manifest: string): string => {
    try {
      synth(manifest);
    } catch (e) {
      expect(ConfigurationErrors.isConfigurationError(e)).toBe(true);
      return String(e);
    }
    throw new Error('expected the construct to fail');
  };

  test('a container the task does not have', () => {
    expect(errorOf(WEB + yaml('http:', '  path: /', '  target_container: envoy') + NGINX(8081)))
      .toMatch(/copilot\/web\/manifest\.yml:8 http\.target_container.*names envoy, which is not a container of this task.*\(nginx\)/);
  });

  test('a sidecar with no port and no target_port', () => {
    expect(errorOf(WEB + yaml('http:', '  path: /', '  target_container: nginx') + NGINX()))
      .toMatch(/http\.target_container.*names sidecar nginx, which has no port/);
  });
});
