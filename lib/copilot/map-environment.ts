import { Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ServiceClusterProps } from '../cluster/service-cluster';
import { ServiceLoadBalancerProps } from '../load-balancer/service-load-balancer-props';
import { failWithText } from '../validation/checks';
import { ManifestReader } from './manifest-reader';

/** The cluster's props from the environment manifest: its VPC (built from `network.vpc.cidr`, or the given one), Container Insights, the Service Connect namespace. */
export function clusterProps(scope: Construct, env: ManifestReader | undefined, application: string, environment: string, vpc: ec2.IVpc | undefined): ServiceClusterProps {
  const vpcId = env?.string('network.vpc.id');
  if (vpcId !== undefined) {
    if (vpc === undefined) {
      failWithText(scope, `${env!.file} network.vpc.id`, JSON.stringify(vpcId), 'names an existing VPC, which synth cannot read from the manifest alone',
        `pass it as the vpc prop: vpc: ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: '${vpcId}' })`);
    }
    if (!Token.isUnresolved(vpc.vpcId) && vpc.vpcId !== vpcId) {
      failWithText(scope, 'vpc', vpc.vpcId, `is not the VPC ${vpcId} that ${env!.file} names`, 'pass the environment\'s VPC, or remove network.vpc.id');
    }
    // The subnets Copilot was told about are the VPC's; the lookup reads them.
    env!.take('network.vpc.subnets');
  }
  return {
    vpc,
    cidr: vpc === undefined ? env?.string('network.vpc.cidr') : undefined,
    containerInsights: containerInsights(env),
    // Not Copilot's `<env>.<app>.local`: that namespace exists while Copilot runs beside this app
    // (an HTTP namespace's name is unique in the account and Region). Callers use the short names.
    serviceConnectNamespace: `${environment}.${application}.service-connect`.toLowerCase(),
  };
}

/** `observability.container_insights`: true, false, or `enhanced` (on; this library's Container Insights has no enhanced mode). */
function containerInsights(env: ManifestReader | undefined): boolean | undefined {
  if (env?.peek('observability.container_insights')?.scalar !== 'enhanced') return env?.boolean('observability.container_insights');
  env.take('observability.container_insights');
  return true;
}

/** The public or internal load balancer's props from the environment manifest's `http.public` or `http.private`. */
export function loadBalancerProps(scope: Construct, env: ManifestReader | undefined, which: 'public' | 'private', vpc: ec2.IVpc): ServiceLoadBalancerProps {
  const certificates = env?.stringList(`http.${which}.certificates`) ?? [];
  if (certificates.length > 1) {
    env!.fail(`http.${which}.certificates`, env!.peek(`http.${which}.certificates`), 'lists more than one certificate; this library\'s load balancer serves one',
      'keep one certificate here and add the others with loadBalancer.httpsListener.addCertificates(...)');
  }
  const sourceIps = which === 'public' ? env?.stringList('http.public.ingress.source_ips') : undefined;
  return {
    vpc,
    internetFacing: which === 'public',
    certificate: certificates.length === 1 ? acm.Certificate.fromCertificateArn(scope, `${which === 'public' ? 'Public' : 'Internal'}Certificate`, certificates[0]) : undefined,
    allowedCidrs: sourceIps,
    vpcSubnets: which === 'private' ? privateSubnets(env, env?.has('network.vpc.id') ?? false) : undefined,
  };
}

/** `http.private.subnets`: subnets of the imported VPC by id (Copilot allows them with an imported VPC only), read from the VPC so their zones are known. */
function privateSubnets(env: ManifestReader | undefined, vpcImported: boolean): ec2.SubnetSelection | undefined {
  const ids = env?.stringList('http.private.subnets');
  if (ids === undefined) return undefined;
  if (!vpcImported) {
    env!.fail('http.private.subnets', env!.peek('http.private.subnets'), 'names subnets of a VPC this application creates', 'give network.vpc.id and the vpc prop, or remove http.private.subnets');
  }
  return { subnetFilters: [ec2.SubnetFilter.byIds(ids)] };
}
