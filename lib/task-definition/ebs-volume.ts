import { Size, SizeRoundingBehavior, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { checkPattern, checkRange, fail, failWithText } from '../validation/checks';

/**
 * An Amazon EBS volume that ECS creates for each task of a service, attaches at start and
 * mounts into the main container.
 *
 * Lifetime: ECS deletes each volume when its task stops (a deploy, a scale-in, a failed health
 * check, `cdk destroy`). There is no retention choice: ECS offers none for the volumes of a
 * service's tasks, nor snapshots on stop. Use it for scratch space, caches and data you can
 * rebuild; keep lasting data in S3, EFS or a database, or start each volume from a
 * `snapshotId`.
 */
export interface EbsVolumeOptions {
  /** Where the main container sees the volume: an absolute path such as '/data'. */
  readonly mountPath: string;

  /**
   * The volume's size, in whole GiB: gp2 1–16,384; gp3 1–65,536; io1 4–16,384; io2 4–65,536;
   * st1 and sc1 125–16,384; standard 1–1,024. With `snapshotId` it may be left out (the
   * snapshot's size) or be at least the snapshot's size.
   *
   * @default - the snapshot's size; required without `snapshotId`
   */
  readonly size?: Size;

  /**
   * The EBS volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3 - the cheapest SSD volume, with 3,000 IOPS and
   *   125 MiB/s at any size (ECS's own default is gp2)
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * Provisioned IOPS: gp3 3,000–80,000 (at most 500 per GiB), io1 100–64,000 (at most 50 per
   * GiB, required), io2 100–256,000 (at most 1,000 per GiB, required). Not for gp2, st1, sc1
   * and standard.
   *
   * @default - 3,000 on gp3; none on the other types
   */
  readonly iops?: number;

  /**
   * gp3 only: provisioned throughput in MiB/s, 125–2,000, at most 0.25 MiB/s per IOPS.
   *
   * @default - 125 MiB/s
   */
  readonly throughputMiBps?: number;

  /**
   * The snapshot each volume starts from (`snap-…`), for data every task should start with.
   * `fileSystemType` must be the snapshot's.
   *
   * @default - an empty volume
   */
  readonly snapshotId?: string;

  /**
   * The filesystem ECS creates on an empty volume (ext3, ext4 or xfs).
   *
   * @default ecs.FileSystemType.XFS
   */
  readonly fileSystemType?: ecs.FileSystemType;

  /**
   * The KMS key the volumes are encrypted with. The ECS infrastructure role gets the grants EBS
   * needs (CreateGrant, GenerateDataKeyWithoutPlaintext, ReEncrypt, Decrypt, DescribeKey).
   * Volumes are always encrypted.
   *
   * @default - no key in the template: ECS uses the cluster's managed storage key when the cluster
   * has one (`ManagedStorageConfiguration.KmsKeyId`), else the account's default EBS key for the
   * region, which is the AWS managed `aws/ebs` unless the account changed it
   * (`ModifyEbsDefaultKmsKeyId`). This library grants no role on those keys.
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The ECS infrastructure role ECS uses to create, attach and delete the volumes.
   *
   * @default - a new role with the AWS managed policy AmazonECSInfrastructureRolePolicyForVolumes
   */
  readonly infrastructureRole?: iam.IRole;
}

/** The limits of each EBS volume type (EBS user guide, "Amazon EBS volume types"; as aws-cdk-lib 2.276 checks them). */
interface VolumeLimits {
  readonly minGiB: number;
  readonly maxGiB: number;
  /** [min, max] provisioned IOPS; undefined when the type takes none. */
  readonly iops?: readonly [number, number];
  readonly iopsRequired?: boolean;
  /** The most IOPS per GiB. */
  readonly iopsPerGiB?: number;
}

const LIMITS: Readonly<Record<string, VolumeLimits>> = {
  gp2: { minGiB: 1, maxGiB: 16_384 },
  gp3: { minGiB: 1, maxGiB: 65_536, iops: [3_000, 80_000], iopsPerGiB: 500 },
  io1: { minGiB: 4, maxGiB: 16_384, iops: [100, 64_000], iopsRequired: true, iopsPerGiB: 50 },
  io2: { minGiB: 4, maxGiB: 65_536, iops: [100, 256_000], iopsRequired: true, iopsPerGiB: 1_000 },
  st1: { minGiB: 125, maxGiB: 16_384 },
  sc1: { minGiB: 125, maxGiB: 16_384 },
  standard: { minGiB: 1, maxGiB: 1_024 },
};
const GP3_BASELINE_IOPS = 3_000;
const GP3_THROUGHPUT: readonly [number, number] = [125, 2_000];
const GP3_MIBPS_PER_IOPS = 0.25;
const LINUX_FILESYSTEMS: readonly ecs.FileSystemType[] = [ecs.FileSystemType.EXT3, ecs.FileSystemType.EXT4, ecs.FileSystemType.XFS];

/** Checks `ebsVolume` (named `prop` in messages) against the EBS limits of its volume type. */
export function validateEbsVolume(scope: IConstruct, volume: EbsVolumeOptions | undefined, prop = 'ebsVolume'): void {
  if (volume === undefined) return;
  const p = (name: string) => `${prop}.${name}`;
  if (volume.mountPath === undefined) fail(scope, p('mountPath'), volume.mountPath, 'is missing', 'give an absolute container path such as \'/data\'');
  checkPattern(scope, p('mountPath'), volume.mountPath, /^\/[^\s]*$/, 'use an absolute container path such as \'/data\'');
  const type = volume.volumeType ?? ec2.EbsDeviceVolumeType.GP3;
  const limits = LIMITS[type];
  if (!limits) fail(scope, p('volumeType'), type, 'is not an EBS volume type ECS can create', `use one of ${Object.keys(LIMITS).join(', ')}`);

  if (volume.snapshotId !== undefined) {
    checkPattern(scope, p('snapshotId'), volume.snapshotId, /^snap-[0-9a-f]{8,17}$/, 'use a snapshot id such as \'snap-0123456789abcdef0\'');
  }
  let sizeGiB: number | undefined;
  if (volume.size === undefined) {
    if (volume.snapshotId === undefined) {
      fail(scope, p('size'), undefined, 'is missing', 'give a size such as Size.gibibytes(100), or a snapshotId to start from');
    }
  } else if (!(volume.size instanceof Size)) {
    fail(scope, p('size'), volume.size, 'is not a Size', 'use Size.gibibytes(...)');
  } else if (!volume.size.isUnresolved()) {
    sizeGiB = volume.size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isInteger(sizeGiB) || sizeGiB < limits.minGiB || sizeGiB > limits.maxGiB) {
      failWithText(scope, p('size'), `${sizeGiB} GiB`, `is out of range for ${type} volumes`, `use whole GiB from ${limits.minGiB} to ${limits.maxGiB}`);
    }
  }

  const iops = volume.iops;
  if (iops !== undefined) {
    if (!limits.iops) {
      fail(scope, p('iops'), iops, `cannot be set on ${type} volumes`, 'leave iops out, or use gp3, io1 or io2');
    }
    checkRange(scope, p('iops'), iops, limits.iops[0], limits.iops[1], { unit: `IOPS for ${type}` });
    if (sizeGiB !== undefined && !Token.isUnresolved(iops) && limits.iopsPerGiB !== undefined && iops > Math.max(sizeGiB * limits.iopsPerGiB, type === ec2.EbsDeviceVolumeType.GP3 ? GP3_BASELINE_IOPS : 0)) {
      fail(scope, p('iops'), iops, `is more than ${limits.iopsPerGiB} IOPS per GiB of the ${sizeGiB} GiB ${type} volume`,
        `use at most ${sizeGiB * limits.iopsPerGiB} IOPS, or a size of at least ${Math.ceil(iops / limits.iopsPerGiB)} GiB`);
    }
  } else if (limits.iopsRequired) {
    fail(scope, p('iops'), undefined, `is required for ${type} volumes`, `give iops from ${limits.iops![0]} to ${limits.iops![1]}`);
  }

  const throughput = volume.throughputMiBps;
  if (throughput !== undefined) {
    if (type !== ec2.EbsDeviceVolumeType.GP3) {
      fail(scope, p('throughputMiBps'), throughput, `cannot be set on ${type} volumes`, 'leave throughputMiBps out, or use gp3');
    }
    checkRange(scope, p('throughputMiBps'), throughput, GP3_THROUGHPUT[0], GP3_THROUGHPUT[1], { unit: 'MiB/s' });
    const effectiveIops = iops ?? GP3_BASELINE_IOPS;
    if (!Token.isUnresolved(throughput) && !Token.isUnresolved(effectiveIops) && throughput > effectiveIops * GP3_MIBPS_PER_IOPS) {
      fail(scope, p('throughputMiBps'), throughput, `is more than ${GP3_MIBPS_PER_IOPS} MiB/s per IOPS (${effectiveIops} IOPS${iops === undefined ? ', gp3\'s baseline' : ''})`,
        `use at most ${effectiveIops * GP3_MIBPS_PER_IOPS} MiB/s, or give iops of at least ${Math.ceil(throughput / GP3_MIBPS_PER_IOPS)}`);
    }
  }
  if (volume.fileSystemType !== undefined && !LINUX_FILESYSTEMS.includes(volume.fileSystemType)) {
    fail(scope, p('fileSystemType'), volume.fileSystemType, 'is not a Linux filesystem ECS can create', 'use ecs.FileSystemType.XFS, EXT4 or EXT3');
  }
}

