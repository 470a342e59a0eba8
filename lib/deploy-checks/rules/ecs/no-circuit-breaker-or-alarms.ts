import { DeployCheckRule, Finding } from '../../rule';
import { isTrue, resources } from '../../template';

/**
 * ESK-ECS5: a rolling-update ECS service without the deployment circuit breaker and without
 * deployment alarms. A release whose tasks never become healthy keeps CloudFormation waiting
 * (up to 3 hours) before the update fails and rolls back.
 *
 * Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html;
 * aws-cdk-lib's @aws-cdk/aws-ecs:shouldUseCircuitBreaker warning ("deployments may take up to 3 hours to fail").
 */
export const ESK_ECS5: DeployCheckRule = {
  id: 'ESK-ECS5',
  severity: 'warning',
  reason: 'ECS service has no deployment circuit breaker or alarms: a failing release blocks the stack for up to 3 hours before it rolls back',
  fix: 'Enable DeploymentCircuitBreaker with Rollback (CDK: circuitBreaker: { rollback: true }).',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      for (const [id, service] of resources(stack.template, 'AWS::ECS::Service')) {
        const p = service.Properties ?? {};
        const controller = p.DeploymentController?.Type ?? 'ECS';
        if (controller !== 'ECS' || p.SchedulingStrategy === 'DAEMON') continue;
        const config = p.DeploymentConfiguration ?? {};
        if (isTrue(config.DeploymentCircuitBreaker?.Enable) || isTrue(config.Alarms?.Enable)) continue;
        findings.push({ templatePath: stack.templatePath, logicalId: id, locations: ['Properties/DeploymentConfiguration'] });
      }
    }
    return findings;
  },
};
