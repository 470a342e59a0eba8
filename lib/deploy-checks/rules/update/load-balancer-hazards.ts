/**
 * Load balancers and their target groups across an update (ESK-UPD13, ESK-UPD14, ESK-UPD15,
 * ESK-UPD17).
 */
import { asArray, refTarget } from '../../template';
import { Comparison } from './comparison';

const LOAD_BALANCER = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';

/**
 * nlb-security-groups-added: a Network Load Balancer created without security groups gets some in
 * N+1 while it stays (no replacing property changed). CloudFormation calls SetSecurityGroups,
 * which ELB refuses for a Network Load Balancer created without a security group.
 * Source: ELB API reference, SetSecurityGroups ("You can't perform this operation on a Network
 * Load Balancer unless you specified a security group for the load balancer when you created it").
 */
export function networkLoadBalancerSecurityGroupHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf } = c;
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    for (const [id, now] of Object.entries(a)) {
      const old = b[id];
      if (now.Type !== LOAD_BALANCER || old?.Type !== LOAD_BALANCER || replacedBy.get(stack)!.has(id)) continue;
      if (now.Properties?.Type !== 'network') continue;
      if (asArray(old.Properties?.SecurityGroups).length === 0 && asArray(now.Properties?.SecurityGroups).length > 0) {
        push('nlb-security-groups-added', stack, id, now.Type,
          'gets SecurityGroups, and it was created without any: ELB refuses security groups on a Network Load Balancer created without them (SetSecurityGroups), so the update fails');
      }
    }
  }
}

/**
 * target-group-replaced: a target group an ECS service of N+1 registers in (and N registered in
 * too) is replaced. The new group is created empty, the listener forwards to it once updated, and
 * only then does the service's update start the tasks that register in it: until they pass their
 * health checks, the listener forwards to no healthy target (503 on an ALB, refused connections
 * on an NLB).
 */
export function targetGroupReplacedHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf } = c;
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    const replaced = replacedBy.get(stack)!;
    for (const [serviceId, service] of Object.entries(a)) {
      if (service.Type !== 'AWS::ECS::Service' || b[serviceId]?.Type !== 'AWS::ECS::Service' || replaced.has(serviceId)) continue;
      const oldGroups = new Set(asArray(b[serviceId].Properties?.LoadBalancers).map((lb: any) => refTarget(lb?.TargetGroupArn)));
      for (const lb of asArray(service.Properties?.LoadBalancers)) {
        const group = refTarget(lb?.TargetGroupArn);
        if (group === undefined || !oldGroups.has(group) || a[group]?.Type !== TARGET_GROUP || !replaced.has(group)) continue;
        push('target-group-replaced', stack, group, TARGET_GROUP,
          `is replaced (${replaced.get(group)![0]}) while ${serviceId} registers in it: the listener forwards to the new, empty group before the service's new tasks are healthy in it, so traffic fails for about a task start and its health checks`);
      }
    }
  }
}

/** Whether a load balancer's attributes turn deletion protection on (a literal "true"). */
function deletionProtected(resource: { Properties?: Record<string, any> } | undefined): boolean {
  return asArray(resource?.Properties?.LoadBalancerAttributes)
    .some((attribute: any) => attribute?.Key === 'deletion_protection.enabled' && String(attribute?.Value) === 'true');
}

/**
 * protected-load-balancer-deleted: a load balancer whose deployed version has deletion protection
 * on is removed, or replaced (a create-only property: Name, Type, Scheme), in N+1. CloudFormation
 * deletes the old one in the cleanup phase; ELB refuses (OperationNotPermitted), so the stack
 * ends "UPDATE_COMPLETE" with the load balancer left outside it, still billed.
 * Source: ELB API reference, DeleteLoadBalancer ("If deletion protection is enabled, the load
 * balancer cannot be deleted"); the registry schema's createOnlyProperties.
 */
export function protectedLoadBalancerHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf } = c;
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    for (const [id, old] of Object.entries(b)) {
      if (old.Type !== LOAD_BALANCER || !deletionProtected(old)) continue;
      const removed = a[id]?.Type !== LOAD_BALANCER;
      const replaced = !removed && replacedBy.get(stack)!.has(id);
      if (!removed && !replaced) continue;
      push('protected-load-balancer-deleted', stack, id, LOAD_BALANCER,
        `${removed ? 'is removed' : `is replaced (${replacedBy.get(stack)!.get(id)![0]})`} with deletion protection on in the deployed version: ELB refuses its delete in cleanup (OperationNotPermitted), so it stays in the account outside the stack, still billed`);
    }
  }
}

const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';

/** The target groups an action list forwards to: `TargetGroupArn`, or `ForwardConfig.TargetGroups`. */
function forwardedGroups(actions: unknown): string[] {
  return asArray(actions).flatMap((action: any) => [
    refTarget(action?.TargetGroupArn),
    ...asArray(action?.ForwardConfig?.TargetGroups).map((group: any) => refTarget(group?.TargetGroupArn)),
  ]).filter((id): id is string => id !== undefined);
}

/**
 * default-route-to-rule: a listener of N forwards to target group X by default; in N+1 its
 * default action no longer does, and a listener rule new in N+1 on that listener forwards to X
 * (a WebService that gets `sourceCidrs`, or paths or hosts, while it was the default route). The
 * rule refers to the listener, so CloudFormation updates the listener first and creates the rule
 * after: meanwhile every request gets the new default action (this library's 404), and X is in no
 * listener, so its targets go unused and pass their health checks again once the rule exists.
 * Source: the ELB API reference, TargetHealth (`Target.NotInUse`: "the target group is not used
 * by any load balancer"); CloudFormation's dependency order.
 */
export function defaultRouteToRuleHazards(c: Comparison): void {
  const { before, after, stacks, replacedBy, push, resourcesOf } = c;
  for (const stack of stacks) {
    const [b, a] = [resourcesOf(before, stack), resourcesOf(after, stack)];
    for (const [listenerId, listener] of Object.entries(a)) {
      const old = b[listenerId];
      if (listener.Type !== LISTENER || old?.Type !== LISTENER || replacedBy.get(stack)!.has(listenerId)) continue;
      const nowDefault = new Set(forwardedGroups(listener.Properties?.DefaultActions));
      for (const group of forwardedGroups(old.Properties?.DefaultActions)) {
        if (nowDefault.has(group)) continue;
        const rule = Object.entries(a).find(([ruleId, r]) => r.Type === LISTENER_RULE && b[ruleId] === undefined
          && refTarget(r.Properties?.ListenerArn) === listenerId && forwardedGroups(r.Properties?.Actions).includes(group));
        if (!rule) continue;
        push('default-route-to-rule', stack, rule[0], LISTENER_RULE,
          `is created for ${group}, which ${listenerId} forwarded to by default: CloudFormation updates the listener before it creates this rule, so meanwhile every request gets the listener's new default action, and ${group}'s targets serve no listener until the rule exists and they pass their health checks again`);
      }
    }
  }
}
