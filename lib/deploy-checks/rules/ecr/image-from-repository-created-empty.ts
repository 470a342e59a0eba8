import { DeployCheckRule, Finding } from '../../rule';
import { asArray, referencedIds, resources } from '../../template';

/**
 * ESK-ECR1: a task definition whose container image is a tag or digest in an ECR repository
 * created in the same template. The first deploy creates the repository empty, the tasks
 * cannot pull (CannotPullContainerError) and the service never stabilizes. An image asset
 * (cdk-hnb659fds-container-assets, pushed by `cdk deploy` before the stack) is fine.
 *
 * Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
 * (CannotPullContainerError: image not found). This library's ServiceImage warns about the same
 * case at synth (ecs-service-kit:image-from-new-repository); this rule finds it in any app.
 */
export const ESK_ECR1: DeployCheckRule = {
  id: 'ESK-ECR1',
  severity: 'error',
  reason: 'Container image is a tag in an ECR repository created in the same stack: the first deploy creates it empty and the tasks cannot pull the image',
  fix: 'Create and push to the repository in a stack deployed before this one, or start from an image asset; acknowledge for an existing stack whose repository already holds the image.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      const repositories = new Set(resources(stack.template, 'AWS::ECR::Repository').map(([id]) => id));
      if (repositories.size === 0) continue;
      for (const [id, taskDefinition] of resources(stack.template, 'AWS::ECS::TaskDefinition')) {
        asArray(taskDefinition.Properties?.ContainerDefinitions).forEach((container: any, i: number) => {
          const repos = [...referencedIds(container?.Image)].filter((r) => repositories.has(r));
          if (repos.length === 0) return;
          findings.push({
            templatePath: stack.templatePath, logicalId: id, locations: [`Properties/ContainerDefinitions/${i}/Image`],
            detail: `container ${container?.Name ?? i} runs an image of ${repos.join(', ')}`,
          });
        });
      }
    }
    return findings;
  },
};
