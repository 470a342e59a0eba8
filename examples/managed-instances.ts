/**
 * ECS Managed Instances and task storage: a web service and a nightly job on instances that ECS
 * launches, patches and retires itself (Graviton, 2 to 8 vCPUs, no Auto Scaling group or AMI to
 * keep), and a Fargate service with an encrypted EBS volume per task and larger ephemeral
 * storage for its scratch files.
 *
 * examples/app stands in for your images; the commands stand in for your scripts.
 */
import * as path from 'path';
import { App, Duration, Size, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import {
  Architecture, ScheduledTask, ServiceCluster, ServiceImage, ServiceLoadBalancer, TaskSchedule, WebService, WorkerService,
} from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'ManagedInstances', { env: { region: 'us-east-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster');
  const instances = cluster.addManagedInstancesCapacity('Graviton', {
    architecture: Architecture.ARM64,
    minVcpus: 2,
    maxVcpus: 8,
  });
  const image = ServiceImage.fromAsset(path.join(__dirname, 'app'));

  const loadBalancer = new ServiceLoadBalancer(stack, 'LoadBalancer', { vpc: cluster.vpc });
  Validations.of(loadBalancer).acknowledge({
    id: 'Annotation::ecs-service-kit:http-only',
    reason: 'The example shows Managed Instances without a domain; add certificate or domainName + hostedZone for HTTPS.',
  });
  new WebService(stack, 'Web', {
    cluster,
    loadBalancer,
    managedInstancesCapacity: instances,
    image,
    // Not a Fargate size: on instances any size that fits the largest allowed instance works.
    cpu: 768,
    memoryMiB: 1536,
    healthCheck: { path: '/health' },
    scaling: { minCapacity: 2, maxCapacity: 6, targetCpuPercent: 60 },
  });

  new ScheduledTask(stack, 'Nightly', {
    cluster,
    managedInstancesCapacity: instances,
    image,
    command: ['node', '-e', 'console.log("nightly report")'],
    schedule: TaskSchedule.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_BERLIN }),
  });

  // A Fargate worker that unpacks archives named in its queue: a 200 GiB gp3 volume per task
  // (deleted with the task) and 50 GiB of ephemeral storage for the image and its writable paths.
  // ECS creates the volume's filesystem owned by root, so this image runs as root (examples/app
  // runs as "node"). The stalled-queue alarm rolls back a release that stops consuming; one that
  // fails every job reaches the dead-letter queue only after 5 receives of 30 minutes, when ECS
  // no longer watches (acknowledged below).
  const unpacker = new WorkerService(stack, 'Unpacker', {
    cluster,
    image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/alpine:3.20'),
    command: ['sh', '-c', 'while true; do echo "unpacking from $QUEUE_URL"; df -h /scratch; sleep 60; done'],
    queue: { maxJobDuration: Duration.minutes(15) },
    cpu: 1024,
    memoryMiB: 2048,
    ephemeralStorageSize: Size.gibibytes(50),
    ebsVolume: { mountPath: '/scratch', size: Size.gibibytes(200), iops: 6000, throughputMiBps: 250 },
  });
  Validations.of(unpacker).acknowledge({
    id: 'Annotation::ecs-service-kit:dead-letter-after-watch',
    reason: 'Unpacking takes up to 15 minutes, so a failed job is retried for hours before it is a dead letter; the on-call hears of those through the dead-letter alarm, and a release is judged by hand.',
  });
  // A job outlasts any stop timeout (Fargate's longest is 2 minutes): while one runs, the worker
  // protects its task ($ECS_AGENT_URI/task-protection/v1/state), so deploys and scale-in wait for it.
  Validations.of(unpacker).acknowledge({
    id: 'Annotation::ecs-service-kit:job-longer-than-stop-timeout',
    reason: 'The worker sets ECS task scale-in protection while it unpacks an archive and clears it after the delete, so no deploy or scale-in cuts a job.',
  });
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
