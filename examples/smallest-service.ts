/**
 * The smallest useful service: an image built from a local Dockerfile, served over HTTP
 * behind a load balancer, in a VPC with one NAT gateway. Comparable to an ECS Express Mode
 * service: image, size, health path.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { ContainerWebApp, ServiceImage } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'SmallestService', { env: { region: 'us-east-1' } });
  const web = new ContainerWebApp(stack, 'Web', {
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
    cpu: 256,
    memoryMiB: 512,
    healthCheck: { path: '/health' },
  });
  Validations.of(web.loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The smallest example has no domain, so no certificate: see https-domain for HTTPS.',
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
