import * as fs from 'fs';
import * as path from 'path';
import { Duration, Fn, Size } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { Architecture } from '../image/architecture';
import { ServiceImage } from '../image/service-image';
import { SidecarOptions } from '../task-definition/container-options';
import { ServiceTaskOptions } from '../task-definition/service-task-options';
import { ManifestReader } from './manifest-reader';

/** What the mapping of one workload needs besides its manifest. */
export interface WorkloadContext {
  /** The construct the workload's imports (secrets, repository) are created under. */
  readonly scope: Construct;
  readonly application: string;
  readonly environment: string;
  readonly name: string;
  /** The workspace's root directory: `image.build` paths start there, as with `copilot deploy`. */
  readonly root: string;
  /** The workload's Copilot repository (`<app>/<name>`), imported. */
  readonly repository: ecr.IRepository;
  /** The tag to deploy from that repository instead of building `image.build`. */
  readonly imageTag?: string;
  /** Whether the cluster runs in a VPC the user passed (the `vpc` prop), not one this app builds. */
  readonly vpcImported: boolean;
}

/**
 * The repository Copilot created for a workload (`<app>/<name>`), imported by name: this app
 * never creates or deletes it. Copilot does: `copilot app delete`, and `copilot svc delete`
 * without `--env`, delete its images and then the repository (docs/from-copilot.md).
 */
export function copilotRepository(scope: Construct, application: string, name: string): ecr.IRepository {
  return ecr.Repository.fromRepositoryName(scope, 'CopilotRepository', `${application}/${name}`);
}

/**
 * The task options every workload type shares: image, size, platform, entry point, command,
 * variables, secrets, storage, sidecars. Copilot's defaults where an app relies on them: the
 * root filesystem stays writable unless `storage.readonly_fs`; cpu 256 and memory 512 are both
 * sides' defaults.
 */
export function taskOptions(reader: ManifestReader, ctx: WorkloadContext): ServiceTaskOptions {
  const variables = {
    COPILOT_APPLICATION_NAME: ctx.application,
    COPILOT_ENVIRONMENT_NAME: ctx.environment,
    COPILOT_SERVICE_NAME: ctx.name,
    ...variablesOf(reader, 'variables'),
  };
  const ephemeral = reader.number('storage.ephemeral', { min: 20, max: 200 });
  return {
    image: image(reader, ctx),
    containerPort: reader.number('image.port', { min: 1, max: 65535 }),
    containerHealthCheck: containerHealthCheck(reader),
    cpu: reader.number('cpu'),
    memoryMiB: reader.number('memory'),
    architecture: architecture(reader),
    entryPoint: shellWords(reader, 'entrypoint'),
    command: shellWords(reader, 'command'),
    environment: variables,
    secrets: secrets(reader, ctx),
    environmentFiles: environmentFile(reader, ctx, 'env_file'),
    dockerLabels: labels(reader, 'image.labels'),
    // Copilot's root filesystem is writable unless storage.readonly_fs says otherwise, and apps rely on it.
    readonlyRootFilesystem: reader.boolean('storage.readonly_fs') ?? false,
    ephemeralStorageSize: ephemeral === undefined ? undefined : Size.gibibytes(ephemeral),
    sidecars: sidecars(reader, ctx),
  };
}

/** `sidecars.<name>`: image, port, essential, variables, secrets, command, entry point, health check. */
function sidecars(reader: ManifestReader, ctx: WorkloadContext): SidecarOptions[] | undefined {
  const names = reader.keys('sidecars');
  if (names.length === 0) return undefined;
  return names.map((name, i) => {
    const field = `sidecars.${name}`;
    const portNode = reader.peek(`${field}.port`);
    // Copilot writes `8080` or `8080/tcp`; the container port is the number.
    const port = portNode === undefined ? undefined : Number(String(reader.string(`${field}.port`)).split('/')[0]);
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      reader.fail(`${field}.port`, portNode, 'is not a port', 'write a port number, optionally with /tcp');
    }
    return {
      containerName: name,
      image: image(reader, ctx, `${field}.image`, name),
      containerPort: port,
      essential: reader.boolean(`${field}.essential`),
      environment: variablesOf(reader, `${field}.variables`),
      secrets: secrets(reader, ctx, `${field}.secrets`, `Sidecar${i}`),
      environmentFiles: environmentFile(reader, ctx, `${field}.env_file`),
      dockerLabels: labels(reader, `${field}.labels`),
      command: shellWords(reader, `${field}.command`),
      entryPoint: shellWords(reader, `${field}.entrypoint`),
      containerHealthCheck: containerHealthCheck(reader, `${field}.healthcheck`),
    };
  });
}

/**
 * The image at `field` (`image`, or a sidecar's `sidecars.<name>.image`): `location` pulled as
 * it is, `build` built as an image asset (paths from the workspace root), or with an image tag
 * the image Copilot pushed to the workload's repository (a sidecar's as `<sidecar>-<tag>`, as
 * Copilot tags them).
 */
