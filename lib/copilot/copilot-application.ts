import { Annotations, CfnResource, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { ServiceCluster } from '../cluster/service-cluster';
import { ServiceLoadBalancer } from '../load-balancer/service-load-balancer';
import { EventTopic } from '../pubsub/event-topic';
import { ServiceBase } from '../service/service-base';
import { WebService } from '../service/web-service';
import { ScheduledTask } from '../task/scheduled-task';
import { fail } from '../validation/checks';
import { WorkerService } from '../worker/worker-service';
import { LoadedWorkload, loadWorkspace } from './copilot-workspace';
import { unmappedHint } from './unmapped-hints';
import { ManifestReader } from './manifest-reader';
import { locationOf } from './manifest-tree';
import { clusterProps, loadBalancerProps } from './map-environment';
import { hasHttp } from './map-http';
import { copilotRepository, WorkloadContext } from './map-task';
import { applyTaskDefOverrides } from './taskdef-overrides';
import { buildScheduledJob, buildService, publishedTopics, subscriptions } from './map-workloads';

/** The id of the warning for a manifest field CopilotApplication does not map; the field's path follows a colon. */
export const COPILOT_UNMAPPED_WARNING = 'ecs-service-kit:copilot-unmapped';
/** The id of the warning for a workspace directory CopilotApplication does not deploy (addons, overrides); the directory follows a colon. */
export const COPILOT_NOT_DEPLOYED_WARNING = 'ecs-service-kit:copilot-not-deployed';
/** The id of the warning for a manifest field Copilot's docs do not document (a typo, or a field of a newer Copilot). */
export const COPILOT_UNDOCUMENTED_WARNING = 'ecs-service-kit:copilot-undocumented';

/**
 * Properties of a CopilotApplication.
 */
export interface CopilotApplicationProps {
  /**
   * The directory that holds the Copilot workspace (the `copilot/` folder with `.workspace`).
   * `image.build` paths start here, as with `copilot deploy` run from this directory.
   */
  readonly workspace: string;

  /**
   * The Copilot environment whose manifest (`copilot/environments/<name>/manifest.yml`) and
   * overrides (`environments.<name>` in each workload's manifest) apply.
   */
  readonly environment: string;

  /**
   * The VPC, when the environment manifest imports one (`network.vpc.id`): synth cannot read an
   * existing VPC from an id alone. `ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId })` reads it.
   *
   * @default - a new VPC from the environment manifest's `network.vpc.cidr`, in this library's
   * default layout (one NAT gateway, tasks in private subnets)
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Deploy these image tags from the repositories Copilot created (`<application>/<workload>`,
   * imported by name) instead of building `image.build`: the images running on Copilot today,
   * by workload name.
   *
   * @default - build `image.build` as an image asset, or pull `image.location`
   */
  readonly imageTags?: { [workload: string]: string };
}

/**
 * A Copilot application's workloads and environment, read from its workspace's manifests and
 * built from this library's constructs: a ServiceCluster for the environment, a shared public
 * ServiceLoadBalancer for Load Balanced Web Services, an internal one for Backend Services with
 * `http`, a WebService, WorkerService or ScheduledTask per workload, an EventTopic per
 * published topic. Every field of every manifest is mapped or named in a synth warning
 * (`ecs-service-kit:copilot-unmapped:<field>`) that says what to do; invalid manifests fail
 * synth with the file and the line.
 *
 * Members give every built construct by workload name, so an app can go on in CDK.
 */
export class CopilotApplication extends Construct {
  /** The application's name (`copilot/.workspace`). */
  public readonly application: string;
  /** The environment the manifests were read for. */
  public readonly environmentName: string;
  /** The environment's cluster and network. */
  public readonly cluster: ServiceCluster;
  /** The public load balancer of the Load Balanced Web Services, if any. */
  public readonly loadBalancer?: ServiceLoadBalancer;
  /** The internal load balancer of the Backend Services with `http`, if any. */
  public readonly internalLoadBalancer?: ServiceLoadBalancer;
  /** The workloads' names, in the workspace's order. */
  public readonly workloadNames: string[];

  private readonly services = new Map<string, ServiceBase>();
  private readonly jobs = new Map<string, ScheduledTask>();
  private readonly topics = new Map<string, EventTopic>();
  private readonly repositories = new Map<string, ecr.IRepository>();
  private readonly types = new Map<string, string>();

  constructor(scope: Construct, id: string, props: CopilotApplicationProps) {
    super(scope, id);
    const workspace = loadWorkspace(this, props.workspace, props.environment);
    for (const name of Object.keys(props.imageTags ?? {})) {
      if (!workspace.workloads.some((w) => w.name === name)) {
        fail(this, `imageTags.${name}`, props.imageTags![name], 'names no workload of the workspace', `use one of ${workspace.workloads.map((w) => w.name).join(', ')}`);
      }
    }
    this.application = workspace.application;
    this.environmentName = props.environment;
    this.workloadNames = workspace.workloads.map((w) => w.name);
    const env = workspace.environment;

    this.cluster = new ServiceCluster(this, 'Cluster', clusterProps(this, env, workspace.application, props.environment, props.vpc));
    const needs = (type: string, withHttp: boolean) => workspace.workloads.some((w) => w.type === type && hasHttp(w.reader) === withHttp);
    if (needs('Load Balanced Web Service', true)) {
      this.loadBalancer = new ServiceLoadBalancer(this, 'LoadBalancer', loadBalancerProps(this, env, 'public', this.cluster.vpc));
    }
    if (needs('Backend Service', true)) {
      this.internalLoadBalancer = new ServiceLoadBalancer(this, 'InternalLoadBalancer', loadBalancerProps(this, env, 'private', this.cluster.vpc));
    }

    // Topics first: a worker may subscribe to a topic of a workload built after it.
    for (const workload of workspace.workloads) {
      for (const topic of publishedTopics(workload.reader)) {
        const id = topicId(workload.name, topic.name);
        if (this.node.tryFindChild(id)) {
          // `web` + `simple-events` and `web-simple` + `events` read alike in PascalCase.
          workload.reader.fail('publish.topics', workload.reader.peek('publish.topics'), `gives topic ${topic.name} the construct id ${id}, which another workload's topic has`,
            'rename one of the two topics');
        }
        this.topics.set(`${workload.name}/${topic.name}`, new EventTopic(this, id, { fifo: topic.fifo, contentBasedDeduplication: topic.contentBasedDeduplication }));
      }
    }
    for (const workload of workspace.workloads) {
      this.types.set(workload.name, workload.type);
      const imports = new Construct(this, `${workload.name}Imports`);
      const repository = copilotRepository(imports, workspace.application, workload.name);
      this.repositories.set(workload.name, repository);
      const ctx: WorkloadContext = {
        scope: imports,
        repository,
        application: workspace.application,
        environment: props.environment,
        name: workload.name,
        root: workspace.root,
        imageTag: props.imageTags?.[workload.name],
      };
      const topics = [...this.topics].filter(([key]) => key.startsWith(`${workload.name}/`)).map(([key, topic]) => ({ name: key.slice(workload.name.length + 1), topic }));
      if (workload.type === 'Scheduled Job') {
        this.jobs.set(workload.name, buildScheduledJob(this, workload, ctx, this.cluster, topics));
      } else {
        const loadBalancer = workload.type === 'Load Balanced Web Service' ? this.loadBalancer : workload.type === 'Backend Service' ? this.internalLoadBalancer : undefined;
        const service = buildService(this, workload, ctx, this.cluster, hasHttp(workload.reader) ? loadBalancer : undefined, topics);
        this.services.set(workload.name, service);
        if (service instanceof WorkerService) {
          for (const subscription of subscriptions(workload.reader)) {
            const topic = this.topics.get(`${subscription.service}/${subscription.topic}`)
              ?? workload.reader.fail('subscribe.topics', subscription.node, `names topic ${subscription.topic} of ${subscription.service}, which no workload of the workspace publishes`,
                'publish it from that workload (publish.topics) or subscribe to a topic that is published');
            if (topic.fifo) {
              workload.reader.fail('subscribe.topics', subscription.node, `subscribes to the FIFO topic ${subscription.topic} of ${subscription.service}, which needs a FIFO queue, and CopilotApplication builds standard worker queues`,
                'subscribe a WorkerService with a FIFO existingQueue to shop.topic(...) in CDK, and remove this subscription from the manifest');
            }
            service.subscribe(topic, subscription.options);
          }
        }
      }
    }
    for (const workload of workspace.workloads) {
      const built = this.services.get(workload.name) ?? this.jobs.get(workload.name)!;
      applyTaskDefOverrides(workload.reader, built.taskDefinition.node.defaultChild as CfnResource);
      this.reportUnmapped(workload);
      if (!workload.reader.has('variables')) {
        // Only variables this construct sets (Copilot's names and addresses): the user's own stay theirs to judge.
        Validations.of(built.taskDefinition).acknowledge({
          id: 'AwsSolutions::AwsSolutions-ECS2',
          reason: 'The only plain environment variables are the names and addresses Copilot set and CopilotApplication keeps (COPILOT_APPLICATION_NAME, COPILOT_ENVIRONMENT_NAME, COPILOT_SERVICE_NAME, COPILOT_LB_DNS, COPILOT_QUEUE_URI, COPILOT_SNS_TOPIC_ARNS), not secrets; credentials go through `secrets`.',
        });
      }
    }
    for (const { workload, directory } of workspace.notDeployed) {
      const target = workload === '' ? this.cluster : this.services.get(workload) ?? this.jobs.get(workload)!;
      const kind = directory.endsWith('addons') ? 'addons' : 'overrides';
      Annotations.of(target).addWarningV2(`${COPILOT_NOT_DEPLOYED_WARNING}:${directory}`, kind === 'addons'
        ? `${directory} holds CloudFormation addons, which CopilotApplication does not deploy. Their resources (tables, buckets, databases) belong to the Copilot stacks and are deleted with them: ` +
          'set DeletionPolicy Retain on them in Copilot and deploy it before you delete any Copilot stack, then reference them here (Table.fromTableName, Bucket.fromBucketName…) or bring the templates in with aws-cdk-lib\'s CfnInclude. See docs/from-copilot.md.'
        : `${directory} holds Copilot overrides (CDK or YAML patches of Copilot's templates), which do not apply to this library's templates: make the same change on the built constructs in CDK.`);
    }
    if (env) {
      env.take('name');
      env.take('type');
      this.reportFields(this.cluster, env, workspace.environmentUndocumented);
    }
  }

  /** A Load Balanced Web Service, or a Backend Service with `http`, by workload name. */
  public webService(name: string): WebService {
    const service = this.services.get(name);
    if (!(service instanceof WebService)) return this.wrongKind(name, 'webService', 'a Load Balanced Web Service or a Backend Service with http');
    return service;
  }

  /** A Worker Service, or a Backend Service without `http`, by workload name. */
  public workerService(name: string): WorkerService {
    const service = this.services.get(name);
    if (!(service instanceof WorkerService)) return this.wrongKind(name, 'workerService', 'a Worker Service or a Backend Service without http');
    return service;
  }

  /** Any long-running service (every type but Scheduled Job), by workload name. */
  public service(name: string): ServiceBase {
    return this.services.get(name) ?? this.wrongKind(name, 'service', 'a service (every type but Scheduled Job)');
  }

  /** A Scheduled Job, by workload name. */
  public scheduledTask(name: string): ScheduledTask {
    return this.jobs.get(name) ?? this.wrongKind(name, 'scheduledTask', 'a Scheduled Job');
  }

  /** The repository Copilot created for a workload (`<application>/<workload>`), imported by name. */
  public repository(name: string): ecr.IRepository {
    return this.repositories.get(name) ?? this.wrongKind(name, 'repository', 'a workload');
  }

  /** The topic a workload publishes (`publish.topics`), by the workload's and the topic's names. */
  public topic(workload: string, topic: string): EventTopic {
    const found = this.topics.get(`${workload}/${topic}`);
    if (found === undefined) {
      fail(this, 'topic()', `${workload}/${topic}`, 'is not a published topic', `use one of ${[...this.topics.keys()].join(', ') || '(none: no workload publishes)'}`);
    }
    return found;
  }

  private wrongKind(name: string, method: string, wanted: string): never {
    const type = this.types.get(name);
    return fail(this, `${method}()`, name, type ? `is a ${type}, not ${wanted}` : 'is not a workload of the workspace',
      type ? 'use the method for its type' : `use one of ${this.workloadNames.join(', ')}`);
  }

  private reportUnmapped(workload: LoadedWorkload): void {
    const built = this.services.get(workload.name) ?? this.jobs.get(workload.name)!;
    this.reportFields(built, workload.reader, workload.undocumented);
  }

  private reportFields(target: Construct, reader: ManifestReader, undocumented: readonly { path: string; node: { file: string; line: number } }[]): void {
    // A field Copilot does not document gets that warning only: it is most likely a typo.
    const isUndocumented = (path: string) => undocumented.some((u) => path === u.path || path.startsWith(u.path + '.'));
    for (const field of reader.unread().filter((f) => !isUndocumented(f.path))) {
      Annotations.of(target).addWarningV2(`${COPILOT_UNMAPPED_WARNING}:${field.path}`,
        `${locationOf(field.node)}: ${field.path} is not mapped by CopilotApplication, so it has no effect here: ${unmappedHint(field.path)}. ` +
        `Acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${COPILOT_UNMAPPED_WARNING}:${field.path}', reason }).`);
    }
    for (const field of undocumented) {
      Annotations.of(target).addWarningV2(`${COPILOT_UNDOCUMENTED_WARNING}:${field.path}`,
        `${locationOf(field.node)}: ${field.path} is not a field Copilot's manifest docs document, so it has no effect here: check its spelling against https://aws.github.io/copilot-cli/docs/manifest/overview/.`);
    }
  }
}

function topicId(workload: string, topic: string): string {
  const pascal = (s: string) => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return `${pascal(workload)}${pascal(topic)}Topic`;
}
