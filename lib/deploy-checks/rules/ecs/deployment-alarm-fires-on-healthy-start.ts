import { Defaults } from '../../../defaults';
import { alarmTimingOf } from '../../../deployment/alarm-window';
import { alarmMetricNames, serviceDeploymentAlarms } from '../../deployment-alarms-of';
import { DeployCheckRule, Finding } from '../../rule';

/** Signals that a healthy deployment shows, and why. */
const HEALTHY_START_SIGNALS: Record<string, string> = {
  'UnHealthyHostCount': 'ELB marks a new target unhealthy after UnhealthyThresholdCount failed checks, and keeps it so until the app answers, on every healthy deployment of an app that starts slowly',
  'HealthyHostCount': 'a new target is not healthy until the app answers its checks, on every healthy deployment',
  'ApproximateAgeOfOldestMessage': 'a backlog older than the deployment keeps ageing while the new tasks start',
};

/**
 * ESK-ECS8: a deployment alarm that can go off during a healthy start. An alarm on a health-check
 * count or on a queue's oldest-message age, which needs no more bad periods than a start of
 * 3 minutes spans (4 one-minute periods touched), rolls back good releases of an app that starts
 * slowly: the first create then fails, since there is nothing to roll back to. Tasks that never
 * pass their checks are the circuit breaker's; a queue a release stopped consuming shows as
 * messages waiting while none is in flight.
 *
 * Source: Elastic Load Balancing, "Health checks for Application Load Balancer target groups"
 * (UnhealthyThresholdCount; a target that has not passed is not healthy); Amazon ECS Developer
 * Guide, "How the Amazon ECS deployment circuit breaker detects failures".
 */
export const ESK_ECS8: DeployCheckRule = {
  id: 'ESK-ECS8',
  severity: 'warning',
  reason: 'Deployment alarm reads a signal a healthy start shows (unhealthy or not-yet-healthy targets, an ageing backlog) and goes off within a 3-minute start: ECS rolls back good releases of a slow-starting app',
  fix: 'Alarm on what a bad release causes (target 5xx with traffic, messages waiting while none is in flight); leave tasks that fail health checks to the circuit breaker, or require more bad periods than the slowest healthy start spans',
  check: (stacks) => {
    const findings: Finding[] = [];
    const allowance = Defaults.healthyStartAllowanceSeconds;
    for (const d of serviceDeploymentAlarms(stacks)) {
      const signal = alarmMetricNames(d.alarm).find((m) => HEALTHY_START_SIGNALS[m.name] !== undefined);
      const timing = alarmTimingOf(d.alarm.Properties ?? {});
      if (!signal || !timing) continue;
      const datapoints = timing.datapointsToAlarm ?? timing.evaluationPeriods;
      // A start of `allowance` seconds touches this many periods (the partial ones at both ends count for Maximum).
      const touched = Math.ceil(allowance / timing.periodSeconds) + 1;
      if (datapoints > touched) continue;
      findings.push({
        templatePath: d.stack.templatePath,
        logicalId: d.serviceId,
        locations: [`Properties/DeploymentConfiguration/Alarms/AlarmNames/${d.index}`],
        detail: `alarm ${d.alarmName} reads ${signal.name} and goes off on ${datapoints} of ${timing.evaluationPeriods} periods of ${timing.periodSeconds} s; a ${allowance} s start touches ${touched}: ${HEALTHY_START_SIGNALS[signal.name]}`,
      });
    }
    return findings;
  },
};
