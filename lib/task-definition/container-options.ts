import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ServiceImage } from '../image/service-image';

/**
 * What one container of a task runs and how. Shared by the main container and sidecars.
 */
export interface ContainerOptions {
  /**
   * The image the container runs.
   */
  readonly image: ServiceImage;

  /**
   * The port the container listens on. The main container of a web service receives the load
   * balancer's traffic on it.
   *
   * @default 8080 for the main container of a web service; no port for sidecars
   */
  readonly containerPort?: number;

  /**
   * Plain environment variables. Put credentials in `secrets`, never here.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * Environment variables read at task start from Secrets Manager or SSM Parameter Store
   * (`ecs.Secret.fromSecretsManager(secret)`, `ecs.Secret.fromSsmParameter(param)`). The task's
   * execution role gets read access to exactly these secrets and parameters.
   *
   * @default - none
   */
  readonly secrets?: { [name: string]: ecs.Secret };

  /**
   * Files of `NAME=VALUE` lines (`#` starts a comment) that ECS reads from S3 when the task
   * starts, into the container's environment: `ecs.EnvironmentFile.fromAsset('./app.env')`
   * (uploaded with the app's assets, in the task's stack) or
   * `ecs.EnvironmentFile.fromBucket(bucket, 'app.env')`. A variable in `environment` or `secrets`
   * wins over the same one in a file. ECS keeps spaces and quotes as part of names and values, and
   * skips a line with an empty value (the variable is not set): synth fails on whitespace in a
   * name and warns (`env-file-line-skipped`) on a skipped line of a local file.
   *
   * The task's execution role gets s3:GetObject on exactly these objects and
   * s3:GetBucketLocation on their buckets, which ECS needs and aws-cdk-lib does not grant. Not
   * granted: kms:Decrypt for a bucket encrypted with a customer managed key
   * (`key.grantDecrypt(taskDefinition.executionRole)`; the CDK bootstrap bucket's keys need
   * none), and a bucket policy of another account. aws-cdk-lib does not pass `fromBucket`'s
   * object version on: ECS reads the latest version. Put credentials in `secrets`: a file's
   * values are as readable as the object. ECS takes at most 10 files per task definition, each
   * named `*.env`.
   *
   * @default - none
   */
  readonly environmentFiles?: ecs.EnvironmentFile[];

  /**
   * Docker labels on the container (for log routers, agents, and tools that read them).
   *
   * @default - none
   */
  readonly dockerLabels?: { [name: string]: string };

  /**
   * Overrides the image's CMD.
   *
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * Overrides the image's ENTRYPOINT.
   *
   * @default - the image's ENTRYPOINT
   */
  readonly entryPoint?: string[];

  /**
   * A health check that ECS runs inside the container (the image must contain the command).
   * The load balancer's own health check (`healthCheck` on a web service) works without it.
   *
   * @default - no container health check
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * Mount the container's root filesystem read-only, so a compromised process cannot change
   * the image's files. `writablePaths` stay writable.
   *
   * @default true
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * Directories that stay writable when the root filesystem is read-only, each a bind mount
   * backed by the task's ephemeral storage.
   *
   * On Fargate such a mount starts empty, owned by root with mode 0755: a container that runs as
   * another user (the image's `USER`, or `user`) gets "permission denied" writing there, unless
   * the image declares the path as a `VOLUME`. ECS then gives the mount the ownership (and the
   * contents) of the image's directory. For each path, after the user exists:
   *
   * ```dockerfile
   * RUN mkdir -p /tmp && chown node:node /tmp
   * VOLUME ["/tmp"]
   * ```
   *
   * (changes to a path after its `VOLUME` line are discarded). The library cannot see the image,
   * so it cannot check this; with a non-root `user` it warns at synth
   * (`ecs-service-kit:writable-path-owner`) with the lines to add.
   *
   * @default ['/tmp'] when the root filesystem is read-only
   */
  readonly writablePaths?: string[];

  /**
   * The user (name, uid or uid:gid) the container runs as. A non-root user with a read-only root
   * filesystem needs its `writablePaths` declared in the image (see `writablePaths`).
   *
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * CPU units reserved for this container within the task.
   *
   * @default - no reservation: the container shares the task's CPU
   */
  readonly cpuReservation?: number;

  /**
   * Hard memory limit of this container in MiB; the container is killed above it.
   *
   * @default - the task's memory: written out as the limit when the main container is the
   * task's only container; with sidecars no container has a limit of its own and they share the task's memory
   */
  readonly memoryLimitMiB?: number;

  /**
   * Time between SIGTERM and SIGKILL when the task stops. ECS drains the task from the load
   * balancer (the deregistration delay) before it sends SIGTERM, so this only has to cover the
   * process's own shutdown.
   *
   * @default Duration.seconds(30)
   */
  readonly stopTimeout?: Duration;

  /**
   * Restart the container in place when it exits, instead of replacing the whole task (faster
   * recovery from a crash, no new task placement). ECS restarts it only if it ran for at least
   * `attemptPeriod` before exiting.
   *
   * @default - no restart policy: a stopped essential container stops the task, and the service starts a new one
   */
  readonly restartPolicy?: ContainerRestartPolicy;
}

/**
 * ECS's container restart policy.
 */
export interface ContainerRestartPolicy {
  /**
   * Exit codes that do not trigger a restart (a clean exit, e.g. `[0]`), at most 50.
   *
   * @default - every exit restarts the container
   */
  readonly ignoredExitCodes?: number[];
  /**
   * How long the container must have run before an exit restarts it (so a container that fails
   * at once is not restarted in a loop): 60 to 1800 seconds.
   *
   * @default Duration.seconds(300) (ECS's default)
   */
  readonly attemptPeriod?: Duration;
}

/**
 * A sidecar container next to the main one (a proxy, an agent, a log router).
 */
export interface SidecarOptions extends ContainerOptions {
  /**
   * The container's name, unique within the task.
   */
  readonly containerName: string;

  /**
   * Whether the task stops when this container stops.
   *
   * @default true
   */
  readonly essential?: boolean;

  /**
   * Start the main container only after this sidecar has started (or is healthy, when it has a
   * container health check).
   *
   * @default false
   */
  readonly startBeforeMain?: boolean;
}