export function image(reader: ManifestReader, ctx: WorkloadContext, field = 'image', sidecar?: string): ServiceImage {
  const node = reader.peek(field);
  // A private registry's login: Copilot's `image.credentials`, a sidecar's `credentialsParameter`.
  const credentialsField = sidecar ? field.replace(/\.image$/, '.credentialsParameter') : `${field}.credentials`;
  const credentialsText = reader.string(credentialsField);
  const credentials = credentialsText === undefined ? undefined : registryCredentials(reader, ctx, credentialsField, unquote(credentialsText), sidecar);
  if (node?.scalar !== undefined) return registryImage(ctx, reader.string(field)!, sidecar, credentials);
  const location = reader.string(`${field}.location`);
  const buildNode = reader.peek(`${field}.build`);
  if (location !== undefined && ctx.imageTag !== undefined && sidecar === undefined) {
    reader.fail(`${field}.location`, reader.peek(`${field}.location`), `is pulled as it is, so the image tag ${ctx.imageTag} given for ${ctx.name} in imageTags has nothing to select`,
      `remove ${ctx.name} from imageTags, or give image.build (Copilot pushed built images to ${ctx.application}/${ctx.name})`);
  }
  if (location !== undefined) return registryImage(ctx, location, sidecar, credentials);
  if (buildNode === undefined) reader.fail(field, node, 'has neither build nor location', `give ${field}.build (a Dockerfile) or ${field}.location (an image URI)`);
  if (ctx.imageTag !== undefined) {
    reader.take(`${field}.build`);
    return ServiceImage.fromRepository(ctx.repository, { tag: sidecar ? `${sidecar}-${ctx.imageTag}` : ctx.imageTag });
  }
  if (buildNode.scalar !== undefined) {
    // `build: path/to/Dockerfile`: the context is the Dockerfile's directory, as in Copilot.
    const dockerfile = path.resolve(ctx.root, reader.string(`${field}.build`)!);
    return ServiceImage.fromAsset(path.dirname(dockerfile), { file: path.basename(dockerfile) });
  }
  const dockerfile = reader.string(`${field}.build.dockerfile`);
  const context = reader.string(`${field}.build.context`) ?? (dockerfile ? path.dirname(dockerfile) : undefined);
  if (context === undefined) reader.fail(`${field}.build`, buildNode, 'names neither dockerfile nor context', `give ${field}.build.dockerfile, ${field}.build.context or both`);
  const contextDir = path.resolve(ctx.root, context);
  return ServiceImage.fromAsset(contextDir, {
    file: dockerfile ? path.relative(contextDir, path.resolve(ctx.root, dockerfile)) : undefined,
    buildArgs: reader.stringMap(`${field}.build.args`),
    target: reader.string(`${field}.build.target`),
  });
}

/** A private ECR image URI: account, Region, repository, and tag or digest. */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?(?:@(.+))?$/;

/**
 * An image pulled as written. A private ECR image is pulled through its imported repository,
 * so the execution role may pull it (Copilot's role had AmazonECSTaskExecutionRolePolicy,
 * which allows pulling from any repository of the account).
 */
function registryImage(ctx: WorkloadContext, location: string, sidecar?: string, credentials?: secretsmanager.ISecret): ServiceImage {
  const ecrImage = ECR_IMAGE.exec(location);
  if (!ecrImage) return ServiceImage.fromRegistry(location, { credentials });
  const [, account, region, repositoryName, tag, digest] = ecrImage;
  const partition = location.includes('.amazonaws.com.cn/') ? 'aws-cn' : 'aws';
  const repository = ecr.Repository.fromRepositoryAttributes(ctx.scope, sidecar ? `${sidecar}ImageRepository` : 'ImageRepository', {
    repositoryName,
    repositoryArn: `arn:${partition}:ecr:${region}:${account}:repository/${repositoryName}`,
  });
  return ServiceImage.fromRepository(repository, { tag: digest ? undefined : tag ?? 'latest', digest });
}

/**
 * The Secrets Manager secret with a private registry's user name and password, by ARN or name.
 * ECS logs in with it only for an image of another registry; an image in ECR (built, or a private
 * ECR location) is pulled with the execution role, so there it changes nothing.
 */
function registryCredentials(reader: ManifestReader, ctx: WorkloadContext, field: string, text: string, sidecar?: string): secretsmanager.ISecret {
  if (text.startsWith('arn:') && !/^arn:[^:]+:secretsmanager:/.test(text)) {
    reader.fail(field, reader.peek(field), 'is not a Secrets Manager secret', 'give the ARN or name of the secret that holds the registry\'s username and password');
  }
  return importSecret(reader, field, ctx, `${sidecar ?? ''}RegistryCredentials`, text);
}

