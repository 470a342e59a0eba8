/**
 * A queue worker: an SQS queue with a dead-letter queue feeding a Fargate service with no load
 * balancer and no ingress. The task count follows the backlog (messages waiting or in flight
 * per running task) and CPU. Producers send with `worker.queue.grantSendMessages(producer)`.
 *
 * examples/app stands in for your worker's image; the command stands in for its entry point
 * (a loop of ReceiveMessage on $QUEUE_URL, work, DeleteMessage).
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { AlarmNotifications, AppMonitoring, NetworkLayout, ServiceCluster, ServiceImage, WorkerService } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'QueueWorker', { env: { region: 'us-east-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT });

  const worker = new WorkerService(stack, 'Thumbnails', {
    cluster,
    image: ServiceImage.fromAsset(path.join(__dirname, 'app')),
    command: ['node', '-e', 'console.log("consuming", process.env.QUEUE_URL); setInterval(() => {}, 60000)'],
    cpu: 512,
    memoryMiB: 1024,
    // A deploy or scale-in stops a task with SIGTERM and kills it stopTimeout later: the worker
    // stops receiving at SIGTERM and finishes the thumbnail in hand within the 2 minutes (Fargate's
    // longest), so no job is cut and redelivered on every deploy.
    stopTimeout: Duration.minutes(2),
    queue: {
      // One thumbnail takes up to 2 minutes: messages stay hidden 4 minutes while one is made.
      maxJobDuration: Duration.minutes(2),
      // Three failed attempts and the message waits in the dead-letter queue for 14 days.
      maxReceiveCount: 3,
    },
    scaling: { minCapacity: 1, maxCapacity: 10, targetCpuPercent: 60 },
    // A task clears ~30 messages a minute: 30 per task keeps the delay near a minute.
    backlogPerTask: 30,
  });
  // Its deployment alarms (dead-letter arrivals, oldest message) roll a bad release back; the
  // operational set (CPU, memory, running tasks, dead-letter depth) pages the topic, and the
  // dashboard shows the queue next to the tasks.
  const monitoring = new AppMonitoring(stack, 'Monitoring', { notifications: AlarmNotifications.newTopic() });
  monitoring.addWorker(worker);
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
