import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { checkPattern, fail } from '../validation/checks';
import { IServiceCluster, ServiceClusterAttributes, ServiceClusterImportOptions } from './service-cluster-ref';
import { checkTaskSubnets, DEFAULT_TASK_SUBNETS } from './task-subnets';

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):cluster\/([a-zA-Z0-9_-]{1,255})$/;

/**
 * A cluster this library did not create: it creates nothing, and services and tasks read the
 * network and capabilities from the attributes given. Internal: the public factories are on
 * ServiceCluster and return IServiceCluster.
 */
export class ImportedServiceCluster extends Construct implements IServiceCluster {
  public readonly ecsCluster: ecs.ICluster;
  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly vpc: ec2.IVpc;
  public readonly taskSubnets: ec2.SubnetSelection;
  public readonly assignPublicIp: boolean;
  public readonly containerInsights: boolean;
  public readonly namespace?: servicediscovery.INamespace;
  private readonly declaredFargateCapacityProviders?: boolean;

  /**
   * @param attrs an existing cluster by name or ARN
   * @param ecsCluster or an `ecs.ICluster` already in the app, with `attrs` the import options only
   */
  constructor(scope: Construct, id: string, attrs: ServiceClusterAttributes | ServiceClusterImportOptions, ecsCluster?: ecs.ICluster) {
    super(scope, id);
    let vpc: ec2.IVpc;
    if (ecsCluster) {
      if (!clusterVpc(ecsCluster)) {
        fail(this, 'ecsCluster', ecsCluster.node.path, 'has no VPC (ecs.Cluster.fromClusterArn does not carry one)',
          'import it with ecs.Cluster.fromClusterAttributes({ clusterName, vpc }), or use ServiceCluster.fromClusterAttributes');
      }
      vpc = clusterVpc(ecsCluster)!;
    } else {
      const byName = attrs as ServiceClusterAttributes;
      const nameFromArn = checkClusterReference(this, byName);
      vpc = byName.vpc;
      ecsCluster = ecs.Cluster.fromClusterAttributes(this, 'Cluster', {
        clusterName: byName.clusterName ?? nameFromArn!,
        clusterArn: byName.clusterArn,
        vpc,
        defaultCloudMapNamespace: byName.serviceConnectNamespace,
      });
    }
    const taskSubnets = attrs.taskSubnets ?? DEFAULT_TASK_SUBNETS;
    const assignPublicIp = attrs.assignPublicIp ?? false;
    checkTaskSubnets(this, vpc, taskSubnets, attrs.taskSubnets, assignPublicIp);
    this.ecsCluster = ecsCluster;
    this.clusterName = ecsCluster.clusterName;
    this.clusterArn = ecsCluster.clusterArn;
    this.vpc = vpc;
    this.taskSubnets = taskSubnets;
    this.assignPublicIp = assignPublicIp;
    this.containerInsights = attrs.containerInsights ?? false;
    this.namespace = ecsCluster.defaultCloudMapNamespace;
    this.declaredFargateCapacityProviders = attrs.fargateCapacityProviders;
  }

  public get fargateCapacityProviders(): boolean {
    if (this.declaredFargateCapacityProviders !== undefined) return this.declaredFargateCapacityProviders;
    return this.ecsCluster instanceof ecs.Cluster && hasFargateCapacityProviders(this.ecsCluster);
  }
}

/** The VPC of an aws-cdk-lib cluster; undefined where it has none (fromClusterArn throws on reading it). */
function clusterVpc(cluster: ecs.ICluster): ec2.IVpc | undefined {
  try {
    return cluster.vpc;
  } catch {
    return undefined;
  }
}

/** aws-cdk-lib clusters made for IServiceCluster implementations that bring none. */
const importedEcsClusters = new WeakMap<IServiceCluster, ecs.ICluster>();

/**
 * The aws-cdk-lib cluster behind `cluster`: the `ecsCluster` member of ServiceCluster and of
 * imported clusters, or (for another implementation of IServiceCluster) an import of it by
 * name, made once.
 */
export function ecsClusterOf(cluster: IServiceCluster): ecs.ICluster {
  const own = (cluster as { ecsCluster?: ecs.ICluster }).ecsCluster;
  if (own !== undefined) return own;
  let imported = importedEcsClusters.get(cluster);
  if (!imported) {
    imported = ecs.Cluster.fromClusterAttributes(cluster, 'EcsCluster', {
      clusterName: cluster.clusterName,
      clusterArn: cluster.clusterArn,
      vpc: cluster.vpc,
      defaultCloudMapNamespace: cluster.namespace,
    });
    importedEcsClusters.set(cluster, imported);
  }
  return imported;
}

/** Whether an `ecs.Cluster` of this app has the FARGATE and FARGATE_SPOT providers (read late: they can be added after it). */
export function hasFargateCapacityProviders(cluster: ecs.Cluster): boolean {
  return ['FARGATE', 'FARGATE_SPOT'].every((name) => cluster.capacityProviderNames.includes(name));
}

/** Checks the name/ARN pair; returns the name read from a literal ARN. */
function checkClusterReference(scope: Construct, attrs: ServiceClusterAttributes): string | undefined {
  if (!attrs.vpc) fail(scope, 'vpc', attrs.vpc, 'is missing', 'give the VPC the cluster\'s tasks run in');
  if (attrs.clusterName === undefined && attrs.clusterArn === undefined) {
    fail(scope, 'clusterName', undefined, 'is missing (and so is clusterArn)', 'give the existing cluster\'s clusterName or clusterArn');
  }
  checkPattern(scope, 'clusterName', attrs.clusterName, CLUSTER_NAME, 'use the cluster\'s name: 1 to 255 letters, digits, hyphens and underscores');
  const arn = attrs.clusterArn;
  if (arn === undefined) return undefined;
  if (Token.isUnresolved(arn)) {
    return attrs.clusterName ?? Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
  }
  const match = CLUSTER_ARN.exec(arn);
  if (!match) {
    fail(scope, 'clusterArn', arn, 'is not an ECS cluster ARN', 'use arn:aws:ecs:<region>:<account>:cluster/<name>');
  }
  const [, region, account, name] = match;
  if (attrs.clusterName !== undefined && !Token.isUnresolved(attrs.clusterName) && attrs.clusterName !== name) {
    fail(scope, 'clusterName', attrs.clusterName, `differs from the name in clusterArn (${name})`, 'give one of the two, or the same cluster in both');
  }
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region) && stack.region !== region) {
    fail(scope, 'clusterArn', arn, `is in ${region}, but the stack deploys to ${stack.region}; ECS services run only in their cluster's region`,
      'import a cluster of the stack\'s region, or deploy the stack to the cluster\'s region');
  }
  if (!Token.isUnresolved(stack.account) && stack.account !== account) {
    fail(scope, 'clusterArn', arn, `belongs to account ${account}, but the stack deploys to ${stack.account}; ECS services run only in their cluster's account`,
      'import a cluster of the stack\'s account');
  }
  return name;
}
