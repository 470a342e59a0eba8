import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Ec2Capacity } from '../cluster/ec2-capacity';
import { ManagedInstancesCapacity } from '../cluster/managed-instances-capacity';
import { ServiceCluster } from '../cluster/service-cluster';
import { IServiceCluster } from '../cluster/service-cluster-ref';
import { ServiceTaskDefinition } from '../task-definition/service-task-definition';
import { ServiceTaskOptions } from '../task-definition/service-task-options';
import { connectEfsVolumes } from '../file-system/efs-volume-attach';
import { ConfigurationError } from '../validation/configuration-error';
import { validateOneOffTask } from './run-validation';

/**
 * Properties of a OneOffTask.
 */
export interface OneOffTaskProps extends ServiceTaskOptions {
  /**
   * The cluster the task runs in. Its network decides the task's subnets and whether the task
   * gets a public IP address.
   */
  readonly cluster: IServiceCluster;

  /**
   * Run the task on Fargate Spot (up to 70 % cheaper; AWS may stop it with two minutes'
   * notice, so only for work that can simply run again). Needs the cluster's Fargate
   * capacity providers (`enableFargateSpot`, on by default).
   *
   * @default false - regular Fargate (the FARGATE launch type)
   */
  readonly fargateSpot?: boolean;

  /**
   * Run the task on this EC2 capacity (`cluster.addEc2Capacity(...)`) instead of Fargate: an
   * EC2-compatible task definition in awsvpc mode, sized against the instance type, started
   * with a capacity provider strategy naming the capacity's Auto Scaling group provider (ECS
   * managed scaling adds an instance when none has room). Not with `fargateSpot` nor
   * `managedInstancesCapacity`.
   *
   * @default - Fargate
   */
  readonly ec2Capacity?: Ec2Capacity;

  /**
   * Run the task on ECS Managed Instances (`cluster.addManagedInstancesCapacity(...)`) instead of
   * Fargate: a MANAGED_INSTANCES-compatible task definition, started with a capacity provider
   * strategy naming the capacity's provider. Not with `fargateSpot` nor `ec2Capacity`.
   *
   * @default - Fargate
   */
  readonly managedInstancesCapacity?: ManagedInstancesCapacity;

  /**
   * Security groups the task joins besides its own, such as one a database admits. Groups of the
   * cluster's VPC; ECS takes at most five per task, the task's own group included. A change
   * applies to the next run.
   *
   * @default - only the task's own group
   */
  readonly additionalSecurityGroups?: ec2.ISecurityGroup[];
}

/**
 * A task that runs to completion on Fargate (or on EC2 capacity or Managed Instances) (a database migration, a batch step), started on
 * demand: by `aws ecs run-task` from a person or a CI job, or by a ScheduledTask.
 *
 * It gets a task definition with logs and least-privilege roles (ServiceTaskDefinition), the
 * cluster's task subnets and public-IP setting, and its own security group with no ingress.
 * `runTaskCommand` is the exact command that starts it; `grantRun` lets a CI role run it.
 */
export class OneOffTask extends Construct {
  /** The task definition construct with its containers and log group. */
  public readonly serviceTaskDefinition: ServiceTaskDefinition;
  /** The ECS task definition (same as `serviceTaskDefinition.taskDefinition`). */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group the task's containers write to. */
  public readonly logGroup: logs.ILogGroup;
  /** The task's security group: no ingress, all egress. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Every group the task joins: its own `securityGroup`, then `additionalSecurityGroups`. */
  public readonly securityGroupIds: string[];
  /** The cluster the task runs in. */
  public readonly cluster: IServiceCluster;
  /** The subnets the task runs in (the cluster's task subnets). */
  public readonly subnetIds: string[];
  /** Whether the task gets a public IPv4 address (the cluster's setting). */
  public readonly assignPublicIp: boolean;
  /** Whether the task runs on Fargate Spot. */
  public readonly fargateSpot: boolean;
  /** The EC2 capacity the task runs on, if any. */
  public readonly ec2Capacity?: Ec2Capacity;
  /** The Managed Instances capacity the task runs on, if any. */
  public readonly managedInstancesCapacity?: ManagedInstancesCapacity;
  /**
   * The AWS CLI command that starts one run of the task, with the cluster, task definition
   * revision, subnets and security group filled in at deploy time (a string with tokens: put it
   * in a CfnOutput).
   */
  public readonly runTaskCommand: string;

