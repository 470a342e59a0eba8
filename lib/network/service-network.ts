import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Defaults } from '../defaults';
import { Governance, governedLogRetention } from '../governance/governance';
import { formatValue } from '../validation/checks';
import { ConfigurationError } from '../validation/configuration-error';
import { checkNetworkProps, DEFAULT_CIDR, plannedAzCount } from './network-checks';
import { NetworkLayout } from './network-layout';
import { describeCost, fixedMonthlyCostUsd, natGatewaysFor } from './layout-pricing';
import { recordTaskStartEndpoints } from './task-start';
import { skipCheckov } from '../validation/checkov';

/**
 * Props for a ServiceNetwork.
 */
export interface ServiceNetworkProps {
  /**
   * How tasks reach the internet and AWS APIs; each layout documents its monthly cost and
   * security trade-off.
   *
   * @default NetworkLayout.SINGLE_NAT - the cheapest layout that keeps tasks off the internet
   */
  readonly layout?: NetworkLayout;

  /**
   * How many Availability Zones the VPC spans, from 2 (an Application Load Balancer needs two)
   * to 6. Fewer are used when the region (or, for an environment-agnostic stack, CDK) offers fewer.
   * NAT_PER_AZ and PRIVATE_WITH_ENDPOINTS cost more with every AZ.
   *
   * @default 2 (Defaults.maxAzs)
   */
  readonly maxAzs?: number;

  /**
   * The VPC's IPv4 CIDR block, /16 to /28 as AWS allows, and large enough that every subnet
   * (split evenly) is at least a /27, which an Application Load Balancer needs.
   * Must be a concrete string (CDK splits it into subnets at synth time).
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;

  /**
   * How long VPC flow log records are kept in CloudWatch Logs.
   *
   * @default logs.RetentionDays.ONE_MONTH (Defaults.flowLogRetentionDays); ONE_YEAR (at least) under `ecs-service-kit:governance=control-tower`
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Remove all rules from the VPC's default security group, so nothing that falls back to it
   * is reachable. aws-cdk-lib implements this with a Lambda-backed custom resource; turn it
   * off only where Lambda cannot run (e.g. a local emulator).
   *
   * @default true
   */
  readonly restrictDefaultSecurityGroup?: boolean;

  /**
   * With PRIVATE_WITH_ENDPOINTS only: also create the `ssmmessages` interface endpoint that
   * ECS Exec needs to open a shell in a task. Costs $7.30/month per AZ, so it is off unless
   * you use ECS Exec (the NAT and public layouts reach ssmmessages without it). A service with
   * `enableExecuteCommand` in this network adds the same endpoint (once) without it.
   *
   * @default false - created only when a service with `enableExecuteCommand` runs in the network
   */
  readonly ecsExecEndpoint?: boolean;
}

/**
 * A VPC for container services, built from one of the named NetworkLayouts, with VPC flow
 * logs on and its fixed monthly cost stated.
 *
 * Subnets are split evenly from the CIDR; one subnet per layout group per AZ.
 */
export class ServiceNetwork extends Construct {
  /**
   * The fixed monthly cost (USD, us-east-1 list prices) of a layout in a VPC spanning `azCount` AZs:
   * NAT gateways with their Elastic IPs ($36.50 each) and interface endpoints ($7.30 per endpoint per AZ).
   * Excludes data processing, the load balancer, and the public IPv4 address of each task in PUBLIC_ONLY.
   *
   * @param layout the network layout
   * @param azCount how many AZs the VPC spans
   * @param ecsExecEndpoint whether the PRIVATE_WITH_ENDPOINTS network also has the ssmmessages endpoint
   * @param extraInterfaceEndpoints interface endpoints added to a PRIVATE_WITH_ENDPOINTS network
   *   on demand (1 for the SQS endpoint once a WorkerService with a queue runs in it)
   */
  public static estimateMonthlyCostUsd(layout: NetworkLayout, azCount: number, ecsExecEndpoint?: boolean, extraInterfaceEndpoints?: number): number {
    checkEstimateArgs('ServiceNetwork.estimateMonthlyCostUsd', layout, azCount, extraInterfaceEndpoints);
    return fixedMonthlyCostUsd(layout, azCount, ecsExecEndpoint ?? false, extraInterfaceEndpoints ?? 0);
  }

