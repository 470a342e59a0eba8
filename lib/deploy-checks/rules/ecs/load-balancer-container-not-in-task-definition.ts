import { DeployCheckRule, Finding } from '../../rule';
import { asArray, refResource, resources } from '../../template';

/**
 * ESK-ECS6: a service's LoadBalancers entry names a container, or a container port, that its task
 * definition does not have. ECS rejects the create/update: "The container X did not have a
 * container port Y defined" / "container name is not valid".
 *
 * Source: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html
 * (containerName "as it appears in a container definition"; containerPort "must match a
 * containerPort in the task definition's portMappings").
 */
export const ESK_ECS6: DeployCheckRule = {
  id: 'ESK-ECS6',
  severity: 'error',
  reason: 'ECS service load balancer names a container or port its task definition does not define: ECS rejects the service',
  fix: 'Point ContainerName/ContainerPort at a container and one of its PortMappings.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      for (const [id, service] of resources(stack.template, 'AWS::ECS::Service')) {
        const task = refResource(stack.template, service.Properties?.TaskDefinition, 'AWS::ECS::TaskDefinition');
        if (task === undefined) continue;
        const containers = asArray(task[1].Properties?.ContainerDefinitions);
        asArray(service.Properties?.LoadBalancers).forEach((lb: any, i: number) => {
          if (typeof lb?.ContainerName !== 'string') return;
          const container = containers.find((c: any) => c?.Name === lb.ContainerName);
          const ports = asArray(container?.PortMappings).map((m: any) => m?.ContainerPort);
          const port = lb.ContainerPort;
          let detail: string | undefined;
          if (container === undefined) detail = `no container ${lb.ContainerName} in ${task[0]}`;
          else if (typeof port === 'number' && ports.every((p) => typeof p === 'number') && !ports.includes(port)) detail = `container ${lb.ContainerName} maps ports ${ports.join(', ') || 'none'}, not ${port}`;
          if (detail) findings.push({ templatePath: stack.templatePath, logicalId: id, locations: [`Properties/LoadBalancers/${i}`], detail });
        });
      }
    }
    return findings;
  },
};
