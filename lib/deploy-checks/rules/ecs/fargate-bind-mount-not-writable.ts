import { DeployCheckRule, Finding } from '../../rule';
import { asArray, isTrue, resources } from '../../template';

/**
 * ESK-ECS4: a Fargate container with a read-only root filesystem and a non-root User that writes
 * to a bind-mount volume (a task volume with no host, EFS or Docker configuration). Fargate creates
 * those directories owned by root with mode 0755, so the user gets EACCES unless the image
 * declares VOLUME on that path with the ownership it needs.
 *
 * Sources: aws/containers-roadmap#938 (permission configuration of Fargate bind mounts);
 * aws/containers-roadmap#863; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html
 */
export const ESK_ECS4: DeployCheckRule = {
  id: 'ESK-ECS4',
  severity: 'warning',
  reason: 'Fargate container runs as a non-root user with a read-only root filesystem and writes to a bind mount, which Fargate creates root-owned 0755: writes fail EACCES',
  fix: 'Declare VOLUME for the path in the Dockerfile after chown-ing it to the user, or run as root for that path, or use EFS with an access point.',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const stack of stacks) {
      for (const [id, task] of resources(stack.template, 'AWS::ECS::TaskDefinition')) {
        const compat = asArray(task.Properties?.RequiresCompatibilities);
        if (!compat.includes('FARGATE')) continue;
        const bindVolumes = new Set(asArray(task.Properties?.Volumes)
          .filter((v: any) => v?.Host?.SourcePath === undefined && v?.EFSVolumeConfiguration === undefined && v?.DockerVolumeConfiguration === undefined
            && v?.FSxWindowsFileServerVolumeConfiguration === undefined && v?.ConfiguredAtLaunch !== true)
          .map((v: any) => v?.Name));
        asArray(task.Properties?.ContainerDefinitions).forEach((c: any, i: number) => {
          const user = c?.User;
          if (!isTrue(c?.ReadonlyRootFilesystem) || typeof user !== 'string' || /^(root|0)(:|$)/.test(user)) return;
          const paths = asArray(c?.MountPoints).filter((m: any) => bindVolumes.has(m?.SourceVolume) && !isTrue(m?.ReadOnly)).map((m: any) => m?.ContainerPath);
          if (paths.length === 0) return;
          findings.push({ templatePath: stack.templatePath, logicalId: id, locations: [`Properties/ContainerDefinitions/${i}/MountPoints`], detail: `container ${c?.Name} user ${user} at ${paths.join(', ')}` });
        });
      }
    }
    return findings;
  },
};
