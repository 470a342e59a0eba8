import { DeployCheckRule, Finding } from '../../rule';
import { referencedIds, resources } from '../../template';

/**
 * ESK-ECS3: an ECS service with a fixed DesiredCount and an Application Auto Scaling target on it.
 * Every update that touches the service sends DesiredCount again and resets the count that
 * scaling set (e.g. 20 tasks back to 2 in the middle of a peak).
 *
 * Sources: aws/aws-cdk#3919 (desired count reset on every deploy); aws/containers-roadmap#493;
 * AWS::ECS::Service DesiredCount: "For existing services, if a desired count is not specified,
 * it is omitted from the operation." (aws-cdk-lib feature flag @aws-cdk/aws-ecs:removeDefaultDesiredCount)
 */
export const ESK_ECS3: DeployCheckRule = {
  id: 'ESK-ECS3',
  severity: 'warning',
  reason: 'ECS service sets DesiredCount and is auto scaled: every update resets the task count that scaling chose',
  fix: 'Leave DesiredCount out when scaling is on (CDK: omit desiredCount; minCapacity sets the floor).',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      const scaled = new Set(resources(stack.template, 'AWS::ApplicationAutoScaling::ScalableTarget')
        .filter(([, t]) => t.Properties?.ServiceNamespace === 'ecs')
        .flatMap(([, t]) => [...referencedIds(t.Properties?.ResourceId)]));
      for (const [id, service] of resources(stack.template, 'AWS::ECS::Service')) {
        if (service.Properties?.DesiredCount === undefined || !scaled.has(id)) continue;
        findings.push({ templatePath: stack.templatePath, logicalId: id, locations: ['Properties/DesiredCount'], detail: `DesiredCount ${JSON.stringify(service.Properties.DesiredCount)}` });
      }
    }
    return findings;
  },
};
