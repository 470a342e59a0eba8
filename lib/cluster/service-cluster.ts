import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { checkNetworkProps } from '../network/network-checks';
import { NetworkLayout } from '../network/network-layout';
import { ServiceNetwork } from '../network/service-network';
import { checkExclusive, checkPattern, fail } from '../validation/checks';
import { Ec2Capacity, Ec2CapacityOptions } from './ec2-capacity';
import { hasFargateCapacityProviders, ImportedServiceCluster } from './imported-cluster';
import { IServiceCluster, ServiceClusterAttributes, ServiceClusterImportOptions } from './service-cluster-ref';
import { checkTaskSubnets, DEFAULT_TASK_SUBNETS } from './task-subnets';
import { ManagedInstancesCapacity, ManagedInstancesCapacityOptions } from './managed-instances-capacity';

/**
 * Props for a ServiceCluster.
 *
 * Either bring your own `vpc` (and say where tasks run with `taskSubnets` and `assignPublicIp`),
 * or let the cluster build a ServiceNetwork from a `network` layout (and its `maxAzs`, `cidr`,
 * `flowLogRetention`, `restrictDefaultSecurityGroup`, `ecsExecEndpoint`). The two groups do not mix.
 */
export interface ServiceClusterProps {
  /**
   * Your own VPC. The cluster then creates no network.
   *
   * @default - a ServiceNetwork is built from `network`
   */
  readonly vpc?: ec2.IVpc;

  /**
   * With `vpc` only: where tasks run. Must select at least one subnet of `vpc`.
   *
   * @default { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly taskSubnets?: ec2.SubnetSelection;

  /**
   * With `vpc` only: give each task a public IPv4 address ($3.65/month each). Needed, and only
   * allowed, when `taskSubnets` are public subnets: without it tasks there cannot pull images.
   *
   * @default false
   */
  readonly assignPublicIp?: boolean;

  /**
   * Without `vpc` only: the layout of the network the cluster builds (child id `Network`).
   * See NetworkLayout for each layout's monthly cost and security trade-off.
   *
   * @default NetworkLayout.SINGLE_NAT - the cheapest layout that keeps tasks off the internet
   */
  readonly network?: NetworkLayout;

  /**
   * Without `vpc` only: how many AZs the built network spans (2 to 6).
   *
   * @default 2 (Defaults.maxAzs)
   */
  readonly maxAzs?: number;

  /**
   * Without `vpc` only: the built network's CIDR block.
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;

  /**
   * Without `vpc` only: how long the built network keeps VPC flow logs.
   *
   * @default logs.RetentionDays.ONE_MONTH (Defaults.flowLogRetentionDays); ONE_YEAR (at least) under `ecs-service-kit:governance=control-tower`
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Without `vpc` only: strip the rules of the built VPC's default security group (a
   * Lambda-backed custom resource; turn off only where Lambda cannot run).
   *
   * @default true
   */
  readonly restrictDefaultSecurityGroup?: boolean;

  /**
   * Without `vpc`, with `network: PRIVATE_WITH_ENDPOINTS` only: add the `ssmmessages` endpoint
   * ECS Exec needs ($7.30/month per AZ).
   *
   * @default false
   */
  readonly ecsExecEndpoint?: boolean;

  /**
   * Container Insights (enhanced observability off; per-task and per-service CPU, memory,
   * network metrics in CloudWatch). Billed as custom metrics and log ingestion.
   *
   * @default true
   */
  readonly containerInsights?: boolean;

  /**
   * The cluster's name: 1–255 letters, digits, hyphens and underscores.
   * A fixed name prevents replacing the cluster and deploying two copies of the stack in one
   * account and region.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly clusterName?: string;

  /**
   * Register the FARGATE and FARGATE_SPOT capacity providers with the cluster, so services can
   * use a capacity provider strategy (e.g. a base on FARGATE and the rest on FARGATE_SPOT at up to
   * 70% off). Registering costs nothing and puts no task on Spot by itself. With `false` the
   * cluster registers no capacity provider; services then use the FARGATE launch type, which needs none.
   *
   * @default true
   */
  readonly enableFargateSpot?: boolean;

