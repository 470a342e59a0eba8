/**
 * A TCP service behind a Network Load Balancer: clients connect to port 1883 (MQTT's port) and
 * the load balancer passes the connections to the tasks' port 8080, unchanged. Only the clients'
 * network may connect (a documentation range stands in for it: `-c clientCidr=a.b.c.d/24`), and
 * the tasks admit only the load balancer's security group.
 *
 * Releases roll (60 s by the template's settings, plus the load balancer's registration time);
 * the circuit breaker rolls back tasks that fail to start or fail their TCP health check.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { NetworkLayout, NetworkService, ServiceCluster, ServiceImage, ServiceNetworkLoadBalancer } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'NlbTcpService', { env: { region: 'eu-west-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT });
  const clientCidr = String(app.node.tryGetContext('clientCidr') ?? '198.51.100.0/24');
  const loadBalancer = new ServiceNetworkLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc, allowedCidrs: [clientCidr] });
  const broker = new NetworkService(stack, 'Broker', {
    cluster,
    loadBalancer,
    port: 1883,
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
  });
  Validations.of(broker).acknowledge({
    id: 'Annotation::ecs-service-kit:no-deployment-alarms',
    reason: 'The example has no application metric to alarm on; a real broker gives its error alarms as deployment.alarms.additionalAlarms.',
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
