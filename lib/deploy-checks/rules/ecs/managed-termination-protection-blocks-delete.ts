import { DeployCheckRule, Finding } from '../../rule';
import { isTrue, refResource, resources } from '../../template';

/**
 * ESK-ECS2: an ASG capacity provider with ManagedTerminationProtection ENABLED (which needs
 * NewInstancesProtectedFromScaleIn on the ASG) makes a stack delete hang: the instances stay
 * protected from scale-in, so the ASG and the capacity provider wait on them.
 *
 * Sources: aws/aws-cdk#18179 (hanging on deleting a stack with ASG capacity provider),
 * aws/aws-cdk#14732; ECS managed instance draining (ManagedDraining, 2024) is the alternative:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html
 */
export const ESK_ECS2: DeployCheckRule = {
  id: 'ESK-ECS2',
  severity: 'warning',
  reason: 'ASG capacity provider has ManagedTerminationProtection ENABLED with scale-in-protected instances: the stack delete hangs on the protected instances',
  fix: 'Set ManagedTerminationProtection DISABLED and ManagedDraining ENABLED (CDK: enableManagedTerminationProtection: false, enableManagedDraining: true).',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      for (const [id, provider] of resources(stack.template, 'AWS::ECS::CapacityProvider')) {
        const asgProvider = provider.Properties?.AutoScalingGroupProvider;
        if (asgProvider?.ManagedTerminationProtection !== 'ENABLED') continue;
        const asg = refResource(stack.template, asgProvider.AutoScalingGroupArn, 'AWS::AutoScaling::AutoScalingGroup');
        // ECS requires scale-in protection for ENABLED; flag it also when the ASG lives elsewhere.
        if (asg !== undefined && !isTrue(asg[1].Properties?.NewInstancesProtectedFromScaleIn)) continue;
        findings.push({
          templatePath: stack.templatePath, logicalId: id,
          locations: ['Properties/AutoScalingGroupProvider/ManagedTerminationProtection'],
          detail: asg ? `ASG ${asg[0]} has NewInstancesProtectedFromScaleIn` : undefined,
        });
      }
    }
    return findings;
  },
};
