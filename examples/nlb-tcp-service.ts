/**
 * A TCP service behind a Network Load Balancer: clients connect to port 1883 (MQTT's port) and
 * the load balancer passes the connections to the tasks' port 8080, unchanged. Only the clients'
 * network may connect (a documentation range stands in for it: `-c clientCidr=a.b.c.d/24`), and
 * the tasks admit only the load balancer's security group.
 *
 * Releases roll (60 s by the template's settings, plus the load balancer's registration time);
 * the circuit breaker rolls back tasks that fail to start or fail their TCP health check. A
 * network load balancer sees no request outcomes, so the release is also judged by the broker's
 * own errors: a metric filter counts the ERROR lines of its log, and the alarm on it is the
 * service's deployment alarm (ECS rolls back when it goes off during a deploy).
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NetworkLayout, NetworkService, ServiceCluster, ServiceImage, ServiceNetworkLoadBalancer } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'NlbTcpService', { env: { region: 'eu-west-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT });
  const clientCidr = String(app.node.tryGetContext('clientCidr') ?? '198.51.100.0/24');
  const loadBalancer = new ServiceNetworkLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc, allowedCidrs: [clientCidr] });
  // The alarm has a literal name: ECS finds deployment alarms by name.
  const errors = new cloudwatch.Metric({ namespace: 'NlbTcpService', metricName: 'BrokerErrors', statistic: 'Sum', period: Duration.minutes(1) });
  const errorAlarm = new cloudwatch.Alarm(stack, 'BrokerErrorAlarm', {
    alarmName: 'NlbTcpService-BrokerErrors',
    alarmDescription: 'The broker logs 5 or more ERROR lines a minute, in 2 of the last 5 minutes',
    metric: errors,
    threshold: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 5,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const broker = new NetworkService(stack, 'Broker', {
    cluster,
    loadBalancer,
    port: 1883,
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
    deployment: { alarms: { additionalAlarms: [errorAlarm] } },
  });
  new logs.MetricFilter(stack, 'BrokerErrorFilter', {
    logGroup: broker.task.logGroup,
    filterPattern: logs.FilterPattern.literal('ERROR'),
    metricNamespace: errors.namespace,
    metricName: errors.metricName,
    metricValue: '1',
    defaultValue: 0,
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
