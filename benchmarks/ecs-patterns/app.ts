/**
 * The baseline for benchmarks/compare.ts: the bin app's workload written the way
 * `aws-cdk-lib/aws-ecs-patterns` does it by default. Only workload facts are set
 * (image, size, count, port); every tuning knob is left at the pattern's default, because
 * those defaults are what DESIGN.md's "Figures to beat" measure.
 *
 * Compiled with `npx tsc -p benchmarks/ecs-patterns` and run as plain JS (DESIGN.md compares
 * against the precompiled ecs-patterns app), so it imports nothing from lib/ or bin/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';

/** Fallback when examples/app has no Dockerfile yet: the comparison then loses the asset staging cost. */
const FALLBACK_IMAGE = 'public.ecr.aws/nginx/nginx:1.27';

/** The port our example image listens on (lib/defaults.ts containerPort); the pattern's default is 80. */
const CONTAINER_PORT = 8080;

/** Options a benchmark run varies. */
export interface PatternsAppOptions {
  /** Services in the stack; each ecs-patterns service brings its own ALB. @default 1 */
  readonly services?: number;
  /** Dockerfile directory for the image asset, relative to the working directory. @default context `assetDirectory`, else examples/app */
  readonly assetDirectory?: string;
}

/** Where the image comes from, so the benchmark can report it. */
export function imageSource(app: App, options: PatternsAppOptions = {}): string {
  const dir = path.resolve(options.assetDirectory ?? app.node.tryGetContext('assetDirectory') ?? 'examples/app');
  return fs.existsSync(path.join(dir, 'Dockerfile')) ? `asset ${path.relative(process.cwd(), dir)}` : `registry ${FALLBACK_IMAGE}`;
}

/** Adds the ecs-patterns stack to `app` and returns it. */
export function buildPatternsApp(app: App, options: PatternsAppOptions = {}): Stack[] {
  const stack = new Stack(app, 'ecs-patterns-baseline');
  const services = options.services ?? 1;

  // Ours has a repository; the pattern has none, so add the plain L2 with its defaults.
  new ecr.Repository(stack, 'Repository');

  const source = imageSource(app, options);
  const image = source.startsWith('asset ')
    ? ecs.ContainerImage.fromAsset(source.slice('asset '.length))
    : ecs.ContainerImage.fromRegistry(FALLBACK_IMAGE);

  for (let i = 0; i < services; i++) {
    // No vpc/cluster: the pattern creates the stack's default cluster and its default VPC
    // (2 AZs, a NAT gateway per AZ), shared by every service in the stack.
    new ecsPatterns.ApplicationLoadBalancedFargateService(stack, i === 0 ? 'Service' : `Service${i + 1}`, {
      cpu: 256,
      memoryLimitMiB: 512,
      desiredCount: 1,
      taskImageOptions: { image, containerPort: CONTAINER_PORT },
    });
  }
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildPatternsApp(app, { services: Number(app.node.tryGetContext('benchmarkServices') ?? 1) });
  app.synth();
}