/**
 * Adds the volume to the task definition (configured at launch), mounts it writable in
 * `container`, and configures it on `service`. Children: 'EbsVolume' under `scope`.
 */
export function attachEbsVolume(
  scope: Construct, volume: EbsVolumeOptions, taskDefinition: ecs.TaskDefinition, container: ecs.ContainerDefinition, service: ecs.BaseService,
): ecs.ServiceManagedVolume {
  const managed = new ecs.ServiceManagedVolume(scope, 'EbsVolume', {
    name: 'ebs',
    managedEBSVolume: {
      role: volume.infrastructureRole,
      encrypted: true,
      kmsKeyId: volume.encryptionKey,
      volumeType: volume.volumeType ?? ec2.EbsDeviceVolumeType.GP3,
      size: volume.size,
      snapShotId: volume.snapshotId,
      iops: volume.iops,
      throughput: volume.throughputMiBps,
      fileSystemType: volume.fileSystemType ?? ecs.FileSystemType.XFS,
      // The service's tags (the stack's, Tags.of(...)) land on each volume: cost allocation sees them.
      tagSpecifications: [{ propagateTags: ecs.EbsPropagatedTagSource.SERVICE }],
    },
  });
  if (volume.encryptionKey) {
    volume.encryptionKey.grant(managed.role,
      'kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:Decrypt', 'kms:DescribeKey');
  }
  if (!volume.infrastructureRole) {
    Validations.of(managed.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes]',
      reason: 'ECS volume management uses AmazonECSInfrastructureRolePolicyForVolumes, the policy AWS maintains for it: it creates, attaches and deletes only volumes ECS tags for its tasks.',
    });
  }
  taskDefinition.addVolume(managed);
  managed.mountIn(container, { containerPath: volume.mountPath, readOnly: false });
  service.addVolume(managed);
  // The first tasks need the role with all its policies (the KMS grant sits in its DefaultPolicy):
  // ECS attaches volumes as soon as the service starts tasks.
  service.node.addDependency(managed.role);
  return managed;
}
