import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ServiceCluster } from '../cluster/service-cluster';
import { ServiceLoadBalancer, ServiceLoadBalancerOptions } from '../load-balancer/service-load-balancer';
import { NetworkLayout } from '../network/network-layout';
import { ImageRepository, ImageRepositoryProps } from '../registry/image-repository';
import { WebService } from '../service/web-service';
import { WebServiceOptions } from '../service/web-service-options';
import { fail } from '../validation/checks';

/**
 * Properties of a ContainerWebApp: the service's options, where it runs, and the settings of the
 * load balancer it creates (ServiceLoadBalancer's, with the same names, so an error from the load
 * balancer names a prop you can set here). The load-balancer settings only apply without
 * `loadBalancer`.
 */
export interface ContainerWebAppProps extends WebServiceOptions, ServiceLoadBalancerOptions {
  /**
   * The repository CI pushes release images to. Pass one you created to build the image
   * reference from it (`ServiceImage.fromImageRepository(repo, { tag })`).
   *
   * @default - a new ImageRepository with `repositoryProps`
   */
  readonly repository?: ImageRepository;

  /**
   * Settings of the repository the app creates. Only without `repository`.
   *
   * @default - ImageRepository's defaults: immutable tags, scan on push, AES256, retained
   */
  readonly repositoryProps?: ImageRepositoryProps;

  /**
   * An existing cluster to run in (its VPC is used too).
   *
   * @default - a new ServiceCluster in `vpc` or with the `network` layout
   */
  readonly cluster?: ServiceCluster;

  /**
   * An existing VPC for the new cluster and load balancer. Only without `cluster`.
   *
   * @default - a new VPC with the `network` layout
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The network layout of the new VPC. Only without `cluster` and `vpc`.
   *
   * @default NetworkLayout.SINGLE_NAT
   */
  readonly network?: NetworkLayout;

  /**
   * Remove all rules from the new VPC's default security group (a Lambda-backed custom
   * resource does it). Only without `cluster` and `vpc`.
   *
   * @default true
   */
  readonly restrictDefaultSecurityGroup?: boolean;

  /**
   * A Cloud Map namespace for ECS Service Connect on the new cluster, so this app's service
   * (with `serviceConnect`) and others in the cluster call each other by name. Only without
   * `cluster` (give a cluster its namespace yourself).
   *
   * @default - no namespace
   */
  readonly serviceConnectNamespace?: string;

  /**
   * An existing load balancer to attach to (share one between apps). Configure it where you
   * create it: the load-balancer settings of these props cannot be combined with it.
   *
   * @default - a new ServiceLoadBalancer with the load-balancer settings of these props
   */
  readonly loadBalancer?: ServiceLoadBalancer;
}

/**
 * The ServiceLoadBalancerOptions of ContainerWebAppProps, as a list, so that they are passed on
 * and checked against `loadBalancer` together. Keep in step with ServiceLoadBalancerOptions.
 */
const LOAD_BALANCER_OPTIONS: ReadonlyArray<keyof ServiceLoadBalancerOptions> = [
  'internetFacing', 'dualStack', 'certificate', 'domainName', 'hostedZone', 'allowedCidrs', 'sslPolicy',
  'accessLogs', 'accessLogBucket', 'accessLogPrefix', 'accessLogExpiry', 'idleTimeout', 'desyncMitigationMode',
  'loadBalancerName', 'deletionProtection',
];

function loadBalancerOptions(props: ContainerWebAppProps): ServiceLoadBalancerOptions {
  const options: Record<string, unknown> = {};
  for (const key of LOAD_BALANCER_OPTIONS) {
    if (props[key] !== undefined) options[key] = props[key];
  }
  return options;
}

/** A prop value as an error message shows it: constructs by path. */
function describeOption(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  return value instanceof Construct ? value.node.path : value;
}

/**
 * The common case in one construct: an image repository, a cluster in a network layout, a
 * shared load balancer and a web service behind it. Every part is a public member, so any of
 * them can be changed or reused.
 */
export class ContainerWebApp extends Construct {
  /** The repository release images are pushed to. */
  public readonly repository: ImageRepository;
  /** The cluster and its network. */
  public readonly cluster: ServiceCluster;
  /** The load balancer. */
  public readonly loadBalancer: ServiceLoadBalancer;
  /** The web service. */
  public readonly service: WebService;
  /** Where the app is reachable. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ContainerWebAppProps) {
    super(scope, id);
    if (props.repository && props.repositoryProps) {
      fail(this, 'repositoryProps', props.repositoryProps, 'cannot be combined with repository', 'configure the repository you pass, or let the app create one with repositoryProps');
    }
    if (props.cluster && (props.vpc || props.network)) {
      fail(this, props.vpc ? 'vpc' : 'network', props.vpc ? props.vpc.node.path : props.network, 'cannot be combined with cluster', 'the cluster brings its own network: give cluster, or vpc/network');
    }
    if (props.vpc && props.network) {
      fail(this, 'network', props.network, 'cannot be combined with vpc', 'a network layout only applies to a VPC the app builds: give vpc or network');
    }
    if ((props.cluster || props.vpc) && props.restrictDefaultSecurityGroup !== undefined) {
      fail(this, 'restrictDefaultSecurityGroup', props.restrictDefaultSecurityGroup, `cannot be combined with ${props.cluster ? 'cluster' : 'vpc'}`,
        'it only applies to a VPC the app builds: configure your own VPC instead');
    }
    if (props.cluster && props.serviceConnectNamespace !== undefined) {
      fail(this, 'serviceConnectNamespace', props.serviceConnectNamespace, 'cannot be combined with cluster',
        'create the cluster with serviceConnectNamespace, or let the app create the cluster');
    }
    const lbOptions = loadBalancerOptions(props);
    const lbOption = LOAD_BALANCER_OPTIONS.find(key => lbOptions[key] !== undefined);
    if (props.loadBalancer && lbOption !== undefined) {
      fail(this, lbOption, describeOption(lbOptions[lbOption]), 'cannot be combined with loadBalancer', 'configure the load balancer you pass instead');
    }

    if (props.loadBalancer && !props.cluster && !props.vpc) {
      // A new network would put the tasks in another VPC than the load balancer: fails at deploy time.
      fail(this, 'loadBalancer', props.loadBalancer.node.path, 'needs cluster (or vpc) too: a new network would not be the load balancer\'s VPC',
        'give the cluster the load balancer\'s VPC serves, or the load balancer\'s vpc');
    }

    this.repository = props.repository ?? new ImageRepository(this, 'Repository', props.repositoryProps ?? {});
    this.cluster = props.cluster ?? new ServiceCluster(this, 'Cluster', {
      vpc: props.vpc,
      network: props.vpc ? undefined : props.network,
      restrictDefaultSecurityGroup: props.vpc ? undefined : props.restrictDefaultSecurityGroup,
      serviceConnectNamespace: props.serviceConnectNamespace,
    });
    this.loadBalancer = props.loadBalancer ?? new ServiceLoadBalancer(this, 'LoadBalancer', {
      ...lbOptions,
      vpc: this.cluster.vpc,
    });
    this.service = new WebService(this, 'Service', {
      ...props,
      cluster: this.cluster,
      loadBalancer: this.loadBalancer,
    });
    this.url = this.loadBalancer.url;
  }
}
