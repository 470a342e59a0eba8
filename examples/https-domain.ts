/**
 * HTTPS at your own domain: a DNS-validated certificate for app.example.com in an existing
 * Route 53 zone, HTTP redirected to HTTPS, an alias record to the load balancer, and
 * auto scaling on CPU and requests per task.
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { ContainerWebApp, ServiceImage } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'HttpsDomain', { env: { region: 'us-east-1' } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0123456789EXAMPLE01',
    zoneName: 'example.com',
  });
  new ContainerWebApp(stack, 'Web', {
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
    domainName: 'app.example.com',
    hostedZone,
    healthCheck: { path: '/health' },
    scaling: { minCapacity: 2, maxCapacity: 8, targetCpuPercent: 60, requestsPerTarget: 500 },
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
