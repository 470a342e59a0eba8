import { Annotations, CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { Defaults } from '../defaults';
import { checkDurationSeconds, checkPort, checkRange, fail, formatValue } from '../validation/checks';
import { ConfigurationError } from '../validation/configuration-error';
import { detectionSeconds, ecsWatchSeconds, goesOffInsideWatch } from './alarm-window';
import { ALARM_PERIOD, resolveAlarmSettings } from './deployment-alarms';
import { DeploymentOptions } from './deployment-options';
import { DeploymentStrategy, DeploymentStrategyType } from './deployment-strategy';
import { estimateReleaseSafety } from './release-safety';
import { ReleaseSafetyEstimate } from './release-safety-estimate';

/**
 * The deployment settings of a service (strategy, alarms, lifecycle hooks, AZ rebalancing):
 * validated here, turned into ecs.BaseServiceOptions here, so service-base only spreads them.
 * Internal.
 */

/** The id of the warning for a bake shorter than the alarms' detection time. */
export const BAKE_SHORTER_THAN_DETECTION_WARNING = 'ecs-service-kit:bake-shorter-than-detection';
/** The id of the warning for a service with no deployment alarm at all. */
export const NO_DEPLOYMENT_ALARMS_WARNING = 'ecs-service-kit:no-deployment-alarms';

/** CloudFormation refuses canary deployments whose BakeTimeInMinutes + CanaryBakeTimeInMinutes exceed 33 hours. */
const MAX_CANARY_TOTAL_MINUTES = 33 * 60;
/** ECS's limit on each bake time. */
const MAX_BAKE_MINUTES = 1440;

/** What the service deploys with, as the deployment props and options say. */
export interface DeploymentSettingsInput {
  readonly deployment?: DeploymentOptions;
  readonly availabilityZoneRebalancing?: boolean;
  readonly maxHealthyPercent?: number;
}

/** The strategy, defaulted. */
export function strategyOf(props: DeploymentSettingsInput): DeploymentStrategy {
  return props.deployment?.strategy ?? DeploymentStrategy.rolling();
}

/** Checks the deployment props. `hasLoadBalancer`: whether there is traffic to shift. */
export function validateDeployment(scope: IConstruct, props: DeploymentSettingsInput, options: { hasLoadBalancer: boolean }): void {
  const deployment = props.deployment ?? {};
  const strategy = strategyOf(props);
  const p = 'deployment.strategy';
  if (strategy.shiftsTraffic && !options.hasLoadBalancer) {
    // ECS can also shift traffic through Service Connect, or run a headless blue/green with no
    // traffic to shift (a bake only); this library shifts through its load balancer's rules only.
    fail(scope, p, strategy.type, 'needs a load balancer: this library shifts canary, linear and blue/green traffic through the service\'s listener rule',
      'use DeploymentStrategy.rolling() for a service without a load balancer (a WorkerService: its deployment alarms still roll a bad release back), or run it as a WebService');
  }
  if (strategy.type === DeploymentStrategyType.CANARY) checkPercent(scope, `${p} (canary percent)`, strategy.stepPercent, 0.1);
  if (strategy.type === DeploymentStrategyType.LINEAR) checkPercent(scope, `${p} (linear stepPercent)`, strategy.stepPercent, 3);
  checkWholeMinutes(scope, `${p} (stepBakeTime)`, strategy.stepBakeTime);
  checkWholeMinutes(scope, `${p} (bakeTime)`, strategy.bakeTime);
  if (strategy.type === DeploymentStrategyType.CANARY) {
    const total = minutesOf(strategy.stepBakeTime ?? Defaults.deploymentStepBakeTime) + minutesOf(strategy.bakeTime ?? Defaults.deploymentBakeTime);
    if (total > MAX_CANARY_TOTAL_MINUTES) {
      fail(scope, `${p} (stepBakeTime + bakeTime)`, `${total} minutes`, 'is more than CloudFormation allows for a canary deployment (it refuses more than 33 hours, under its 36-hour timeout)',
        'keep stepBakeTime + bakeTime at or under 1980 minutes');
    }
  }
  if (strategy.type === DeploymentStrategyType.LINEAR && strategy.stepPercent !== undefined && !Token.isUnresolved(strategy.stepPercent)) {
    // CloudFormation's count: 100 / step - 1 steps when the step divides 100, else floor(100 / step).
    const stepsExact = 100 / strategy.stepPercent;
    const steps = Number.isInteger(Math.round(stepsExact * 1e9) / 1e9) ? Math.round(stepsExact) - 1 : Math.floor(stepsExact);
    const stepBake = minutesOf(strategy.stepBakeTime ?? Defaults.deploymentStepBakeTime);
    const total = minutesOf(strategy.bakeTime ?? Defaults.deploymentBakeTime) + stepBake * steps;
    if (total > MAX_CANARY_TOTAL_MINUTES) {
      fail(scope, `${p} (bakeTime + stepBakeTime × steps)`, `${total} minutes`,
        `is more than CloudFormation allows for a linear deployment (${steps} steps of ${strategy.stepPercent} % with ${stepBake}-minute step bakes; it refuses more than 33 hours)`,
        'use larger steps or shorter step bakes, keeping bakeTime + stepBakeTime × steps at or under 1980 minutes');
    }
  }
  if (strategy.testPort !== undefined) checkPort(scope, `${p} (testPort)`, strategy.testPort);

  const alarms = deployment.alarms;
  if (alarms) {
    checkRange(scope, 'deployment.alarms.errorRatePercent', alarms.errorRatePercent, 0.1, 100, { integer: false, unit: 'percent' });
    checkRange(scope, 'deployment.alarms.minimumRequestsPerMinute', alarms.minimumRequestsPerMinute, 1, 1_000_000);
    checkRange(scope, 'deployment.alarms.minimumErrorsPerMinute', alarms.minimumErrorsPerMinute, 1, 1_000_000);
    checkRange(scope, 'deployment.alarms.evaluationPeriods', alarms.evaluationPeriods, 2, 10, { unit: 'minutes' });
    checkRange(scope, 'deployment.alarms.datapointsToAlarm', alarms.datapointsToAlarm, 1, 10, { unit: 'minutes' });
    checkDurationSeconds(scope, 'deployment.alarms.maxMessageAge', alarms.maxMessageAge, 60, 3600);
    const settings = resolveAlarmSettings(alarms);
    const timing = { periodSeconds: ALARM_PERIOD.toSeconds(), evaluationPeriods: settings.evaluationPeriods, datapointsToAlarm: settings.datapointsToAlarm };
    if (!Token.isUnresolved(settings.evaluationPeriods) && !Token.isUnresolved(settings.datapointsToAlarm) && !goesOffInsideWatch(timing)) {
      fail(scope, 'deployment.alarms.datapointsToAlarm', settings.datapointsToAlarm,
        `with evaluationPeriods ${settings.evaluationPeriods} needs ${detectionSeconds(timing)} s to go off (${settings.datapointsToAlarm} one-minute datapoints + about 60 s of metric delay), ` +
        `longer than the ${ecsWatchSeconds(timing)} s ECS watches the alarm after a rolling deployment (evaluationPeriods × 1 minute), so a bad release would stay`,
        `keep datapointsToAlarm at most evaluationPeriods - 1 (${settings.evaluationPeriods - 1}), or raise evaluationPeriods`);
    }
  }

  (deployment.lifecycleHooks ?? []).forEach((hook, i) => {
    const hp = `deployment.lifecycleHooks[${i}]`;
    if (!strategy.shiftsTraffic) {
      fail(scope, `${hp}.stages`, hook.stages, 'are stages of canary, linear and blue/green deployments; the service deploys rolling',
        'set deployment.strategy to a canary, linear or blue/green strategy, or leave lifecycleHooks out');
    }
    if (!hook.handler) fail(scope, `${hp}.handler`, hook.handler, 'is missing', 'give the Lambda function ECS invokes');
    if (!hook.stages || hook.stages.length === 0) {
      fail(scope, `${hp}.stages`, hook.stages, 'is empty', `give at least one of ${Object.values(ecs.DeploymentLifecycleStage).join(', ')}`);
    }
    const seen = new Set<string>();
    for (const stage of hook.stages) {
      if (!(Object.values(ecs.DeploymentLifecycleStage) as string[]).includes(stage)) {
        fail(scope, `${hp}.stages`, stage, 'is not a deployment lifecycle stage', `use ${Object.values(ecs.DeploymentLifecycleStage).join(', ')}`);
      }
      if (seen.has(stage)) fail(scope, `${hp}.stages`, stage, 'is given twice', 'give each stage once');
      seen.add(stage);
    }
    const testStages: string[] = [ecs.DeploymentLifecycleStage.TEST_TRAFFIC_SHIFT, ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT];
    const testStage = hook.stages.find(s => testStages.includes(s));
    if (testStage !== undefined && strategy.testPort === undefined) {
      fail(scope, `${hp}.stages`, testStage, 'runs when test traffic shifts, but the service has no test listener',
        'give DeploymentStrategy.blueGreen({ testPort }) for test traffic, or use another stage');
    }
  });

  const max = props.maxHealthyPercent ?? Defaults.maxHealthyPercent;
  if (props.availabilityZoneRebalancing === true && max === 100) {
    fail(scope, 'availabilityZoneRebalancing', true, 'needs room to start a task before stopping one, and maxHealthyPercent is 100 (ECS refuses the combination)',
      'raise maxHealthyPercent above 100, or leave availabilityZoneRebalancing unset (it is then off for this service)');
  }
}

function minutesOf(duration: Duration): number {
  return duration.isUnresolved() ? 0 : duration.toMinutes({ integral: false });
}

function checkWholeMinutes(scope: IConstruct, prop: string, value: Duration | undefined): void {
  if (value === undefined) return;
  if (!(value instanceof Duration)) fail(scope, prop, value, 'is not a Duration', 'use Duration.minutes(...)');
  if (value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (seconds % 60 !== 0) {
    fail(scope, prop, value, 'is not a whole number of minutes (ECS takes bake times in minutes)', 'use Duration.minutes(...) from 0 to 1440');
  }
  if (seconds < 0 || seconds > MAX_BAKE_MINUTES * 60) fail(scope, prop, value, 'is out of range', 'use whole minutes from 0 to 1440 (24 hours)');
}

function checkPercent(scope: IConstruct, prop: string, value: number | undefined, min: number): void {
  checkRange(scope, prop, value, min, 100, { integer: false, unit: 'percent in steps of 0.1' });
  if (value !== undefined && Math.abs(Math.round(value * 10) - value * 10) > 1e-9) {
    fail(scope, prop, value, 'is not a multiple of 0.1', `use a multiple of 0.1 from ${min} to 100`);
  }
  // The schema says multipleOf 0.1, and JSON Schema validators (cfn-lint, and CloudFormation's own
  // schema check as far as it computes in binary floating point) test value / 0.1 for a whole
  // number: 63.3 / 0.1 is 632.9999999999999, so 63.3 is refused although it is 633 tenths.
  if (value !== undefined && !Token.isUnresolved(value) && !Number.isInteger(value / 0.1)) {
    const nearby = [-0.1, 0.1, -0.2, 0.2, -0.3, 0.3, -0.4, 0.4, -0.5, 0.5]
      .map((d) => Math.round((value + d) * 10) / 10)
      .filter((v) => v >= min && v <= 100 && Number.isInteger(v / 0.1))
      .slice(0, 2);
    fail(scope, prop, value, `is ${Math.round(value * 10)} tenths, but ${value} / 0.1 is ${value / 0.1} in binary floating point, so JSON Schema validators (cfn-lint, CloudFormation's schema check) refuse it as not a multiple of 0.1`,
      `use a value they accept${nearby.length > 0 ? `, e.g. ${nearby.join(' or ')}` : ''} (whole percents always work)`);
  }
}

/**
 * The ecs.BaseServiceOptions for the deployment: strategy, bake times, alarms (rollback on
 * alarm), AZ rebalancing (lifecycle hooks: finishDeployment). `alarmNames` are the names ECS watches: ours
 * (literal) and the user's.
 */
export function ecsDeploymentProps(props: DeploymentSettingsInput, alarmNames: string[]): EcsDeploymentProps {
  const strategy = strategyOf(props);
  const max = props.maxHealthyPercent ?? Defaults.maxHealthyPercent;
  const rebalancing = props.availabilityZoneRebalancing ?? (max > 100);
  const shifting = strategy.shiftsTraffic;
  const stepBakeTime = strategy.stepBakeTime ?? Defaults.deploymentStepBakeTime;
  return {
    deploymentAlarms: alarmNames.length > 0 ? { alarmNames, behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM } : undefined,
    deploymentStrategy: shifting ? strategy.type as unknown as ecs.DeploymentStrategy : undefined,
    bakeTime: shifting ? (strategy.bakeTime ?? Defaults.deploymentBakeTime) : undefined,
    canaryConfiguration: strategy.type === DeploymentStrategyType.CANARY
      ? { stepPercent: strategy.stepPercent ?? Defaults.canaryPercent, stepBakeTime }
      : undefined,
    linearConfiguration: strategy.type === DeploymentStrategyType.LINEAR
      ? { stepPercent: strategy.stepPercent ?? Defaults.linearStepPercent, stepBakeTime }
      : undefined,
    availabilityZoneRebalancing: rebalancing ? ecs.AvailabilityZoneRebalancing.ENABLED : ecs.AvailabilityZoneRebalancing.DISABLED,
  };
}

/**
 * What the ECS service needs once it exists:
 *
 * - Lifecycle hooks, each with the role ECS assumes to invoke its function, and the service
 *   waits for that role and its policy: ECS may run the first hook as soon as the service's
 *   first deployment starts, and a hook it cannot invoke fails the deployment. (aws-cdk-lib's
 *   target creates its role while the template renders, too late to order the service after it.)
 *   The role keeps aws-cdk-lib's path (`<service>/LifecycleHook<i>Role`), so its logical id is
 *   unchanged.
 * - A rolling service states `Strategy: ROLLING`, and a service without hooks an empty list of
 *   them. Left out, they would keep the values of an earlier version where the update merges
 *   (aws-cdk #25840, #27131: ECS keeps a deployment setting the template stops sending): the
 *   service would go on shifting traffic, or invoking a hook whose function may be gone.
 * - The circuit breaker does not reset its failure count on a healthy task.
 */
export function finishDeployment(owner: IConstruct, service: ecs.BaseService, props: DeploymentSettingsInput): void {
  const cfn = service.node.defaultChild as CfnResource;
  const strategy = strategyOf(props);
  // aws-cdk-lib keeps the first alarm configuration and drops a later call's alarms without a
  // word (aws-cdk #36308): the service would deploy without the alarms its author added.
  Object.defineProperty(service, 'enableDeploymentAlarms', {
    value: (alarmNames: string[]) => {
      throw new ConfigurationError(owner.node.path, 'ecsService.enableDeploymentAlarms', formatValue(alarmNames),
        'would be ignored: the service\'s deployment alarms are already set, and aws-cdk-lib drops a second set silently (aws-cdk #36308)',
        'give the alarms as deployment.alarms.additionalAlarms of the construct (alarms with an explicit alarmName)');
    },
  });
  // Failed tasks add up over the whole deployment. By default ECS resets the count whenever a
  // task becomes healthy, so a release whose tasks pass their checks and then crash or hang (ECS
  // replaces them) would never reach the threshold.
  cfn.addPropertyOverride('DeploymentConfiguration.DeploymentCircuitBreaker.ResetOnHealthyTask', false);
  const hooks = props.deployment?.lifecycleHooks ?? [];
  if (!strategy.shiftsTraffic) cfn.addPropertyOverride('DeploymentConfiguration.Strategy', 'ROLLING');
  // Hooks removed from the template must be removed from the service, whatever the strategy.
  if (!strategy.shiftsTraffic || hooks.length === 0) {
    cfn.addPropertyOverride('DeploymentConfiguration.LifecycleHooks', []);
    return;
  }
  hooks.forEach((hook, i) => {
    const id = `LifecycleHook${i}`;
    let role = hook.role;
    if (!role) {
      role = new iam.Role(service, `${id}Role`, { assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com') });
      hook.handler.grantInvoke(role);
    }
    service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(hook.handler, id, { lifecycleStages: hook.stages, role }));
    if (role instanceof iam.Role && Stack.of(role) === Stack.of(service)) {
      cfn.node.addDependency(role);
    }
  });
}

/** What ecsDeploymentProps returns: part of FargateServiceProps and Ec2ServiceProps. */
export type EcsDeploymentProps = Partial<ecs.BaseServiceOptions> & { availabilityZoneRebalancing?: ecs.AvailabilityZoneRebalancing };

/** The names ECS watches for a service whose own alarms will be named `ours`. */
export function deploymentAlarmNames(props: DeploymentSettingsInput, ours: string[]): string[] {
  const alarms = props.deployment?.alarms;
  const mine = (alarms?.enabled ?? true) ? ours : [];
  return [...mine, ...(alarms?.additionalAlarms ?? []).map(a => a.alarmName)];
}

/** Whether the library's own alarms are on. */
export function libraryAlarmsEnabled(props: DeploymentSettingsInput): boolean {
  return props.deployment?.alarms?.enabled ?? true;
}

/**
 * Warns when nothing watches the deployment (no alarm of ours, none of the user's): a release
 * that starts and passes its checks, then fails its work, stays until a person acts.
 */
export function warnWithoutAlarms(scope: IConstruct, alarms: cloudwatch.IAlarm[], why: string): void {
  if (alarms.length > 0) return;
  Annotations.of(scope).addWarningV2(NO_DEPLOYMENT_ALARMS_WARNING,
    `No deployment alarm watches this service's releases (${why}): the circuit breaker catches tasks that fail to start or fail their health checks, ` +
    'but a release that runs and then fails its work stays until a person acts. Give deployment.alarms.additionalAlarms ' +
    `(alarms with explicit alarmName), or acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${NO_DEPLOYMENT_ALARMS_WARNING}', reason }).`);
}

/**
 * Warns when a bake is shorter than the alarms' detection time: the release then takes more
 * traffic (or the old revision is gone) before the alarms could judge it.
 */
export function warnShortBake(scope: IConstruct, props: DeploymentSettingsInput, detectSeconds: number | undefined): void {
  const strategy = strategyOf(props);
  if (!strategy.shiftsTraffic || detectSeconds === undefined) return;
  const checks: Array<[string, Duration | undefined]> = [['bakeTime', strategy.bakeTime ?? Defaults.deploymentBakeTime]];
  if (strategy.type !== DeploymentStrategyType.BLUE_GREEN) checks.push(['stepBakeTime', strategy.stepBakeTime ?? Defaults.deploymentStepBakeTime]);
  for (const [name, value] of checks) {
    if (!value || value.isUnresolved() || value.toSeconds() >= detectSeconds) continue;
    Annotations.of(scope).addWarningV2(BAKE_SHORTER_THAN_DETECTION_WARNING,
      `deployment.strategy ${name} ${formatValue(value)} is shorter than the deployment alarms' detection time (${detectSeconds} s: evaluation periods × 1 minute + about a minute of metric delay): ` +
      `${name === 'bakeTime' ? 'the old revision is gone before the alarms can judge the new one, so a rollback is a full redeploy' : 'the next traffic step comes before the alarms can judge this one'}. ` +
      `Make ${name} at least ${Math.ceil(detectSeconds / 60)} minutes, or acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${BAKE_SHORTER_THAN_DETECTION_WARNING}', reason }).`);
  }
}

/** The release-safety estimate for a service's settings. */
export function releaseSafetyOf(
  props: DeploymentSettingsInput, hasAlarms: boolean, rollingDeployEstimateSeconds: number, deregistrationDelaySeconds: number,
): ReleaseSafetyEstimate {
  const strategy = strategyOf(props);
  const settings = resolveAlarmSettings(props.deployment?.alarms);
  return estimateReleaseSafety({
    strategy: strategy.type,
    alarmPeriodSeconds: hasAlarms ? ALARM_PERIOD.toSeconds() : undefined,
    alarmEvaluationPeriods: hasAlarms ? settings.evaluationPeriods : undefined,
    alarmDatapointsToAlarm: hasAlarms ? settings.datapointsToAlarm : undefined,
    bakeSeconds: strategy.shiftsTraffic ? (strategy.bakeTime ?? Defaults.deploymentBakeTime).toSeconds() : undefined,
    metricDelaySeconds: Defaults.assumedMetricDelaySeconds,
    rollingDeployEstimateSeconds,
    deregistrationDelaySeconds,
    stepPercent: strategy.type === DeploymentStrategyType.CANARY ? (strategy.stepPercent ?? Defaults.canaryPercent)
      : strategy.type === DeploymentStrategyType.LINEAR ? (strategy.stepPercent ?? Defaults.linearStepPercent) : undefined,
    stepBakeSeconds: strategy.type === DeploymentStrategyType.BLUE_GREEN || !strategy.shiftsTraffic ? undefined
      : (strategy.stepBakeTime ?? Defaults.deploymentStepBakeTime).toSeconds(),
  });
}