  /**
   * Create a Cloud Map HTTP namespace of this name (child `Cluster/DefaultServiceDiscoveryNamespace`)
   * and make it the cluster's Service Connect default, so services can call each other by short
   * names (`http://orders:8080`) with `serviceConnect`. An HTTP namespace has no hosted zone and
   * no fixed cost. Lower-case DNS labels separated by dots, e.g. 'internal' or 'shop.local'.
   *
   * @default - no namespace: services cannot use Service Connect
   */
  readonly serviceConnectNamespace?: string;
}

/**
 * An ECS cluster for Fargate services, with Container Insights, the Fargate and Fargate Spot
 * capacity providers, and an explicit network: your VPC, or a ServiceNetwork built from a
 * named layout with its cost stated. Never a silent VPC with a NAT gateway per AZ.
 *
 * Services read `vpc`, `taskSubnets` and `assignPublicIp` from here, so the network decision
 * is made once per cluster.
 *
 * EC2 container instances: `addEc2Capacity(...)`; ECS Managed Instances:
 * `addManagedInstancesCapacity(...)`; Service Connect: `serviceConnectNamespace`.
 */
export class ServiceCluster extends Construct implements IServiceCluster {
  /**
   * An existing ECS cluster, by name or ARN, with the VPC and subnets its tasks run in. Creates
   * nothing: services and tasks join the cluster. What synth cannot read from it (Container
   * Insights, the Fargate capacity providers, a Service Connect namespace) you state in `attrs`.
   *
   * Capacity cannot be added to it (`addEc2Capacity` is on ServiceCluster only).
   */
  public static fromClusterAttributes(scope: Construct, id: string, attrs: ServiceClusterAttributes): IServiceCluster {
    return new ImportedServiceCluster(scope, id, attrs);
  }

  /**
   * An `ecs.ICluster` you already have in your CDK app (an `ecs.Cluster`, or one imported with
   * `ecs.Cluster.fromClusterAttributes`), for services and tasks of this library. Its VPC and
   * Service Connect namespace come from it; the Fargate capacity providers are read from an
   * `ecs.Cluster` unless `options` says.
   */
  public static fromEcsCluster(scope: Construct, id: string, ecsCluster: ecs.ICluster, options: ServiceClusterImportOptions = {}): IServiceCluster {
    return new ImportedServiceCluster(scope, id, options, ecsCluster);
  }

  /** The ECS cluster: the escape hatch to the aws-cdk-lib L2. */
  public readonly ecsCluster: ecs.Cluster;
  /** The cluster's name. */
  public readonly clusterName: string;
  /** The cluster's ARN. */
  public readonly clusterArn: string;
  /** The VPC the cluster's tasks run in: yours, or the built network's. */
  public readonly vpc: ec2.IVpc;
  /** The network the cluster built (undefined when you gave `vpc`). */
  public readonly network?: ServiceNetwork;
  /** Where services place their tasks. */
  public readonly taskSubnets: ec2.SubnetSelection;
  /** Whether services give their tasks a public IPv4 address. */
  public readonly assignPublicIp: boolean;
  /** The layout of the built network (undefined when you gave `vpc`). */
  public readonly layout?: NetworkLayout;
  /** Whether Container Insights is on (per-service metrics such as RunningTaskCount exist). */
  public readonly containerInsights: boolean;