  /**
   * A one-line, human-readable breakdown of a layout's monthly cost, for docs and reviews.
   *
   * @param layout the network layout
   * @param azCount how many AZs the VPC spans
   * @param ecsExecEndpoint whether the PRIVATE_WITH_ENDPOINTS network also has the ssmmessages endpoint
   * @param extraInterfaceEndpoints interface endpoints added to a PRIVATE_WITH_ENDPOINTS network
   *   on demand (1 for the SQS endpoint once a WorkerService with a queue runs in it)
   */
  public static describeMonthlyCost(layout: NetworkLayout, azCount: number, ecsExecEndpoint?: boolean, extraInterfaceEndpoints?: number): string {
    checkEstimateArgs('ServiceNetwork.describeMonthlyCost', layout, azCount, extraInterfaceEndpoints);
    return describeCost(layout, azCount, ecsExecEndpoint ?? false, extraInterfaceEndpoints ?? 0);
  }

  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The layout this network was built with. */
  public readonly layout: NetworkLayout;
  /** Where tasks run: public subnets (PUBLIC_ONLY), private with egress (NAT layouts) or isolated (endpoints). */
  public readonly taskSubnets: ec2.SubnetSelection;
  /** Where an internet-facing load balancer goes: the public subnets. */
  public readonly loadBalancerSubnets: ec2.SubnetSelection;
  /** Whether tasks need a public IPv4 address to reach ECR and CloudWatch: true only for PUBLIC_ONLY. */
  public readonly assignPublicIp: boolean;
  /** The VPC flow log (all traffic, to CloudWatch Logs). */
  public readonly flowLog: ec2.FlowLog;
  /** The log group receiving flow log records; retained when the stack is deleted. */
  public readonly flowLogGroup: logs.LogGroup;
  /** How many NAT gateways the network has. */
  public readonly natGateways: number;
  /**
   * The interface VPC endpoints (PRIVATE_WITH_ENDPOINTS only; empty otherwise), including those
   * added on demand by `addInterfaceEndpoint` (the SQS endpoint of a worker's queue).
   */
  public readonly interfaceEndpoints: ec2.InterfaceVpcEndpoint[];
  /** The S3 gateway endpoint (PRIVATE_WITH_ENDPOINTS only). */
  public readonly s3Endpoint?: ec2.GatewayVpcEndpoint;
  /** The security group of the interface endpoints: HTTPS from the VPC's CIDR only (PRIVATE_WITH_ENDPOINTS only). */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;
  /** The ssmmessages endpoint (ECS Exec) was asked for. */
  private readonly ecsExecEndpoint: boolean;
  /** Interface endpoints by service name, so each service gets one endpoint per network. */
  private readonly endpointsByService = new Map<string, ec2.InterfaceVpcEndpoint>();
  /** Interface endpoints the layout itself creates (the rest were added on demand). */
  private readonly layoutEndpointCount: number;

  constructor(scope: Construct, id: string, props: ServiceNetworkProps = {}) {
    super(scope, id);

    // Validate everything before any child exists.
    checkNetworkProps(this, props, 'layout');

    const layout = props.layout ?? NetworkLayout.SINGLE_NAT;
    const maxAzs = props.maxAzs ?? Defaults.maxAzs;
    const azCount = plannedAzCount(this, maxAzs);
    const cidr = props.cidr ?? DEFAULT_CIDR;

    this.layout = layout;
    this.assignPublicIp = layout === NetworkLayout.PUBLIC_ONLY;
    const ecsExecEndpoint = props.ecsExecEndpoint ?? false;
    const restrictDefaultSecurityGroup = props.restrictDefaultSecurityGroup ?? true;
    const flowLogRetention = governedLogRetention(this, 'flowLogRetention', props.flowLogRetention, Defaults.flowLogRetentionDays);

    const taskSubnetType = taskSubnetTypeFor(layout);
    // No public IPv4 address for whatever launches into the public subnets (AWS Control Tower
    // CT.EC2.PR.11): NAT gateways take their Elastic IPs, the load balancer its own addresses,
    // and PUBLIC_ONLY tasks ask for one per task (awsvpc assignPublicIp), none of which reads
    // the subnet's MapPublicIpOnLaunch.
    const subnetConfiguration: ec2.SubnetConfiguration[] = [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false }];
    if (taskSubnetType === ec2.SubnetType.PRIVATE_WITH_EGRESS) {
      subnetConfiguration.push({ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    } else if (taskSubnetType === ec2.SubnetType.PRIVATE_ISOLATED) {
      subnetConfiguration.push({ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    }

    this.natGateways = natGatewaysFor(layout, azCount);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs,
      natGateways: this.natGateways,
      subnetConfiguration,
      restrictDefaultSecurityGroup,
    });
    if (restrictDefaultSecurityGroup) acknowledgeRestrictDefaultSgHandler(this);
    this.taskSubnets = { subnetType: taskSubnetType };
    this.loadBalancerSubnets = { subnetType: ec2.SubnetType.PUBLIC };

    const flowLogKey = Governance.logEncryptionKey(this);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      retention: flowLogRetention,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: flowLogKey,
    });
    if (!flowLogKey) {
      skipCheckov(this.flowLogGroup, 'CKV_AWS_158', 'CloudWatch Logs encrypts every log group at rest with service-owned keys; flow logs carry no payloads.');
    }
    this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
      resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    restrictFlowLogTrust(this.flowLog);

