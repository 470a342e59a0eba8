import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { Defaults } from '../defaults';
import { checkOneOf, checkPattern, fail } from '../validation/checks';
import { claimUniqueName } from '../validation/unique-names';
import { checkReleaseTagPatterns, LifecycleRules } from './lifecycle-rules';
import { CREATION_TEMPLATE_PREFIX } from './patterns';
import { RegistryReplication } from './registry-replication';
import { checkMutableTagPatterns } from './tag-mutability';

/** `AWS::ECR::RepositoryCreationTemplate` `Prefix`: a repository namespace (lowercase path parts), or `ROOT`. */
const TEMPLATE_PREFIX_PATTERN = /^(?=.{1,256}$)(?:[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*|ROOT)$/;

/** The id of the synth warning that the destination registry must not have a template for the prefix yet. */
export const CREATION_TEMPLATE_EXISTS_WARNING = 'ecs-service-kit:creation-template-exists';

/**
 * Properties of a ReplicaRepositoryTemplate.
 */
export interface ReplicaRepositoryTemplateProps {
  /**
   * The replication whose replicas this template shapes. With it, synth checks that this stack's
   * account and region are one of its destinations (when both stacks have a known environment),
   * and the replication's stack deploys after this one: the template exists before the first
   * replicated repository (a template does not change repositories created before it).
   *
   * @default - no check and no deploy order: deploy this stack before the replication starts
   */
  readonly replication?: RegistryReplication;

  /**
   * The repositories the template applies to: a repository namespace (`team` applies to
   * `team/...`), or `ROOT` for every replicated repository no other template's prefix matches.
   * The prefix identifies the template in its registry.
   *
   * @default 'ROOT' - every replicated repository (ImageRepository names have no namespace unless you give one)
   */
  readonly repositoryPrefix?: string;

  /**
   * Which images ECR expires in the replicas. Replication copies pushes, not expiries: without a
   * lifecycle policy a replica keeps every image ever pushed to its source.
   *
   * @default LifecycleRules.recommended() - the ImageRepository default: untagged after 7 days, other non-release images beyond 30
   */
  readonly lifecycle?: LifecycleRules;

  /**
   * Tag patterns of released images, never expired by `lifecycle` (as on ImageRepository).
   *
   * @default ['v*', '*.*']
   */
  readonly releaseTagPatterns?: string[];

  /**
   * Tag mutability of the replicas.
   *
   * @default ecr.TagMutability.IMMUTABLE - as ImageRepository: a tag always names the same image
   */
  readonly imageTagMutability?: ecr.TagMutability;

  /**
   * Tags that may move in the replicas while all others stay immutable (`IMMUTABLE_WITH_EXCLUSION`),
   * e.g. `['latest']`: give the source repositories' `mutableTagPatterns`. Each registry applies
   * its own tag rules: a tag that moves in the source but is immutable in the replica silently
   * keeps its old image there (reported in aws/containers-roadmap#140).
   *
   * @default - none: every tag is immutable
   */
  readonly mutableTagPatterns?: string[];
}

/**
 * The repository creation template for replication (`AWS::ECR::RepositoryCreationTemplate` with
 * `AppliedFor: [REPLICATION]`) of a destination registry: the repositories ECR creates there when
 * it replicates an image get immutable tags, AES256 encryption and a lifecycle policy, as an
 * ImageRepository has, instead of ECR's defaults (mutable tags, no lifecycle policy).
 *
 * ECR looks the template up in the registry it creates the repository in, so put this construct
 * in a stack of each destination's account and region, not in the stack of the RegistryReplication.
 * The prefix identifies the template in its registry: the destination must have no template for
 * it yet (`ROOT` is often taken), and a renamed or moved construct is a new template created
 * while the old one exists; both fail with "already exists". Synth warns
 * (`ecs-service-kit:creation-template-exists`). Other changes (lifecycle, tag mutability) update
 * it in place. `cdk destroy` deletes it: replicas already created keep their settings, later ones
 * get ECR's defaults.
 */
export class ReplicaRepositoryTemplate extends Construct {
  /** The repository creation template. */
  public readonly template: ecr.CfnRepositoryCreationTemplate;
  /** The prefix the template applies to. */
  public readonly repositoryPrefix: string;

  constructor(scope: Construct, id: string, props: ReplicaRepositoryTemplateProps = {}) {
    super(scope, id);

    const stack = Stack.of(this);
    const replication = props.replication;
    if (replication !== undefined) {
      if (!(replication instanceof RegistryReplication)) {
        fail(this, 'replication', replication, 'is not a RegistryReplication', 'give the RegistryReplication whose replicas this template shapes, or leave it out');
      }
      checkDestination(this, replication);
    }
    const prefix = props.repositoryPrefix ?? 'ROOT';
    checkPattern(this, 'repositoryPrefix', prefix, TEMPLATE_PREFIX_PATTERN,
      'use "ROOT", or a repository namespace of lowercase letters and digits with ".", "_" or "-" between them and "/" between parts, e.g. "team"');
    checkOneOf(this, 'imageTagMutability', props.imageTagMutability, [ecr.TagMutability.IMMUTABLE, ecr.TagMutability.MUTABLE]);
    checkReleaseTagPatterns(this, 'releaseTagPatterns', props.releaseTagPatterns);
    const releaseTagPatterns = props.releaseTagPatterns ?? [...Defaults.releaseTagPatterns];
    checkMutableTagPatterns(this, props.mutableTagPatterns, props.imageTagMutability, releaseTagPatterns);
    const lifecyclePolicy = (props.lifecycle ?? LifecycleRules.recommended())._renderPolicyText(this, releaseTagPatterns);
    // A creation template's prefix is its identifier in the registry (also a pull through cache's).
    claimUniqueName(this, 'repositoryPrefix', prefix, CREATION_TEMPLATE_PREFIX, 'registry');

    const mutableTagPatterns = props.mutableTagPatterns ?? [];
    this.repositoryPrefix = prefix;
    this.template = new ecr.CfnRepositoryCreationTemplate(this, 'Template', {
      prefix,
      appliedFor: ['REPLICATION'],
      description: prefix === 'ROOT' ? 'Replicated repositories' : `Replicated repositories under ${prefix}/`,
      encryptionConfiguration: { encryptionType: 'AES256' },
      imageTagMutability: mutableTagPatterns.length > 0
        ? ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION
        : props.imageTagMutability ?? Defaults.imageTagMutability,
      imageTagMutabilityExclusionFilters: mutableTagPatterns.length > 0
        ? mutableTagPatterns.map((value) => ({ imageTagMutabilityExclusionFilterType: 'WILDCARD', imageTagMutabilityExclusionFilterValue: value }))
        : undefined,
      lifecyclePolicy,
    });

    if (replication !== undefined && Stack.of(replication) !== stack) {
      // cdk deploy --all: the template first, then the replication that creates repositories from it.
      Stack.of(replication).addStackDependency(stack, `the repository creation template ${this.node.path} shapes the replicas of ${replication.node.path}`);
    }

    const where = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)
      ? 'the account and region this stack deploys to'
      : `account ${stack.account} in ${stack.region}`;
    Annotations.of(this).addWarningV2(CREATION_TEMPLATE_EXISTS_WARNING,
      `The ECR registry of ${where} must have no repository creation template for prefix ${prefix} before this stack creates one ` +
      '(aws ecr describe-repository-creation-templates lists them): the prefix identifies the template, and a second one for it fails with "already exists". ' +
      'Keep this construct\'s id and path: a renamed or moved one is a new template created while the old one exists, and fails the same way; ' +
      'a new repositoryPrefix is safe (a template for the new prefix, the old one deleted after). ' +
      `Acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${CREATION_TEMPLATE_EXISTS_WARNING}', reason }) once the registry has none for ${prefix}.`);
  }
}

/** This stack's registry must be a destination of the replication, and never the replication's own registry. */
function checkDestination(scope: Construct, replication: RegistryReplication): void {
  const here = Stack.of(scope);
  const source = Stack.of(replication);
  if (here === source) {
    fail(scope, 'replication', replication.node.path, 'is in the same stack',
      'ECR applies the template in the registry it creates the replica in: put this construct in a stack of a destination account and region');
  }
  const known = (v: string) => !Token.isUnresolved(v);
  if (!known(here.account) || !known(here.region) || !known(source.account)) return;
  const destinations = replication.destinations.map((d) => `${d.account ?? source.account}/${d.region}`);
  if (!destinations.includes(`${here.account}/${here.region}`)) {
    fail(scope, 'replication', replication.node.path, `does not replicate to account ${here.account} in ${here.region}, where this template is`,
      `put the template in a stack of one of its destinations: ${destinations.join(', ')}`);
  }
}
