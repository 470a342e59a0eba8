/**
 * Tasks that run to completion: a database migration started by hand or by CI (its exact
 * `aws ecs run-task` command is a stack output), and a nightly job at 02:00 Berlin time on
 * EventBridge Scheduler, on Fargate Spot, with retries and a dead-letter queue.
 *
 * examples/app stands in for your job's image; the commands stand in for your scripts.
 */
import * as path from 'path';
import { App, CfnOutput, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { AlarmNotifications, AppMonitoring, NetworkLayout, OneOffTask, ScheduledTask, ServiceCluster, ServiceImage, TaskSchedule } from '../lib';

export function buildExample(app: App): Stack[] {
  const stack = new Stack(app, 'ScheduledJob', { env: { region: 'us-east-1' } });
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT });
  const image = ServiceImage.fromAsset(path.join(__dirname, 'app'));

  const migrate = new OneOffTask(stack, 'Migrate', {
    cluster,
    image,
    command: ['node', '-e', 'console.log("applying migrations")'],
    cpu: 512,
    memoryMiB: 1024,
  });

  const nightly = new ScheduledTask(stack, 'Nightly', {
    cluster,
    image,
    command: ['node', '-e', 'console.log("nightly cleanup")'],
    schedule: TaskSchedule.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_BERLIN }),
    // The job can simply run again, so Spot's two-minute interruption notice is acceptable.
    fargateSpot: true,
    retryAttempts: 3,
    maxEventAge: Duration.hours(2),
  });

  new CfnOutput(stack, 'MigrateCommand', {
    description: 'Starts one run of the migration task',
    value: migrate.runTaskCommand,
  });
  new CfnOutput(stack, 'NightlyRunNowCommand', {
    description: 'Starts an extra run of the nightly job',
    value: nightly.oneOffTask.runTaskCommand,
  });
  new CfnOutput(stack, 'NightlyDeadLetterQueueUrl', {
    description: 'Runs the scheduler could not start end up here',
    value: nightly.deadLetterQueue.queueUrl,
  });
  // A failed run (non-zero exit, or it could not start) reaches the on-call topic: the rule sends
  // the ECS event itself, and an alarm on the rule and one on the dead-letter queue go with it.
  const monitoring = new AppMonitoring(stack, 'Monitoring', { notifications: AlarmNotifications.newTopic() });
  monitoring.addScheduledTask(nightly);
  return [stack];
}

if (require.main === module) {
  const app = new App();
  buildExample(app);
  app.synth();
}
