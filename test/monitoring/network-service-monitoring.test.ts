import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceNetworkLoadBalancer } from '../../lib/load-balancer';
import { AppMonitoring } from '../../lib/monitoring';
import { NetworkLayout } from '../../lib/network';
import { NetworkService } from '../../lib/service';
import { testApp, testStack } from '../util/test-app';

function fixture() {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceNetworkLoadBalancer(stack, 'Nlb', { vpc: cluster.vpc });
  const service = new NetworkService(stack, 'Broker', { cluster, loadBalancer, port: 1883, image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/eclipse-mosquitto:2') });
  Validations.of(service).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'test' });
  return { stack, service };
}

describe('AppMonitoring.addNetworkService', () => {
  test('CPU, memory, tasks below desired and unhealthy targets (AWS/NetworkELB), no 5xx or response-time alarm', () => {
    const { stack, service } = fixture();
    const monitoring = new AppMonitoring(stack, 'Monitoring');
    monitoring.addNetworkService(service);
    const template = Template.fromStack(stack);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(4);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/NetworkELB', MetricName: 'UnHealthyHostCount', Statistic: 'Maximum',
      Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'TargetGroup' })]),
    });
    expect(JSON.stringify(alarms)).not.toMatch(/HTTPCode|TargetResponseTime/);
    expect(monitoring.alarms).toHaveLength(4);
  });

  test('unhealthyHosts: { enabled: false } leaves the target alarm out', () => {
    const { stack, service } = fixture();
    new AppMonitoring(stack, 'Monitoring').addNetworkService(service, { unhealthyHosts: { enabled: false } });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount' }, 0);
  });
});
