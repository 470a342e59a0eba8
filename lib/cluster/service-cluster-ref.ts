import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { IConstruct } from 'constructs';
import { NetworkLayout } from '../network/network-layout';
import { ServiceNetwork } from '../network/service-network';

/**
 * What services and tasks need from a cluster: the ECS cluster, the network its tasks run in,
 * and what it offers them (Fargate Spot, Container Insights, a Service Connect namespace).
 *
 * Implemented by ServiceCluster, and by `ServiceCluster.fromClusterAttributes` and
 * `ServiceCluster.fromEcsCluster` for a cluster this library did not create. The aws-cdk-lib
 * cluster itself is each implementation's own member (`ServiceCluster.ecsCluster` is an
 * `ecs.Cluster`), so an owned cluster keeps its full L2 type.
 */
export interface IServiceCluster extends IConstruct {
  /** The cluster's name. */
  readonly clusterName: string;
  /** The cluster's ARN. */
  readonly clusterArn: string;
  /** The VPC the cluster's tasks run in. */
  readonly vpc: ec2.IVpc;
  /** Where services and tasks place their tasks. */
  readonly taskSubnets: ec2.SubnetSelection;
  /** Whether services and tasks give their tasks a public IPv4 address. */
  readonly assignPublicIp: boolean;
  /** Whether Container Insights is on (per-service metrics such as RunningTaskCount exist). */
  readonly containerInsights: boolean;
  /** Whether the FARGATE and FARGATE_SPOT capacity providers are associated with the cluster (Spot needs them). */
  readonly fargateCapacityProviders: boolean;
  /** The network the cluster built; undefined for your own VPC and for imported clusters. */
  readonly network?: ServiceNetwork;
  /** The layout of the built network; undefined for your own VPC and for imported clusters. */
  readonly layout?: NetworkLayout;
  /** The Service Connect namespace services publish in, if the cluster has one. */
  readonly namespace?: servicediscovery.INamespace;
}

/**
 * What this library cannot read from a cluster it did not create: where its tasks run and what
 * the cluster offers them. Each is checked against your VPC where synth can; the rest is your word.
 */
export interface ServiceClusterImportOptions {
  /**
   * Where tasks run. Must select at least one subnet of the cluster's VPC.
   *
   * @default { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly taskSubnets?: ec2.SubnetSelection;

  /**
   * Give each task a public IPv4 address ($3.65/month each). Needed, and only allowed, when
   * `taskSubnets` are public subnets.
   *
   * @default false
   */
  readonly assignPublicIp?: boolean;

  /**
   * Whether the cluster has Container Insights on. Synth cannot read it: say `true` only when it
   * is, because backlog scaling and the running-task alarms read its RunningTaskCount metric.
   *
   * @default false
   */
  readonly containerInsights?: boolean;

  /**
   * Whether the FARGATE and FARGATE_SPOT capacity providers are associated with the cluster, so
   * services and tasks may use Fargate Spot. Synth cannot read it for an imported cluster; a
   * Spot service on a cluster without them fails at deploy time.
   *
   * @default - read from the cluster for an `ecs.Cluster` of this app; false for an imported one
   */
  readonly fargateCapacityProviders?: boolean;
}

/**
 * An existing ECS cluster, by name or ARN, with the VPC its tasks run in.
 */
export interface ServiceClusterAttributes extends ServiceClusterImportOptions {
  /**
   * The cluster's name. Give it or `clusterArn`.
   *
   * @default - read from `clusterArn`
   */
  readonly clusterName?: string;

  /**
   * The cluster's ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`). Give it or `clusterName`.
   *
   * @default - the cluster of that name in this stack's account and region
   */
  readonly clusterArn?: string;

  /** The VPC the cluster's tasks run in. */
  readonly vpc: ec2.IVpc;

  /**
   * The cluster's Service Connect namespace (an HTTP namespace: for example
   * `servicediscovery.HttpNamespace.fromHttpNamespaceAttributes(...)`), so services can use
   * `serviceConnect`.
   *
   * @default - none: services cannot use Service Connect
   */
  readonly serviceConnectNamespace?: servicediscovery.INamespace;
}
