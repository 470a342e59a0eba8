import { alarmTimingOf, detectionSeconds, ecsWatchSeconds } from '../../../deployment/alarm-window';
import { serviceDeploymentAlarms } from '../../deployment-alarms-of';
import { DeployCheckRule, Finding } from '../../rule';

/**
 * ESK-ECS7: a deployment alarm of a rolling ECS service that cannot go off inside the time ECS
 * watches it. With deployment alarms, ECS keeps a rolling deployment IN_PROGRESS for a bake time
 * after the new tasks replaced the old ones, and computes that time from the alarms'
 * configuration; we take EvaluationPeriods × Period. An alarm that needs DatapointsToAlarm
 * periods plus about a minute for a datapoint to arrive, longer than that, goes off after ECS
 * marked the deployment COMPLETED: the bad release stays. (Canary, linear and blue/green watch
 * through their own bake times: see the bake-shorter-than-detection warning of the services.)
 *
 * Source: Amazon ECS Developer Guide, "How CloudWatch alarms detect Amazon ECS deployment
 * failures" (the bake time "is computed based on the alarm configuration"); the formula is not
 * published, so this rule models it and says so.
 */
export const ESK_ECS7: DeployCheckRule = {
  id: 'ESK-ECS7',
  severity: 'warning',
  reason: 'Deployment alarm of a rolling ECS service cannot go off inside the bake ECS watches (about EvaluationPeriods × Period): a release that fails right after its rollout is not rolled back',
  fix: 'Make EvaluationPeriods larger than DatapointsToAlarm by at least one period (e.g. 2 of 5 one-minute datapoints), or use a canary, linear or blue/green strategy with a bake at least the detection time',
  check: (stacks) => {
    const findings: Finding[] = [];
    for (const d of serviceDeploymentAlarms(stacks)) {
      const strategy = d.service.Properties?.DeploymentConfiguration?.Strategy;
      if (strategy !== undefined && strategy !== 'ROLLING') continue;
      const timing = alarmTimingOf(d.alarm.Properties ?? {});
      if (!timing) continue;
      const needs = detectionSeconds(timing);
      const watches = ecsWatchSeconds(timing);
      if (needs <= watches) continue;
      findings.push({
        templatePath: d.stack.templatePath,
        logicalId: d.serviceId,
        locations: [`Properties/DeploymentConfiguration/Alarms/AlarmNames/${d.index}`],
        detail: `alarm ${d.alarmName} needs ${needs} s (${timing.datapointsToAlarm ?? timing.evaluationPeriods} × ${timing.periodSeconds} s + 60 s metric delay); ECS watches about ${watches} s (${timing.evaluationPeriods} × ${timing.periodSeconds} s)`,
      });
    }
    return findings;
  },
};
