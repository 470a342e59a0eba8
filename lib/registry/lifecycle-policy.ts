/**
 * The JSON shape of ECR lifecycle policies. Internal: not exported from lib/registry/index.ts
 * (jsii takes no inline object types), used by LifecycleRules and its tests.
 */

/**
 * One rule of an ECR lifecycle policy, as ECR reads it (the keys in the order ecr.Repository
 * writes them). Internal.
 */
export interface LifecyclePolicyRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: {
    readonly tagStatus: string;
    readonly tagPrefixList?: string[];
    readonly tagPatternList?: string[];
    readonly storageClass?: string;
    readonly countType: string;
    readonly countNumber: number;
    readonly countUnit?: string;
  };
  readonly action: { readonly type: string; readonly targetStorageClass?: string };
}
