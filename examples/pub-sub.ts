/**
 * Publish/subscribe between services (AWS Copilot's Worker Service pattern): a web service
 * publishes order events to an SNS topic; a worker's queue subscribes to the topic and receives
 * only the events it handles (a filter on the `eventType` attribute).
 *
 * The topic lives in a stack of its own: it outlives the services (retained, with the
 * subscriptions other apps make to it), and the subscription lives in the worker's stack, so
 * deleting the services' stack deletes the subscription and keeps the topic.
 */
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmNotifications, AppMonitoring, EventTopic, NetworkLayout, ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService, WorkerService } from '../lib';

export function buildExample(app: App): Stack[] {
  const env = { region: 'us-east-1' };
  const events = new Stack(app, 'PubSubEvents', { env });
  // A standard topic, encrypted with its own KMS key; publishers find its ARN in ORDER_EVENTS_TOPIC_ARN.
  const orderEvents = new EventTopic(events, 'OrderEvents');

  const services = new Stack(app, 'PubSubServices', { env });
  const cluster = new ServiceCluster(services, 'Cluster', { network: NetworkLayout.SINGLE_NAT });
  const loadBalancer = new ServiceLoadBalancer(services, 'LoadBalancer', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The example shows publish/subscribe without a domain; add certificate or domainName + hostedZone for HTTPS.',
  });
  const image = ServiceImage.fromAsset(path.join(__dirname, 'app'));

  // The web service publishes (sns:Publish, and the topic key's GenerateDataKey*/Decrypt) with
  // the message attribute eventType.
  const web = new WebService(services, 'Web', { cluster, loadBalancer, image, healthCheck: { path: '/health' } });
  web.publishTo(orderEvents);

  // The worker receives only placed and cancelled orders, in SNS envelopes, on $QUEUE_URL.
  const fulfilment = new WorkerService(services, 'Fulfilment', {
    cluster,
    image,
    command: ['node', '-e', 'console.log("consuming", process.env.QUEUE_URL); setInterval(() => {}, 60000)'],
    queue: {},
  });
  fulfilment.subscribe(orderEvents, {
    filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order-placed', 'order-cancelled'] }) },
  });

  // Messages SNS cannot deliver land in the worker's dead-letter queue, whose depth pages the topic.
  const monitoring = new AppMonitoring(services, 'Monitoring', { notifications: AlarmNotifications.newTopic() });
  monitoring.addWebService(web);
  monitoring.addWorker(fulfilment);
  return [events, services];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
