import { DeployCheckRule, Finding } from '../../rule';
import { allResources, asArray, dependsTransitively, forwardedTargetGroups, identity } from '../../template';

/**
 * ESK-ELB6: an ECS service registers into a target group that no listener or listener rule
 * forwards to before the service is created. ECS refuses it: "The target group ... does not have
 * an associated load balancer". Checked: the forwarding listener/rule must be in the service's
 * template with a dependency path from the service; a rule only in another stack (which imports
 * the target group, so deploys after it) or no rule at all fails the create.
 *
 * Sources: aws/aws-cdk#1160 (AWS::ECS::Service needs DependsOn the ListenerRule);
 * aws-cloudformation/cloudformation-coverage-roadmap#1868;
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/troubleshoot-service-load-balancers.html
 */
export const ESK_ELB6: DeployCheckRule = {
  id: 'ESK-ELB6',
  severity: 'error',
  reason: 'ECS service\'s target group is not forwarded to by a listener or rule it depends on: the create fails "target group does not have an associated load balancer"',
  fix: 'Create the listener rule in the service\'s stack and add DependsOn from the service to it (aws-cdk-lib does this for listener.addTargets in one stack).',
  check: (stacks) => {
    const forwarders = [
      ...allResources(stacks, 'AWS::ElasticLoadBalancingV2::Listener').map((l) => ({ ...l, targets: forwardedTargetGroups(l.resource.Properties?.DefaultActions) })),
      ...allResources(stacks, 'AWS::ElasticLoadBalancingV2::ListenerRule').map((l) => ({ ...l, targets: forwardedTargetGroups(l.resource.Properties?.Actions) })),
    ].map((f) => ({ ...f, keys: new Set(f.targets.map((t) => identity(stacks, f.stack, t))) }));
    const findings: Finding[] = [];
    for (const { stack, id, resource } of allResources(stacks, 'AWS::ECS::Service')) {
      asArray(resource.Properties?.LoadBalancers).forEach((lb: any, i: number) => {
        if (lb?.TargetGroupArn === undefined) return; // Classic Load Balancer
        const key = identity(stacks, stack, lb.TargetGroupArn);
        if (!key.startsWith(`${stack.templatePath}#`)) return; // imported target group: its listener deployed earlier
        const mine = forwarders.filter((f) => f.keys.has(key));
        const ordered = mine.some((f) => f.stack === stack && dependsTransitively(stack.template, id, f.id));
        if (ordered) return;
        findings.push({
          templatePath: stack.templatePath, logicalId: id, locations: [`Properties/LoadBalancers/${i}`],
          detail: mine.length === 0 ? 'no listener forwards to the target group'
            : `no dependency on ${mine.map((f) => (f.stack === stack ? f.id : `${f.id} in ${f.stack.templatePath.split('/').pop()}`)).join(', ')}`,
        });
      });
    }
    return findings;
  },
};
