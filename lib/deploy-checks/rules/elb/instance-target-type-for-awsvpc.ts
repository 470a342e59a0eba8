import { DeployCheckRule, Finding } from '../../rule';
import { allResources, asArray, identity, refResource, resolveIdentity } from '../../template';

/**
 * ESK-ELB7: a service whose tasks use the awsvpc network mode (every Fargate task) registers into
 * a target group of TargetType instance (the CloudFormation default). ECS rejects the service:
 * "target type instance, which is incompatible with the awsvpc network mode".
 *
 * Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html
 * ("for services with tasks using the awsvpc network mode ... you must choose ip as the target type").
 */
export const ESK_ELB7: DeployCheckRule = {
  id: 'ESK-ELB7',
  severity: 'error',
  reason: 'awsvpc/Fargate service registers into a target group of TargetType instance: ECS rejects the service',
  fix: 'Set TargetType ip on the target group (CDK: targetType: TargetType.IP).',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const { stack, id, resource } of allResources(stacks, 'AWS::ECS::Service')) {
      const task = refResource(stack.template, resource.Properties?.TaskDefinition, 'AWS::ECS::TaskDefinition');
      const awsvpc = task?.[1].Properties?.NetworkMode === 'awsvpc' || resource.Properties?.LaunchType === 'FARGATE';
      if (!awsvpc) continue;
      asArray(resource.Properties?.LoadBalancers).forEach((lb: any, i: number) => {
        if (lb?.TargetGroupArn === undefined) return;
        const tg = resolveIdentity(stacks, identity(stacks, stack, lb.TargetGroupArn));
        if (tg?.resource.Type !== 'AWS::ElasticLoadBalancingV2::TargetGroup') return;
        const type = tg.resource.Properties?.TargetType ?? 'instance';
        if (type !== 'instance') return;
        findings.push({ templatePath: stack.templatePath, logicalId: id, locations: [`Properties/LoadBalancers/${i}`], detail: `target group ${tg.id} has TargetType ${type}` });
      });
    }
    return findings;
  },
};
