import { RemovalPolicy, Size } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Architecture } from '../image/architecture';
import { ContainerOptions, SidecarOptions } from './container-options';
import { EfsVolumeOptions } from '../file-system/efs-volume';

/** The main container's name when `containerName` is not given. */
export const MAIN_CONTAINER_NAME = 'app';

/**
 * The task-level settings of a service's task: size, CPU architecture, sidecars and logs,
 * plus the main container's options.
 */
export interface ServiceTaskOptions extends ContainerOptions {
  /**
   * Task CPU units (256 = 0.25 vCPU). Must form a Fargate size with `memoryMiB`.
   *
   * @default 256
   */
  readonly cpu?: number;

  /**
   * Task memory in MiB. Must form a Fargate size with `cpu`.
   *
   * @default 512
   */
  readonly memoryMiB?: number;

  /**
   * The CPU architecture of the task. It sets the task's runtime platform and, for an image
   * built from a local Dockerfile, the platform the image is built for.
   *
   * @default Architecture.X86_64
   */
  readonly architecture?: Architecture;

  /**
   * The main container's name.
   *
   * @default 'app'
   */
  readonly containerName?: string;

  /**
   * Containers that run next to the main one.
   *
   * @default - none
   */
  readonly sidecars?: SidecarOptions[];

  /**
   * How long the containers' logs are kept. Under `ecs-service-kit:governance=control-tower` at
   * least a year (a shorter one fails synth).
   *
   * @default logs.RetentionDays.ONE_MONTH; ONE_YEAR under `ecs-service-kit:governance=control-tower`
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * A KMS key to encrypt the logs with. The key policy must let the CloudWatch Logs service
   * principal of the region use it.
   *
   * @default - encrypted with a key owned by CloudWatch Logs; under
   * `ecs-service-kit:governance=control-tower`, the stack's log key (`Governance.logEncryptionKey`)
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * The task definition family: revisions of one service share it.
   *
   * @default - generated from the construct path
   */
  readonly family?: string;

  /**
   * Fargate only: the task's ephemeral storage (container images, writable layers, bind-mount
   * volumes such as the writable paths), whole GiB from 21 to 200. Encrypted by Fargate; billed
   * above the 20 GiB every task gets. Deleted when the task stops. Tasks on EC2 capacity or
   * Managed Instances use the instance's volume instead (`volumeSize`, `taskVolumeSize`).
   *
   * @default - 20 GiB, Fargate's free amount
   */
  readonly ephemeralStorageSize?: Size;

  /**
   * Amazon EFS file systems mounted into the containers, each through its own access point, with
   * IAM authorization and encryption in transit: lasting storage that every task (of this and
   * other services) shares, unlike the task's ephemeral storage or an EBS volume. The tasks'
   * security group gets NFS access to each file system; the task role may mount it through its
   * access point only; tasks start only once the mount targets exist.
   *
   * @default - no EFS volume
   */
  readonly efsVolumes?: EfsVolumeOptions[];
}
