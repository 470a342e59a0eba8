import { Duration } from 'aws-cdk-lib';

/**
 * The kinds of ECS deployment strategy.
 */
export enum DeploymentStrategyType {
  /** Replace tasks in place, within minHealthyPercent/maxHealthyPercent. */
  ROLLING = 'ROLLING',
  /** Start the new revision beside the old one and shift a small share of traffic first. */
  CANARY = 'CANARY',
  /** Start the new revision beside the old one and shift traffic in equal steps. */
  LINEAR = 'LINEAR',
  /** Start the new revision beside the old one and shift all traffic at once. */
  BLUE_GREEN = 'BLUE_GREEN',
}

/**
 * A canary release: `percent` of the traffic goes to the new revision for `stepBakeTime`, then
 * all of it.
 */
export interface CanaryOptions {
  /**
   * The share of production traffic the new revision takes first, in percent: multiples of
   * 0.1 from 0.1 to 100.
   *
   * @default 5 (as ECS Express Mode)
   */
  readonly percent?: number;
  /**
   * How long the canary takes its share before the rest of the traffic follows: whole minutes,
   * 0 to 24 hours. The deployment alarms judge the canary in this time, so it should be at least
   * their detection time (`WebService.releaseSafety.detectSeconds`).
   *
   * @default Duration.minutes(5)
   */
  readonly stepBakeTime?: Duration;
  /**
   * How long the old revision keeps running after all traffic moved, so a rollback is one
   * traffic shift back: whole minutes, 0 to 24 hours. `stepBakeTime` plus `bakeTime` is at most
   * 33 hours (CloudFormation refuses longer canary deployments).
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
}

/**
 * A linear release: the new revision takes `stepPercent` more of the traffic every
 * `stepBakeTime`.
 */
export interface LinearOptions {
  /**
   * The share of production traffic moved at each step, in percent: multiples of 0.1 from 3 to 100.
   * With the step bakes, the whole rollout (bakeTime + stepBakeTime × steps) stays within 33 hours.
   *
   * @default 20
   */
  readonly stepPercent?: number;
  /**
   * The wait between steps: whole minutes, 0 to 24 hours. The deployment alarms judge each step
   * in this time, so it should be at least their detection time.
   *
   * @default Duration.minutes(5)
   */
  readonly stepBakeTime?: Duration;
  /**
   * How long the old revision keeps running after all traffic moved: whole minutes, 0 to 24 hours.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
}

/**
 * A blue/green release: the new revision starts beside the old one, optionally takes test
 * traffic on `testPort`, then takes all production traffic at once.
 */
export interface BlueGreenOptions {
  /**
   * How long the old revision keeps running after all traffic moved, so a rollback is one
   * traffic shift back: whole minutes, 0 to 24 hours. The deployment alarms judge the new
   * revision in this time, so it should be at least their detection time.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
  /**
   * A test listener port on the shared load balancer: requests to it that match the service's
   * route reach the new revision before production traffic does (for smoke tests, or a
   * lifecycle hook at `TEST_TRAFFIC_SHIFT`). Open to the load balancer's
   * `testListenerAllowedCidrs` (an internet-facing one needs it; an internal one admits its
   * VPC), with the production listener's protocol and certificate. Services that give the same
   * port share one test listener.
   *
   * @default - no test listener
   */
  readonly testPort?: number;
}

/**
 * How ECS replaces a service's tasks with a new revision: rolling (the default), canary, linear
 * or blue/green. Canary, linear and blue/green are ECS-native strategies: they need a load
 * balancer (a WebService), and the service gets a second (alternate) target group that ECS
 * shifts traffic to through the service's listener rule.
 */
export class DeploymentStrategy {
  /** Rolling replacement within minHealthyPercent/maxHealthyPercent (the default). */
  public static rolling(): DeploymentStrategy {
    return new DeploymentStrategy(DeploymentStrategyType.ROLLING, {});
  }

  /** A canary: `percent` of the traffic first, the rest after `stepBakeTime`. */
  public static canary(options: CanaryOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy(DeploymentStrategyType.CANARY, {
      stepPercent: options.percent, stepBakeTime: options.stepBakeTime, bakeTime: options.bakeTime,
    });
  }

  /** Linear: `stepPercent` more of the traffic every `stepBakeTime`. */
  public static linear(options: LinearOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy(DeploymentStrategyType.LINEAR, {
      stepPercent: options.stepPercent, stepBakeTime: options.stepBakeTime, bakeTime: options.bakeTime,
    });
  }

  /** Blue/green: all traffic at once, with an optional test listener first. */
  public static blueGreen(options: BlueGreenOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy(DeploymentStrategyType.BLUE_GREEN, { bakeTime: options.bakeTime, testPort: options.testPort });
  }

  /** The kind of strategy. */
  public readonly type: DeploymentStrategyType;
  /** The traffic share per step (canary: the canary's share), in percent, as given. */
  public readonly stepPercent?: number;
  /** The wait between traffic steps, as given. */
  public readonly stepBakeTime?: Duration;
  /** How long the old revision outlives the traffic shift, as given. */
  public readonly bakeTime?: Duration;
  /** The test listener port (blue/green), as given. */
  public readonly testPort?: number;

  private constructor(type: DeploymentStrategyType, options: {
    stepPercent?: number; stepBakeTime?: Duration; bakeTime?: Duration; testPort?: number;
  }) {
    this.type = type;
    this.stepPercent = options.stepPercent;
    this.stepBakeTime = options.stepBakeTime;
    this.bakeTime = options.bakeTime;
    this.testPort = options.testPort;
  }

  /** Whether ECS shifts traffic between two target groups (canary, linear, blue/green). */
  public get shiftsTraffic(): boolean {
    return this.type !== DeploymentStrategyType.ROLLING;
  }
}
