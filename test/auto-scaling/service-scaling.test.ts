import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { WebService } from '../../lib/service';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

describe('service scaling', () => {
  // GIVEN two services on one load balancer: one with default scaling, one with every option (one synth)
  let stack: Stack;
  let template: Template;
  let plain: WebService;
  let full: WebService;
  const targetOf = (web: WebService) => ({ Ref: stack.getLogicalId(web.node.findChild('Service').node.findChild('TaskCount').node.findChild('Target').node.defaultChild as any) });
  const policiesOf = (web: WebService) => Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
    .map((r: any) => r.Properties)
    .filter((p: any) => JSON.stringify(p.ScalingTargetId) === JSON.stringify(targetOf(web)));

  beforeAll(() => {
    stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    // WHEN
    plain = new WebService(stack, 'Plain', { cluster, loadBalancer, image: NGINX, scaling: {} });
    full = new WebService(stack, 'Full', {
      cluster,
      loadBalancer,
      image: NGINX,
      pathPatterns: ['/api/*'],
      scaling: {
        minCapacity: 2,
        maxCapacity: 10,
        targetCpuPercent: 60,
        targetMemoryPercent: 75,
        requestsPerTarget: 500,
        scaleInCooldown: Duration.minutes(10),
        scaleOutCooldown: Duration.seconds(30),
        schedules: [
          {
            name: 'office-hours',
            schedule: appscaling.Schedule.cron({ hour: '8', minute: '0', weekDay: 'MON-FRI' }),
            minCapacity: 4,
            timeZone: TimeZone.EUROPE_BERLIN,
          },
          { name: 'night', schedule: appscaling.Schedule.cron({ hour: '20', minute: '0' }), minCapacity: 2, maxCapacity: 4 },
        ],
      },
    });
    template = Template.fromStack(stack);
  });

  test('default scaling: 1 to 4 tasks tracking 70 % CPU with 300 s in / 60 s out cooldowns', () => {
    // THEN
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 4,
      ScalableDimension: 'ecs:service:DesiredCount',
      ServiceNamespace: 'ecs',
    });
    expect(policiesOf(plain)).toEqual([expect.objectContaining({
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 70,
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
      },
    })]);
  });

  test('both services leave the desired count to scaling', () => {
    // THEN
    const services = Object.values(template.findResources('AWS::ECS::Service')) as any[];
    expect(services).toHaveLength(2);
    for (const service of services) expect(service.Properties.DesiredCount).toBeUndefined();
  });

  test('given min/max', () => {
    // THEN
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10 });
  });

  test('CPU, memory and request-count tracking with the given targets and cooldowns', () => {
    // THEN
    const byMetric = Object.fromEntries(policiesOf(full).map((p: any) => [
      p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType,
      p.TargetTrackingScalingPolicyConfiguration,
    ]));
    expect(Object.keys(byMetric).sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization']);
    expect(byMetric.ECSServiceAverageCPUUtilization).toMatchObject({ TargetValue: 60, ScaleInCooldown: 600, ScaleOutCooldown: 30 });
    expect(byMetric.ECSServiceAverageMemoryUtilization).toMatchObject({ TargetValue: 75, ScaleInCooldown: 600, ScaleOutCooldown: 30 });
    expect(byMetric.ALBRequestCountPerTarget).toMatchObject({ TargetValue: 500, ScaleInCooldown: 600, ScaleOutCooldown: 30 });
    // The request metric names this service's target group behind the load balancer.
    const label = JSON.stringify(byMetric.ALBRequestCountPerTarget.PredefinedMetricSpecification.ResourceLabel);
    expect(label).toContain(stack.getLogicalId(full.targetGroup.node.defaultChild as any));
  });

  test('scheduled actions with their time zone', () => {
    // THEN
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      ScheduledActions: [
        {
          ScheduledActionName: 'office-hours',
          Schedule: 'cron(0 8 ? * MON-FRI *)',
          ScalableTargetAction: { MinCapacity: 4 },
          Timezone: 'Europe/Berlin',
        },
        {
          ScheduledActionName: 'night',
          Schedule: 'cron(0 20 * * ? *)',
          ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 4 },
          Timezone: Match.absent(),
        },
      ],
    });
  });

  test('WebService exposes the scalable task count', () => {
    // THEN
    expect(plain.scaling).toBeDefined();
    expect(full.scaling).toBeDefined();
  });
});
