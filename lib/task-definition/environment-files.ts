import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Arn, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IConstruct } from 'constructs';
import { fail } from '../validation/checks';

/**
 * `environmentFiles`: checked before any child exists, and the execution role's read access
 * granted after the containers are made. Internal.
 */

/** ECS takes at most ten environment files per task definition (ECS Developer Guide, "Use a file to pass environment variables"). */
export const MAX_ENVIRONMENT_FILES = 10;

/** The warning for lines of a local environment file that ECS skips. */
export const ENV_FILE_LINE_SKIPPED_WARNING = 'ecs-service-kit:env-file-line-skipped';

/**
 * Checks every container's `environmentFiles` (`containers` maps the prop path of each, such as
 * '' or 'sidecars[0].', to its files): a list, at most ten in the task, and each local file one
 * ECS reads as meant: named `*.env`, UTF-8, and no line ECS would read otherwise than it reads.
 */
export function validateEnvironmentFiles(scope: IConstruct, totalProp: string, containers: Map<string, ecs.EnvironmentFile[] | undefined>): void {
  let total = 0;
  for (const [prefix, files] of containers) {
    if (files === undefined) continue;
    const prop = `${prefix}environmentFiles`;
    if (!Array.isArray(files)) fail(scope, prop, files, 'is not a list', 'give a list of ecs.EnvironmentFile.fromAsset(...) or fromBucket(...)');
    files.forEach((file, i) => {
      if (!(file instanceof ecs.EnvironmentFile)) {
        fail(scope, `${prop}[${i}]`, file, 'is not an ecs.EnvironmentFile', 'use ecs.EnvironmentFile.fromAsset(\'./app.env\') or ecs.EnvironmentFile.fromBucket(bucket, \'app.env\')');
      }
      if (file instanceof ecs.AssetEnvironmentFile) checkLocalFile(scope, `${prop}[${i}]`, file.path);
    });
    total += files.length;
  }
  if (total > MAX_ENVIRONMENT_FILES) {
    fail(scope, totalProp, total, `files in the task's containers together are more than the ${MAX_ENVIRONMENT_FILES} ECS takes per task definition`,
      `give at most ${MAX_ENVIRONMENT_FILES} files, or merge some of them`);
  }
}

/**
 * A local file, read as the ECS agent reads an environment file (amazon-ecs-agent
 * `envFiles/envfile.go`; Fargate alike): a line starting with `#` is a comment; a line without
 * `=` is skipped; the rest is split at the first `=` with nothing trimmed ("spaces or quotation
 * marks are included", ECS Developer Guide); a line with an empty name or value is skipped
 * (aws/containers-roadmap#2466: `EMPTY=` is not set on Fargate, where Docker sets it empty). No
 * line fails a task, so a mistake shows only as a variable the app does not find: whitespace
 * in a name fails synth, skipped lines warn.
 */
function checkLocalFile(scope: IConstruct, prop: string, file: string): void {
  // The name ends in .env (Go's filepath.Ext, which Copilot uses, takes `.env` itself as the extension).
  if (!file.endsWith('.env')) fail(scope, prop, file, 'is not named *.env, which ECS requires of an environment file', 'rename the file to end in .env');
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) fail(scope, prop, file, 'is not a file', 'give the path of a .env file (relative paths start at the directory cdk runs in)');
  const bytes = fs.readFileSync(file);
  const text = bytes.toString('utf-8');
  if (!Buffer.from(text, 'utf-8').equals(bytes)) fail(scope, prop, file, 'is not UTF-8', 'save the file as UTF-8, which ECS requires');
  const { misnamed } = readLines(file, text);
  if (misnamed) {
    fail(scope, prop, misnamed.at, `sets a variable named ${JSON.stringify(misnamed.name)}: ECS keeps the whitespace, so the app would look for ${misnamed.name.trim() || 'it'} in vain`,
      'write NAME=VALUE at the start of the line, with no space before the =');
  }
}

/** A local file's lines as ECS reads them: the first name with whitespace in it, and the lines ECS skips. */
function readLines(file: string, text: string): { misnamed?: { at: string; name: string }; skipped: string[] } {
  const skipped: string[] = [];
  let misnamed: { at: string; name: string } | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const at = `${file}:${index + 1}`;
    const equals = line.indexOf('=');
    if (equals < 0) {
      skipped.push(`${at} has no =`);
      return;
    }
    const name = line.slice(0, equals);
    if (/\s/.test(name)) misnamed ??= { at, name };
    else if (name === '') skipped.push(`${at} has no name before =`);
    else if (equals === line.length - 1) skipped.push(`${at} sets ${name} to nothing`);
  });
  return { misnamed, skipped };
}

