import { Annotations, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ServiceClusterProps } from '../cluster/service-cluster';
import { ACCESS_LOG_PREFIX } from '../load-balancer/access-logs';
import { ServiceLoadBalancerProps } from '../load-balancer/service-load-balancer-props';
import { failWithText, LOG_RETENTION_DAYS } from '../validation/checks';
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
    // The flow logs of a VPC this app builds; an imported VPC's are its owner's (reported).
    flowLogRetention: vpc === undefined ? flowLogRetention(env) : undefined,
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
  const accessLogs = accessLogsOf(scope, env, which);
  return {
    vpc,
    internetFacing: which === 'public',
    sslPolicy: sslPolicy(scope, env, which, certificates.length === 1),
    ...accessLogs,
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

/**
 * `network.vpc.flow_logs`: `true` or `{retention: <days>}` is this library's VPC, which logs
 * flows anyway (Copilot's are off unless asked for); the retention is kept. `false` is left
 * unread, so synth names it.
 */
function flowLogRetention(env: ManifestReader | undefined): logs.RetentionDays | undefined {
  const node = env?.peek('network.vpc.flow_logs');
  if (node === undefined || node.scalar === false) return undefined;
  if (node.scalar === true) {
    env!.take('network.vpc.flow_logs');
    return undefined;
  }
  const days = env!.number('network.vpc.flow_logs.retention', { min: 1 });
  if (days === undefined) return undefined;
  const retention = RETENTION_DAYS.find((r) => Number(r) === days);
  if (retention === undefined) {
    env!.fail('network.vpc.flow_logs.retention', env!.peek('network.vpc.flow_logs.retention'), 'is not a retention CloudWatch Logs offers', `use one of ${RETENTION_DAYS.join(', ')}`);
  }
  return retention;
}

// INFINITE (9999) is aws-cdk-lib's word for no retention, not a number of days CloudFormation takes.
const RETENTION_DAYS = LOG_RETENTION_DAYS.filter((v) => v !== logs.RetentionDays.INFINITE);

/**
 * `http.<public|private>.ssl_policy`: kept for the clients that negotiate with it today. Read only
 * next to a certificate (without one the listener serves HTTP, and the policy is reported). A
 * name aws-cdk-lib does not know (a newer ELB policy) is passed on with a warning.
 */
function sslPolicy(scope: Construct, env: ManifestReader | undefined, which: 'public' | 'private', hasCertificate: boolean): elbv2.SslPolicy | undefined {
  const field = `http.${which}.ssl_policy`;
  if (!hasCertificate || env?.peek(field) === undefined) return undefined;
  const policy = env.string(field)!;
  if (!/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(policy)) env.fail(field, env.peek(field), 'is not an ELB security policy name', 'use an ELBSecurityPolicy-… name (aws elbv2 describe-ssl-policies), or remove it for this library\'s TLS 1.3 policy');
  if (!(Object.values(elbv2.SslPolicy) as string[]).includes(policy)) {
    Annotations.of(scope).addWarningV2(COPILOT_SSL_POLICY_WARNING,
      `${env.file}: ${field} ${policy} is not a policy aws-cdk-lib knows; it is passed on as written, and the load balancer refuses a name ELB does not have. Check it with aws elbv2 describe-ssl-policies, then acknowledge: ` +
      `Validations.of(<this construct>).acknowledge({ id: 'Annotation::${COPILOT_SSL_POLICY_WARNING}', reason }).`);
  }
  return policy as elbv2.SslPolicy;
}

/** The warning for an `ssl_policy` aws-cdk-lib does not know. */
export const COPILOT_SSL_POLICY_WARNING = 'ecs-service-kit:copilot-ssl-policy';

/**
 * `http.public.access_logs`: `true` is this library's own bucket (which it logs to anyway);
 * `{bucket_name, prefix}` your bucket, whose policy must admit the log delivery (the library
 * warns `imported-access-log-bucket` with the statement). `false` is left unread: this library
 * logs anyway, and synth names it.
 */
function accessLogsOf(scope: Construct, env: ManifestReader | undefined, which: 'public' | 'private'): Pick<ServiceLoadBalancerProps, 'accessLogBucket' | 'accessLogPrefix'> {
  if (which !== 'public') return {};
  const node = env?.peek('http.public.access_logs');
  if (node === undefined || node.scalar === false) return {};
  if (node.scalar === true) {
    env!.take('http.public.access_logs');
    return {};
  }
  const bucketName = env!.string('http.public.access_logs.bucket_name');
  const prefix = env!.string('http.public.access_logs.prefix');
  // ELB's rules for the prefix, as ServiceLoadBalancer checks them, named at the manifest line.
  if (prefix !== undefined && !ACCESS_LOG_PREFIX.test(prefix)) {
    env!.fail('http.public.access_logs.prefix', env!.peek('http.public.access_logs.prefix'), 'is not an access-log prefix ELB takes', 'give a prefix without a leading or trailing / and without AWSLogs');
  }
  return {
    accessLogBucket: bucketName === undefined ? undefined : s3.Bucket.fromBucketName(scope, 'AccessLogBucket', bucketName),
    accessLogPrefix: prefix,
  };
}
