import { DeployCheckRule, Finding } from '../../rule';
import { dependsTransitively, isTrue, resources } from '../../template';

const NAMESPACE_TYPES = ['AWS::ServiceDiscovery::PrivateDnsNamespace', 'AWS::ServiceDiscovery::HttpNamespace', 'AWS::ServiceDiscovery::PublicDnsNamespace'];

/**
 * ESK-SC2: an ECS cluster (ServiceConnectDefaults) or service (ServiceConnectConfiguration) that
 * names its Service Connect namespace by a literal name, while the Cloud Map namespace of that
 * name is created in the same template with no dependency between them. ECS creates an HTTP
 * namespace by a name it does not find ("If you enter a new name, a AWS Cloud Map namespace will
 * be created"), so when the cluster or service comes first there are two namespaces of one name
 * and the services talk in ECS's, or the two creates race ("Another operation of type
 * CreateHttpNamespace ... is in progress", aws-cdk #25554; the bogus namespaces of #25616).
 * A namespace given by ARN (Fn::GetAtt) is a reference, hence a dependency: not flagged.
 *
 * Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-cluster-serviceconnectdefaults.html;
 * aws-cdk issues #25554 and #25616.
 */
export const ESK_SC2: DeployCheckRule = {
  id: 'ESK-SC2',
  severity: 'error',
  reason: 'ECS cluster or service names its Service Connect namespace by a literal name created in the same stack without depending on it: ECS may create a second namespace of that name, or the creates race',
  fix: 'Give the namespace by its ARN (Fn::GetAtt <namespace>.Arn; CDK: namespace.namespaceArn), or add DependsOn on the namespace.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      const byName = new Map<string, string>();
      for (const type of NAMESPACE_TYPES) {
        for (const [id, ns] of resources(stack.template, type)) if (typeof ns.Properties?.Name === 'string') byName.set(ns.Properties.Name, id);
      }
      if (byName.size === 0) continue;
      const users = [
        ...resources(stack.template, 'AWS::ECS::Cluster').map(([id, c]) => ({ id, name: c.Properties?.ServiceConnectDefaults?.Namespace, location: 'Properties/ServiceConnectDefaults/Namespace' })),
        ...resources(stack.template, 'AWS::ECS::Service').filter(([, s]) => isTrue(s.Properties?.ServiceConnectConfiguration?.Enabled))
          .map(([id, s]) => ({ id, name: s.Properties.ServiceConnectConfiguration.Namespace, location: 'Properties/ServiceConnectConfiguration/Namespace' })),
      ];
      for (const user of users) {
        const namespace = typeof user.name === 'string' ? byName.get(user.name) : undefined;
        if (namespace === undefined || dependsTransitively(stack.template, user.id, namespace)) continue;
        findings.push({
          templatePath: stack.templatePath, logicalId: user.id, locations: [user.location],
          detail: `namespace "${user.name}" is ${namespace} of this stack, with no dependency on it`,
        });
      }
    }
    return findings;
  },
};