  constructor(scope: Construct, id: string, props: ServiceClusterProps = {}) {
    super(scope, id);

    // Validate everything before any child exists.
    if (props.vpc !== undefined) {
      const networkProps: Array<[string, unknown]> = [
        ['network', props.network],
        ['maxAzs', props.maxAzs],
        ['cidr', props.cidr],
        ['flowLogRetention', props.flowLogRetention],
        ['restrictDefaultSecurityGroup', props.restrictDefaultSecurityGroup],
        ['ecsExecEndpoint', props.ecsExecEndpoint],
      ];
      for (const [prop, value] of networkProps) {
        checkExclusive(this, prop, value, 'vpc', props.vpc);
      }
    } else {
      checkNetworkProps(this, {
        layout: props.network,
        maxAzs: props.maxAzs,
        cidr: props.cidr,
        flowLogRetention: props.flowLogRetention,
        ecsExecEndpoint: props.ecsExecEndpoint,
      }, 'network');
      const byoProps: Array<[string, unknown]> = [
        ['taskSubnets', props.taskSubnets],
        ['assignPublicIp', props.assignPublicIp],
      ];
      for (const [prop, value] of byoProps) {
        if (value !== undefined) {
          fail(this, prop, value, 'needs vpc',
            `give ${prop} only together with vpc; a built network sets it from network (the NetworkLayout)`);
        }
      }
    }
    checkPattern(this, 'clusterName', props.clusterName, /^[a-zA-Z0-9_-]{1,255}$/,
      'use 1 to 255 letters, digits, hyphens and underscores');
    checkPattern(this, 'serviceConnectNamespace', props.serviceConnectNamespace,
      /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
      'use lower-case DNS labels (letters, digits, hyphens; 1–63 characters each) separated by dots, up to 253 characters, e.g. \'internal\'');

    if (props.vpc !== undefined) {
      const taskSubnets = props.taskSubnets ?? DEFAULT_TASK_SUBNETS;
      const assignPublicIp = props.assignPublicIp ?? false;
      checkTaskSubnets(this, props.vpc, taskSubnets, props.taskSubnets, assignPublicIp);
      this.vpc = props.vpc;
      this.taskSubnets = taskSubnets;
      this.assignPublicIp = assignPublicIp;
    } else {
      // Checked above under the names used here; ServiceNetwork's own checks then pass.
      this.network = new ServiceNetwork(this, 'Network', {
        layout: props.network,
        maxAzs: props.maxAzs,
        cidr: props.cidr,
        flowLogRetention: props.flowLogRetention,
        restrictDefaultSecurityGroup: props.restrictDefaultSecurityGroup,
        ecsExecEndpoint: props.ecsExecEndpoint,
      });
      this.vpc = this.network.vpc;
      this.taskSubnets = this.network.taskSubnets;
      this.assignPublicIp = this.network.assignPublicIp;
      this.layout = this.network.layout;
    }

    const containerInsights = props.containerInsights ?? true;
    this.ecsCluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: props.clusterName,
      containerInsightsV2: containerInsights ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
      enableFargateCapacityProviders: props.enableFargateSpot ?? true,
    });
    this.clusterName = this.ecsCluster.clusterName;
    this.clusterArn = this.ecsCluster.clusterArn;
    this.containerInsights = containerInsights;
    if (props.serviceConnectNamespace !== undefined) {
      this.ecsCluster.addDefaultCloudMapNamespace({
        name: props.serviceConnectNamespace,
        type: servicediscovery.NamespaceType.HTTP,
        useForServiceConnect: true,
      });
    }
  }

  /** The Service Connect namespace: the one `serviceConnectNamespace` created, or one added to `ecsCluster` later. */
  public get namespace(): servicediscovery.INamespace | undefined {
    return this.ecsCluster.defaultCloudMapNamespace;
  }

  /** Whether the FARGATE and FARGATE_SPOT capacity providers are associated with the cluster (read when asked: they can be added later). */
  public get fargateCapacityProviders(): boolean {
    return hasFargateCapacityProviders(this.ecsCluster);
  }

  /**
   * The ECS cluster.
   * @deprecated use `ecsCluster` (`cluster.cluster` read twice the same word); removed in 1.0
   */
  public get cluster(): ecs.Cluster {
    return this.ecsCluster;
  }

  /**
   * Adds EC2 capacity: an Auto Scaling group of ECS-optimized instances in the task subnets,
   * registered as a capacity provider with managed scaling. Services and tasks run on it with
   * their `ec2Capacity` prop.
   */
  public addEc2Capacity(id: string, options: Ec2CapacityOptions = {}): Ec2Capacity {
    return new Ec2Capacity(this, id, { ...options, cluster: this });
  }

  /**
   * Adds ECS Managed Instances: a capacity provider with which ECS launches, patches and
   * terminates EC2 instances of the allowed sizes in the task subnets. Services and tasks run on
   * it with their `managedInstancesCapacity` prop.
   */
  public addManagedInstancesCapacity(id: string, options: ManagedInstancesCapacityOptions = {}): ManagedInstancesCapacity {
    return new ManagedInstancesCapacity(this, id, { ...options, cluster: this });
  }
}