/**
 * Warns on the task definition, once per local file, about the lines ECS skips
 * (`env-file-line-skipped`): the container gets no such variable.
 */
export function warnSkippedLines(scope: IConstruct, containers: Map<string, ecs.EnvironmentFile[] | undefined>): void {
  for (const [prefix, files] of containers) {
    (files ?? []).forEach((file, i) => {
      if (!(file instanceof ecs.AssetEnvironmentFile)) return;
      const { skipped } = readLines(file.path, fs.readFileSync(file.path, 'utf-8'));
      if (skipped.length === 0) return;
      Annotations.of(scope).addWarningV2(ENV_FILE_LINE_SKIPPED_WARNING,
        `${prefix}environmentFiles[${i}]: ECS skips these lines of ${file.path}, so the container gets no such variable (Docker would set an empty one): ${skipped.join('; ')}. ` +
        'Give each variable a value, or leave the line out; then acknowledge: ' +
        `Validations.of(<this construct>).acknowledge({ id: 'Annotation::${ENV_FILE_LINE_SKIPPED_WARNING}', reason }).`);
    });
  }
}

/**
 * The files to give the container: each local file as an asset of its own, made under `scope`
 * (so in this task definition's stack) from a copy whose name ends in `.env`.
 * - aws-cdk-lib makes a local file's asset under the container with one fixed id, so a container
 *   with two local files fails ("There is already a Construct with name 'EnvironmentFile'").
 * - A file object keeps the first asset it made: one object given to task definitions in two
 *   stacks would be uploaded with the first stack only, and the second would read an object that
 *   is not in its bucket.
 * - The object's key keeps the file's extension, and a file named `.env` has none: ECS would
 *   refuse the key.
 */
export function assetEnvironmentFiles(scope: Construct, containerName: string, files: ecs.EnvironmentFile[] | undefined): ecs.EnvironmentFile[] | undefined {
  return files?.map((file, i) => {
    if (!(file instanceof ecs.AssetEnvironmentFile)) return file;
    // aws-cdk-lib keeps the AssetOptions of fromAsset private; they are passed on as given.
    const options = (file as unknown as { readonly options?: s3assets.AssetOptions }).options;
    const own = ecs.EnvironmentFile.fromAsset(path.extname(file.path) === '.env' ? file.path : copyNamedEnv(file.path), options);
    own.bind(new Construct(scope, `EnvironmentFile-${containerName}-${i}`));
    return own;
  });
}

/** A copy of `file` in a directory of its own, named `<its name>.env` (`.env` becomes `dot.env`). */
function copyNamedEnv(file: string): string {
  const bytes = fs.readFileSync(file);
  const dir = path.join(os.tmpdir(), 'ecs-service-kit-env-files', createHash('sha256').update(bytes).digest('hex').slice(0, 16));
  fs.mkdirSync(dir, { recursive: true });
  const copy = path.join(dir, `dot${path.basename(file)}`);
  // Named by the content's hash, so a copy that exists is this one. Written under another name and
  // renamed, so a synth running beside (another Jest worker, another app) never reads half a file.
  if (!fs.existsSync(copy)) {
    const partial = `${copy}.${process.pid}.tmp`;
    fs.writeFileSync(partial, bytes);
    fs.renameSync(partial, copy);
  }
  return copy;
}

/**
 * Gives the task's execution role what ECS needs to read each environment file of `containers`
 * when a task starts: s3:GetObject on the object and s3:GetBucketLocation on its bucket. aws-cdk-lib
 * grants neither, so without this every task would fail to start (ECS Developer Guide, "Amazon
 * ECS task execution IAM role", environment files).
 */
export function grantEnvironmentFiles(taskDefinition: ecs.TaskDefinition, containers: ecs.ContainerDefinition[]): void {
  const objects = new Set<string>();
  const buckets = new Set<string>();
  const partition = Stack.of(taskDefinition).partition;
  for (const container of containers) {
    for (const file of container.environmentFiles ?? []) {
      const location = file.s3Location;
      if (!location) continue;
      if (!Token.isUnresolved(location.objectKey) && !location.objectKey.endsWith('.env')) {
        fail(container, 'environmentFiles', location.objectKey, 'is not an object named *.env, which ECS requires of an environment file', 'give the key of an object that ends in .env');
      }
      objects.add(Arn.format({ partition, service: 's3', region: '', account: '', resource: location.bucketName, resourceName: location.objectKey }));
      buckets.add(Arn.format({ partition, service: 's3', region: '', account: '', resource: location.bucketName }));
    }
  }
  if (objects.size === 0) return;
  const role = taskDefinition.obtainExecutionRole();
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [...objects] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [...buckets] }));
}
