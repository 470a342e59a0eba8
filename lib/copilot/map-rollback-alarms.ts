import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deploymentAlarmName } from '../deployment/deployment-alarms';
import { ServiceBase } from '../service/service-base';
import { fail } from '../validation/checks';
import { ManifestReader } from './manifest-reader';
import { queueDelay } from './map-service';

/** The warning for a `messages_delayed` rollback alarm on a queue without a delivery delay. */
export const COPILOT_MESSAGES_DELAYED_WARNING = 'ecs-service-kit:copilot-messages-delayed';

/** Copilot's rollback alarms by field: the construct id, and the metric each reads of the built service. */
const COPILOT_ALARMS = {
  cpu_utilization: { id: 'RollbackCpuAlarm', what: 'CPU utilization (%)' },
  memory_utilization: { id: 'RollbackMemoryAlarm', what: 'memory utilization (%)' },
  messages_delayed: { id: 'RollbackMessagesDelayedAlarm', what: 'messages delayed in the queue' },
} as const;
type AlarmField = keyof typeof COPILOT_ALARMS;

/** What `deployment.rollback_alarms` maps to: the alarms ECS watches, and the ones to create once the service exists. */
export interface RollbackAlarms {
  /** For the service's `deployment.alarms.additionalAlarms`. */
  readonly additionalAlarms: cloudwatch.IAlarm[];
  /** Creates the alarms the map form asks for, on the built service. */
  readonly create: (service: ServiceBase, queue?: sqs.IQueue) => void;
}

/**
 * `deployment.rollback_alarms`. The list form names existing alarms, which ECS watches as they
 * are. The map form is Copilot's own alarms, made as Copilot made them (`rollback-alarms.yml`):
 * the service's average CPU or memory utilization, or the worker queue's
 * ApproximateNumberOfMessagesDelayed, at or above the threshold in 2 of 3 one-minute periods.
 * Their names are this app's (stack and construct path), not Copilot's
 * `<app>-<env>-<svc>-CopilotRollback…Alarm`: CloudWatch alarm names are unique per account and
 * Region, and the Copilot stack keeps its alarms while both run side by side.
 *
 * The service names the alarms before they exist and each alarm reads the service's name, as in
 * Copilot's template: CloudFormation creates the alarms after the service.
 */
export function rollbackAlarms(reader: ManifestReader, scope: Construct, workloadName: string, isWorker: boolean): RollbackAlarms | undefined {
  const node = reader.peek('deployment.rollback_alarms');
  if (node === undefined) return undefined;
  if (node.items) {
    const names = reader.stringList('deployment.rollback_alarms')!;
    return {
      additionalAlarms: names.map((name, i) => cloudwatch.Alarm.fromAlarmName(scope, `${workloadName}RollbackAlarm${i}`, name)),
      create: () => undefined,
    };
  }
  if (!node.entries) reader.fail('deployment.rollback_alarms', node, 'is neither a list of alarm names nor a map', 'write a list of alarm names, or a map of cpu_utilization, memory_utilization (and messages_delayed for a Worker Service)');
  const thresholds = new Map<AlarmField, number>();
  for (const field of Object.keys(COPILOT_ALARMS) as AlarmField[]) {
    const path = `deployment.rollback_alarms.${field}`;
    if (!reader.has(path)) continue;
    if (field === 'messages_delayed' && !isWorker) {
      reader.fail(path, reader.peek(path), 'is an alarm of a Worker Service\'s queue', 'remove it, or use cpu_utilization and memory_utilization');
    }
    thresholds.set(field, reader.number(path, { integer: field === 'messages_delayed', min: 0 })!);
  }
  const fields = [...thresholds.keys()];
  // Delayed messages exist only with a delivery delay (SNS deliveries carry none): the one the queue gets.
  const delayed = isWorker && (queueDelay(reader)?.toSeconds() ?? 0) > 0;
  // Named before the service exists, so the service can list them: the name deploymentAlarmName gives the alarm under the service.
  const names = new Map(fields.map((field) => [field, deploymentAlarmName(scope, `${workloadName}/${COPILOT_ALARMS[field].id}`)]));
  return {
    additionalAlarms: fields.map((field) => cloudwatch.Alarm.fromAlarmName(scope, `${workloadName}${COPILOT_ALARMS[field].id}Name`, names.get(field)!)),
    create: (service, queue) => {
      for (const field of fields) {
        const threshold = thresholds.get(field)!;
        const metric = metricOf(service, field, queue, delayed);
        new cloudwatch.Alarm(service, COPILOT_ALARMS[field].id, {
          alarmName: names.get(field),
          alarmDescription: `Rolls back a deployment of ${workloadName} when its ${COPILOT_ALARMS[field].what} is at or above ${threshold} twice in 3 minutes (Copilot's deployment.rollback_alarms.${field}).`,
          metric,
          threshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        });
      }
    },
  };
}

const PERIOD = { period: Duration.minutes(1), statistic: cloudwatch.Stats.AVERAGE };

function metricOf(service: ServiceBase, field: AlarmField, queue: sqs.IQueue | undefined, delayed: boolean): cloudwatch.IMetric {
  if (field === 'cpu_utilization') return service.ecsService.metricCpuUtilization(PERIOD);
  if (field === 'memory_utilization') return service.ecsService.metricMemoryUtilization(PERIOD);
  // rollbackAlarms refuses messages_delayed on every type but a Worker Service, which always has its queue.
  if (!queue) return fail(service, 'deployment.rollback_alarms.messages_delayed', field, 'needs the worker\'s queue, and this service has none', 'remove messages_delayed');
  if (delayed) return queue.metricApproximateNumberOfMessagesDelayed(PERIOD);
  Annotations.of(service).addWarningV2(COPILOT_MESSAGES_DELAYED_WARNING,
    `deployment.rollback_alarms.messages_delayed watches the queue's ApproximateNumberOfMessagesDelayed, and this worker's queue has no delivery delay (subscribe.queue.delay) and SNS deliveries carry none: ` +
    'the metric stays at 0 unless the app sends delayed messages itself, so the alarm does not go off. The library\'s own deployment alarms (dead letters, a stalled queue) watch this worker\'s releases. ' +
    `Remove messages_delayed, or acknowledge: Validations.of(<this construct>).acknowledge({ id: 'Annotation::${COPILOT_MESSAGES_DELAYED_WARNING}', reason }).`);
  return queue.metricApproximateNumberOfMessagesDelayed(PERIOD);
}
