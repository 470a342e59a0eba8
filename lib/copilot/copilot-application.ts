import { Annotations, CfnResource, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53_targets from 'aws-cdk-lib/aws-route53-targets';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { ServiceCluster } from '../cluster/service-cluster';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { ServiceLoadBalancer } from '../load-balancer/service-load-balancer';
import { ServiceNetworkLoadBalancer } from '../load-balancer/service-network-load-balancer';
import { NetworkService } from '../service/network-service';
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
import { usesServiceConnect } from './map-service';
import { copilotRepository, WorkloadContext } from './map-task';
import { applyDependsOn } from './map-depends-on';
import { deniesDefaultGroup } from './map-network';
import { applyTaskDefOverrides } from './taskdef-overrides';
import { buildScheduledJob, buildService, publishedTopics, subscriptions } from './map-workloads';

/** The id of the warning for a manifest field CopilotApplication does not map; the field's path follows a colon. */
export const COPILOT_UNMAPPED_WARNING = 'ecs-service-kit:copilot-unmapped';
/** The id of the warning for a workspace directory CopilotApplication does not deploy (addons, overrides); the directory follows a colon. */
export const COPILOT_NOT_DEPLOYED_WARNING = 'ecs-service-kit:copilot-not-deployed';
/** The id of the warning for a service Copilot registered in Cloud Map by name (`<svc>.<env>.<app>.local`), which CopilotApplication does not. */
export const COPILOT_SERVICE_DISCOVERY_WARNING = 'ecs-service-kit:copilot-service-discovery';
/** The id of the warning for Backend Service names (`<svc>.<env>.<app>.internal`) not served because the VPC is Copilot's. */
export const COPILOT_INTERNAL_NAMES_WARNING = 'ecs-service-kit:copilot-internal-names';
/** The id of the warning for an environment without a manifest in the workspace. */
export const COPILOT_NO_ENVIRONMENT_MANIFEST_WARNING = 'ecs-service-kit:copilot-no-environment-manifest';
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
   * by workload name. Built sidecar images are deployed as `<sidecar>-<tag>`, as Copilot tagged
   * them. The repositories stay Copilot's: `copilot app delete` (or `copilot svc delete`
   * without `--env`) deletes their images and them, so keep Copilot's application until no tag
   * here is deployed (docs/from-copilot.md).
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
  /** The Network Load Balancer of the Load Balanced Web Services with `nlb` and no `http`, if any. */
  public readonly networkLoadBalancer?: ServiceNetworkLoadBalancer;
  /** The internal load balancer of the Backend Services with `http`, if any. */
  public readonly internalLoadBalancer?: ServiceLoadBalancer;
  /** The workloads' names, in the workspace's order. */
  public readonly workloadNames: string[];
  /**
   * The private hosted zone `<env>.<app>.internal` with a record per Backend Service with `http`
   * (`<svc>.<env>.<app>.internal`, to the internal load balancer), as Copilot made it; not made
   * with an imported VPC or with `http.private.certificates`.
   */
  public readonly internalZone?: route53.PrivateHostedZone;

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
    // A Load Balanced Web Service with `nlb` and no `http`: a NetworkService on one shared NLB
    // (Copilot made one per service); with `http` too, `nlb` is reported (a service on both is not built).
    const nlbOnly = (w: LoadedWorkload) => w.type === 'Load Balanced Web Service' && !hasHttp(w.reader) && w.reader.has('nlb');
    if (workspace.workloads.some(nlbOnly)) {
      this.networkLoadBalancer = new ServiceNetworkLoadBalancer(this, 'NetworkLoadBalancer', { vpc: this.cluster.vpc });
    }
    const publicCertificate = this.networkLoadBalancer ? env?.stringList('http.public.certificates')?.[0] : undefined;
    const networkCertificate = publicCertificate === undefined ? undefined
      : this.loadBalancer?.certificate ?? acm.Certificate.fromCertificateArn(this, 'NetworkCertificate', publicCertificate);
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
        vpcImported: props.vpc !== undefined,
      };
      const topics = [...this.topics].filter(([key]) => key.startsWith(`${workload.name}/`)).map(([key, topic]) => ({ name: key.slice(workload.name.length + 1), topic }));
      if (workload.type === 'Scheduled Job') {
        this.jobs.set(workload.name, buildScheduledJob(this, workload, ctx, this.cluster, topics));
      } else {
        const loadBalancer = workload.type === 'Load Balanced Web Service' ? this.loadBalancer : workload.type === 'Backend Service' ? this.internalLoadBalancer : undefined;
        const network = this.networkLoadBalancer && nlbOnly(workload) ? { loadBalancer: this.networkLoadBalancer, certificate: networkCertificate } : undefined;
        const service = buildService(this, workload, ctx, this.cluster, hasHttp(workload.reader) ? loadBalancer : undefined, topics, network);
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
    this.connectServices(workspace.workloads);
    this.internalZone = this.internalNames(workspace.workloads, env, props.vpc !== undefined);
    for (const workload of workspace.workloads) {
      const built = this.services.get(workload.name) ?? this.jobs.get(workload.name)!;
      applyDependsOn(workload.reader, workload.name, built.container, built.taskDefinition);
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
    if (!env) {
      Annotations.of(this).addWarningV2(COPILOT_NO_ENVIRONMENT_MANIFEST_WARNING,
        `The workspace has no copilot/environments/${props.environment}/manifest.yml${workspace.environmentNames.length ? ` (it has ${workspace.environmentNames.join(', ')})` : ''}: ` +
        'the network and load balancers use this library\'s defaults. Check the environment\'s name; an environment made before Copilot had environment manifests has none, then acknowledge this warning.');
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

  /** A Load Balanced Web Service with `nlb` and no `http`, by workload name. */
  public networkService(name: string): NetworkService {
    const service = this.services.get(name);
    if (!(service instanceof NetworkService)) return this.wrongKind(name, 'networkService', 'a Load Balanced Web Service with nlb and no http');
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

  /**
   * Copilot puts every task of an environment in one security group that admits itself, so any
   * service with `network.connect` may call any other by its Service Connect name. Here each
   * service has its own group: each Service Connect server admits every other connected
   * service on its port. Copilot's Cloud Map names (`<svc>.<env>.<app>.local`, and
   * `COPILOT_SERVICE_DISCOVERY_ENDPOINT`) are not served: callers use Service Connect names.
   */
  private connectServices(workloads: readonly LoadedWorkload[]): void {
    // A workload with deny_default kept out of Copilot's shared group, so no other service reached it, nor it them.
    const connected = workloads.filter((w) => usesServiceConnect(w.reader) && !deniesDefaultGroup(w.reader)).map((w) => this.services.get(w.name)).filter((s): s is ServiceBase => s !== undefined);
    for (const server of connected.filter((s) => s.serviceConnectPort !== undefined)) {
      for (const caller of connected.filter((s) => s !== server)) {
        // Rules only, no creation order between the services: Copilot knew no call graph either,
        // and any two connected services may call each other (allowServiceConnectFrom would order them).
        const description = `Service Connect from ${caller.node.id} (Copilot's network.connect)`;
        // The caller's own group only, not a shared one of network.vpc.security_groups.
        const group = caller.securityGroup;
        server.securityGroup.addIngressRule(group, ec2.Port.tcp(server.serviceConnectPort!), description, true);
        if (!group.allowAllOutbound) group.addEgressRule(server.securityGroup, ec2.Port.tcp(server.serviceConnectPort!), description, true);
      }
    }
    for (const workload of workloads) {
      const service = this.services.get(workload.name);
      // Copilot's documented way to call a Backend Service was its Cloud Map name.
      if (service === undefined || workload.type !== 'Backend Service' || !workload.reader.has('image.port')) continue;
      Annotations.of(service).addWarningV2(COPILOT_SERVICE_DISCOVERY_WARNING,
        `Copilot registered ${workload.name} in Cloud Map as ${workload.name}.${this.environmentName}.${this.application}.local and gave every task COPILOT_SERVICE_DISCOVERY_ENDPOINT; ` +
        'CopilotApplication does not: other services call it by its Service Connect name (network.connect: true on both sides, then http://' +
        `${workload.name}:<port>)${hasHttp(workload.reader) ? ' or through the internal load balancer' : ''}. ` +
        `Acknowledge once callers do: Validations.of(<this construct>).acknowledge({ id: 'Annotation::${COPILOT_SERVICE_DISCOVERY_WARNING}', reason }).`);
    }
  }

  private internalNames(workloads: readonly LoadedWorkload[], env: ManifestReader | undefined, vpcImported: boolean): route53.PrivateHostedZone | undefined {
    const backends = workloads.filter((w) => w.type === 'Backend Service' && this.services.get(w.name) instanceof WebService && !w.reader.has('http.alias'));
    if (backends.length === 0 || this.internalLoadBalancer === undefined || env?.has('http.private.certificates')) return undefined;
    const zoneName = `${this.environmentName}.${this.application}.internal`.toLowerCase();
    if (vpcImported) {
      // Copilot's environment has associated a zone of this name with the VPC: a second one fails to create.
      Annotations.of(this.internalLoadBalancer).addWarningV2(COPILOT_INTERNAL_NAMES_WARNING,
        `With the VPC Copilot's environment uses, the private hosted zone ${zoneName} is not created (the VPC has Copilot's, and a VPC takes one zone of a name): ` +
        `${backends.map((b) => `${b.name}.${zoneName}`).join(', ')} resolve to Copilot's load balancer until you point them at internalLoadBalancer in CDK, after Copilot's environment is deleted.`);
      return undefined;
    }
    const zone = new route53.PrivateHostedZone(this, 'InternalZone', { zoneName, vpc: this.cluster.vpc });
    for (const backend of backends) {
      new route53.ARecord(this, `${backend.name}InternalRecord`, {
        zone,
        recordName: `${backend.name}.${zoneName}`.toLowerCase(),
        target: route53.RecordTarget.fromAlias(new route53_targets.LoadBalancerTarget(this.internalLoadBalancer.applicationLoadBalancer)),
      });
    }
    return zone;
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
