/**
 * us-east-1 list prices of Amazon EFS (Regional file systems), used by ServiceFileSystem's synth
 * note (internal; the README quotes them). Source: https://aws.amazon.com/efs/pricing/ and, for
 * backups, https://aws.amazon.com/backup/pricing/ (EFS warm backup storage).
 */
export const EFS_PRICES = {
  /** Standard storage, per GB-month. */
  standardGbMonth: 0.30,
  /** Infrequent Access storage with elastic throughput, per GB-month. */
  infrequentAccessGbMonth: 0.016,
  /** Infrequent Access storage with bursting or provisioned throughput, per GB-month. */
  infrequentAccessBurstingGbMonth: 0.025,
  /** Moving files into Infrequent Access (lifecycle tiering), per GB. */
  infrequentAccessTieringGb: 0.01,
  /** Reading from Infrequent Access, per GB. */
  infrequentAccessReadGb: 0.01,
  /** AWS Backup warm storage of an EFS backup, per GB-month. */
  backupGbMonth: 0.05,
  /** Elastic throughput: reads, per GB. */
  elasticReadGb: 0.03,
  /** Elastic throughput: writes, per GB. */
  elasticWriteGb: 0.06,
} as const;