  constructor(scope: Construct, id: string, props: OneOffTaskProps) {
    super(scope, id);
    validateOneOffTask(this, props);

    this.cluster = props.cluster;
    this.fargateSpot = props.fargateSpot ?? false;
    this.ec2Capacity = props.ec2Capacity;
    this.managedInstancesCapacity = props.managedInstancesCapacity;
    this.assignPublicIp = props.cluster.assignPublicIp;
    this.subnetIds = props.cluster.vpc.selectSubnets(props.cluster.taskSubnets).subnetIds;

    this.serviceTaskDefinition = new ServiceTaskDefinition(this, 'Task', props);
    this.taskDefinition = this.serviceTaskDefinition.taskDefinition;
    this.container = this.serviceTaskDefinition.container;
    this.logGroup = this.serviceTaskDefinition.logGroup;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `One-off task ${this.node.path}: no ingress`,
      // A job reaches out (image pull, logs, its database); nothing connects to it.
      allowAllOutbound: true,
    });
    // NFS to the file systems of the EFS volumes. Nothing in the stack starts a one-off run, so
    // the task definition waits for the mount targets and the rule: `runTaskCommand` (which
    // names the revision) works once the stack is deployed.
    connectEfsVolumes(this.taskDefinition, this.securityGroup, this.taskDefinition);
    this.securityGroupIds = [this.securityGroup, ...(props.additionalSecurityGroups ?? [])].map((group) => group.securityGroupId);

    const launch = this.capacityProviderStrategy().length > 0
      ? `--capacity-provider-strategy ${this.capacityProviderStrategy().map((s) => `capacityProvider=${s.capacityProvider},weight=${s.weight}`).join(' ')}`
      : '--launch-type FARGATE';
    this.runTaskCommand = [
      'aws ecs run-task',
      `--region ${Stack.of(this).region}`,
      `--cluster ${props.cluster.clusterName}`,
      `--task-definition ${this.taskDefinition.taskDefinitionArn}`,
      launch,
      `--network-configuration "awsvpcConfiguration={subnets=[${this.subnetIds.join(',')}],`
        + `securityGroups=[${this.securityGroupIds.join(',')}],assignPublicIp=${this.assignPublicIp ? 'ENABLED' : 'DISABLED'}}"`,
    ].join(' ');

    if (this.fargateSpot) {
      // A strategy naming a capacity provider the cluster lacks fails only when the task starts.
      const cluster = props.cluster;
      this.node.addValidation({
        validate: () => cluster.fargateCapacityProviders ? [] : [
          new ConfigurationError(this.node.path, 'fargateSpot', 'true', `needs the FARGATE_SPOT capacity provider on the cluster ${cluster.node.path}`,
            cluster instanceof ServiceCluster
              ? 'create the ServiceCluster with enableFargateSpot left on, or leave fargateSpot out'
              : 'associate FARGATE and FARGATE_SPOT with the existing cluster and import it with fargateCapacityProviders: true, or leave fargateSpot out').message,
        ],
      });
    }
  }

  /**
   * The capacity provider strategy of a run: the capacity's provider with `ec2Capacity` or
   * `managedInstancesCapacity`, FARGATE_SPOT with `fargateSpot`, else none (the FARGATE launch
   * type).
   */
  public capacityProviderStrategy(): ecs.CapacityProviderStrategy[] {
    if (this.ec2Capacity) return [{ capacityProvider: this.ec2Capacity.capacityProvider.capacityProviderName, weight: 1 }];
    if (this.managedInstancesCapacity) return [{ capacityProvider: this.managedInstancesCapacity.capacityProvider.capacityProviderName, weight: 1 }];
    return this.fargateSpot ? [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] : [];
  }

  /**
   * The task definition construct.
   * @deprecated use `serviceTaskDefinition` (`scheduled.task.task` read the same word three times); removed in 1.0
   */
  public get task(): ServiceTaskDefinition {
    return this.serviceTaskDefinition;
  }

  /**
   * Lets `grantee` (a CI role, a Lambda function) start this task: `ecs:RunTask` on this task
   * definition revision, only in this cluster, and `iam:PassRole` on the task and execution
   * roles, only to ECS tasks. Watching the run (`ecs:DescribeTasks`, the logs) is not included.
   */
  public grantRun(grantee: iam.IGrantable): iam.Grant {
    const run = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ecs:RunTask'],
      resourceArns: [this.taskDefinition.taskDefinitionArn],
      conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
    });
    const roles = [this.taskDefinition.taskRole.roleArn];
    if (this.taskDefinition.executionRole) roles.push(this.taskDefinition.executionRole.roleArn);
    const passRole = iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: roles,
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    return run.combine(passRole);
  }
}
