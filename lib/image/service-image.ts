import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ImageRepository } from '../registry/image-repository';
import { PullThroughCache } from '../registry/pull-through-cache';
import { IMAGE_DIGEST_PATTERN, IMAGE_TAG_ALLOWED, IMAGE_TAG_PATTERN } from '../registry/patterns';
import { checkExclusive, checkPattern, fail } from '../validation/checks';
import { Architecture, toAssetPlatform } from './architecture';

/**
 * Which image of an ECR repository to run: give exactly one of `tag` and `digest`.
 */
export interface RepositoryImageOptions {
  /**
   * The image tag, e.g. `v1.4.2` or a git SHA.
   *
   * @default - none; give `tag` or `digest` (`latest` is never assumed: with immutable tags it cannot move)
   */
  readonly tag?: string;

  /**
   * The image digest, `sha256:` and 64 lowercase hex digits. Pins the exact image.
   *
   * @default - none; give `tag` or `digest`
   */
  readonly digest?: string;
}

/**
 * How to build a local Dockerfile as a CDK image asset.
 */
export interface AssetImageOptions {
  /**
   * The Dockerfile, relative to the directory.
   *
   * @default "Dockerfile"
   */
  readonly file?: string;

  /**
   * `docker build --build-arg` values. They are part of the asset hash, so they must be known at synth.
   *
   * @default - no build args
   */
  readonly buildArgs?: { [key: string]: string };

  /**
   * The build stage to stop at (`docker build --target`).
   *
   * @default - the last stage
   */
  readonly target?: string;

  /**
   * Glob patterns of files in the directory that are not part of the build context (on top
   * of `.dockerignore`).
   *
   * @default - only `.dockerignore` applies
   */
  readonly exclude?: string[];
}

/**
 * How to pull an image from a public or private registry other than this account's ECR.
 */
export interface RegistryImageOptions {
  /**
   * A Secrets Manager secret with `username` and `password` for a private registry.
   * The task execution role is allowed to read it.
   *
   * @default - anonymous pull
   */
  readonly credentials?: secretsmanager.ISecret;
}

/**
 * A ServiceImage bound to a consumer and an architecture.
 */
export interface ServiceImageConfig {
  /** The container image for the task definition. */
  readonly image: ecs.ContainerImage;

  /** A human label for the image, e.g. `my-repo:v1.4.2` (may contain tokens). */
  readonly description: string;

  /**
   * The ECR repository the image is pulled from, when it is one the task's roles can be granted pull on.
   *
   * @default - the image does not come from a known ECR repository
   */
  readonly repository?: ecr.IRepository;
}

/**
 * Where a service's container image comes from: an ECR repository by tag or digest, a local
 * Dockerfile built as an image asset, or another registry.
 *
 * The CPU architecture is given once, at bind time: it sets the platform a Dockerfile is
 * built for, so the image matches the task's runtime platform.
 */
export abstract class ServiceImage {
  /**
   * An image in an ECR repository, by tag or by digest (exactly one).
   */
  public static fromRepository(repository: ecr.IRepository, options: RepositoryImageOptions = {}): ServiceImage {
    return new RepositoryServiceImage(repository, options);
  }

  /**
   * An image in an ImageRepository of this library, by tag or by digest (exactly one).
   */
  public static fromImageRepository(repository: ImageRepository, options: RepositoryImageOptions = {}): ServiceImage {
    return new RepositoryServiceImage(repository.ecrRepository, options);
  }

  /**
   * A Dockerfile in a local directory, built for the service's architecture and pushed as a
   * CDK image asset by `cdk deploy`.
   *
   * @param directory the build context, containing the Dockerfile (relative paths are resolved from the working directory)
   */
  public static fromAsset(directory: string, options: AssetImageOptions = {}): ServiceImage {
    return new AssetServiceImage(directory, options);
  }

  /**
   * An image from Docker Hub or another registry, e.g. `public.ecr.aws/nginx/nginx:1.27`.
   *
   * @param imageName `[registry/]repository[:tag][@digest]`
   */
  public static fromRegistry(imageName: string, options: RegistryImageOptions = {}): ServiceImage {
    return new RegistryServiceImage(imageName, options);
  }

  /**
   * An image of a public registry, pulled through an ECR pull through cache of this account: the
   * task pulls `ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX/REPOSITORY:TAG`, and ECR fetches it
   * from the upstream on the first pull. The task execution role may create the cached repository
   * and import the image (scoped to the cache's prefix), and the task definition depends on the
   * cache rule and its creation template, so both exist before a task starts.
   *
   * @param cache the PullThroughCache (in the same account and region as the service)
   * @param upstreamRepository the repository path in the upstream registry, e.g. `nginx/nginx` on
   * ECR Public or `library/nginx` on Docker Hub (where `nginx`, an official image, is taken as
   * `library/nginx`: ECR's cache needs that part)
   */
  public static fromPullThroughCache(cache: PullThroughCache, upstreamRepository: string, options: RepositoryImageOptions = {}): ServiceImage {
    return new PullThroughCacheServiceImage(cache, upstreamRepository, options);
  }

