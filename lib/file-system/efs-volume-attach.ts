import { CfnResource, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { checkPattern, checkRange, fail } from '../validation/checks';
import { ConfigurationError } from '../validation/configuration-error';
import { EfsVolumeOptions } from './efs-volume';

/**
 * How `efsVolumes` are checked, added to a task definition and connected to the tasks' security
 * group. Internal: not exported from lib/file-system/index.ts.
 */

/** A container of the task as the volume checks see it. */
export interface EfsContainerFacts {
  readonly name: string;
  readonly user?: string;
}

const MAX_ID = 4_294_967_295;

/**
 * Checks `efsVolumes` before any child exists. `containers` are the task's containers (main
 * first); `otherPaths` maps paths other mounts of the main container already use to what uses
 * them (an EBS volume, a writable path).
 */
export function validateEfsVolumes(
  scope: IConstruct, volumes: EfsVolumeOptions[] | undefined, containers: EfsContainerFacts[], otherPaths: Map<string, string>,
): void {
  if (volumes === undefined) return;
  if (!Array.isArray(volumes)) fail(scope, 'efsVolumes', volumes, 'is not a list', 'give a list of EfsVolumeOptions');
  const seen = new Map<string, number>();
  volumes.forEach((volume, i) => {
    const p = (name: string) => `efsVolumes[${i}].${name}`;
    if (!volume.fileSystem) fail(scope, p('fileSystem'), volume.fileSystem, 'is missing', 'give a ServiceFileSystem\'s fileSystem, or efs.FileSystem.fromFileSystemAttributes(...)');
    if (volume.mountPath === undefined) fail(scope, p('mountPath'), volume.mountPath, 'is missing', 'give an absolute container path such as \'/data\'');
    checkPattern(scope, p('mountPath'), volume.mountPath, /^\/[^\s]*$/, 'use an absolute container path such as \'/data\'');
    if (!Token.isUnresolved(volume.mountPath)) {
      if (volume.mountPath === '/') fail(scope, p('mountPath'), volume.mountPath, 'would hide the whole container filesystem', 'use a directory such as \'/data\'');
      const path = normalise(volume.mountPath);
      const earlier = seen.get(path);
      if (earlier !== undefined) {
        fail(scope, p('mountPath'), volume.mountPath, `is also the mountPath of efsVolumes[${earlier}]; a container cannot mount two volumes at one path`,
          'give each volume its own mountPath');
      }
      seen.set(path, i);
      const other = otherPaths.get(path);
      if (other !== undefined) {
        fail(scope, p('mountPath'), volume.mountPath, `is already ${other}; a container cannot mount two volumes at one path`, 'give the EFS volume another mountPath');
      }
    }
    if (volume.rootDirectory !== undefined) {
      checkPattern(scope, p('rootDirectory'), volume.rootDirectory, /^\/[^\s]{0,99}$/, 'use an absolute path of the file system, at most 100 characters, such as \'/shared\'');
    }
    if (volume.directoryPermissions !== undefined) {
      checkPattern(scope, p('directoryPermissions'), volume.directoryPermissions, /^[0-7]{3,4}$/, 'use octal permissions such as \'750\' or \'0770\'');
    }
    if (volume.posixUser) {
      checkRange(scope, p('posixUser.uid'), volume.posixUser.uid, 0, MAX_ID);
      checkRange(scope, p('posixUser.gid'), volume.posixUser.gid, 0, MAX_ID);
      const secondary = volume.posixUser.secondaryGids ?? [];
      if (secondary.length > 16) fail(scope, p('posixUser.secondaryGids'), secondary, 'has more than 16 groups', 'give at most 16');
      secondary.forEach((gid, j) => checkRange(scope, p(`posixUser.secondaryGids[${j}]`), gid, 0, MAX_ID));
    }
    if (volume.readOnly && volume.rootAccess) {
      fail(scope, p('rootAccess'), true, 'cannot be combined with readOnly: root access is the right to write as root',
        'leave rootAccess out for a read-only volume, or mount it writable');
    }
    const names = volume.containers ?? [containers[0].name];
    for (const name of names) {
      const container = containers.find((c) => c.name === name);
      if (!container) {
        fail(scope, p('containers'), name, 'is not a container of the task', `use the names of the task's containers: ${containers.map((c) => c.name).join(', ')}`);
      }
      if (!volume.posixUser && isNonRoot(container.user)) {
        fail(scope, p('posixUser'), undefined, `is missing, and container "${name}" runs as user "${container.user}": EFS creates the access point's directory owned by root, so the user could not write to it`,
          `give posixUser with the container user's ids (for example { uid: 1000, gid: 1000 }): files are then created as that user and the directory is theirs`);
      }
    }
    if (!volume.posixUser && !volume.rootAccess) {
      fail(scope, p('posixUser'), undefined,
        'is missing: without it EFS creates the access point\'s directory owned by root (0:0, mode 750), and without rootAccess it treats a root client as an unprivileged user (root squashing), so no one could enter the directory and the mount fails',
        'give posixUser with the ids the container runs as (for example { uid: 1000, gid: 1000 }), or rootAccess: true for a container that must act as root');
    }
    if (volume.posixUser && volume.posixUser.uid === 0 && !volume.rootAccess) {
      fail(scope, p('posixUser.uid'), 0, 'enforces root, which EFS allows only with the ClientRootAccess permission',
        'use a non-root uid, or set rootAccess: true');
    }
  });
}

/** Whether a container `user` ('1000', 'node', '1000:1000') is someone else than root. */
function isNonRoot(user: string | undefined): boolean {
  if (user === undefined || Token.isUnresolved(user)) return false;
  const [uid] = user.split(':');
  return uid !== 'root' && uid !== '0' && uid !== '';
}

function normalise(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

/** What `attachEfsVolumes` made for a task definition, for `connectEfsVolumes`. */
const FILE_SYSTEMS = new WeakMap<ecs.TaskDefinition, efs.IFileSystem[]>();

/**
 * Adds each volume to `taskDefinition`: an access point (children of `scope`, 'EfsAccessPoint…'),
 * the task volume with transit encryption and IAM authorization, the mount points, and the task
 * role's ClientMount (ClientWrite, ClientRootAccess) on the file system through that access
 * point only.
 */
export function attachEfsVolumes(
  scope: Construct, volumes: EfsVolumeOptions[] | undefined, taskDefinition: ecs.TaskDefinition, containers: Map<string, ecs.ContainerDefinition>, mainName: string,
): void {
  if (!volumes || volumes.length === 0) return;
  const fileSystems: efs.IFileSystem[] = [];
  for (const volume of volumes) {
    const slug = volume.mountPath.split(/[^a-zA-Z0-9]+/).filter(Boolean);
    const id = `EfsAccessPoint${slug.map((part) => part[0].toUpperCase() + part.slice(1)).join('')}`;
    const name = `efs-${slug.join('-')}`.slice(0, 255);
    const owner = volume.posixUser ?? { uid: 0, gid: 0 };
    const accessPoint = new efs.AccessPoint(scope, id, {
      fileSystem: volume.fileSystem,
      path: volume.rootDirectory ?? normalise(volume.mountPath),
      posixUser: volume.posixUser ? {
        uid: String(volume.posixUser.uid),
        gid: String(volume.posixUser.gid),
        secondaryGids: volume.posixUser.secondaryGids?.map(String),
      } : undefined,
      createAcl: { ownerUid: String(owner.uid), ownerGid: String(owner.gid), permissions: volume.directoryPermissions ?? Defaults.efsDirectoryPermissions },
    });
    taskDefinition.addVolume({
      name,
      efsVolumeConfiguration: {
        fileSystemId: volume.fileSystem.fileSystemId,
        transitEncryption: 'ENABLED',
        authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
      },
    });
    const readOnly = volume.readOnly ?? false;
    for (const containerName of volume.containers ?? [mainName]) {
      containers.get(containerName)!.addMountPoints({ containerPath: volume.mountPath, sourceVolume: name, readOnly });
    }
    const actions = ['elasticfilesystem:ClientMount'];
    if (!readOnly) actions.push('elasticfilesystem:ClientWrite');
    if (volume.rootAccess) actions.push('elasticfilesystem:ClientRootAccess');
    taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions,
      resources: [volume.fileSystem.fileSystemArn],
      conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn } },
    }));
    if (!fileSystems.includes(volume.fileSystem)) fileSystems.push(volume.fileSystem);
  }
  FILE_SYSTEMS.set(taskDefinition, fileSystems);
}

