/**
 * Service-to-service calls with ECS Service Connect: a public web front end calls an internal
 * orders API by name (`http://orders:8080`). The API has no load balancer; its security group
 * admits the web service's tasks on port 8080 and nothing else.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { NetworkLayout, ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService, WorkerService } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'ServiceToService', { env: { region: 'us-east-1' } });
  // The namespace costs nothing (a Cloud Map HTTP namespace: no hosted zone).
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, serviceConnectNamespace: 'internal' });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The example shows service-to-service calls without a domain; add certificate or domainName + hostedZone for HTTPS.',
  });
  const image = ServiceImage.fromAsset(path.join(__dirname, 'app'));

  const web = new WebService(stack, 'Web', {
    cluster,
    loadBalancer,
    image,
    healthCheck: { path: '/health' },
    environment: { ORDERS_URL: 'http://orders:8080' },
    serviceConnect: { clientOnly: true },
  });
  Validations.of(web.taskDefinition).acknowledge({
    id: 'AwsSolutions::AwsSolutions-ECS2',
    reason: 'ORDERS_URL is the internal address of the orders API, not a secret; credentials go through `secrets`.',
  });

  // An internal API: a long-running service with a port, reachable only through Service Connect.
  const orders = new WorkerService(stack, 'Orders', {
    cluster,
    image,
    containerPort: 8080,
    serviceConnect: { name: 'orders' },
    scaling: { minCapacity: 1, maxCapacity: 4 },
    // Its port speaks TCP (no request metrics of its own): the web service's errors are the
    // verdict on a release of the API it calls, so they roll the API back too.
    deployment: { alarms: { additionalAlarms: web.deploymentAlarms } },
  });

  orders.allowServiceConnectFrom(web);
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
