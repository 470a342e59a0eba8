import { CfnResource, StackTemplate } from './rule';
import { asArray, isObject, isTrue, refResource, resources } from './template';

/**
 * The deployment alarms of every ECS service of an app: the `AWS::CloudWatch::Alarm` resources its
 * `DeploymentConfiguration.Alarms.AlarmNames` name, by literal name in any stack of the app or by
 * a `Ref` in its own. Alarms outside the app (imported by name) are not found, and not judged.
 */
export interface ServiceDeploymentAlarm {
  readonly stack: StackTemplate;
  readonly serviceId: string;
  readonly service: CfnResource;
  readonly index: number;
  readonly alarmId: string;
  readonly alarm: CfnResource;
  readonly alarmName: string;
}

export function serviceDeploymentAlarms(stacks: readonly StackTemplate[]): ServiceDeploymentAlarm[] {
  const byName = new Map<string, { id: string; alarm: CfnResource }>();
  for (const stack of stacks) {
    for (const [id, alarm] of resources(stack.template, 'AWS::CloudWatch::Alarm')) {
      const name = alarm.Properties?.AlarmName;
      if (typeof name === 'string') byName.set(name, { id, alarm });
    }
  }
  const out: ServiceDeploymentAlarm[] = [];
  for (const stack of stacks) {
    for (const [serviceId, service] of resources(stack.template, 'AWS::ECS::Service')) {
      const alarms = service.Properties?.DeploymentConfiguration?.Alarms;
      if (!isObject(alarms) || !isTrue(alarms.Enable)) continue;
      asArray(alarms.AlarmNames).forEach((name: unknown, index: number) => {
        const found = typeof name === 'string' ? byName.get(name) : (() => {
          const target = refResource(stack.template, name, 'AWS::CloudWatch::Alarm');
          return target ? { id: target[0], alarm: target[1] } : undefined;
        })();
        if (!found) return;
        out.push({ stack, serviceId, service, index, alarmId: found.id, alarm: found.alarm, alarmName: typeof name === 'string' ? name : found.id });
      });
    }
  }
  return out;
}

/** The metric names an alarm reads, directly or in its metric math, with their namespaces. */
export function alarmMetricNames(alarm: CfnResource): Array<{ namespace: string; name: string }> {
  const p = alarm.Properties ?? {};
  if (typeof p.MetricName === 'string') return [{ namespace: String(p.Namespace), name: p.MetricName }];
  return asArray(p.Metrics)
    .map((m: any) => m?.MetricStat?.Metric)
    .filter((m: any) => m && typeof m.MetricName === 'string')
    .map((m: any) => ({ namespace: String(m.Namespace), name: m.MetricName }));
}
