/**
 * Versions of one small app built with the library, for the update-sequence tests: a repository,
 * a cluster with a named network layout, one shared load balancer and a list of routed web
 * services. Each test synthesizes version N and N+1 and compares them with compareTemplates.
 *
 * Images come from a public registry (no Docker, no repository-by-tag lookups), and aws-cdk-lib's
 * built-in template validation is off: these tests are about the difference between two
 * versions, and the examples test already validates the same constructs in strict mode.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { ImageRepository, NetworkLayout, RegistryReplication, ServiceCluster, ServiceImage, ServiceLoadBalancer, WebService, WorkerService } from '../../lib';
import { CfnTemplate } from '../../lib/deploy-checks/update-hazards';
import { TEST_ENV } from '../util/test-app';

/** One routed web service of a version. */
export interface ServiceSpec {
  /** The construct id (and so the logical ids and the route id). */
  readonly id: string;
  /** Path patterns of its listener rule; none: the listener's default action. */
  readonly paths?: string[];
  readonly tag?: string;
  readonly cpu?: number;
  readonly memoryMiB?: number;
  readonly serviceName?: string;
  readonly priority?: number;
  /** Publish this Service Connect name (the version needs `namespace`). */
  readonly serviceConnectName?: string;
  /** Run on Fargate Spot (a capacity provider strategy instead of the FARGATE launch type). */
  readonly spot?: boolean;
}

/** One version of the app. */
export interface AppVersion {
  readonly network?: NetworkLayout;
  readonly services: readonly ServiceSpec[];
  /** Queue workers (WorkerService with a queue), by construct id. */
  readonly workers?: readonly string[];
  /** Give the cluster a Service Connect namespace of this name. */
  readonly namespace?: string;
  /** The construct id of the registry's RegistryReplication (to us-west-2), if there is one. */
  readonly replication?: string;
}

/** Built-in CloudFormation rules' findings stay warnings; synthVersion also turns the engine off. */
export const FAST_CONTEXT = {
  '@aws-cdk/core:validateAgainstDefaultRules': false,
  '@aws-cdk/core:strictCfnValidateErrors': false,
};

export const STACK_NAME = 'UpdateApp';

/** How the stack is built beyond its version (the rehearsal app deploys the same shape to moto). */
export interface BuildOptions {
  readonly stackName?: string;
  readonly env?: { readonly account?: string; readonly region?: string };
  /** Add a named, retained image repository. @default true */
  readonly repository?: boolean;
  /** Passed to the cluster (its custom resource needs Lambda, which moto cannot run). @default - the library's default */
  readonly restrictDefaultSecurityGroup?: boolean;
}

/** Builds a version into `app`. */
export function buildVersion(app: App, version: AppVersion, options: BuildOptions = {}): Stack {
  const stackName = options.stackName ?? STACK_NAME;
  const stack = new Stack(app, stackName, { env: options.env ?? TEST_ENV });
  if (options.repository ?? true) new ImageRepository(stack, 'Repository', { repositoryName: `${stackName.toLowerCase()}-images` });
  const cluster = new ServiceCluster(stack, 'Cluster', {
    network: version.network ?? NetworkLayout.SINGLE_NAT,
    restrictDefaultSecurityGroup: options.restrictDefaultSecurityGroup,
    serviceConnectNamespace: version.namespace,
  });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'A test app about updates: HTTP only, no domain.',
  });
  if (version.replication !== undefined) new RegistryReplication(stack, version.replication, { destinations: [{ region: 'us-west-2' }] });
  for (const id of version.workers ?? []) {
    new WorkerService(stack, id, { cluster, image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'), queue: {} });
  }
  for (const spec of version.services) {
    new WebService(stack, spec.id, {
      cluster,
      loadBalancer,
      image: ServiceImage.fromRegistry(`public.ecr.aws/nginx/nginx:${spec.tag ?? '1.27'}`),
      pathPatterns: spec.paths,
      cpu: spec.cpu,
      memoryMiB: spec.memoryMiB,
      serviceName: spec.serviceName,
      priority: spec.priority,
      healthCheck: { path: '/' },
      serviceConnect: spec.serviceConnectName !== undefined ? { name: spec.serviceConnectName } : undefined,
      spot: spec.spot ? { spotWeight: 1 } : undefined,
    });
  }
  return stack;
}

const cache = new Map<string, Record<string, CfnTemplate>>();

/** The templates of a version by stack name; each distinct version is synthesized once. */
export function synthVersion(version: AppVersion): Record<string, CfnTemplate> {
  const key = JSON.stringify(version);
  const hit = cache.get(key);
  if (hit) return hit;
  // A fast synth: no built-in validation engine (the examples test and npm run verify run it), no tree metadata, no version reporting.
  const app = new App({ treeMetadata: false, analyticsReporting: false, builtinCloudFormationValidation: false, context: FAST_CONTEXT });
  const stack = buildVersion(app, version);
  const assembly = app.synth({ validateOnSynthesis: false });
  const templates = { [stack.stackName]: assembly.getStackByName(stack.stackName).template as CfnTemplate };
  cache.set(key, templates);
  return templates;
}
