/**
 * Synthesizes a fixed-seed sample of VALID random configurations (the fuzz test's arbitraries,
 * test/quality/fuzz-arbitraries.ts) so linters can check templates beyond the examples.
 *
 *   node --import tsx scripts/fuzz-sample.ts <outdir> [count]
 *
 * Configuration i uses construct i mod 8 (ImageRepository, ServiceImage, ServiceNetwork,
 * ServiceCluster, ServiceLoadBalancer, ServiceTaskDefinition, WebService, ContainerWebApp) and
 * is synthesized into its own App under <outdir>/fuzz-<i>/, with cdk.json's context plus strict
 * built-in validation. Prints one template path per line (stdout); <outdir>/fuzz-sample.json
 * records which input produced which template. count defaults to 12 (or FUZZ_SAMPLE_COUNT).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { cdkJsonContext } from '../examples';
import { ConfigurationErrors } from '../lib';
import { ALL_TARGETS, unwrap } from '../test/quality/fuzz-arbitraries';
import { STRICT_VALIDATION_CONTEXT } from '../test/util/test-app';

const SEED = 20261126;
/** Valid values can still conflict (then the construct refuses them): draw up to this many per slot. */
const MAX_DRAWS = 40;

function main(): void {
  const outdir = process.argv[2];
  if (!outdir) {
    console.error('usage: node --import tsx scripts/fuzz-sample.ts <outdir> [count]');
    process.exit(2);
  }
  const count = Number(process.argv[3] ?? process.env.FUZZ_SAMPLE_COUNT ?? '12');
  if (!Number.isInteger(count) || count < 1) {
    console.error(`count ${process.argv[3]} is not a positive integer`);
    process.exit(2);
  }
  fs.mkdirSync(outdir, { recursive: true });

  const manifest: Array<{ index: number; construct: string; template: string; input: unknown }> = [];
  const draws = new Map<string, unknown[]>();
  const used = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const target = ALL_TARGETS[i % ALL_TARGETS.length];
    if (!draws.has(target.name)) {
      draws.set(target.name, fc.sample(target.arbitrary('valid'), { seed: SEED, numRuns: MAX_DRAWS * Math.ceil(count / ALL_TARGETS.length) }));
    }
    const specs = draws.get(target.name)!;
    let done = false;
    for (let k = used.get(target.name) ?? 0; k < specs.length && !done; k++) {
      used.set(target.name, k + 1);
      const { props } = unwrap(specs[k]);
      const appDir = path.join(outdir, `fuzz-${i}`);
      fs.rmSync(appDir, { recursive: true, force: true });
      const app = new App({ outdir: appDir, treeMetadata: false, context: { ...cdkJsonContext(), ...STRICT_VALIDATION_CONTEXT } });
      // Region only, as the bin app: AZs stay Fn::GetAZs (no dummy AZ names from a missing lookup).
      const stack = new Stack(app, `Fuzz${i}${target.name}`, { env: { region: 'us-east-1' } });
      try {
        target.build(stack, props);
      } catch (error) {
        if (ConfigurationErrors.isConfigurationError(error)) continue; // a conflicting combination: draw again
        throw error;
      }
      // The library warns about these on purpose; the sample is about the templates.
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'fuzz sample: random configurations without a certificate' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:no-access-logs', reason: 'fuzz sample: random configurations with access logs off' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:writable-path-owner', reason: 'fuzz sample: random users with writable paths; the templates are linted, not run' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'fuzz sample: random configurations with the deployment alarms off' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:bake-shorter-than-detection', reason: 'fuzz sample: random bake times' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:image-from-new-repository', reason: 'fuzz sample: images of a fixture repository in the same stack; the templates are linted, not deployed' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:drain-shorter-than-idle-timeout', reason: 'fuzz sample: random deregistration delays' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:job-longer-than-stop-timeout', reason: 'fuzz sample: random job durations and stop timeouts' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:dead-letter-after-watch', reason: 'fuzz sample: random job durations and receive counts' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:stall-after-watch', reason: 'fuzz sample: random job durations' });
      Validations.of(stack).acknowledge({ id: 'Annotation::ecs-service-kit:single-receive-dead-letter', reason: 'fuzz sample: random receive counts' });
      const template = app.synth().getStackByName(stack.stackName).templateFullPath;
      manifest.push({ index: i, construct: target.name, template, input: props });
      console.log(template);
      done = true;
    }
    if (!done) throw new Error(`no valid ${target.name} configuration in ${MAX_DRAWS} draws`);
  }
  fs.writeFileSync(path.join(outdir, 'fuzz-sample.json'), JSON.stringify({ seed: SEED, samples: manifest }, (_k, v) =>
    (v && typeof v === 'object' && v.constructor?.name === 'Duration' ? v.toString() : v), 2));
}

main();
