// The same service with aws-cdk-lib L2s, as a team using aws-ecs-patterns must write it:
// ApplicationLoadBalancedFargateService cannot add a rule to an existing listener (it creates a
// listener of its own, which fails on a port the existing listener already holds), so the team
// falls back to the L2s. Only what the service needs to work and to deploy safely is written:
// circuit breaker with rollback, a health check, log retention, a short deregistration delay.
// Counted by benchmarks/existing-platform/count.ts between the BEGIN and END lines.
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PlatformIds } from './platform';

export function addService(stack: Stack, vpc: ec2.IVpc, ids: PlatformIds): void {
  // BEGIN
  const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: ids.clusterName, vpc });
  const albSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'AlbSg', ids.loadBalancerSecurityGroupId);
  const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Listener', {
    listenerArn: ids.listenerArn,
    securityGroup: albSecurityGroup,
  });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('main', {
    image: ecs.ContainerImage.fromAsset(ids.assetDirectory),
    portMappings: [{ containerPort: 8080 }],
    logging: ecs.LogDrivers.awsLogs({
      streamPrefix: 'orders',
      logGroup: new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }),
    }),
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    circuitBreaker: { enable: true, rollback: true },
    minHealthyPercent: 100,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  });
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'TargetGroup', {
    vpc,
    port: 8080,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    targets: [service],
    deregistrationDelay: Duration.seconds(20),
    healthCheck: { path: '/health', interval: Duration.seconds(5), timeout: Duration.seconds(4), healthyThresholdCount: 2 },
  });
  new elbv2.ApplicationListenerRule(stack, 'Rule', {
    listener,
    priority: 10,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/orders/*'])],
    action: elbv2.ListenerAction.forward([targetGroup]),
  });
  service.connections.allowFrom(albSecurityGroup, ec2.Port.tcp(8080));
  // END
}
