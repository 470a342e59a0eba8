import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { Defaults } from '../defaults';
import { checkOneOf, checkPattern, fail } from '../validation/checks';
import { claimUniqueName } from '../validation/unique-names';
import { LifecycleRules } from './lifecycle-rules';
import { CREATION_TEMPLATE_PREFIX } from './patterns';

/** ECR: a Secrets Manager secret for a pull through cache rule must have a name starting with this. */
export const PULL_THROUGH_CACHE_SECRET_PREFIX = 'ecr-pullthroughcache/';

/** ECR `ecrRepositoryPrefix`: 2 to 30 characters, lowercase path components (CreatePullThroughCacheRule constraints). */
const CACHE_PREFIX_PATTERN = /^(?=.{2,30}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The upstream registry type of Docker Hub (CloudFormation `UpstreamRegistry`). */
const DOCKER_HUB = 'docker-hub';
/** Docker Hub's namespace of official images (`nginx` is `library/nginx`). */
const DOCKER_HUB_OFFICIAL_NAMESPACE = 'library';

/** The id of the synth warning that the cache's prefix is the identity of its rule and template. */
export const CACHE_PREFIX_IDENTITY_WARNING = 'ecs-service-kit:cache-prefix-identity';

/** What a task needs to pull through the cache: create the cached repository on first pull, import the image, then pull it. */
const CACHE_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchImportUpstreamImage',
  'ecr:CreateRepository',
];

/**
 * A public registry that a pull through cache mirrors into this account's ECR registry.
 */
export class CacheUpstream {
  /** Amazon ECR Public (`public.ecr.aws`): no credentials. */
  public static ecrPublic(): CacheUpstream {
    return new CacheUpstream('public.ecr.aws', 'ecr-public', 'ecr-public', false);
  }

  /**
   * Docker Hub (`registry-1.docker.io`). ECR requires credentials: a Secrets Manager secret named
   * `ecr-pullthroughcache/...` with `username` and `accessToken`. Official images are under
   * `library/` (`library/nginx`); a one-part name such as `nginx` is taken as `library/nginx`.
   */
  public static dockerHub(credentials: secretsmanager.ISecret): CacheUpstream {
    return new CacheUpstream('registry-1.docker.io', DOCKER_HUB, 'docker-hub', true, credentials);
  }

  /**
   * GitHub Container Registry (`ghcr.io`). ECR requires credentials: a Secrets Manager secret named
   * `ecr-pullthroughcache/...` with `username` and `accessToken` (a token with `read:packages`).
   */
  public static githubContainerRegistry(credentials: secretsmanager.ISecret): CacheUpstream {
    return new CacheUpstream('ghcr.io', 'github-container-registry', 'ghcr', true, credentials);
  }

  /** Quay (`quay.io`): anonymous, or with a secret for private repositories. */
  public static quay(credentials?: secretsmanager.ISecret): CacheUpstream {
    return new CacheUpstream('quay.io', 'quay', 'quay', false, credentials);
  }

  /** The Kubernetes registry (`registry.k8s.io`): no credentials. */
  public static kubernetes(): CacheUpstream {
    return new CacheUpstream('registry.k8s.io', 'k8s', 'k8s', false);
  }

  private constructor(
    /** The upstream registry URL (CloudFormation `UpstreamRegistryUrl`). */
    public readonly registryUrl: string,
    /** The upstream registry type (CloudFormation `UpstreamRegistry`). */
    public readonly registryType: string,
    /** The repository prefix used when none is given. */
    public readonly defaultPrefix: string,
    /** Whether ECR requires credentials for this upstream. */
    public readonly requiresCredentials: boolean,
    /** The Secrets Manager secret with the upstream credentials, if any. */
    public readonly credentials?: secretsmanager.ISecret,
  ) {}
}

/**
 * Properties of a PullThroughCache.
 */
export interface PullThroughCacheProps {
  /** The registry to mirror, e.g. `CacheUpstream.ecrPublic()`. */
  readonly upstream: CacheUpstream;

  /**
   * The prefix of the repositories ECR creates in this registry for cached images: image
   * `U/path:tag` of the upstream is pulled as `ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX/path:tag`.
   * 2 to 30 lowercase letters and digits in `/`-separated parts with single `.`, `_` or `-` between
   * them. Unique in the account's registry per region (a synth error for two in one app).
   *
   * @default - per upstream: `ecr-public`, `docker-hub`, `ghcr`, `quay`, `k8s`
   */
  readonly repositoryPrefix?: string;

  /**
   * The lifecycle rules of the repositories ECR creates on first pull (through a repository
   * creation template). A cached image that expires is pulled from the upstream again on the next
   * pull, so no release-tag rules are added in front of these.
   *
   * @default LifecycleRules.empty().expireUntaggedAfter(7) - images a moved upstream tag left behind expire after a week
   */
  readonly lifecycle?: LifecycleRules;

  /**
   * Tag mutability of the cached repositories.
   *
   * @default ecr.TagMutability.MUTABLE - the cache follows the upstream when a tag (e.g. `latest`) moves there
   */
  readonly imageTagMutability?: ecr.TagMutability;
}