/** Plain variables, and `{from_cfn: <export>}` as the exported value (`Fn::ImportValue`, as Copilot wrote it). */
function variablesOf(reader: ManifestReader, field: string): Record<string, string> | undefined {
  const names = reader.keys(field);
  if (names.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const name of names) {
    const node = reader.peek(`${field}.${name}`);
    if (node?.entries) {
      const exportName = reader.string(`${field}.${name}.from_cfn`)
        ?? reader.fail(`${field}.${name}`, node, 'is a map without from_cfn', 'give a value, or {from_cfn: <export name>}');
      out[name] = Fn.importValue(exportName);
    } else if (node?.items) {
      reader.fail(`${field}.${name}`, node, 'is a list', 'write a string, a number or a boolean');
    } else {
      out[name] = node === undefined ? '' : node.text ?? String(node.scalar);
    }
  }
  reader.take(field);
  return out;
}

/**
 * `env_file`: a `.env` file from the workspace root, uploaded with the app's assets as `copilot
 * deploy` uploaded it to the application's bucket; ECS reads it when a task starts.
 */
function environmentFile(reader: ManifestReader, ctx: WorkloadContext, field: string): ecs.EnvironmentFile[] | undefined {
  const file = reader.string(field);
  if (file === undefined) return undefined;
  // Copilot's own check (Go's filepath.Ext takes `.env` itself as the extension), before the library's, which also reads the lines.
  if (!file.endsWith('.env')) reader.fail(field, reader.peek(field), 'is not named *.env', 'rename the file to end in .env, as Copilot and ECS require');
  const fullPath = path.resolve(ctx.root, file);
  if (!fs.existsSync(fullPath)) reader.fail(field, reader.peek(field), `is not a file in the workspace (${fullPath})`, 'give the path from the workspace root, as Copilot read it');
  return [ecs.EnvironmentFile.fromAsset(fullPath)];
}

/** Docker labels (`image.labels`, a sidecar's `labels`). */
function labels(reader: ManifestReader, field: string): Record<string, string> | undefined {
  return reader.has(field) ? reader.stringMap(field) : undefined;
}

/** A container health check (`image.healthcheck`, a sidecar's `healthcheck`). */
export function containerHealthCheck(reader: ManifestReader, field = 'image.healthcheck'): ecs.HealthCheck | undefined {
  const command = reader.stringList(`${field}.command`);
  if (command === undefined) return undefined;
  return {
    command,
    interval: reader.duration(`${field}.interval`),
    retries: reader.number(`${field}.retries`, { min: 1, max: 10 }),
    timeout: reader.duration(`${field}.timeout`),
    startPeriod: reader.duration(`${field}.start_period`),
  };
}

function architecture(reader: ManifestReader): Architecture | undefined {
  const node = reader.peek('platform');
  if (node === undefined) return undefined;
  const text = node.entries ? `${reader.string('platform.osfamily') ?? ''}/${reader.string('platform.architecture') ?? ''}` : reader.string('platform')!;
  reader.take('platform');
  const known: Record<string, Architecture> = {
    'linux/x86_64': Architecture.X86_64, 'linux/amd64': Architecture.X86_64,
    'linux/arm64': Architecture.ARM64, 'linux/arm': Architecture.ARM64,
  };
  const arch = known[text.toLowerCase()];
  if (arch === undefined) {
    reader.fail('platform', node, 'is not a Linux platform this library runs', 'use linux/x86_64 or linux/arm64 (Windows tasks are not supported)');
  }
  return arch;
}

/** `command` and `entrypoint`: a list as written, or a string split into words as Copilot splits it (shell quoting). */
export function shellWords(reader: ManifestReader, field: string): string[] | undefined {
  const node = reader.peek(field);
  if (node === undefined) return undefined;
  if (node.items) return reader.stringList(field);
  const text = reader.string(field)!;
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) words.push(match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? match[3]);
  return words;
}

/**
 * Secrets by the names Copilot used: an SSM parameter name (as `copilot secret init` writes
 * them, `/copilot/<app>/<env>/secrets/<name>`) or ARN, or a Secrets Manager secret by name
 * (`name[:json-key[:version-stage[:version-id]]]`) or ARN. The task's execution role may read
 * exactly these, where Copilot's read any parameter or secret with the app's and environment's
 * tags.
 */
