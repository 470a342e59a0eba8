/**
 * The rule model of `LifecycleRules`: a rule as the user wrote it, and its rendering as an ECR
 * lifecycle policy rule. Internal: not exported from lib/registry/index.ts.
 */
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { LifecyclePolicyRule } from './lifecycle-policy';
import type { LifecycleRuleOptions } from './lifecycle-rules';

/** Which images a rule selects (ECR `tagStatus`). */
export enum Selection {
  UNTAGGED = 'untagged',
  TAGGED = 'tagged',
  ANY = 'any',
}

/** Which storage class a rule selects images from (ECR `selection.storageClass`). */
export enum StorageClass {
  /** Images that can be pulled: every image until it is archived. ECR's default. */
  STANDARD = 'standard',
  /** Archived images: they cannot be pulled until restored. */
  ARCHIVE = 'archive',
}

/** What a rule does to the images it marks (ECR `action.type`). */
export enum Action {
  EXPIRE = 'expire',
  /** Move to the archive storage class (`targetStorageClass: archive`). */
  TRANSITION = 'transition',
}

/** What a rule's days count from (ECR `countType` for age rules). */
export enum Since {
  PUSHED = 'sinceImagePushed',
  /** The last pull (the push, when never pulled). ECR allows it only with `transition`. */
  PULLED = 'sinceImagePulled',
  /** The move to archive. ECR allows it only with `storageClass: archive` and `expire`. */
  TRANSITIONED = 'sinceImageTransitioned',
}

/** One rule as the user wrote it; validated and numbered by `_render`. */
export interface RuleSpec {
  /** The builder method, for error messages: `lifecycle.<method>.<arg>`. */
  readonly method: string;
  readonly selection: Selection;
  readonly tagPrefixes?: string[];
  /** Exactly one of count and days. */
  readonly count?: number;
  readonly days?: number;
  /** What `days` counts from. */
  readonly since?: Since;
  /** @default StorageClass.STANDARD */
  readonly storageClass?: StorageClass;
  /** @default Action.EXPIRE */
  readonly action?: Action;
  readonly options: LifecycleRuleOptions;
  readonly defaultDescription: string;
}

/** The policy text, as ecr.Repository writes it (same keys, same order, tokens resolved). */
export function policyText(scope: IConstruct, rules: LifecyclePolicyRule[]): string {
  return JSON.stringify(Stack.of(scope).resolve({ rules }));
}

export function storageOf(spec: RuleSpec): StorageClass {
  return spec.storageClass ?? StorageClass.STANDARD;
}

export function renderRule(spec: RuleSpec, priority: number): LifecyclePolicyRule {
  const storageClass = storageOf(spec);
  const action = spec.action ?? Action.EXPIRE;
  return {
    rulePriority: priority,
    description: spec.options.description ?? spec.defaultDescription,
    selection: {
      tagStatus: spec.selection,
      tagPrefixList: spec.selection === Selection.TAGGED ? spec.tagPrefixes : undefined,
      tagPatternList: undefined,
      // Written out only for the archive class: `standard` is ECR's default, and leaving it out
      // keeps the policies of repositories without archive rules exactly as they were.
      storageClass: storageClass === StorageClass.ARCHIVE ? storageClass : undefined,
      countType: spec.days !== undefined ? (spec.since ?? Since.PUSHED) : 'imageCountMoreThan',
      countNumber: (spec.days ?? spec.count)!,
      countUnit: spec.days !== undefined ? 'days' : undefined,
    },
    action: action === Action.TRANSITION ? { type: action, targetStorageClass: StorageClass.ARCHIVE } : { type: action },
  };
}

/** A rule with the priority `_render` gave it. */
export interface NumberedRule {
  readonly spec: RuleSpec;
  readonly priority: number;
}
