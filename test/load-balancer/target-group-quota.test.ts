import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { TEST_ENV } from '../util/test-app';

/**
 * A load balancer in one stack and services in two, each service a construct holding its target
 * group and (through ruleScope) its listener rule, as WebService does.
 */
function twoStacks(): { app: App; lbStack: Stack; other: Stack; lb: ServiceLoadBalancer; vpc: ec2.Vpc } {
  // No strict template validation here: 100+ resources per stack synthesize faster without it.
  const app = new App({ treeMetadata: false, builtinCloudFormationValidation: false });
  const lbStack = new Stack(app, 'Network', { env: TEST_ENV });
  const other = new Stack(app, 'Services', { env: TEST_ENV });
  const vpc = new ec2.Vpc(lbStack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
  const lb = new ServiceLoadBalancer(lbStack, 'Lb', { vpc, accessLogs: false });
  return { app, lbStack, other, lb, vpc };
}

function addService(stack: Stack, lb: ServiceLoadBalancer, vpc: ec2.IVpc, n: number, priority?: number): elbv2.ApplicationTargetGroup {
  const service = new Construct(stack, `Svc${n}`);
  const targetGroup = new elbv2.ApplicationTargetGroup(service, 'TargetGroup', {
    vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
  });
  // explicit priorities: this test is about the target-group quota, not about hash collisions
  lb.addTarget(`Svc${n}`, { targetGroup, pathPatterns: [`/svc${n}/*`], ruleScope: service, priority: priority ?? n + 1 });
  return targetGroup;
}

describe('at most 100 target groups per load balancer, counted across stacks', () => {
  test('the 101st route through addTarget fails, naming targetGroup and the quota', () => {
    const { lbStack, other, lb, vpc } = twoStacks();
    for (let n = 0; n < 50; n++) addService(lbStack, lb, vpc, n);
    for (let n = 50; n < 100; n++) addService(other, lb, vpc, n);
    expect(() => addService(other, lb, vpc, 100))
      .toThrow(/^Network\/Lb: loadBalancer Network\/Lb gets target group number 101 \(Services\/Svc100\/TargetGroup, route Svc100\), counted across all stacks that attach to it; an Application Load Balancer takes at most 100 target groups and the quota cannot be raised/);
  });

  test('100 routes across two stacks are fine', () => {
    const { app, lbStack, other, lb, vpc } = twoStacks();
    for (let n = 0; n < 50; n++) addService(lbStack, lb, vpc, n);
    for (let n = 50; n < 100; n++) addService(other, lb, vpc, n);
    app.synth();
    Template.fromStack(other).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 50);
  });

  test('target groups added to the listener another way count too: synth fails at 101', () => {
    const { app, lbStack, other, lb, vpc } = twoStacks();
    for (let n = 0; n < 50; n++) addService(lbStack, lb, vpc, n);
    for (let n = 50; n < 100; n++) addService(other, lb, vpc, n);
    // one more, straight on the listener, in the other stack
    const extra = new elbv2.ApplicationTargetGroup(other, 'Extra', { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
    new elbv2.ApplicationListenerRule(other, 'ExtraRule', {
      listener: lb.listener, priority: 5000, conditions: [elbv2.ListenerCondition.pathPatterns(['/extra/*'])], action: elbv2.ListenerAction.forward([extra]),
    });
    expect(() => app.synth())
      .toThrow(/\[Network\/Lb\] target groups 101 are attached to this load balancer's listeners \(counted across all stacks of the app\), more than the 100 an Application Load Balancer takes/);
  });

  test('one target group behind several rules counts once', () => {
    const { app, lbStack, other, lb, vpc } = twoStacks();
    const shared = addService(lbStack, lb, vpc, 0);
    for (let n = 1; n < 99; n++) addService(lbStack, lb, vpc, n);
    addService(other, lb, vpc, 99);
    lb.listener.addTargetGroups('Again', { targetGroups: [shared], priority: 6000, conditions: [elbv2.ListenerCondition.pathPatterns(['/again/*'])] });
    expect(() => app.synth()).not.toThrow();
  });
});