    this.interfaceEndpoints = [];
    this.ecsExecEndpoint = ecsExecEndpoint;
    if (layout === NetworkLayout.PRIVATE_WITH_ENDPOINTS) {
      const endpointSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
      // ECR keeps image layers in S3: without this route, image pulls from isolated subnets hang.
      this.s3Endpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [endpointSubnets],
      });
      // One group for all endpoints (instead of one each) keeps the template and the rules small.
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'VPC interface endpoints: HTTPS from inside the VPC only',
        allowAllOutbound: false,
      });
      // The concrete CIDR (not the VPC's CidrBlock attribute) keeps the rule checkable by cdk-nag EC23.
      this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');

      const services: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
        ['EcrApiEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR],
        ['EcrDockerEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
        ['LogsEndpoint', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
        ['SecretsManagerEndpoint', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
        ['SsmEndpoint', ec2.InterfaceVpcEndpointAwsService.SSM],
      ];
      if (ecsExecEndpoint) {
        services.push(['SsmMessagesEndpoint', ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES]);
      }
      for (const [endpointId, service] of services) {
        this.addInterfaceEndpoint(endpointId, service);
      }
    }
    this.layoutEndpointCount = this.interfaceEndpoints.length;
    // Not the endpoints added on demand later (SQS, a service's ssmmessages): only the services that need them wait for them.
    recordTaskStartEndpoints(this, [...this.interfaceEndpoints, ...(this.s3Endpoint ? [this.s3Endpoint] : [])]);
  }

  /**
   * Fixed monthly cost in USD (us-east-1 list prices): NAT gateways with their Elastic IPs
   * ($36.50 each) plus interface endpoints × AZs ($7.30 each), including endpoints added on
   * demand (the SQS endpoint once a worker with a queue runs here).
   * Excludes data processing ($0.045/GB through NAT, $0.01/GB through endpoints), the load
   * balancer, and the $3.65/month public IPv4 address of each task in PUBLIC_ONLY.
   */
  public get estimatedMonthlyCostUsd(): number {
    return fixedMonthlyCostUsd(this.layout, this.vpc.availabilityZones.length, this.ecsExecEndpoint, this.extraEndpointCount);
  }

  /** The same estimate as a sentence, e.g. for a stack description or a review comment. */
  public get costDescription(): string {
    return describeCost(this.layout, this.vpc.availabilityZones.length, this.ecsExecEndpoint, this.extraEndpointCount);
  }

  /**
   * In a PRIVATE_WITH_ENDPOINTS network, the interface endpoint through which tasks reach
   * `service` (created once per service: later calls return the first endpoint, whatever their
   * `id`), in the isolated subnets, with private DNS, behind the shared endpoint security group
   * (HTTPS from the VPC). Each one costs $7.30/month per AZ plus $0.01/GB. The other layouts
   * reach every AWS API through their NAT or internet gateway and get no endpoint.
   *
   * A WorkerService with a queue calls this for SQS; call it for any other AWS service your
   * tasks call (e.g. `ec2.InterfaceVpcEndpointAwsService.KMS`).
   *
   * @param id the endpoint's construct id under the VPC, e.g. 'SqsEndpoint'
   * @param service the AWS service
   * @returns the endpoint, or undefined when the layout reaches AWS without endpoints
   */
  public addInterfaceEndpoint(id: string, service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint | undefined {
    if (this.layout !== NetworkLayout.PRIVATE_WITH_ENDPOINTS) return undefined;
    const existing = this.endpointsByService.get(service.name);
    if (existing) return existing;
    const endpoint = this.vpc.addInterfaceEndpoint(id, {
      service,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.endpointSecurityGroup!],
      // The shared group already admits 443 from the VPC; `open` would add the same rule again.
      open: false,
      privateDnsEnabled: true,
    });
    this.endpointsByService.set(service.name, endpoint);
    this.interfaceEndpoints.push(endpoint);
    return endpoint;
  }

  private get extraEndpointCount(): number {
    return this.interfaceEndpoints.length - this.layoutEndpointCount;
  }
}

