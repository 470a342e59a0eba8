import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { checkPort, fail } from '../validation/checks';
import { ListenerRoutes } from './listener-routes';
import { IServiceLoadBalancer, ServiceLoadBalancerAttributes, ServiceRouteOptions } from './service-load-balancer-ref';

const LISTENER_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):listener\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+\/[0-9a-f]+$/;

/**
 * The listener of a load balancer this library did not create. It creates one security group
 * (`TargetSecurityGroup`, which services' tasks join and which admits the load balancer on their
 * ports) and, per service, a listener rule in the service's stack. The load balancer, its
 * listener and their default action stay untouched. Internal: the public factory is
 * `ServiceLoadBalancer.fromListenerAttributes`.
 */
export class ImportedServiceLoadBalancer extends Construct implements IServiceLoadBalancer {
  public readonly listenerArn: string;
  public readonly vpc: ec2.IVpc;
  public readonly targetSecurityGroup: ec2.ISecurityGroup;
  public readonly url: string;
  public readonly protocol: elbv2.ApplicationProtocol;
  public readonly port: number;
  /** The imported listener. */
  public readonly listener: elbv2.IApplicationListener;
  private readonly routing: ListenerRoutes;

  constructor(scope: Construct, id: string, attrs: ServiceLoadBalancerAttributes) {
    super(scope, id);
    checkListenerArn(this, attrs.listenerArn);
    if (!attrs.securityGroup) fail(this, 'securityGroup', attrs.securityGroup, 'is missing', 'give the load balancer\'s security group (ec2.SecurityGroup.fromSecurityGroupId(...))');
    if (!attrs.vpc) fail(this, 'vpc', attrs.vpc, 'is missing', 'give the VPC of the load balancer');
    const protocol = attrs.protocol ?? elbv2.ApplicationProtocol.HTTPS;
    if (protocol !== elbv2.ApplicationProtocol.HTTPS && protocol !== elbv2.ApplicationProtocol.HTTP) {
      fail(this, 'protocol', protocol, 'is not a protocol of an Application Load Balancer listener', 'use elbv2.ApplicationProtocol.HTTPS or HTTP');
    }
    checkPort(this, 'port', attrs.port);
    if (attrs.url === undefined && attrs.loadBalancerDnsName === undefined) {
      fail(this, 'url', undefined, 'is missing (and so is loadBalancerDnsName)', 'give the URL the services are reached at, or the load balancer\'s DNS name');
    }
    if (attrs.url !== undefined && !Token.isUnresolved(attrs.url) && !/^https?:\/\/[^\s/]+/.test(attrs.url)) {
      fail(this, 'url', attrs.url, 'is not an http(s) URL', 'use e.g. "https://app.example.com"');
    }

    this.listenerArn = attrs.listenerArn;
    this.vpc = attrs.vpc;
    this.protocol = protocol;
    this.port = attrs.port ?? (protocol === elbv2.ApplicationProtocol.HTTPS ? 443 : 80);
    this.url = attrs.url ?? `${protocol.toLowerCase()}://${attrs.loadBalancerDnsName}`;
    this.targetSecurityGroup = new ec2.SecurityGroup(this, 'TargetSecurityGroup', {
      vpc: attrs.vpc,
      description: `Targets of ${this.node.path}: admits the imported load balancer on the target ports`,
      // Joined in addition to each service's own group, which decides the tasks' egress.
      allowAllOutbound: false,
    });
    this.listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(this, 'Listener', {
      listenerArn: attrs.listenerArn,
      securityGroup: attrs.securityGroup,
      defaultPort: this.port,
    });
    this.routing = new ListenerRoutes(this, this.listener, (port) => this.allowTargetPort(attrs.securityGroup, port));
  }

  public openTargetPort(port: number): void {
    this.routing.openTargetPort(port);
  }

  public addTarget(id: string, options: ServiceRouteOptions): elbv2.ApplicationListenerRule | undefined {
    return this.routing.addTarget(id, options);
  }

  /**
   * Ingress on the target group from the load balancer's group, and always an egress rule on the
   * load balancer's group to the target group: an imported group reads as open outbound to
   * aws-cdk-lib, but a load balancer made by ServiceLoadBalancer (or any careful platform team)
   * allows no egress, and its health checks would time out. Both rules live in this stack and go
   * with it.
   */
  private allowTargetPort(loadBalancerSecurityGroup: ec2.ISecurityGroup, port: number): void {
    const description = `Load balancer to the targets of ${this.node.path} on ${port}`;
    this.targetSecurityGroup.addIngressRule(loadBalancerSecurityGroup, ec2.Port.tcp(port), description);
    new ec2.CfnSecurityGroupEgress(this, `LoadBalancerEgress${port}`, {
      groupId: loadBalancerSecurityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      destinationSecurityGroupId: this.targetSecurityGroup.securityGroupId,
      description,
    });
  }
}

function checkListenerArn(scope: Construct, arn: string): void {
  if (arn === undefined) fail(scope, 'listenerArn', arn, 'is missing', 'give the ARN of the listener services attach to');
  if (Token.isUnresolved(arn)) return;
  const match = LISTENER_ARN.exec(arn);
  if (!match) {
    fail(scope, 'listenerArn', arn, 'is not the ARN of an Application Load Balancer listener',
      'use arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id> (a Network Load Balancer listener, net/..., cannot route by path or host)');
  }
  const [, region, account] = match;
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region) && stack.region !== region) {
    fail(scope, 'listenerArn', arn, `is in ${region}, but the stack deploys to ${stack.region}; a load balancer forwards only to targets of its own region`,
      'import a listener of the stack\'s region');
  }
  if (!Token.isUnresolved(stack.account) && stack.account !== account) {
    fail(scope, 'listenerArn', arn, `belongs to account ${account}, but the stack deploys to ${stack.account}; listener rules can only be added in the listener's account`,
      'import a listener of the stack\'s account');
  }
}
