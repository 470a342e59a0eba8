import { DeployCheckRule, Finding, StackTemplate } from '../../rule';
import { asArray, dependsTransitively, identity, isTrue, refResource, resources } from '../../template';

/**
 * ESK-SC1: Service Connect tasks resolve only the endpoints that existed when they started. A
 * client created in parallel with the services it calls starts without their endpoints and
 * keeps failing to reach them until its tasks are replaced.
 *
 * Approximation (a template does not say who calls whom): a service with Service Connect enabled
 * that publishes nothing (no `Services` entry) is taken to call every service that publishes in
 * the same namespace of the same template, and must depend on each of them. Services that both
 * publish and call are not checked; acknowledge a finding for a publisher it does not call.
 *
 * Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html
 * ("tasks ... only resolve endpoints that existed when the task started"; deploy the servers first).
 */
export const ESK_SC1: DeployCheckRule = {
  id: 'ESK-SC1',
  severity: 'warning',
  reason: 'Service Connect client does not depend on the services publishing in its namespace: its tasks can start before their endpoints exist and never resolve them',
  fix: 'Add DependsOn from the client service to the services it calls (CDK: client.node.addDependency(server)).',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      const services = resources(stack.template, 'AWS::ECS::Service')
        .filter(([, s]) => isTrue(s.Properties?.ServiceConnectConfiguration?.Enabled))
        .map(([id, s]) => ({ id, namespace: namespaceOf(stacks, stack, s), publishes: asArray(s.Properties.ServiceConnectConfiguration.Services).length > 0 }));
      for (const client of services.filter((s) => !s.publishes)) {
        const missing = services
          .filter((s) => s.publishes && s.namespace === client.namespace && !dependsTransitively(stack.template, client.id, s.id))
          .map((s) => s.id);
        if (missing.length > 0) {
          findings.push({ templatePath: stack.templatePath, logicalId: client.id, locations: ['Properties/ServiceConnectConfiguration'], detail: `no dependency on ${missing.join(', ')}` });
        }
      }
    }
    return findings;
  },
};

/** The service's namespace, else its cluster's ServiceConnectDefaults namespace. */
function namespaceOf(stacks: readonly StackTemplate[], stack: StackTemplate, service: any): string {
  const own = service.Properties?.ServiceConnectConfiguration?.Namespace;
  if (own !== undefined) return identity(stacks, stack, own);
  const cluster = refResource(stack.template, service.Properties?.Cluster, 'AWS::ECS::Cluster');
  const fallback = cluster?.[1].Properties?.ServiceConnectDefaults?.Namespace;
  return fallback !== undefined ? identity(stacks, stack, fallback) : `${stack.templatePath}#cluster-default`;
}
