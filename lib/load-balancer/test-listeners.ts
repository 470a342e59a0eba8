import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { skipCheckov } from '../validation/checkov';
import { checkPort, fail } from '../validation/checks';
import { HTTP_PORT, HTTPS_PORT, noRouteAction } from './listener-defaults';
import { addIngress, literalVpcCidr } from './load-balancer-ingress';
import { ServiceLoadBalancerProps } from './service-load-balancer-props';

/** What a ServiceLoadBalancer's test listeners copy from it. */
export interface TestListenerSettings {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  /** The production listener's certificate; undefined for an HTTP-only load balancer. */
  readonly certificate?: acm.ICertificate;
  readonly protocol: elbv2.ApplicationProtocol;
  readonly sslPolicy: elbv2.SslPolicy;
  readonly props: ServiceLoadBalancerProps;
  readonly internetFacing: boolean;
  readonly dualStack: boolean;
}

/**
 * The test listeners of a ServiceLoadBalancer's blue/green services, by port. Internal: not
 * exported from index.ts.
 */
export class TestListeners {
  private readonly byPort = new Map<number, elbv2.ApplicationListener>();

  /**
   * @param owner the load balancer construct: errors name it
   */
  constructor(private readonly owner: Construct, private readonly settings: TestListenerSettings) {}

  /** The test listener on `port`, created once. */
  public listener(port: number): elbv2.ApplicationListener {
    checkPort(this.owner, 'testPort', port);
    const taken = this.settings.certificate ? [HTTPS_PORT, HTTP_PORT] : [HTTP_PORT];
    if (taken.includes(port)) {
      fail(this.owner, 'testPort', port, 'is a production listener port of the load balancer', `use another port, e.g. ${this.settings.certificate ? 8443 : 8080}`);
    }
    const existing = this.byPort.get(port);
    if (existing) return existing;
    const https = this.settings.certificate !== undefined;
    const listener = this.settings.loadBalancer.addListener(`TestListener${port}`, {
      port,
      protocol: this.settings.protocol,
      certificates: https ? [elbv2.ListenerCertificate.fromCertificateManager(this.settings.certificate)] : undefined,
      sslPolicy: https ? this.settings.sslPolicy : undefined,
      open: false,
      defaultAction: noRouteAction(),
    });
    if (!https) {
      const reason = 'Test listener of an HTTP-only load balancer (no certificate given); the ecs-service-kit:http-only synth warning flags it.';
      skipCheckov(listener, 'CKV_AWS_2', reason);
      skipCheckov(listener, 'CKV_AWS_103', reason);
    }
    // The unreleased revision answers here during every deployment: never public by default.
    // Callers inside the VPC reach an internet-facing load balancer through its public addresses,
    // from a NAT gateway's Elastic IP or their own public IP, so the VPC's CIDR would admit nobody
    // there: the user must say who may call.
    if (this.settings.internetFacing && this.settings.props.testListenerAllowedCidrs === undefined) {
      fail(this.owner, 'testListenerAllowedCidrs', undefined,
        `is needed for the test listener on port ${port}: the load balancer is internet-facing, so callers in the VPC arrive from public addresses (a NAT gateway's Elastic IP) and a VPC-only default would admit nobody, while allowedCidrs would make the unreleased revision public`,
        'give the public CIDRs of your smoke-test callers (CI runners; the NAT gateways\' Elastic IPs as /32 for callers in the VPC), or [\'0.0.0.0/0\'] to make the test listener public on purpose; an internal load balancer defaults to its VPC');
    }
    const testCidrs = this.settings.props.testListenerAllowedCidrs ?? [literalVpcCidr(this.settings.props.vpc)];
    addIngress(this.settings.securityGroup, { ...this.settings.props, allowedCidrs: testCidrs }, this.settings.internetFacing, this.settings.dualStack, [port]);
    this.byPort.set(port, listener);
    return listener;
  }
}
