import { Stack } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { MAX_TARGET_GROUPS_PER_ALB } from './route-validation';

/**
 * Counts the distinct target groups every listener of this load balancer forwards to, in any
 * stack of the app: addTarget's routes and whatever else reached the listeners
 * (`listener.addTargetGroups`, `addAction`, rules created with `listener: lb.listener`).
 */
export function validateTargetGroupCount(scope: IConstruct, loadBalancer: elbv2.ApplicationLoadBalancer): string[] {
  const listeners = loadBalancer.node.children.filter((c): c is elbv2.ApplicationListener => c instanceof elbv2.ApplicationListener);
  const listenerArns = new Set(listeners.map(l => l.listenerArn));
  const cfnListeners = new Set<unknown>(listeners.map(l => l.node.defaultChild));
  const seen = new Set<string>();
  for (const c of scope.node.root.node.findAll()) {
    let actions: unknown;
    if (c instanceof elbv2.CfnListenerRule && c.listenerArn !== undefined && listenerArns.has(c.listenerArn)) actions = c.actions;
    else if (c instanceof elbv2.CfnListener && cfnListeners.has(c)) actions = c.defaultActions;
    else continue;
    const stack = Stack.of(c);
    let resolved: unknown;
    try {
      resolved = stack.resolve(actions);
    } catch {
      seen.add(`${c.node.path}:unresolvable`);
      continue;
    }
    for (const arn of targetGroupArns(resolved)) {
      // A Ref or GetAtt names a resource of the rule's own stack; a literal ARN or an import is global.
      const local = typeof arn === 'object' && arn !== null && ('Ref' in arn || 'Fn::GetAtt' in arn);
      seen.add(`${local ? stack.node.path : ''}:${JSON.stringify(arn)}`);
    }
  }
  if (seen.size <= MAX_TARGET_GROUPS_PER_ALB) return [];
  return [`target groups ${seen.size} are attached to this load balancer's listeners (counted across all stacks of the app), ` +
    `more than the ${MAX_TARGET_GROUPS_PER_ALB} an Application Load Balancer takes (the quota cannot be raised); ` +
    'put further services behind another ServiceLoadBalancer'];
}

/**
 * Every target group ARN in listener actions (forward, weighted forward), as the L1 properties
 * hold them (`targetGroupArn`) or as CloudFormation spells them (`TargetGroupArn`).
 */
function targetGroupArns(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(targetGroupArns);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (k === 'targetGroupArn' || k === 'TargetGroupArn' ? [v] : targetGroupArns(v)));
}
