import * as path from 'path';
import { Duration, Size } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { Architecture } from '../image/architecture';
import { ServiceImage } from '../image/service-image';
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
}

/** The repository Copilot created for a workload (`<app>/<name>`), imported by name: its images stay. */
export function copilotRepository(scope: Construct, application: string, name: string): ecr.IRepository {
  return ecr.Repository.fromRepositoryName(scope, 'CopilotRepository', `${application}/${name}`);
}

/**
 * The task options every workload type shares: image, size, platform, entry point, command,
 * variables, secrets, storage. Copilot's defaults where ours differ for a reason Copilot users
 * would not expect: none: cpu 256 and memory 512 are both sides' defaults.
 */
export function taskOptions(reader: ManifestReader, ctx: WorkloadContext): ServiceTaskOptions {
  const variables = {
    COPILOT_APPLICATION_NAME: ctx.application,
    COPILOT_ENVIRONMENT_NAME: ctx.environment,
    COPILOT_SERVICE_NAME: ctx.name,
    ...reader.stringMap('variables'),
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
    readonlyRootFilesystem: reader.boolean('storage.readonly_fs'),
    ephemeralStorageSize: ephemeral === undefined ? undefined : Size.gibibytes(ephemeral),
  };
}

function image(reader: ManifestReader, ctx: WorkloadContext): ServiceImage {
  const location = reader.string('image.location');
  const buildNode = reader.peek('image.build');
  if (ctx.imageTag !== undefined) {
    reader.take('image.build');
    return ServiceImage.fromRepository(ctx.repository, { tag: ctx.imageTag });
  }
  if (location !== undefined) return ServiceImage.fromRegistry(location);
  if (buildNode === undefined) reader.fail('image', reader.peek('image'), 'has neither build nor location', 'give image.build (a Dockerfile) or image.location (an image URI)');
  if (buildNode.scalar !== undefined) {
    // `build: path/to/Dockerfile`: the context is the Dockerfile's directory, as in Copilot.
    const dockerfile = path.resolve(ctx.root, reader.string('image.build')!);
    return ServiceImage.fromAsset(path.dirname(dockerfile), { file: path.basename(dockerfile) });
  }
  const dockerfile = reader.string('image.build.dockerfile');
  const context = reader.string('image.build.context') ?? (dockerfile ? path.dirname(dockerfile) : undefined);
  if (context === undefined) reader.fail('image.build', buildNode, 'names neither dockerfile nor context', 'give image.build.dockerfile, image.build.context or both');
  const contextDir = path.resolve(ctx.root, context);
  return ServiceImage.fromAsset(contextDir, {
    file: dockerfile ? path.relative(contextDir, path.resolve(ctx.root, dockerfile)) : undefined,
    buildArgs: reader.stringMap('image.build.args'),
    target: reader.string('image.build.target'),
  });
}

function containerHealthCheck(reader: ManifestReader): ecs.HealthCheck | undefined {
  const command = reader.stringList('image.healthcheck.command');
  if (command === undefined) return undefined;
  return {
    command,
    interval: reader.duration('image.healthcheck.interval'),
    retries: reader.number('image.healthcheck.retries', { min: 1, max: 10 }),
    timeout: reader.duration('image.healthcheck.timeout'),
    startPeriod: reader.duration('image.healthcheck.start_period'),
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
function shellWords(reader: ManifestReader, field: string): string[] | undefined {
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
function secrets(reader: ManifestReader, ctx: WorkloadContext): Record<string, ecs.Secret> | undefined {
  const names = reader.keys('secrets');
  if (names.length === 0) return undefined;
  const out: Record<string, ecs.Secret> = {};
  for (const [i, name] of names.entries()) {
    const field = `secrets.${name}`;
    const node = reader.peek(field)!;
    const id = `Secret${i}${name.replace(/[^A-Za-z0-9]/g, '')}`;
    if (node.entries?.has('secretsmanager')) {
      const [secretName, jsonKey, versionStage, versionId] = reader.string(`${field}.secretsmanager`)!.split(':');
      const secret = secretName.startsWith('arn:')
        ? secretsmanager.Secret.fromSecretCompleteArn(ctx.scope, id, secretName)
        : secretsmanager.Secret.fromSecretNameV2(ctx.scope, id, secretName);
      out[name] = ecs.Secret.fromSecretsManagerVersion(secret, { versionStage: versionStage || undefined, versionId: versionId || undefined }, jsonKey || undefined);
    } else if (node.entries) {
      reader.fail(field, node, 'is a secret form this library does not read', 'give an SSM parameter name or ARN, or {secretsmanager: <name>}; for from_cfn, pass the exported value to the container yourself');
    } else {
      const parameter = reader.string(field)!;
      const attrs = parameter.startsWith('arn:')
        ? { parameterName: parameter.replace(/^arn:[^:]+:ssm:[^:]*:[^:]*:parameter/, ''), simpleName: false }
        : { parameterName: parameter, simpleName: !parameter.startsWith('/') };
      out[name] = ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(ctx.scope, id, attrs));
    }
  }
  reader.take('secrets');
  return out;
}

/** A duration field as whole seconds, for settings ECS and ELB take in seconds. */
export function seconds(value: Duration | undefined): Duration | undefined {
  return value === undefined ? undefined : Duration.seconds(Math.round(value.toMilliseconds() / 1000));
}
