import * as fs from 'fs';
import { Arn, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { fail } from '../validation/checks';

/**
 * `environmentFiles`: checked before any child exists, and the execution role's read access
 * granted after the containers are made. Internal.
 */

/** ECS takes at most ten environment files per task definition (ECS Developer Guide, "Use a file to pass environment variables"). */
export const MAX_ENVIRONMENT_FILES = 10;

/**
 * Checks every container's `environmentFiles` (`containers` maps the prop path of each, such as
 * '' or 'sidecars[0].', to its files): a list, at most ten in the task, and each local file one
 * ECS can read: named `*.env`, UTF-8, and lines Docker's env-file parser accepts (ECS hands the
 * file to it), so a bad line fails here and not when every task starts.
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

function checkLocalFile(scope: IConstruct, prop: string, path: string): void {
  if (!path.endsWith('.env')) fail(scope, prop, path, 'is not named *.env, which ECS requires of an environment file', 'rename the file to end in .env');
  if (!fs.existsSync(path) || !fs.statSync(path).isFile()) fail(scope, prop, path, 'is not a file', 'give the path of a .env file (relative paths start at the directory cdk runs in)');
  const bytes = fs.readFileSync(path);
  const text = bytes.toString('utf-8');
  if (!Buffer.from(text, 'utf-8').equals(bytes)) fail(scope, prop, path, 'is not UTF-8', 'save the file as UTF-8, which ECS requires');
  text.split(/\r?\n/).forEach((raw, index) => {
    // Docker's env-file parser: leading whitespace is dropped, then blank lines and '#' comments are skipped.
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const name = line.split('=')[0];
    if (name === '') fail(scope, prop, `${path}:${index + 1}`, 'has a line with no variable name before =; the task would fail to start', 'write NAME=VALUE');
    if (/\s/.test(name)) {
      fail(scope, prop, `${path}:${index + 1}`, `names a variable with whitespace in it (${JSON.stringify(name)}); the task would fail to start`, 'write NAME=VALUE with no space before the =');
    }
  });
}

/**
 * Makes the asset of each local environment file under a scope of its own before the container
 * is made. aws-cdk-lib makes it under the container with one fixed id, so a container with two
 * local files fails ("There is already a Construct with name 'EnvironmentFile'"); the file keeps
 * the asset it made first, which the container's own bind then returns.
 */
export function bindAssetEnvironmentFiles(scope: Construct, containerName: string, files: ecs.EnvironmentFile[] | undefined): void {
  (files ?? []).forEach((file, i) => {
    if (file instanceof ecs.AssetEnvironmentFile) file.bind(new Construct(scope, `EnvironmentFile-${containerName}-${i}`));
  });
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
