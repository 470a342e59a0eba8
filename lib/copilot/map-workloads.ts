import { Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ServiceCluster } from '../cluster/service-cluster';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { ServiceLoadBalancer } from '../load-balancer/service-load-balancer';
import { ServiceNetworkLoadBalancer } from '../load-balancer/service-network-load-balancer';
import { NetworkProtocol } from '../load-balancer/service-network-load-balancer-props';
import { NetworkService } from '../service/network-service';
import { EventTopic } from '../pubsub/event-topic';
import { TopicSubscriptionOptions } from '../pubsub/topic-subscription-options';
import { ServiceBase } from '../service/service-base';
import { WebService } from '../service/web-service';
import { ScheduledTask } from '../task/scheduled-task';
import { WorkerService } from '../worker/worker-service';
import { LoadedWorkload } from './copilot-workspace';
import { copilotSchedule } from './copilot-schedule';
import { ManifestReader } from './manifest-reader';
import { ManifestNode } from './manifest-tree';
import { hasHttp, httpOptions, httpTarget } from './map-http';
import { nlbOptions } from './map-nlb';
import { rollbackAlarms } from './map-rollback-alarms';
import { queueDelay, serviceConnectName, serviceOptions } from './map-service';
import { taskNetwork } from './map-network';
import { taskOptions, WorkloadContext } from './map-task';

/** A topic a workload publishes (`publish.topics`). */
export interface PublishedTopic {
  readonly name: string;
  readonly fifo: boolean;
  readonly contentBasedDeduplication?: boolean;
}

export function publishedTopics(reader: ManifestReader): PublishedTopic[] {
  const node = reader.take('publish.topics');
  if (node === undefined) return [];
  if (!node.items) reader.fail('publish.topics', node, 'is not a list', 'write a list of {name}');
  return node.items.map((item, i) => {
    const name = item.entries?.get('name')?.scalar;
    if (typeof name !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(name)) {
      reader.fail(`publish.topics[${i}].name`, item, 'is not a topic name', 'use letters, digits, hyphens and underscores');
    }
    const fifo = item.entries?.get('fifo');
    const dedup = fifo?.entries?.get('content_based_deduplication')?.scalar;
    if (dedup !== undefined && typeof dedup !== 'boolean') reader.fail(`publish.topics[${i}].fifo.content_based_deduplication`, fifo, 'is not a boolean', 'write true or false');
    return { name, fifo: fifo !== undefined && fifo.scalar !== false && fifo.scalar !== null, contentBasedDeduplication: dedup };
  });
}

/** A worker's subscription (`subscribe.topics`). */
export interface Subscription {
  readonly service: string;
  readonly topic: string;
  readonly options: TopicSubscriptionOptions;
  readonly node: ManifestNode;
}

export function subscriptions(reader: ManifestReader): Subscription[] {
  const node = reader.peek('subscribe.topics');
  if (node === undefined) return [];
  if (!node.items) reader.fail('subscribe.topics', node, 'is not a list', 'write a list of {name, service}');
  const out = node.items.map((item, i) => {
    const name = item.entries?.get('name')?.scalar;
    const service = item.entries?.get('service')?.scalar;
    if (typeof name !== 'string' || typeof service !== 'string') {
      reader.fail(`subscribe.topics[${i}]`, item, 'does not name a topic and its service', 'give name (the topic) and service (the workload that publishes it)');
    }
    const policy = item.entries?.get('filter_policy');
    const filterPolicy: Record<string, sns.SubscriptionFilter> = {};
    for (const [attribute, conditions] of policy?.entries ?? []) {
      // Copilot passes the policy to SNS as written; a SubscriptionFilter carries the conditions as they are.
      filterPolicy[attribute] = new sns.SubscriptionFilter(conditions.items ? conditions.items.map(plainConditionOf) : [plainConditionOf(conditions)]);
    }
    return { service, topic: name, options: policy ? { filterPolicy } : {}, node: item };
  });
  for (const field of ['name', 'service', 'filter_policy']) reader.take(`subscribe.topics.${field}`);
  return out;
}

function plainConditionOf(node: ManifestNode): unknown {
  if (node.entries) return Object.fromEntries([...node.entries].map(([k, v]) => [k, v.items ? v.items.map(plainConditionOf) : plainConditionOf(v)]));
  return node.scalar;
}

