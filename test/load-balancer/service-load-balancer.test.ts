import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServiceLoadBalancer, ServiceLoadBalancerProps } from '../../lib/load-balancer';
import { testApp, testStack } from '../util/test-app';

const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
}

/** A stack with a two-AZ VPC without NAT gateways (public + isolated subnets). */
function fixture(options: { nag?: boolean; dualStack?: boolean } = {}): Fixture {
  const app = testApp();
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  const stack = testStack(app);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    ipProtocol: options.dualStack ? ec2.IpProtocol.DUAL_STACK : ec2.IpProtocol.IPV4_ONLY,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  // The network construct (written separately) owns flow logs; this test VPC is only scaffolding.
  Validations.of(vpc).acknowledge({ id: 'AwsSolutions::AwsSolutions-VPC7', reason: 'Test scaffolding VPC; flow logs are the network construct\'s job.' });
  return { app, stack, vpc };
}

function targetGroup(scope: Stack, id: string, vpc: ec2.IVpc): elbv2.ApplicationTargetGroup {
  return new elbv2.ApplicationTargetGroup(scope, id, {
    vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
  });
}

function withCertificate(stack: Stack, vpc: ec2.IVpc, props: Partial<ServiceLoadBalancerProps> = {}): ServiceLoadBalancer {
  return new ServiceLoadBalancer(stack, 'Lb', {
    vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN), ...props,
  });
}

describe('ServiceLoadBalancer without a certificate', () => {
  test('serves HTTP on 80 only, answers 404 by default and warns at synth', () => {
    // GIVEN
    const { stack, vpc } = fixture();
    // WHEN
    const lb = new ServiceLoadBalancer(stack, 'Lb', { vpc });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{
        Type: 'fixed-response',
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no route' },
      }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' })],
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Lb', Match.stringLikeRegexp('plain HTTP on port 80'));
    expect(lb.protocol).toBe(elbv2.ApplicationProtocol.HTTP);
    expect(lb.port).toBe(80);
    expect(lb.redirectListener).toBeUndefined();
    expect(lb.certificate).toBeUndefined();
    expect(JSON.stringify(stack.resolve(lb.url))).toMatch(/^\{"Fn::Join":\["",\["http:\/\/",\{"Fn::GetAtt":\["LbLoadBalancer\w+","DNSName"\]\}\]\]\}$/);
  });
});

describe('ServiceLoadBalancer with a given certificate', () => {
  // One synth shared by the assertions on listeners, ingress, attributes and the log bucket.
  const { stack, vpc } = fixture();
  const lb = withCertificate(stack, vpc);
  const template = Template.fromStack(stack);

  test('listens on HTTPS 443 with the post-quantum restricted TLS policy and the certificate', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      Certificates: [{ CertificateArn: CERT_ARN }],
      DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })],
    });
    expect(lb.protocol).toBe(elbv2.ApplicationProtocol.HTTPS);
    expect(lb.port).toBe(443);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  test('redirects HTTP 80 to HTTPS 443 permanently', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    expect(lb.redirectListener).toBeDefined();
  });

  test('opens ingress only on 443 and 80, and no egress until a service attaches', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
      ],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('drops invalid header fields, mitigates desync, keeps HTTP/2 and logs access to S3', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      // arrayWith is order-sensitive; this is the order aws-cdk-lib renders the attributes in
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'routing.http2.enabled', Value: 'true' },
        { Key: 'idle_timeout.timeout_seconds', Value: '60' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'routing.http.desync_mitigation_mode', Value: 'defensive' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^LbAccessLogBucket') } },
      ]),
    });
  });

  test('creates an SSE-S3, versioned, private, expiring, retained access-log bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 7 } })],
        },
      },
    });
  });

  test('the bucket policy denies non-SSL requests and lets the region\'s ELB account write logs', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            // us-east-1's Elastic Load Balancing account
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::127311923021:root']] } },
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(lb.accessLogBucket).toBeDefined();
  });
});