export function secrets(reader: ManifestReader, ctx: WorkloadContext, mapField = 'secrets', idPrefix = ''): Record<string, ecs.Secret> | undefined {
  const names = reader.keys(mapField);
  if (names.length === 0) return undefined;
  const out: Record<string, ecs.Secret> = {};
  for (const [i, name] of names.entries()) {
    const field = `${mapField}.${name}`;
    const node = reader.peek(field) ?? reader.fail(field, undefined, 'is empty', 'give an SSM parameter name or ARN, or {secretsmanager: <name>}');
    const id = `${idPrefix}Secret${i}${name.replace(/[^A-Za-z0-9]/g, '')}`;
    if (node.entries?.has('secretsmanager')) {
      out[name] = secretsManagerSecret(reader, `${field}.secretsmanager`, ctx, id, unquote(reader.string(`${field}.secretsmanager`)!));
    } else if (node.entries) {
      reader.fail(field, node, 'is a secret form this library does not read', 'give an SSM parameter name or ARN, or {secretsmanager: <name>}; for from_cfn, pass the exported value to the container yourself');
    } else {
      // Copilot's docs quote ARNs inside the YAML string ("'arn:…'"); the value is what is inside.
      const value = unquote(reader.string(field)!);
      if (/^arn:[^:]+:secretsmanager:/.test(value)) {
        out[name] = secretsManagerSecret(reader, field, ctx, id, value);
      } else if (/^arn:[^:]+:ssm:/.test(value)) {
        // An ARN is passed on as written, also of another account or Region, as Copilot did.
        out[name] = new ParameterArnSecret(value);
      } else if (value.startsWith('arn:')) {
        reader.fail(field, node, 'is an ARN of neither an SSM parameter nor a Secrets Manager secret', 'give an SSM parameter name or ARN, or a Secrets Manager secret ARN');
      } else {
        out[name] = ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(ctx.scope, id, { parameterName: value, simpleName: !value.startsWith('/') }));
      }
    }
  }
  reader.take(mapField);
  return out;
}

/**
 * An SSM parameter by ARN, as written: ECS reads a parameter of another Region by its full ARN
 * (aws-cdk-lib's parameter imports refuse one), and the execution role may read exactly it.
 */
class ParameterArnSecret extends ecs.Secret {
  public readonly hasField = false;
  constructor(public readonly arn: string) {
    super();
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameters', 'ssm:GetParameter', 'ssm:DescribeParameters'], resourceArns: [this.arn] });
  }
}

/** The six random characters Secrets Manager ends a complete secret ARN with, after a hyphen. */
const SECRET_ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

/**
 * A Secrets Manager secret by name, or by complete or partial ARN (a complete one ends in the
 * six-character suffix). A name ends up as a partial ARN (`arn:…:secret:<name>`), and Secrets
 * Manager takes a partial ARN that ends in a hyphen and six characters for a complete one, so
 * `db-secret` would not be found: such a name fails, asking for the complete ARN.
 */
function importSecret(reader: ManifestReader, field: string, ctx: WorkloadContext, id: string, secretId: string): secretsmanager.ISecret {
  if (!secretId.startsWith('arn:') && SECRET_ARN_SUFFIX.test(secretId)) {
    reader.fail(field, reader.peek(field), `names the secret ${secretId}, whose end (a hyphen and six characters) Secrets Manager would take for the random suffix of a complete ARN, so it would not find it`,
      'give the secret\'s complete ARN (with its suffix), from the Secrets Manager console or `aws secretsmanager describe-secret`');
  }
  return !secretId.startsWith('arn:')
    ? secretsmanager.Secret.fromSecretNameV2(ctx.scope, id, secretId)
    : SECRET_ARN_SUFFIX.test(secretId)
      ? secretsmanager.Secret.fromSecretCompleteArn(ctx.scope, id, secretId)
      : secretsmanager.Secret.fromSecretPartialArn(ctx.scope, id, secretId);
}

function unquote(text: string): string {
  const match = /^(['"])(.*)\1$/.exec(text.trim());
  return match ? match[2] : text.trim();
}

/**
 * A Secrets Manager secret as ECS reads it: `name` or an ARN (complete, with the six-character
 * suffix, or partial), then optionally `:json-key:version-stage:version-id`, as Copilot and the
 * ECS `valueFrom` write them.
 */
function secretsManagerSecret(reader: ManifestReader, field: string, ctx: WorkloadContext, id: string, text: string): ecs.Secret {
  const parts = text.split(':');
  // An ARN has seven colon-separated parts (arn:partition:secretsmanager:region:account:secret:name).
  const [secretId, rest] = text.startsWith('arn:') ? [parts.slice(0, 7).join(':'), parts.slice(7)] : [parts[0], parts.slice(1)];
  const [jsonKey, versionStage, versionId] = rest;
  const secret = importSecret(reader, field, ctx, id, secretId);
  return ecs.Secret.fromSecretsManagerVersion(secret, { versionStage: versionStage || undefined, versionId: versionId || undefined }, jsonKey || undefined);
}

/** A duration field as whole seconds, for settings ECS and ELB take in seconds. */
export function seconds(value: Duration | undefined): Duration | undefined {
  return value === undefined ? undefined : Duration.seconds(Math.round(value.toMilliseconds() / 1000));
}