  /**
   * Validates the image source and returns the container image for `architecture`.
   * Errors name `scope`'s construct path and the `image.*` option.
   *
   * @param scope the construct that uses the image (named in error messages)
   * @param architecture the task's CPU architecture
   */
  public abstract bind(scope: Construct, architecture: Architecture): ServiceImageConfig;
}

class RepositoryServiceImage extends ServiceImage {
  constructor(private readonly repository: ecr.IRepository, private readonly options: RepositoryImageOptions) {
    super();
  }

  public bind(scope: Construct, _architecture: Architecture): ServiceImageConfig {
    const { tag, digest } = this.options;
    checkExclusive(scope, 'image.tag', tag, 'image.digest', digest);
    if (tag === undefined && digest === undefined) {
      fail(scope, 'image.tag', tag, 'is missing',
        'give image.tag or image.digest ("latest" is not assumed: with immutable tags it never moves)');
    }
    checkPattern(scope, 'image.tag', tag, IMAGE_TAG_PATTERN, IMAGE_TAG_ALLOWED);
    checkPattern(scope, 'image.digest', digest, IMAGE_DIGEST_PATTERN, 'use "sha256:" followed by 64 lowercase hex digits');

    // ecs renders a `sha256:` argument as `URI@sha256:...`, anything else as `URI:tag`.
    const tagOrDigest = digest ?? tag!;
    if (createdInStackOf(this.repository, scope)) {
      // The repository is created empty by the same deploy that starts the service, so nothing
      // can have pushed the image yet: the tasks fail to pull it and the circuit breaker rolls
      // the first deploy back.
      Annotations.of(scope).addWarningV2(IMAGE_FROM_NEW_REPOSITORY,
        `The service runs ${digest !== undefined ? 'digest' : 'tag'} ${tagOrDigest} of repository ${this.repository.node.path}, which is created in the same stack ` +
        `(${Stack.of(scope).stackName}): the first deploy creates it empty and the service cannot pull the image. ` +
        'Create the repository in a stack deployed (and pushed to) before this one, start from ServiceImage.fromAsset(...) and switch to the tag once it is pushed, ' +
        'or acknowledge this warning when the repository already holds the image (a later deploy of an existing stack).');
    }
    return {
      image: ecs.ContainerImage.fromEcrRepository(this.repository, tagOrDigest),
      description: `${this.repository.repositoryName}${digest !== undefined ? '@' : ':'}${tagOrDigest}`,
      repository: this.repository,
    };
  }
}

/** A repository path in an upstream registry: lowercase path components (distribution/reference). */
const UPSTREAM_REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

class PullThroughCacheServiceImage extends ServiceImage {
  constructor(private readonly cache: PullThroughCache, private readonly upstreamRepository: string, private readonly options: RepositoryImageOptions) {
    super();
  }

  public bind(scope: Construct, _architecture: Architecture): ServiceImageConfig {
    const { tag, digest } = this.options;
    if (!(this.cache instanceof PullThroughCache)) {
      fail(scope, 'image.cache', this.cache, 'is not a PullThroughCache', 'give the PullThroughCache construct the image is cached by');
    }
    checkPattern(scope, 'image.upstreamRepository', this.upstreamRepository, UPSTREAM_REPOSITORY,
      'use the lowercase repository path in the upstream registry, without registry or tag, e.g. "nginx/nginx" (ECR Public) or "library/nginx" (Docker Hub)');
    checkExclusive(scope, 'image.tag', tag, 'image.digest', digest);
    if (tag === undefined && digest === undefined) {
      fail(scope, 'image.tag', tag, 'is missing', 'give image.tag or image.digest of the upstream image');
    }
    checkPattern(scope, 'image.tag', tag, IMAGE_TAG_PATTERN, IMAGE_TAG_ALLOWED);
    checkPattern(scope, 'image.digest', digest, IMAGE_DIGEST_PATTERN, 'use "sha256:" followed by 64 lowercase hex digits');
    const cacheStack = Stack.of(this.cache);
    const scopeStack = Stack.of(scope);
    for (const [what, a, b] of [['account', cacheStack.account, scopeStack.account], ['region', cacheStack.region, scopeStack.region]]) {
      if (!Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b) {
        fail(scope, 'image.cache', this.cache.node.path, `is in ${what} ${a}, the service in ${b}`,
          'ECR pulls through a cache of the registry the image URI names; create a PullThroughCache in the service\'s account and region');
      }
    }
    const tagOrDigest = digest ?? tag!;
    return {
      image: new PullThroughCacheContainerImage(this.cache, this.upstreamRepository, tagOrDigest),
      description: `${this.cache.cachedRepositoryName(this.upstreamRepository)}${digest !== undefined ? '@' : ':'}${tagOrDigest} (cached from ${this.cache.upstream.registryUrl})`,
    };
  }
}