/** A service workload: a WebService behind `loadBalancer` when it has one, else a WorkerService (with its queue for a Worker Service). */
export function buildService(
  scope: Construct, workload: LoadedWorkload, ctx: WorkloadContext, cluster: ServiceCluster,
  loadBalancer: ServiceLoadBalancer | undefined, topics: { name: string; topic: EventTopic }[],
  network?: { readonly loadBalancer: ServiceNetworkLoadBalancer; readonly certificate?: acm.ICertificate },
): ServiceBase {
  const reader = workload.reader;
  const kind = workload.type === 'Worker Service' ? 'worker' : loadBalancer ? 'loadBalanced' : 'backend';
  const mapped = serviceOptions(reader, ctx, kind, kind === 'loadBalanced' || network !== undefined);
  const rollback = rollbackAlarms(reader, scope, workload.name, workload.type === 'Worker Service');
  const options = rollback ? { ...mapped.options, deployment: { alarms: { additionalAlarms: rollback.additionalAlarms } } } : mapped.options;
  const backlogPerTask = mapped.backlogPerTask;
  let service: ServiceBase;
  if (network) {
    const nlb = nlbOptions(reader, workload.name);
    if (nlb.protocol === NetworkProtocol.TLS && network.certificate === undefined) {
      reader.fail('nlb.port', reader.peek('nlb.port'), 'is TLS, and the environment manifest imports no certificate (http.public.certificates)',
        'add the certificate\'s ARN to the environment manifest, or listen on tcp');
    }
    service = new NetworkService(scope, workload.name, {
      ...options, ...nlb, cluster, loadBalancer: network.loadBalancer,
      certificate: nlb.protocol === NetworkProtocol.TLS ? network.certificate : undefined,
    });
  } else if (loadBalancer) {
    const http = httpOptions(reader, workload.type === 'Backend Service' ? 1 : 0);
    // The load balancer redirects HTTP to HTTPS when it has a certificate, and serves HTTP without one:
    // Copilot's redirect_to_https (true by default) does the same; false next to a certificate is left unread.
    if (!(reader.peek('http.redirect_to_https')?.scalar === false && loadBalancer.certificate !== undefined)) reader.boolean('http.redirect_to_https');
    // Copilot routes a Backend Service by the host <svc>.<env>.<app>.internal (or its aliases), so
    // several may share a path; callers reach them by that name.
    const hostHeaders = http.hostHeaders ?? (workload.type === 'Backend Service' ? [internalHostName(ctx)] : undefined);
    const { targetContainerName, targetPort } = httpTarget(reader, workload.name, options.containerPort, options.sidecars);
    // Copilot's Service Connect name serves the load balancer's target: the sidecar's port when it is one.
    const serviceConnect = targetPort !== undefined && options.serviceConnect ? { name: serviceConnectName(reader, ctx), port: targetPort } : options.serviceConnect;
    const web = new WebService(scope, workload.name, { ...options, ...http, targetContainerName, serviceConnect, hostHeaders, cluster, loadBalancer });
    if (reader.boolean('http.stickiness')) {
      // Copilot's alb.yml sets stickiness.enabled on the target group; its type defaults to the load balancer's cookie.
      web.targetGroup.setAttribute('stickiness.enabled', 'true');
      web.targetGroup.setAttribute('stickiness.type', 'lb_cookie');
    }
    service = web;
  } else {
    hasHttp(reader);
    const isWorker = workload.type === 'Worker Service';
    const timeout = reader.duration('subscribe.queue.timeout');
    service = new WorkerService(scope, workload.name, {
      ...options,
      cluster,
      queue: isWorker ? {
        retentionPeriod: reader.duration('subscribe.queue.retention'),
        visibilityTimeout: timeout,
        // The visibility timeout covers the longest job; ours defaults to 30 s, so a shorter timeout is the job's limit.
        maxJobDuration: timeout && timeout.toSeconds() < 30 ? timeout : undefined,
        maxReceiveCount: reader.number('subscribe.queue.dead_letter.tries', { min: 1, max: 1000 }),
        deliveryDelay: queueDelay(reader),
      } : undefined,
      backlogPerTask,
    });
    if (isWorker && service instanceof WorkerService && service.queue) {
      // Copilot's name for the queue's URL, next to this library's QUEUE_URL.
      service.container.addEnvironment('COPILOT_QUEUE_URI', service.queue.queueUrl);
    }
  }
  rollback?.create(service, service instanceof WorkerService ? service.queue : undefined);
  publish(service, topics);
  if (loadBalancer) service.container.addEnvironment('COPILOT_LB_DNS', loadBalancer.applicationLoadBalancer.loadBalancerDnsName);
  return service;
}

/** Publishing: the grants, and Copilot's `COPILOT_SNS_TOPIC_ARNS` (`{"<topic>": "<arn>"}`). */
function publish(workload: ServiceBase | ScheduledTask, topics: { name: string; topic: EventTopic }[]): void {
  if (topics.length === 0) return;
  for (const { topic } of topics) {
    if (workload instanceof ServiceBase) workload.publishTo(topic);
    else topic.grantPublish(workload.taskDefinition.taskRole);
  }
  workload.container.addEnvironment('COPILOT_SNS_TOPIC_ARNS',
    Stack.of(workload).toJsonString(Object.fromEntries(topics.map(({ name, topic }) => [name, topic.topicArn]))));
}

/** A Scheduled Job: a ScheduledTask on the converted schedule. */
export function buildScheduledJob(
  scope: Construct, workload: LoadedWorkload, ctx: WorkloadContext, cluster: ServiceCluster, topics: { name: string; topic: EventTopic }[],
): ScheduledTask {
  const reader = workload.reader;
  const schedule = copilotSchedule(reader);
  const job = new ScheduledTask(scope, workload.name, {
    ...taskOptions(reader, ctx),
    ...taskNetwork(reader, ctx, 1),
    cluster,
    schedule: schedule.schedule,
    enabled: schedule.enabled,
    // Copilot's state machine: a failed run is re-run, and the whole execution has a time limit.
    rerunFailedRuns: reader.number('retries', { min: 0, max: 99 }),
    runTimeout: wholeSeconds(reader, 'timeout'),
  });
  publish(job, topics);
  return job;
}

/** Copilot's name of a Backend Service behind the internal load balancer. */
export function internalHostName(ctx: Pick<WorkloadContext, 'name' | 'environment' | 'application'>): string {
  return `${ctx.name}.${ctx.environment}.${ctx.application}.internal`.toLowerCase();
}

/** A duration Copilot requires in whole seconds of at least 1 (`timeout`). */
function wholeSeconds(reader: ManifestReader, field: string): Duration | undefined {
  const value = reader.duration(field);
  if (value !== undefined && (value.toMilliseconds() < 1000 || value.toMilliseconds() % 1000 !== 0)) {
    reader.fail(field, reader.peek(field), 'is not a whole number of seconds of at least 1s', 'write a duration such as 30s, 15m or 1h');
  }
  return value;
}