/**
 * An ECR pull through cache for a public registry: an `AWS::ECR::PullThroughCacheRule` and an
 * `AWS::ECR::RepositoryCreationTemplate` for its prefix, so the repositories ECR creates on the
 * first pull are encrypted (AES256), have a lifecycle policy and the chosen tag mutability.
 *
 * The cached repositories are created by ECR, not by CloudFormation: `cdk destroy` deletes the
 * rule and the template, and the repositories and their images stay (delete them with
 * `aws ecr delete-repository --force`). Scan on push for them is the registry's scanning
 * configuration (registry-wide), which this construct does not change.
 *
 * The prefix identifies the rule and the template in the registry, and every property of the
 * rule is create-only: a new upstream or credentials secret under the same prefix, or a renamed
 * construct, is a replacement that fails with "already exists". Change the prefix with it, or
 * remove the cache and add it back in two deploys. Synth says so
 * (`ecs-service-kit:cache-prefix-identity`).
 */
export class PullThroughCache extends Construct {
  /** The pull through cache rule. */
  public readonly rule: ecr.CfnPullThroughCacheRule;
  /** The template the cached repositories are created from. */
  public readonly creationTemplate: ecr.CfnRepositoryCreationTemplate;
  /** The repository prefix, without a trailing `/`. */
  public readonly repositoryPrefix: string;
  /** The upstream registry. */
  public readonly upstream: CacheUpstream;

