import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IDependable } from 'constructs';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { Defaults } from '../defaults';
import { skipCheckov } from '../validation/checkov';
import { fail } from '../validation/checks';
import { EFS_PRICES } from './efs-pricing';

/**
 * Properties of a ServiceFileSystem.
 */
export interface ServiceFileSystemProps {
  /**
   * The cluster whose tasks mount the file system: it gets a mount target in each of the
   * cluster's task subnets (one per Availability Zone), so a task in any of them reaches it.
   */
  readonly cluster: IServiceCluster;

  /**
   * What happens to the file system, and all its files, when it leaves the stack (`cdk destroy`,
   * or its removal from the app). Its mount targets, its security group and the access points of
   * the volumes are deleted in any case: a retained file system keeps its data and loses its
   * network access until new mount targets are made.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Daily backups by AWS Backup, kept 35 days, in the account's `aws/efs/automatic-backup-vault`
   * ($0.05/GB-month of backup storage in us-east-1).
   *
   * @default true
   */
  readonly enableAutomaticBackups?: boolean;

  /**
   * How throughput is billed and limited.
   *
   * @default efs.ThroughputMode.ELASTIC - throughput follows the load and is billed per GB
   *   transferred; bursting ties it to the size stored (50 KiB/s per GiB baseline), too little
   *   for the small file systems apps start with
   */
  readonly throughputMode?: efs.ThroughputMode;

  /**
   * The performance mode. Fixed once created: a change replaces the file system, an empty one.
   *
   * @default efs.PerformanceMode.GENERAL_PURPOSE - the lowest latency; Max I/O does not work with
   *   elastic throughput
   */
  readonly performanceMode?: efs.PerformanceMode;

  /**
   * When files move to the Infrequent Access storage class ($0.016 instead of $0.30/GB-month in
   * us-east-1; reading from it costs $0.01/GB). A file read again moves back to Standard.
   *
   * @default efs.LifecyclePolicy.AFTER_30_DAYS - the EFS console's default
   */
  readonly lifecyclePolicy?: efs.LifecyclePolicy;

  /**
   * A customer-managed KMS key to encrypt the file system at rest with. Fixed once created: a
   * change replaces the file system, an empty one. The file system is always encrypted.
   *
   * @default - the AWS managed key `aws/elasticfilesystem`
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * An encrypted, retained Amazon EFS file system for the tasks of one cluster, which several
 * services, workers and tasks can mount at once through their `efsVolumes`, each through its
 * own access point.
 *
 * Mount targets in every task subnet; a security group that admits NFS (2049) only from the
 * tasks that mount it (each volume adds the rule); a file system policy that refuses
 * connections without TLS and any client without IAM authorization; automatic backups;
 * elastic throughput; files moved to Infrequent Access after 30 days. Retained on stack delete.
 *
 * EFS has no fixed monthly fee: storage ($0.30/GB-month Standard in us-east-1), backups and
 * throughput are billed by use; the synth output states the prices.
 */
export class ServiceFileSystem extends Construct {
  /** The EFS file system: the escape hatch to the aws-cdk-lib L2. Give it to `efsVolumes`. */
  public readonly fileSystem: efs.FileSystem;
  /** The file system's id (`fs-…`). */
  public readonly fileSystemId: string;
  /** The security group of the mount targets. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The mount targets, for what must wait until tasks can mount the file system. */
  public readonly mountTargetsAvailable: IDependable;

  constructor(scope: Construct, id: string, props: ServiceFileSystemProps) {
    super(scope, id);
    if (!props.cluster) fail(this, 'cluster', props.cluster, 'is missing', 'give the ServiceCluster whose tasks mount the file system');
    const throughputMode = props.throughputMode ?? Defaults.fileSystemThroughputMode;
    const performanceMode = props.performanceMode ?? Defaults.fileSystemPerformanceMode;
    if (throughputMode === efs.ThroughputMode.PROVISIONED) {
      fail(this, 'throughputMode', throughputMode, 'needs a provisioned rate this construct does not take',
        'use ThroughputMode.ELASTIC or BURSTING, or create an efs.FileSystem yourself and give it to efsVolumes');
    }
    if (performanceMode === efs.PerformanceMode.MAX_IO && throughputMode === efs.ThroughputMode.ELASTIC) {
      fail(this, 'performanceMode', performanceMode, 'does not work with elastic throughput (EFS refuses the combination)',
        'leave performanceMode out (general purpose), or set throughputMode: ThroughputMode.BURSTING with it');
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `EFS mount targets of ${this.node.path}: NFS from the tasks that mount it`,
      // A mount target answers NFS clients; it starts no connection of its own.
      allowAllOutbound: false,
    });

    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: props.cluster.vpc,
      // One mount target per Availability Zone (EFS allows no more), in one of the task subnets there.
      vpcSubnets: { ...props.cluster.taskSubnets, onePerAz: true },
      securityGroup: this.securityGroup,
      encrypted: true,
      kmsKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? Defaults.fileSystemRemovalPolicy,
      enableAutomaticBackups: props.enableAutomaticBackups ?? Defaults.fileSystemAutomaticBackups,
      throughputMode,
      performanceMode,
      lifecyclePolicy: props.lifecyclePolicy ?? Defaults.fileSystemLifecyclePolicy,
      outOfInfrequentAccessPolicy: Defaults.fileSystemOutOfInfrequentAccess,
      // The policy below admits no anonymous client; `true` only keeps aws-cdk-lib from adding its
      // statement that lets any principal write through a mount target.
      allowAnonymousAccess: true,
      fileSystemPolicy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'DenyWithoutTls',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['*'],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        })],
      }),
    });
    this.fileSystemId = this.fileSystem.fileSystemId;
    this.mountTargetsAvailable = this.fileSystem.mountTargetsAvailable;
    if (!props.encryptionKey) {
      skipCheckov(this.fileSystem, 'CKV_AWS_184', 'Encrypted at rest with the AWS managed key aws/elasticfilesystem; give encryptionKey for a customer-managed KMS key.');
    }

    const p = EFS_PRICES;
    const backups = props.enableAutomaticBackups ?? Defaults.fileSystemAutomaticBackups;
    Annotations.of(this).addInfo(
      'EFS has no fixed monthly fee; it bills by use (us-east-1 list prices, https://aws.amazon.com/efs/pricing/): '
      + `storage ${usd(p.standardGbMonth)}/GB-month Standard, ${usd(throughputMode === efs.ThroughputMode.ELASTIC ? p.infrequentAccessGbMonth : p.infrequentAccessBurstingGbMonth)}/GB-month Infrequent Access `
      + `(${usd(p.infrequentAccessTieringGb)}/GB to move files there, ${usd(p.infrequentAccessReadGb)}/GB to read them)`
      + (backups ? `, backups ${usd(p.backupGbMonth)}/GB-month` : '')
      + (throughputMode === efs.ThroughputMode.ELASTIC ? `, elastic throughput ${usd(p.elasticReadGb)}/GB read and ${usd(p.elasticWriteGb)}/GB written` : '')
      + `. 10 GB in Standard${backups ? ' with backups' : ''}: ${usd(10 * (p.standardGbMonth + (backups ? p.backupGbMonth : 0)), 2)}/month.`);
  }
}

/** `$0.30`, `$0.016`: at least two decimals, more when the price has them; exactly `digits` when given. */
function usd(amount: number, digits?: number): string {
  const decimals = digits ?? Math.max(2, (String(amount).split('.')[1] ?? '').length);
  return `$${amount.toFixed(decimals)}`;
}