describe('ServiceLoadBalancer with a domain in a hosted zone', () => {
  test('creates a DNS-validated certificate and an alias A record, routes, and passes cdk-nag AwsSolutions', () => {
    // GIVEN: cdk-nag runs on this app; synth fails on any unacknowledged finding
    const { stack, vpc } = fixture({ nag: true });
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    // WHEN
    const lb = new ServiceLoadBalancer(stack, 'Lb', { vpc, domainName: 'app.example.com', hostedZone: zone });
    const web = lb.addTarget('Web', { targetGroup: targetGroup(stack, 'WebTg', vpc) });
    const api = lb.addTarget('Api', { targetGroup: targetGroup(stack, 'ApiTg', vpc), pathPatterns: ['/api/*'] });
    const admin = lb.addTarget('Admin', { targetGroup: targetGroup(stack, 'AdminTg', vpc), hostHeaders: ['admin.example.com'], pathPatterns: ['/'] });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'app.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'app.example.com', HostedZoneId: { Ref: Match.stringLikeRegexp('^Zone') } }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'app.example.com.',
      Type: 'A',
      HostedZoneId: { Ref: Match.stringLikeRegexp('^Zone') },
      AliasTarget: {
        DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [Match.stringLikeRegexp('^LbLoadBalancer'), 'DNSName'] }]] },
        HostedZoneId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LbLoadBalancer'), 'CanonicalHostedZoneID'] },
      },
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^LbCertificate') } }],
      // the route without conditions replaced the 404
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^WebTg') } }],
    });
    // automatic priorities: host + path ranks before path only, whatever the code order
    const apiPriority = (api!.node.defaultChild as elbv2.CfnListenerRule).priority;
    const adminPriority = (admin!.node.defaultChild as elbv2.CfnListenerRule).priority;
    expect(adminPriority).toBeLessThan(apiPriority);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: apiPriority,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^ApiTg') } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: adminPriority,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['admin.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/'] } },
      ],
    });
    expect(web).toBeUndefined();
    expect(api).toBeInstanceOf(elbv2.ApplicationListenerRule);
    expect(admin?.node.id).toBe('AdminRule');
    expect(lb.url).toBe('https://app.example.com');
    expect(lb.dnsRecord).toBeDefined();
    expect(lb.certificate).toBeInstanceOf(acm.Certificate);
    // the intended default-action replacement is not reported as a mistake
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('default Action already existed'));
  });

  test('with a certificate and a domain but no zone: HTTPS, url on the domain, no record', () => {
    const { stack, vpc } = fixture();
    const lb = withCertificate(stack, vpc, { domainName: 'app.example.com' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(lb.url).toBe('https://app.example.com');
    expect(lb.dnsRecord).toBeUndefined();
  });
});

describe('cdk-nag', () => {
  test('turning access logs off is reported as AwsSolutions-ELB2', () => {
    const { stack, vpc } = fixture({ nag: true });
    withCertificate(stack, vpc, { accessLogs: false });
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-ELB2/);
  });
});

describe('ServiceLoadBalancer options', () => {
  test('accessLogs false: no bucket, no access-log attributes, a warning', () => {
    const { stack, vpc } = fixture();
    const lb = withCertificate(stack, vpc, { accessLogs: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.not(Match.arrayWith([Match.objectLike({ Key: 'access_logs.s3.enabled' })])),
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Lb', Match.stringLikeRegexp('Access logs are off'));
    expect(lb.accessLogBucket).toBeUndefined();
  });

  test('a given access-log bucket and prefix are used instead of a new bucket', () => {
    const { stack, vpc } = fixture();
    const bucket = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
    const lb = withCertificate(stack, vpc, { accessLogBucket: bucket, accessLogPrefix: 'alb' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^Logs') } },
        { Key: 'access_logs.s3.prefix', Value: 'alb' },
      ]),
    });
    expect(lb.accessLogBucket).toBe(bucket);
  });

  test('internal: scheme internal, ingress from the VPC CIDR only, custom expiry, idle timeout and protection', () => {
    const { stack, vpc } = fixture();
    withCertificate(stack, vpc, {
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      accessLogExpiry: Duration.days(30),
      idleTimeout: Duration.seconds(120),
      deletionProtection: true,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'idle_timeout.timeout_seconds', Value: '120' },
      ]),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 443 }),
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 80 }),
      ],
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] },
    });
  });

  test('allowedCidrs and dualStack: ingress from each CIDR on each listener port, AAAA record', () => {
    const { stack, vpc } = fixture({ dualStack: true });
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    const lb = new ServiceLoadBalancer(stack, 'Lb', {
      vpc, domainName: 'example.com', hostedZone: zone, dualStack: true, allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { IpAddressType: 'dualstack' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 443 }),
        Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 80 }),
        Match.objectLike({ CidrIpv6: '2001:db8::/32', FromPort: 443 }),
        Match.objectLike({ CidrIpv6: '2001:db8::/32', FromPort: 80 }),
      ],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'example.com.', Type: 'AAAA' });
    expect(lb.dnsRecordIpv6).toBeDefined();
  });
});