/**
 * Lets the tasks of `taskDefinition`, in `securityGroup`, reach the file systems of their EFS
 * volumes on NFS (2049), and orders `startsTasks` (the ECS service, the schedule) after the
 * mount targets and that rule: ECS starts tasks as soon as the service exists, and a task whose
 * mount target is not there yet fails ("mount.nfs: Failed to resolve server").
 *
 * The rule is the file system security group's ingress from `securityGroup`, created in the
 * stack of the tasks (so a shared file system in another stack takes no reference back).
 */
export function connectEfsVolumes(taskDefinition: ecs.TaskDefinition, securityGroup: ec2.ISecurityGroup, startsTasks: IConstruct): void {
  const fileSystems = FILE_SYSTEMS.get(taskDefinition) ?? [];
  if (fileSystems.length === 0) return;
  const target = CfnResource.isCfnResource(startsTasks) ? startsTasks : startsTasks.node.defaultChild ?? startsTasks;
  for (const fileSystem of fileSystems) {
    // Ingress only: the tasks' groups allow all outbound traffic, and NFS replies are stateful.
    // remoteRule: with the file system in another stack, the rule is created in the tasks' stack.
    for (const group of fileSystem.connections.securityGroups) {
      group.addIngressRule(securityGroup, ec2.Port.tcp(efs.FileSystem.DEFAULT_PORT),
        `NFS from the tasks of ${taskDefinition.node.scope?.node.path ?? taskDefinition.node.path}`, true);
    }
    target.node.addDependency(fileSystem.mountTargetsAvailable);
    // The NFS rule: under the file system's group in one stack, under the tasks' group when the
    // file system is in another (aws-cdk-lib places a cross-stack rule with the peer).
    for (const group of fileSystem.connections.securityGroups) target.node.addDependency(group);
    target.node.addDependency(securityGroup);
  }
  if (target instanceof ecs.CfnService) checkPlatformVersion(target);
}

/**
 * Fargate mounts EFS from platform version 1.4.0. The library sets none (LATEST); an escape hatch
 * (`cfnService.platformVersion = '1.3.0'`) may pin an older one: checked once the tree is complete.
 */
function checkPlatformVersion(service: ecs.CfnService): void {
  service.node.addValidation({
    validate: () => {
      const version = service.platformVersion;
      if (version === undefined || Token.isUnresolved(version) || version === 'LATEST') return [];
      const [major, minor] = version.split('.').map(Number);
      if (major > 1 || (major === 1 && minor >= 4)) return [];
      return [new ConfigurationError(service.node.path, 'PlatformVersion', version, 'cannot mount EFS volumes (efsVolumes): Fargate mounts EFS from platform version 1.4.0',
        'leave the platform version unset (LATEST), or set 1.4.0 or later').message];
    },
  });
}
