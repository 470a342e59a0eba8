import { DeployCheckRule, Finding } from '../../rule';
import { asArray, dependsTransitively, refTarget, resources } from '../../template';

/**
 * ESK-ECS1: an ECS service placed by a capacity provider strategy (its own, or the cluster's
 * default) must depend on the cluster's AWS::ECS::ClusterCapacityProviderAssociations.
 * Without the dependency CloudFormation deletes the association in parallel with the service
 * ("The specified capacity provider is in use and cannot be removed"), and a create can start
 * the service before the providers are attached.
 *
 * Sources: aws/aws-cdk#15366; aws/containers-roadmap#631 (use DependsOn on the association);
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-clustercapacityproviderassociations.html
 * aws-cdk-lib adds the dependency when the service and cluster are in one stack; hand-written
 * templates and L1 code often do not.
 */
export const ESK_ECS1: DeployCheckRule = {
  id: 'ESK-ECS1',
  severity: 'warning',
  reason: 'ECS service uses a capacity provider strategy but does not depend on its cluster\'s ClusterCapacityProviderAssociations: delete can fail "capacity provider is in use" and create can race',
  fix: 'Add DependsOn from the service to the association (in CDK: service.node.addDependency(cluster)).',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      const associations = resources(stack.template, 'AWS::ECS::ClusterCapacityProviderAssociations');
      for (const [id, service] of resources(stack.template, 'AWS::ECS::Service')) {
        const cluster = refTarget(service.Properties?.Cluster);
        if (cluster === undefined) continue;
        const mine = associations.filter(([, a]) => refTarget(a.Properties?.Cluster) === cluster);
        const ownStrategy = asArray(service.Properties?.CapacityProviderStrategy).length > 0;
        const defaultStrategy = service.Properties?.LaunchType === undefined
          && mine.some(([, a]) => asArray(a.Properties?.DefaultCapacityProviderStrategy).length > 0);
        if (!ownStrategy && !defaultStrategy) continue;
        for (const [associationId] of mine) {
          if (!dependsTransitively(stack.template, id, associationId)) {
            findings.push({
              templatePath: stack.templatePath, logicalId: id,
              locations: [ownStrategy ? 'Properties/CapacityProviderStrategy' : 'Properties/Cluster'],
              detail: `no dependency on ${associationId}`,
            });
          }
        }
      }
    }
    return findings;
  },
};