describe('validation', () => {
  function setup(): Fixture {
    return fixture();
  }

  test('domainName without certificate or hostedZone', () => {
    const { stack, vpc } = setup();
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, domainName: 'app.example.com' }))
      .toThrow(/^TestStack\/Lb: domainName "app\.example\.com" needs a certificate or a hostedZone/);
  });

  test('hostedZone without domainName', () => {
    const { stack, vpc } = setup();
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, hostedZone: zone }))
      .toThrow(/^TestStack\/Lb: hostedZone "TestStack\/Zone" needs a domainName/);
  });

  test('domainName that is not a domain name', () => {
    const { stack, vpc } = setup();
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, hostedZone: zone, domainName: 'app_1.example.com' }))
      .toThrow(/^TestStack\/Lb: domainName "app_1\.example\.com" is not a valid domain name/);
  });

  test('domainName outside the hosted zone', () => {
    const { stack, vpc } = setup();
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, hostedZone: zone, domainName: 'app.example.org' }))
      .toThrow(/^TestStack\/Lb: domainName "app\.example\.org" is not inside hostedZone example\.com/);
  });

  test('a domain whose name only ends like the zone is outside it', () => {
    const { stack, vpc } = setup();
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, hostedZone: zone, domainName: 'badexample.com' }))
      .toThrow(/domainName "badexample\.com" is not inside hostedZone example\.com/);
  });

  test('allowedCidrs entry that is not a CIDR', () => {
    const { stack, vpc } = setup();
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, allowedCidrs: ['10.0.0.0/8', '300.1.2.3/24'] }))
      .toThrow(/^TestStack\/Lb: allowedCidrs\[1\] "300\.1\.2\.3\/24" is not a CIDR block/);
    expect(() => new ServiceLoadBalancer(stack, 'Lb2', { vpc, allowedCidrs: ['10.0.0.0'] }))
      .toThrow(/^TestStack\/Lb2: allowedCidrs\[0\] "10\.0\.0\.0" is not a CIDR block/);
  });

  test('IPv6 allowedCidrs on an IPv4-only load balancer', () => {
    const { stack, vpc } = setup();
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, allowedCidrs: ['2001:db8::/32'] }))
      .toThrow(/^TestStack\/Lb: allowedCidrs\[0\] "2001:db8::\/32" is an IPv6 CIDR but the load balancer is IPv4 only; set dualStack: true/);
  });

  test('idleTimeout out of 1–4000 s', () => {
    const { stack, vpc } = setup();
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, idleTimeout: Duration.seconds(4001) }))
      .toThrow(/^TestStack\/Lb: idleTimeout 1 hour 6 minutes is out of range; use whole seconds from 1 to 4000/);
    expect(() => new ServiceLoadBalancer(stack, 'Lb2', { vpc, idleTimeout: Duration.seconds(0) }))
      .toThrow(/^TestStack\/Lb2: idleTimeout 0 seconds is out of range/);
  });

  test('accessLogExpiry shorter than a day or not whole days', () => {
    const { stack, vpc } = setup();
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, accessLogExpiry: Duration.hours(12) }))
      .toThrow(/^TestStack\/Lb: accessLogExpiry 12 hours is not a whole number of days of at least 1/);
    expect(() => new ServiceLoadBalancer(stack, 'Lb2', { vpc, accessLogExpiry: Duration.hours(36) }))
      .toThrow(/^TestStack\/Lb2: accessLogExpiry 1 day 12 hours is not a whole number of days/);
  });

  test('accessLogExpiry with a bring-your-own bucket', () => {
    const { stack, vpc } = setup();
    const bucket = new s3.Bucket(stack, 'Logs');
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, accessLogBucket: bucket, accessLogExpiry: Duration.days(30) }))
      .toThrow(/^TestStack\/Lb: accessLogExpiry 30 days cannot be combined with accessLogBucket/);
  });

  test('access-log options with accessLogs false', () => {
    const { stack, vpc } = setup();
    const bucket = new s3.Bucket(stack, 'Logs');
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, accessLogs: false, accessLogBucket: bucket }))
      .toThrow(/^TestStack\/Lb: accessLogBucket "TestStack\/Logs" is given but accessLogs is false/);
    expect(() => new ServiceLoadBalancer(stack, 'Lb2', { vpc, accessLogs: false, accessLogExpiry: Duration.days(30) }))
      .toThrow(/^TestStack\/Lb2: accessLogExpiry 30 days is given but accessLogs is false/);
    expect(() => new ServiceLoadBalancer(stack, 'Lb3', { vpc, accessLogs: false, accessLogPrefix: 'alb' }))
      .toThrow(/^TestStack\/Lb3: accessLogPrefix "alb" is given but accessLogs is false/);
  });

  test('a KMS-encrypted access-log bucket', () => {
    const { stack, vpc } = setup();
    const bucket = new s3.Bucket(stack, 'Logs', { encryptionKey: new kms.Key(stack, 'Key') });
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, accessLogBucket: bucket }))
      .toThrow(/^TestStack\/Lb: accessLogBucket "TestStack\/Logs" is encrypted with a KMS key; ALB access logs can only be written to a bucket with SSE-S3/);
  });

  test('accessLogPrefix with a slash or AWSLogs', () => {
    const { stack, vpc } = setup();
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, accessLogPrefix: '/alb' }))
      .toThrow(/^TestStack\/Lb: accessLogPrefix "\/alb" is not valid/);
    expect(() => new ServiceLoadBalancer(stack, 'Lb2', { vpc, accessLogPrefix: 'x/AWSLogs' }))
      .toThrow(/^TestStack\/Lb2: accessLogPrefix "x\/AWSLogs" is not valid/);
  });

  test('loadBalancerName too long or starting with internal-', () => {
    const { stack, vpc } = setup();
    expect(() => new ServiceLoadBalancer(stack, 'Lb', { vpc, loadBalancerName: 'a'.repeat(33) }))
      .toThrow(/^TestStack\/Lb: loadBalancerName "a{33}" is not valid; use 1–32 letters/);
    expect(() => new ServiceLoadBalancer(stack, 'Lb2', { vpc, loadBalancerName: 'internal-web' }))
      .toThrow(/^TestStack\/Lb2: loadBalancerName "internal-web" is not valid/);
  });

  describe('addTarget', () => {
    function lb(): { lb: ServiceLoadBalancer; tg: () => elbv2.ApplicationTargetGroup } {
      const { stack, vpc } = setup();
      let n = 0;
      return { lb: new ServiceLoadBalancer(stack, 'Lb', { vpc }), tg: () => targetGroup(stack, `Tg${n++}`, vpc) };
    }

    test('a second default route', () => {
      const t = lb();
      t.lb.addTarget('Web', { targetGroup: t.tg() });
      expect(() => t.lb.addTarget('Other', { targetGroup: t.tg() }))
        .toThrow(/^TestStack\/Lb: pathPatterns undefined of route Other are missing \(as are hostHeaders\), so it would be a second default route: route Web already is; give route Other pathPatterns and\/or hostHeaders/);
    });

    test('a priority without conditions', () => {
      const t = lb();
      expect(() => t.lb.addTarget('Web', { targetGroup: t.tg(), priority: 5 }))
        .toThrow(/^TestStack\/Lb: priority 5 of route Web has no pathPatterns or hostHeaders/);
    });

    test('a duplicate route id', () => {
      const t = lb();
      t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: ['/api/*'] });
      expect(() => t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: ['/v2/*'] }))
        .toThrow(/^TestStack\/Lb: id "Api" is already the id of a route/);
    });

    test('priority out of 1–50000', () => {
      const t = lb();
      expect(() => t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: ['/api/*'], priority: 0 }))
        .toThrow(/^TestStack\/Lb: priority 0 is out of range; use an integer from 1 to 50000/);
      expect(() => t.lb.addTarget('Api2', { targetGroup: t.tg(), pathPatterns: ['/api/*'], priority: 50001 }))
        .toThrow(/^TestStack\/Lb: priority 50001 is out of range/);
    });

    test('a priority another route holds', () => {
      const t = lb();
      t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: ['/api/*'], priority: 10 });
      expect(() => t.lb.addTarget('Admin', { targetGroup: t.tg(), pathPatterns: ['/admin/*'], priority: 10 }))
        .toThrow(/^TestStack\/Lb: priority 10 of route Admin is already used by route Api; use a priority no other route has; any free value from 1 to 10000 never collides with automatic priorities \(taken: 10\)/);
    });

    test('the same conditions as another route', () => {
      const t = lb();
      t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: ['/a', '/b'], hostHeaders: ['API.example.com'] });
      expect(() => t.lb.addTarget('Api2', { targetGroup: t.tg(), pathPatterns: ['/b', '/a'], hostHeaders: ['api.example.com'] }))
        .toThrow(/^TestStack\/Lb: pathPatterns \["\/b", "\/a"\] with hostHeaders \["api\.example\.com"\] of route Api2 match the same requests as route Api/);
    });

    test('an empty pathPatterns or hostHeaders list', () => {
      const t = lb();
      expect(() => t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: [] }))
        .toThrow(/^TestStack\/Lb: pathPatterns \[\] of route Api is empty/);
      expect(() => t.lb.addTarget('Api2', { targetGroup: t.tg(), hostHeaders: [] }))
        .toThrow(/^TestStack\/Lb: hostHeaders \[\] of route Api2 is empty/);
    });

    test('a path pattern without a leading slash or with a bad character', () => {
      const t = lb();
      expect(() => t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: ['api/*'] }))
        .toThrow(/^TestStack\/Lb: pathPatterns\[0\] "api\/\*" of route Api is not a valid path pattern; start with "\/"/);
      expect(() => t.lb.addTarget('Api2', { targetGroup: t.tg(), pathPatterns: ['/ok', '/a b'] }))
        .toThrow(/^TestStack\/Lb: pathPatterns\[1\] "\/a b" of route Api2 is not a valid path pattern/);
    });

    test('a path pattern over 128 characters', () => {
      const t = lb();
      const long = '/' + 'a'.repeat(128);
      expect(() => t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: [long] }))
        .toThrow(/^TestStack\/Lb: pathPatterns\[0\] "\/a+" of route Api is 129 characters long; use at most 128 characters/);
    });

    test('an invalid host header', () => {
      const t = lb();
      expect(() => t.lb.addTarget('Api', { targetGroup: t.tg(), hostHeaders: ['localhost'] }))
        .toThrow(/^TestStack\/Lb: hostHeaders\[0\] "localhost" of route Api is not a valid host header/);
      expect(() => t.lb.addTarget('Api2', { targetGroup: t.tg(), hostHeaders: ['api.example.c0m'] }))
        .toThrow(/^TestStack\/Lb: hostHeaders\[0\] "api\.example\.c0m" of route Api2 is not a valid host header/);
      expect(() => t.lb.addTarget('Api3', { targetGroup: t.tg(), hostHeaders: ['a'.repeat(120) + '.example.com'] }))
        .toThrow(/^TestStack\/Lb: hostHeaders\[0\] "a+\.example\.com" of route Api3 is 132 characters long/);
    });

    test('wildcard host headers are accepted', () => {
      const t = lb();
      expect(t.lb.addTarget('Api', { targetGroup: t.tg(), hostHeaders: ['*.example.com', 'api-?.example.com'] })).toBeDefined();
    });

    test('more than 5 condition values in one rule', () => {
      const t = lb();
      expect(() => t.lb.addTarget('Api', {
        targetGroup: t.tg(), pathPatterns: ['/a', '/b', '/c', '/d'], hostHeaders: ['a.example.com', 'b.example.com'],
      })).toThrow(/^TestStack\/Lb: pathPatterns .* with hostHeaders of route Api are 6 condition values; an ALB rule allows at most 5/);
    });

    test('more than 5 wildcards in one rule', () => {
      const t = lb();
      expect(() => t.lb.addTarget('Api', { targetGroup: t.tg(), pathPatterns: ['/a/*/*/*', '/b/*/*/*'] }))
        .toThrow(/^TestStack\/Lb: pathPatterns .* with hostHeaders of route Api contain 6 wildcards; an ALB rule allows at most 5 wildcard/);
    });
  });
});
