/**
 * Two services behind one load balancer, routed by path: /api/* goes to the API, everything
 * else to the web front end. One ALB, one cluster, one repository per service.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { ImageRepository, NetworkLayout, ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'SharedLoadBalancer', { env: { region: 'eu-central-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The example shows path routing without a domain; add certificate or domainName + hostedZone for HTTPS.',
  });
  const apiImages = new ImageRepository(stack, 'ApiRepository');

  const api = new WebService(stack, 'Api', {
    cluster,
    loadBalancer,
    image: ServiceImage.fromImageRepository(apiImages, { tag: '1.4.2' }),
    pathPatterns: ['/api/*'],
    healthCheck: { path: '/api/health' },
    environment: { LOG_LEVEL: 'info' },
    scaling: { minCapacity: 1, maxCapacity: 6, targetCpuPercent: 65 },
  });
  Validations.of(api.taskDefinition).acknowledge({
    id: 'AwsSolutions::AwsSolutions-ECS2',
    reason: 'LOG_LEVEL is configuration, not a secret; credentials go through `secrets` (Secrets Manager/SSM).',
  });
  new WebService(stack, 'Frontend', {
    cluster,
    loadBalancer,
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
    healthCheck: { path: '/health' },
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
