import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { TagMutability } from 'aws-cdk-lib/aws-ecr';
import { LifecyclePolicy, OutOfInfrequentAccessPolicy, PerformanceMode, ThroughputMode } from 'aws-cdk-lib/aws-efs';
import { DesyncMitigationMode, SslPolicy } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Every opinionated default of the library, in one place. The README's defaults table lists
 * each with its reason; change both together.
 *
 * Internal: constructs read these, users override them through props.
 */
export const Defaults = {
  // Registry
  /** A tag names one image forever: rollbacks and audits can trust it. */
  imageTagMutability: TagMutability.IMMUTABLE,
  /** Every pushed image gets a basic vulnerability scan. */
  imageScanOnPush: true,
  /** Keep images and the repository when the stack is deleted: images are the release history. */
  repositoryRemovalPolicy: RemovalPolicy.RETAIN,
  /** Untagged images (superseded builds, failed pushes) expire after a week. */
  untaggedImageExpiryDays: 7,
  /** Keep the newest 30 images: it counts every image (releases and untagged too) but, behind the release-tag and untagged rules, only expires tagged images without a release tag. */
  keepLastImages: 30,
  /**
   * Tags that name released images: `v1`, `v1.2.3`, `1.4.2`, `2024.06.1`. The repository's lifecycle policy
   * selects them in its first rules, so no later rule can expire an image a service, a scale-out or a rollback may need.
   */
  releaseTagPatterns: ['v*', '*.*'] as readonly string[],
  /** The release-tag rule keeps this many release images: above ECR's default quota of 100,000 images per repository, so in practice all. */
  releaseImageKeepCount: 999_999,
  /** Repositories a pull through cache creates keep mutable tags: the cache follows the upstream when a tag (e.g. `latest`) moves there. */
  cacheImageTagMutability: TagMutability.MUTABLE,

  // Task
  /** The smallest Fargate size: 0.25 vCPU with 512 MiB. */
  cpu: 256,
  memoryMiB: 512,
  containerPort: 8080,
  /** A month of logs: enough to look back at an incident, cheap enough to forget about. */
  logRetentionDays: RetentionDays.ONE_MONTH,
  /** Logs survive a stack delete, like the repository. */
  logRemovalPolicy: RemovalPolicy.RETAIN,
  /** SIGTERM → SIGKILL grace. Drain happens before SIGTERM, so this only covers the app's own shutdown. */
  stopTimeout: Duration.seconds(30),

  // Service and target group: rolling deploy estimate = 30 s start + 5 s × 2 + 20 s = 60 s
  assumedTaskStartSeconds: 30,
  healthCheckPath: '/',
  healthCheckInterval: Duration.seconds(5),
  healthCheckTimeout: Duration.seconds(4),
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  healthyHttpCodes: '200-399',
  deregistrationDelay: Duration.seconds(20),
  healthCheckGracePeriod: Duration.seconds(60),
  minHealthyPercent: 100,
  maxHealthyPercent: 200,
  desiredCount: 1,

  // Deployments: rolling by default (the fastest, see the estimate above), guarded by alarms
  /** ECS Express Mode's threshold: more than 1 % of requests failing is a bad release. */
  deploymentErrorRatePercent: 1,
  /** Below 10 requests a minute one failed request is a 10 % rate: such minutes count as good, so an idle service cannot flap. */
  deploymentMinimumRequestsPerMinute: 10,
  /** Fewer than 3 target 5xx in a minute is no verdict: a quiet service's stray failure would otherwise be a 2 % minute. */
  deploymentMinimumErrorsPerMinute: 3,
  /** Two bad minutes (ECS Express Mode's 2 datapoints): one slow minute is not a verdict. */
  deploymentAlarmDatapoints: 2,
  /**
   * Out of the last 5 minutes. ECS watches a rolling deployment's alarms for a bake time it derives
   * from the alarms' configuration (about evaluation periods × period), so the alarm must be able
   * to go off within that: 2 bad minutes + about a minute of metric delay = 3 minutes, inside 5.
   */
  deploymentAlarmEvaluationPeriods: 5,
  /**
   * A worker whose messages wait while no task holds one (none in flight) has stopped consuming.
   * 3 minutes is the longest healthy start the alarms allow for (below): the gap between the old
   * tasks stopping and the new ones receiving.
   */
  deploymentMaxMessageAge: Duration.minutes(3),
  /**
   * The longest start of a healthy task (from the container starting to answering its health
   * check, or receiving its first message) that no deployment alarm of this library mistakes for
   * a bad release. Tests replay such starts through the synthesized alarms.
   */
  healthyStartAllowanceSeconds: 180,
  /** Canary: ECS Express Mode's 5 % of traffic first. */
  canaryPercent: 5,
  /** Canary and linear steps, and the old revision's bake: 5 minutes, more than the alarms' 3-minute detection time. */
  deploymentStepBakeTime: Duration.minutes(5),
  deploymentBakeTime: Duration.minutes(5),
  /** Linear: 5 steps of 20 %. */
  linearStepPercent: 20,
  /** Assumed delay before a minute's metrics reach CloudWatch's alarm evaluation (the figures' formula). */
  assumedMetricDelaySeconds: 60,

  // Auto scaling
  minCapacity: 1,
  maxCapacity: 4,
  scaleInCooldown: Duration.seconds(300),
  scaleOutCooldown: Duration.seconds(60),

  // Load balancer
  accessLogExpiryDays: 90,
  idleTimeout: Duration.seconds(60),
  /**
   * Service Connect's per-request timeout on an HTTP/HTTP2/gRPC port: the load balancer's idle
   * timeout (above), not ECS's 15 s, so the proxy never cuts a request the load balancer would
   * still wait for. Only HTTP-like ports have one (TCP has only an idle timeout).
   */
  serviceConnectPerRequestTimeout: Duration.seconds(60),
  /**
   * Task memory left outside the containers' hard limits for the Service Connect proxy that ECS
   * adds to the task at run time: ECS requires the task's memory to exceed the sum of the
   * containers' limits, and recommends at least 64 MiB for the proxy (Service Connect
   * considerations, Amazon ECS developer guide).
   */
  serviceConnectProxyMemoryMiB: 64,
  /** TLS 1.3 and 1.2 only, no CBC/SHA-1 ciphers, post-quantum key exchange for clients that offer it. */
  sslPolicy: SslPolicy.TLS13_12_RES_PQ,
  /** AWS's default: blocks ambiguous requests that risk desync, keeps compliant ones flowing. */
  desyncMitigationMode: DesyncMitigationMode.DEFENSIVE,
  /** Overwritten access-log objects (versioning is on) go after a week. */
  accessLogNoncurrentExpiryDays: 7,

  // Network Load Balancer (NetworkService): rolling deploy estimate = 30 s start + 5 s × 2 + 120 s = 160 s,
  // plus the load balancer's own registration time, which AWS does not bound ("a few minutes")
  /**
   * On, unlike AWS's default: with cross-zone off, DNS drops a zone's address while the zone has no
   * healthy task, so a deploy that moves the only task to the other zone changes what clients must
   * resolve. Costs inter-AZ data transfer for the traffic that crosses zones.
   */
  networkCrossZoneEnabled: true,
  /**
   * TCP health check on the traffic port: every TCP/UDP service accepts connections there (a UDP
   * service must also listen on TCP for its health check; NLB cannot health-check over UDP).
   */
  networkHealthCheckProtocol: 'TCP',
  /**
   * NLB's default is 300 s; an ALB's drain is 20 s here, but an NLB keeps sending new connections to
   * a deregistered target for up to about two minutes, whatever the delay (reported, not
   * documented: aws/containers-roadmap#470, aws-load-balancer-controller#2366): a shorter drain
   * lets ECS stop a task that still receives new flows. A long-lived connection (MQTT, a game
   * session) drains in no fixed time anyway: its client must reconnect.
   */
  networkDeregistrationDelay: Duration.seconds(120),
  /**
   * At the end of the drain the load balancer closes the remaining connections and UDP flows, so
   * clients reconnect to a live task at once instead of sending into a task ECS is stopping.
   */
  networkConnectionTermination: true,
  /** AWS's NLB default for HTTP health checks, wider than the ALB's: 200-399. */
  networkHealthyHttpCodes: '200-399',

  // Network
  maxAzs: 2,
  /** 65,536 addresses: room for many subnets and tasks (awsvpc gives each task an address). */
  vpcCidr: '10.0.0.0/16',
  flowLogRetentionDays: RetentionDays.ONE_MONTH,

  // Scheduled tasks
  /** A few retries of a run that could not start ride out throttling and short Fargate capacity shortages. */
  scheduleRetryAttempts: 5,
  /** A run later than an hour should be a person's decision: it goes to the dead-letter queue instead. */
  scheduleMaxEventAge: Duration.hours(1),
  /** SQS's maximum: a failed run is still there after a two-week absence. */
  deadLetterRetention: Duration.days(14),
  /** The record of failed runs outlives the stack, like the logs. */
  deadLetterQueueRemovalPolicy: RemovalPolicy.RETAIN,

  // File systems (ServiceFileSystem, efsVolumes)
  /** A file system holds data that outlives any task: it survives a stack delete, like the repository and logs. */
  fileSystemRemovalPolicy: RemovalPolicy.RETAIN,
  /** AWS Backup's daily backups with 35-day retention: an accidental `rm -rf` from a task is recoverable ($0.05/GB-month of backup). */
  fileSystemAutomaticBackups: true,
  /**
   * Elastic: throughput follows the load, billed per GB read and written. Bursting ties throughput
   * to the size stored (50 KiB/s per GiB baseline: a 10 GiB file system gets 0.5 MiB/s once its
   * credits are spent), a trap for the small file systems apps start with; provisioned bills for
   * capacity whether used or not.
   */
  fileSystemThroughputMode: ThroughputMode.ELASTIC,
  /** General purpose: the lowest latency per operation; Max I/O is a legacy mode that elastic throughput does not support. */
  fileSystemPerformanceMode: PerformanceMode.GENERAL_PURPOSE,
  /** Files untouched for 30 days move to Infrequent Access ($0.016 instead of $0.30/GB-month), the EFS console's default. */
  fileSystemLifecyclePolicy: LifecyclePolicy.AFTER_30_DAYS,
  /** A file read again moves back to Standard on its first access: no repeated IA access charges ($0.01/GB) for warm files. */
  fileSystemOutOfInfrequentAccess: OutOfInfrequentAccessPolicy.AFTER_1_ACCESS,
  /** The access point's root directory: owner read, write and enter; group read and enter; others nothing. */
  efsDirectoryPermissions: '750',

  // Worker queues
  /** Jobs that take longer must say so: the visibility timeout is derived from it. */
  workerMaxJobDuration: Duration.seconds(30),
  /** Visibility = 2 × the longest job: a slow run is not processed twice, a crashed one is retried soon. */
  workerVisibilityPerJob: 2,
  /** A message that failed 5 times will most likely fail again: park it in the dead-letter queue. */
  workerMaxReceiveCount: 5,
  /** SQS's own default retention. */
  workerQueueRetention: Duration.days(4),
  /** Long polling at its maximum: fewest empty (billed) receives. */
  workerReceiveWait: Duration.seconds(20),
  /** Unprocessed and failed jobs survive a stack delete, like the repository and logs. */
  workerQueueRemovalPolicy: RemovalPolicy.RETAIN,

  // Event topics and subscriptions (lib/pubsub)
  /**
   * Topics stay when the stack is deleted: subscriptions made outside the app (other accounts'
   * queues, e-mail, HTTPS) and the ARN subscribers know go with a deleted topic; the topic's own
   * key is kept with it, since a kept topic without its key takes no message.
   */
  eventTopicRemovalPolicy: RemovalPolicy.RETAIN,
  /**
   * SNS envelopes, not raw messages: the envelope names the topic, message id, time and attributes,
   * so a queue subscribed to several topics can tell them apart (Copilot's workers receive envelopes too).
   */
  subscriptionRawMessageDelivery: false,

  // Operational alarms (AppMonitoring): they page a person, so they wait for a sustained problem
  /** Service metrics (ECS, target group) arrive once a minute. */
  monitoringServicePeriod: Duration.minutes(1),
  /** 5 of 5 one-minute datapoints: a sustained problem, not a deploy's or a scale-out's blip. */
  monitoringServiceEvaluationPeriods: 5,
  /** Scaling tracks 70 %: above 90 % for 5 minutes the service is saturated (at its maximum, or scaling failed). */
  monitoringCpuPercent: 90,
  /** A task at 100 % of its memory is killed: 90 % for 5 minutes is the warning before that. */
  monitoringMemoryPercent: 90,
  /** One request in 20 failing for 5 minutes hurts users; below that, deployment alarms and the dashboard speak. */
  monitoringHttp5xxPercent: 5,
  /** The slowest 1 % of requests taking over 2 s for 5 minutes. */
  monitoringP99ResponseTimeSeconds: 2,
  /** Any target failing its health checks for 5 minutes: longer than the healthy start the deployment alarms allow for (3 minutes). */
  monitoringUnhealthyHosts: 1,
  /** One task missing for 5 minutes: tasks do not start, or keep crashing. */
  monitoringTasksBelowDesired: 1,
  /** Queue metrics: five-minute datapoints. */
  monitoringQueuePeriod: Duration.minutes(5),
  /** Any message in a dead-letter queue needs a person. */
  monitoringDeadLetterMessages: 1,
  /** The oldest job waiting 10 minutes, for 15 minutes: the workers do not keep up. */
  monitoringOldestMessageAgeSeconds: 600,
  monitoringOldestMessageEvaluationPeriods: 3,
  /** Any failed run of a scheduled task. */
  monitoringFailedRuns: 1,

  // EC2 container instances
  /** The cheapest current x86 size that holds the ECS agent and two awsvpc tasks; x86 matches the default task architecture. */
  ec2InstanceType: 't3.medium',
  ec2MinInstances: 1,
  ec2MaxInstances: 4,
  /** Managed scaling keeps the instances full: no idle instance is paid for. */
  ec2TargetCapacityPercent: 100,
  /**
   * Managed draining without managed termination protection: scale-in still drains tasks first,
   * and a stack delete is not left waiting on scale-in-protected instances (aws-cdk #18179).
   */
  ec2ManagedTerminationProtection: false,

  // ECS Managed Instances
  /** 2 to 8 vCPUs: the smallest non-burstable sizes up to `.2xlarge`, so one instance's cost stays bounded while several tasks share it. */
  managedInstancesMinVcpus: 2,
  managedInstancesMaxVcpus: 8,
  /** 4 GiB: a 2-vCPU compute-optimized instance (c-family), the cheapest that fits the agent and a few tasks. */
  managedInstancesMinMemoryGiB: 4,
} as const;