/**
 * Confused-deputy protection on the role aws-cdk-lib creates for the flow log (logical id kept):
 * vpc-flow-logs.amazonaws.com may assume it only for flow logs of this account and region, as
 * the VPC user guide recommends (aws:SourceAccount, and aws:SourceArn with the flow log id as a
 * wildcard: the flow log's own ARN would make the role and the flow log depend on each other).
 */
function restrictFlowLogTrust(flowLog: ec2.FlowLog): void {
  const role = flowLog.iamRole?.node.defaultChild;
  if (!(role instanceof iam.CfnRole)) return;
  const stack = Stack.of(flowLog);
  // One statement (sts:AssumeRole for the service principal): the condition goes on it.
  role.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }) },
  });
}

/**
 * `restrictDefaultSecurityGroup` makes aws-cdk-lib add a custom-resource Lambda function, a
 * singleton at the root of the stack (construct id `Custom::VpcRestrictDefaultSGCustomResourceProvider`,
 * child `Handler`). checkov's Lambda checks cannot apply to it; the skips sit in its template
 * metadata with their reasons, so a user's own checkov run sees them without any config file.
 */
function acknowledgeRestrictDefaultSgHandler(scope: Construct): void {
  const provider = Stack.of(scope).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  const handler = provider?.node.tryFindChild('Handler');
  if (!handler) {
    throw new Error(`${scope.node.path}: aws-cdk-lib's restrict-default-security-group handler is not where this library looks for it `
      + '(Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler at the stack root): update acknowledgeRestrictDefaultSgHandler');
  }
  const what = 'aws-cdk-lib\'s custom-resource handler that removes the rules of the VPC\'s default security group';
  skipCheckov(handler, 'CKV_AWS_115', `${what}: CloudFormation invokes it only for this stack's custom resource, once per create, update or delete of it; there is no event stream whose concurrency a limit would cap.`);
  skipCheckov(handler, 'CKV_AWS_116', `${what}: a failed invocation fails that stack operation in CloudFormation, where it is seen; a dead-letter queue would hold events nobody replays.`);
  skipCheckov(handler, 'CKV_AWS_117', `${what}: it calls only the EC2 API and handles no data; inside the VPC it would need a NAT gateway or an EC2 endpoint, and the PUBLIC_ONLY and PRIVATE_WITH_ENDPOINTS layouts have neither.`);
}

/** The static estimators have no construct to name, so their errors name the method. */
function checkEstimateArgs(method: string, layout: NetworkLayout, azCount: number, extraInterfaceEndpoints?: number): void {
  if (!Object.values(NetworkLayout).includes(layout)) {
    throw new ConfigurationError(method, 'layout', formatValue(layout), 'is not allowed',
      `use one of ${Object.values(NetworkLayout).map(formatValue).join(', ')}`);
  }
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > 6) {
    throw new ConfigurationError(method, 'azCount', formatValue(azCount), 'is out of range', 'use an integer from 1 to 6');
  }
  if (extraInterfaceEndpoints !== undefined && (!Number.isInteger(extraInterfaceEndpoints) || extraInterfaceEndpoints < 0)) {
    throw new ConfigurationError(method, 'extraInterfaceEndpoints', formatValue(extraInterfaceEndpoints), 'is out of range', 'use an integer of 0 or more');
  }
}

function taskSubnetTypeFor(layout: NetworkLayout): ec2.SubnetType {
  switch (layout) {
    case NetworkLayout.PUBLIC_ONLY: return ec2.SubnetType.PUBLIC;
    case NetworkLayout.PRIVATE_WITH_ENDPOINTS: return ec2.SubnetType.PRIVATE_ISOLATED;
    default: return ec2.SubnetType.PRIVATE_WITH_EGRESS;
  }
}