/** The container image for an image pulled through a cache: the URI, the execution role's grants and the create order. */
class PullThroughCacheContainerImage extends ecs.ContainerImage {
  constructor(private readonly cache: PullThroughCache, private readonly upstreamRepository: string, private readonly tagOrDigest: string) {
    super();
  }

  public bind(_scope: Construct, containerDefinition: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    this.cache.grantPullThrough(containerDefinition.taskDefinition.obtainExecutionRole());
    // The rule and the template exist before any task can start (and stay until the task
    // definition is gone): the first pull creates the cached repository from the template.
    containerDefinition.taskDefinition.node.addDependency(this.cache.rule, this.cache.creationTemplate);
    return { imageName: this.cache.imageUri(this.upstreamRepository, this.tagOrDigest) };
  }
}

/** The id of the synth warning for an image by tag or digest from a repository this stack creates. */
const IMAGE_FROM_NEW_REPOSITORY = 'ecs-service-kit:image-from-new-repository';

/** Whether `repository` is an ECR repository this app creates (not imported) in the stack of `scope`. */
function createdInStackOf(repository: ecr.IRepository, scope: Construct): boolean {
  return repository.node.defaultChild instanceof ecr.CfnRepository && Stack.of(repository) === Stack.of(scope);
}

class AssetServiceImage extends ServiceImage {
  constructor(private readonly directory: string, private readonly options: AssetImageOptions) {
    super();
  }

  public bind(scope: Construct, architecture: Architecture): ServiceImageConfig {
    const { directory, options } = this;
    if (typeof directory !== 'string' || directory === '') {
      fail(scope, 'image.directory', directory, 'is empty', 'give the directory that holds the Dockerfile');
    }
    const absolute = path.resolve(directory);
    if (!isDirectory(absolute)) {
      fail(scope, 'image.directory', directory, `is not a directory (resolved to ${absolute})`,
        'give the directory that holds the Dockerfile; relative paths are resolved from the working directory');
    }
    const file = options.file ?? 'Dockerfile';
    if (!isFile(path.join(absolute, file))) {
      if (options.file !== undefined) {
        fail(scope, 'image.file', options.file, `does not exist in ${absolute}`, 'give the Dockerfile path relative to image.directory');
      }
      fail(scope, 'image.directory', directory, 'has no Dockerfile',
        'add a Dockerfile there, or name another file with the file option');
    }
    for (const [key, value] of Object.entries(options.buildArgs ?? {})) {
      if (Token.isUnresolved(value)) {
        fail(scope, `image.buildArgs.${key}`, value, 'is only known at deploy time',
          'build args are part of the asset hash, so they must be plain strings at synth');
      }
    }
    if (options.target !== undefined && options.target.trim() === '') {
      fail(scope, 'image.target', options.target, 'is empty', 'name a build stage, or omit target for the last stage');
    }

    return {
      image: ecs.ContainerImage.fromAsset(directory, {
        file: options.file,
        buildArgs: options.buildArgs,
        target: options.target,
        exclude: options.exclude,
        platform: toAssetPlatform(architecture),
      }),
      description: `asset ${directory}${options.file !== undefined ? ` (${options.file})` : ''}`,
    };
  }
}

/**
 * Docker image references (github.com/distribution/reference): `[domain[:port]/]path[:tag][@digest]`.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const IMAGE_REFERENCE = new RegExp(
  `^(${NAME})(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);
const MAX_NAME_LENGTH = 255;

class RegistryServiceImage extends ServiceImage {
  constructor(private readonly imageName: string, private readonly options: RegistryImageOptions) {
    super();
  }

  public bind(scope: Construct, _architecture: Architecture): ServiceImageConfig {
    const imageName = this.imageName;
    if (!Token.isUnresolved(imageName)) {
      const match = typeof imageName === 'string' ? IMAGE_REFERENCE.exec(imageName) : null;
      if (!match || match[1].length > MAX_NAME_LENGTH) {
        fail(scope, 'image.imageName', imageName, 'is not a valid image reference',
          'use [registry/]repository[:tag][@sha256:digest] with a lowercase repository, e.g. "public.ecr.aws/nginx/nginx:1.27"');
      }
    }
    return {
      image: ecs.ContainerImage.fromRegistry(imageName, { credentials: this.options.credentials }),
      description: imageName,
    };
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