  constructor(scope: Construct, id: string, props: PullThroughCacheProps) {
    super(scope, id);

    const upstream = props.upstream;
    if (!(upstream instanceof CacheUpstream)) {
      fail(this, 'upstream', upstream, 'is not a CacheUpstream', 'use CacheUpstream.ecrPublic(), dockerHub(secret), githubContainerRegistry(secret), quay() or kubernetes()');
    }
    if (upstream.requiresCredentials && upstream.credentials === undefined) {
      fail(this, 'upstream', upstream.registryUrl, 'needs credentials', `give a Secrets Manager secret named ${PULL_THROUGH_CACHE_SECRET_PREFIX}...`);
    }
    if (upstream.credentials !== undefined) {
      const cfnSecret = upstream.credentials.node.defaultChild;
      if (cfnSecret instanceof secretsmanager.CfnSecret && Stack.of(cfnSecret).resolve(cfnSecret.name) === undefined) {
        // CloudFormation would name it after its logical id, a name ECR refuses for a cache rule.
        fail(this, 'upstream.credentials', upstream.credentials.node.path, `is created without a secretName, so CloudFormation names it after its logical id and ECR refuses it`,
          `create the secret with secretName: '${PULL_THROUGH_CACHE_SECRET_PREFIX}${upstream.registryType}' (any name under ${PULL_THROUGH_CACHE_SECRET_PREFIX})`);
      }
      const name = knownSecretName(upstream.credentials);
      if (name !== undefined && !name.startsWith(PULL_THROUGH_CACHE_SECRET_PREFIX)) {
        fail(this, 'upstream.credentials', name, `does not start with "${PULL_THROUGH_CACHE_SECRET_PREFIX}"`,
          `ECR only uses secrets named ${PULL_THROUGH_CACHE_SECRET_PREFIX}<name> for pull through cache rules, e.g. "${PULL_THROUGH_CACHE_SECRET_PREFIX}${upstream.registryType}"`);
      }
    }
    const prefix = props.repositoryPrefix ?? upstream.defaultPrefix;
    if (props.repositoryPrefix !== undefined && !Token.isUnresolved(prefix)) {
      if (prefix === 'ROOT') {
        fail(this, 'repositoryPrefix', prefix, 'caches into the registry root', 'give a prefix, so cached repositories cannot collide with your own');
      }
      checkPattern(this, 'repositoryPrefix', prefix, CACHE_PREFIX_PATTERN,
        'use 2 to 30 lowercase letters and digits, with single ".", "_" or "-" between them and "/" between parts, without a trailing "/", e.g. "ecr-public"');
    }
    checkOneOf(this, 'imageTagMutability', props.imageTagMutability, [ecr.TagMutability.MUTABLE, ecr.TagMutability.IMMUTABLE]);
    // One rule (and one creation template) per prefix in a registry (account and region).
    claimUniqueName(this, 'repositoryPrefix', prefix, 'pull through cache prefix', 'registry');
    claimUniqueName(this, 'repositoryPrefix', prefix, CREATION_TEMPLATE_PREFIX, 'registry');
    const lifecycle = props.lifecycle ?? LifecycleRules.empty().expireUntaggedAfter(Defaults.untaggedImageExpiryDays);
    const lifecyclePolicy = lifecycle._renderPolicyText(this, []);

    this.upstream = upstream;
    this.repositoryPrefix = prefix;
    this.rule = new ecr.CfnPullThroughCacheRule(this, 'Rule', {
      ecrRepositoryPrefix: prefix,
      upstreamRegistry: upstream.registryType,
      upstreamRegistryUrl: upstream.registryUrl,
      credentialArn: upstream.credentials?.secretArn,
    });
    this.creationTemplate = new ecr.CfnRepositoryCreationTemplate(this, 'CreationTemplate', {
      prefix,
      appliedFor: ['PULL_THROUGH_CACHE'],
      description: `Repositories cached from ${upstream.registryUrl}`,
      encryptionConfiguration: { encryptionType: 'AES256' },
      imageTagMutability: props.imageTagMutability ?? Defaults.cacheImageTagMutability,
      lifecyclePolicy,
    });

    // Both are identified by the prefix (schemas: primaryIdentifier EcrRepositoryPrefix, Prefix),
    // and every property of the rule is create-only: a replacement that keeps the prefix is
    // created while the old rule exists, and ECR refuses a second rule (and template) for it.
    const stack = Stack.of(this);
    const where = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)
      ? 'the account and region this stack deploys to'
      : `account ${stack.account} in ${stack.region}`;
    Annotations.of(this).addWarningV2(CACHE_PREFIX_IDENTITY_WARNING,
      `The prefix ${Token.isUnresolved(prefix) ? '(a token)' : prefix} identifies this cache's pull through cache rule and repository creation template in the ECR registry of ${where}: ` +
      'the registry must have neither for it before this stack creates them ("already exists"). Every property of the rule is create-only, so a deploy that replaces it while the prefix stays fails the same way: ' +
      'another upstream with the same repositoryPrefix, another credentials secret (a new value in the same secret is fine), or this construct renamed or moved. ' +
      'Change repositoryPrefix in that same deploy (the image URIs change with it and services pull through the new prefix), or remove the cache in one deploy and add it back in the next. ' +
      'A new lifecycle or imageTagMutability updates the template in place. ' +
      `Acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${CACHE_PREFIX_IDENTITY_WARNING}', reason }).`);
  }

  /** The registry host of this account and region: `ACCOUNT.dkr.ecr.REGION.URL_SUFFIX`. */
  public get registryDomain(): string {
    const stack = Stack.of(this);
    return `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}`;
  }

  /**
   * The name of the repository ECR caches `upstreamRepository` in: `PREFIX/PATH`. On Docker Hub an
   * official image's one-part name (`nginx`) becomes `library/nginx`, as `docker pull nginx` does:
   * ECR's pull through cache needs the `library/` part for official images and fails the pull
   * without it ("Pulling an image with a pull through cache rule in Amazon ECR", ECR User Guide).
   *
   * @param upstreamRepository the repository path in the upstream registry
   */
  public cachedRepositoryName(upstreamRepository: string): string {
    const officialImage = this.upstream.registryType === DOCKER_HUB && !upstreamRepository.includes('/');
    return `${this.repositoryPrefix}/${officialImage ? `${DOCKER_HUB_OFFICIAL_NAMESPACE}/` : ''}${upstreamRepository}`;
  }

  /**
   * The image reference to pull `upstreamRepository` through the cache, e.g.
   * `imageUri('nginx/nginx', '1.27')` on ECR Public. A one-part Docker Hub name is an official
   * image: `imageUri('nginx', '1.27')` pulls `PREFIX/library/nginx:1.27` (see `cachedRepositoryName`).
   *
   * @param upstreamRepository the repository path in the upstream registry
   * @param tagOrDigest a tag, or a `sha256:` digest
   */
  public imageUri(upstreamRepository: string, tagOrDigest: string): string {
    const separator = tagOrDigest.startsWith('sha256:') ? '@' : ':';
    return `${this.registryDomain}/${this.cachedRepositoryName(upstreamRepository)}${separator}${tagOrDigest}`;
  }

  /** The ARN pattern of every repository this cache creates: `arn:...:repository/PREFIX/*`. */
  public get repositoryArnPattern(): string {
    return Stack.of(this).formatArn({ service: 'ecr', resource: 'repository', resourceName: `${this.repositoryPrefix}/*` });
  }

  /**
   * Lets `grantee` pull images through the cache: create the cached repository and import the
   * image on the first pull (`ecr:CreateRepository`, `ecr:BatchImportUpstreamImage`), pull it, and
   * get an ECR auth token. Scoped to this cache's prefix.
   */
  public grantPullThrough(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: CACHE_PULL_ACTIONS, resourceArns: [this.repositoryArnPattern] });
    iam.Grant.addToPrincipal({ grantee, actions: ['ecr:GetAuthorizationToken'], resourceArns: ['*'] });
    return grant;
  }
}

/** The secret's name when synth knows it: imported by name, or created here with a fixed name. */
function knownSecretName(secret: secretsmanager.ISecret): string | undefined {
  const cfn = secret.node.defaultChild;
  if (cfn instanceof secretsmanager.CfnSecret) {
    return typeof cfn.name === 'string' && !Token.isUnresolved(cfn.name) ? cfn.name : undefined;
  }
  const name = secret.secretName;
  return Token.isUnresolved(name) ? undefined : name;
}
