/**
 * fast-check arbitraries for every public construct of the library, shared by the fuzz test
 * (test/quality/fuzz.test.ts) and the cfn-lint sample (scripts/fuzz-sample.ts).
 *
 * A generated case is plain data: leaves are `Field`s ({ $v, $bad }) where `$bad` marks a value
 * that is wrong on its own (out of range, bad characters, NaN...), so the fuzz test can demand
 * that such an input is rejected. Combinations of individually valid values that conflict
 * (a timeout longer than its interval, a tag AND a digest...) are left unmarked: the
 * construct may accept or reject them, as long as a rejection is our ConfigurationError.
 * Things that need a scope (VPCs, keys, buckets, zones) appear as names and are built by
 * `Fixtures` inside the stack under test.
 *
 * `mode: 'valid'` draws only valid leaves (for synth samples); `'mixed'` mixes in bad ones.
 */
import * as path from 'path';
import { Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as fc from 'fast-check';
import {
  Architecture, ContainerWebApp, DeploymentStrategy, ImageRepository, LifecycleRules, NetworkLayout, RepositoryEncryption,
  ServiceCluster, ServiceImage, ServiceLoadBalancer, ServiceNetwork, ServiceTaskDefinition, WebService,
  NetworkHealthCheckProtocol, NetworkProtocol, NetworkService, ServiceNetworkLoadBalancer,
} from '../../lib';

export type Mode = 'mixed' | 'valid';

/** A generated prop value; `$bad` when the value is invalid on its own. */
export interface Field<T = unknown> {
  readonly $v: T;
  readonly $bad: boolean;
}

/** A construct under fuzz: its arbitrary and how to build it from unwrapped props. */
export interface FuzzTarget {
  readonly name: string;
  arbitrary(mode: Mode): fc.Arbitrary<Record<string, unknown>>;
  build(stack: Stack, props: Record<string, any>): void;
}

// ---------------------------------------------------------------------------------------------
// Field helpers

const EXAMPLE_APP_DIR = path.join(__dirname, '..', '..', 'examples', 'app');

/**
 * How much likelier a valid leaf is than an invalid one in mixed mode. Constructs with many
 * props use a higher ratio, so that some inputs get through all checks.
 */
let validWeight = 6;
function withValidWeight<T>(weight: number, make: () => T): T {
  const before = validWeight;
  validWeight = weight;
  try {
    return make();
  } finally {
    validWeight = before;
  }
}

function field<T>(mode: Mode, valid: fc.Arbitrary<T>, invalid?: fc.Arbitrary<any>, badWeight = 1): fc.Arbitrary<Field<T>> {
  const good = valid.map((v): Field<T> => ({ $v: v, $bad: false }));
  if (mode === 'valid' || invalid === undefined) return good;
  return fc.oneof(
    { arbitrary: good, weight: validWeight },
    { arbitrary: invalid.map((v): Field<T> => ({ $v: v, $bad: true })), weight: badWeight },
  );
}

const ok = <T>(v: T): Field<T> => ({ $v: v, $bad: false });
/** The value of a spec leaf (Field or plain). */
const val = (x: any): any => (isField(x) ? x.$v : x);

/**
 * In valid mode, drops or adjusts values that are fine alone but conflict with another
 * (so the synth sample is mostly accepted); mixed mode keeps every combination.
 */
function coherent<T>(mode: Mode, arb: fc.Arbitrary<T>, fix: (spec: any) => void): fc.Arbitrary<T> {
  const fixed = arb.map((spec) => {
    const copy = { ...(spec as any) };
    fix(copy);
    return copy;
  });
  // Mixed mode: half the inputs keep their conflicts, half are made coherent (and may still hold bad leaves).
  return mode === 'valid' ? fixed : fc.oneof(arb, fixed);
}

function isField(x: unknown): x is Field {
  return typeof x === 'object' && x !== null && '$v' in x && '$bad' in x;
}

function isPlain(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  // fast-check builds records without a prototype.
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Strips the Field wrappers. Returns the props, the paths of values marked bad, and every key
 * name the input sets (at any depth), to check that an error names something the user gave.
 */
export function unwrap(spec: unknown): { props: any; bad: string[]; given: Set<string> } {
  const bad: string[] = [];
  const given = new Set<string>();
  const walk = (x: unknown, at: string): unknown => {
    if (isField(x)) {
      if (x.$bad) bad.push(at);
      return walk(x.$v, at);
    }
    if (Array.isArray(x)) return x.map((v, i) => walk(v, `${at}[${i}]`));
    if (isPlain(x)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) {
        if (v === undefined) continue;
        given.add(k);
        out[k] = walk(v, at ? `${at}.${k}` : k);
      }
      return out;
    }
    return x;
  };
  return { props: walk(spec, ''), bad, given };
}

// ---------------------------------------------------------------------------------------------
// Value arbitraries

const BAD_NUMBERS = [NaN, Infinity, -Infinity, -1, 0.5];

/** Mostly left out: for props whose mere presence conflicts with others. */
function rare<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: arb, weight: 1 });
}

/** Integers in [min, max]; invalid: just outside, non-integers, NaN, infinities. */
function int(mode: Mode, min: number, max: number, badWeight = 1): fc.Arbitrary<Field<number>> {
  const invalid = fc.oneof(
    fc.constantFrom(...BAD_NUMBERS.filter((n) => !(Number.isInteger(n) && n >= min && n <= max)), min - 1, max + 1, min + 0.5),
    fc.integer({ min: max + 1, max: max + 1_000_000 }),
  );
  return field(mode, fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max })), invalid, badWeight);
}

/** A Duration of whole seconds in [minS, maxS]; invalid: outside, fractional, NaN, infinite. */
function duration(mode: Mode, minS: number, maxS: number): fc.Arbitrary<Field<Duration>> {
  const valids: fc.Arbitrary<Duration>[] = [fc.integer({ min: minS, max: maxS }).map((s) => Duration.seconds(s))];
  const minMin = Math.ceil(minS / 60);
  const maxMin = Math.floor(maxS / 60);
  if (minMin <= maxMin) valids.push(fc.integer({ min: minMin, max: Math.min(maxMin, 10_000) }).map((m) => Duration.minutes(m)));
  const invalids: Duration[] = [
    Duration.seconds(maxS + 1), Duration.millis(1500), Duration.seconds(NaN), Duration.seconds(Infinity), Duration.days(100_000),
  ];
  if (minS > 0) invalids.push(Duration.seconds(minS - 1), Duration.millis(minS * 1000 - 1));
  return field(mode, fc.oneof(...valids), fc.constantFrom(...invalids));
}

function bool(mode: Mode): fc.Arbitrary<Field<boolean>> {
  return field(mode, fc.boolean());
}

function oneOf<T>(mode: Mode, valid: T[], invalid?: T[]): fc.Arbitrary<Field<T>> {
  return field(mode, fc.constantFrom(...valid), invalid ? fc.constantFrom(...invalid) : undefined);
}

const lowerAlnum = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const validRepositoryName = fc.oneof(
  fc.constantFrom('web', 'team/web-app', 'a1', 'ecs-service-kit-rehearsal', 'x.y_z'),
  fc.tuple(lowerAlnum, fc.constantFrom('-', '_', '.', '/'), lowerAlnum).map(([a, s, b]) => `${a}${s}${b}`),
);
const badRepositoryName = fc.constantFrom('', 'a', 'Web', 'my repo', '-web', 'web-', 'a//b', 'a--b', 'a/'.repeat(130) + 'a', 'web:latest', 'ümlaut');

const validTag = fc.oneof(fc.constantFrom('v1', 'release-', 'latest', 'v1.4.2', '_build'), fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,20}$/));
const badTag = fc.constantFrom('', '-v1', '.hidden', 'a b', 'v1:2', 'x'.repeat(129), 'tag/slash', 'ü');
const validAccount = fc.stringMatching(/^\d{12}$/);
const badAccount = fc.constantFrom('', '1234', '12345678901a', '1234567890123', ' 123456789012', 'aws');
const validDigest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
const badDigest = fc.constantFrom('sha256:abc', 'md5:' + 'a'.repeat(64), 'sha256:' + 'A'.repeat(64), '', 'latest');
const validImageName = fc.constantFrom('public.ecr.aws/nginx/nginx:1.27', 'nginx', 'nginx:1.27-alpine', 'ghcr.io/org/app:v1',
  'localhost:5000/app', 'docker.io/library/busybox@sha256:' + 'a'.repeat(64));
const badImageName = fc.constantFrom('', 'Nginx', 'nginx:', ':tag', 'a b', 'nginx:1.27:2', 'x'.repeat(300), 'nginx@sha256:xyz', '/nginx');
const validPathPattern = fc.constantFrom('/api/*', '/', '/health', '/v1/users/?', '/static/*', '/a-b_c.d~e');
const badPathPattern = fc.constantFrom('api', '', '/a b', '/ü', '/' + 'x'.repeat(128), '/a#b', '/<script>');
const validHostHeader = fc.constantFrom('api.example.com', '*.example.com', 'www.example.org', 'a-b.example.co');
const badHostHeader = fc.constantFrom('localhost', 'a b.com', 'example.123', '', 'x'.repeat(125) + '.com', 'api.example.com.', 'exa_mple.com');
const validIpv4Cidr = fc.constantFrom('0.0.0.0/0', '203.0.113.0/24', '10.0.0.0/8', '198.51.100.7/32');
const validIpv6Cidr = fc.constantFrom('::/0', '2001:db8::/32');
const badCidr = fc.constantFrom('', '10.0.0.0', '10.0.0.0/33', '300.1.1.1/8', 'anywhere', '2001:db8:::/32', '10.0.0.0/-1');
const validDomain = fc.constantFrom('app.example.com', 'example.com', 'a.b.example.com', 'x-1.example.com');
const badDomain = fc.constantFrom('', 'localhost', 'not a domain', '-a.example.com', 'a..example.com', 'x'.repeat(64) + '.example.com', 'example.123');

function stringArray(mode: Mode, valid: fc.Arbitrary<string>, invalid: fc.Arbitrary<string>, maxLength = 3, emptyIsBad = true): fc.Arbitrary<Field<string[]>> {
  const withBad = fc.tuple(fc.array(valid, { maxLength: 2 }), invalid).map(([vs, b]) => [...vs, b]);
  const badArray = emptyIsBad ? fc.oneof(fc.constant<string[]>([]), withBad) : withBad;
  return field(mode, fc.uniqueArray(valid, { minLength: emptyIsBad ? 1 : 0, maxLength }), badArray);
}

// ---------------------------------------------------------------------------------------------
// Fixtures built inside the stack under test

/** Scoped things a case refers to by name, created once per stack. */
export class Fixtures {
  private readonly cache = new Map<string, unknown>();
  constructor(private readonly stack: Stack) {}

  private once<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  public kmsKey(): kms.Key {
    return this.once('kms', () => new kms.Key(this.stack, 'FixtureKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY }));
  }

  /** standard: public + private with one NAT over 2 AZs; publicOnly: public subnets only; oneAz: public + private in one AZ. */
  public vpc(kind: string): ec2.Vpc {
    return this.once(`vpc-${kind}`, () => {
      const id = `FixtureVpc${kind[0].toUpperCase()}${kind.slice(1)}`;
      switch (kind) {
        case 'publicOnly':
          return new ec2.Vpc(this.stack, id, {
            maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false,
            subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
          });
        case 'oneAz':
          return new ec2.Vpc(this.stack, id, { maxAzs: 1, natGateways: 1, restrictDefaultSecurityGroup: false });
        default:
          return new ec2.Vpc(this.stack, id, { maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false });
      }
    });
  }

  public imageRepository(): ImageRepository {
    return this.once('repo', () => new ImageRepository(this.stack, 'FixtureRepository', { removalPolicy: RemovalPolicy.DESTROY }));
  }

  public certificate(): acm.ICertificate {
    return this.once('cert', () => acm.Certificate.fromCertificateArn(this.stack, 'FixtureCertificate',
      'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'));
  }

  public hostedZone(): route53.IHostedZone {
    return this.once('zone', () => route53.HostedZone.fromHostedZoneAttributes(this.stack, 'FixtureZone', {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com',
    }));
  }

  public bucket(kind: string): s3.IBucket {
    return this.once(`bucket-${kind}`, () => new s3.Bucket(this.stack, kind === 'kms' ? 'FixtureKmsBucket' : 'FixtureBucket', {
      encryption: kind === 'kms' ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.DESTROY,
    }));
  }

  public ssmSecret(name: string): ecs.Secret {
    const param = this.once(`ssm-${name}`, () => ssm.StringParameter.fromSecureStringParameterAttributes(this.stack, `FixtureParam${name}`, {
      parameterName: `/fuzz/${name}`,
    }));
    return ecs.Secret.fromSsmParameter(param);
  }

  public cluster(kind: string, enableFargateSpot: boolean): ServiceCluster {
    return this.once(`cluster-${kind}-${enableFargateSpot}`, () => new ServiceCluster(this.stack, 'FixtureCluster', {
      network: kind === 'public' ? NetworkLayout.PUBLIC_ONLY : NetworkLayout.SINGLE_NAT,
      restrictDefaultSecurityGroup: false,
      enableFargateSpot,
    }));
  }

  public loadBalancer(vpc: ec2.IVpc): ServiceLoadBalancer {
    return this.once('alb', () => new ServiceLoadBalancer(this.stack, 'FixtureLoadBalancer', { vpc, testListenerAllowedCidrs: ['198.51.100.0/24'] }));
  }
}

// ---------------------------------------------------------------------------------------------
// ImageRepository + LifecycleRules

function lifecycleCall(mode: Mode): fc.Arbitrary<Record<string, unknown>> {
  const opts = fc.record({
    // Explicit priorities easily collide; in valid mode leave numbering to the builder.
    ...(mode === 'mixed' ? {
      priority: field(mode, fc.integer({ min: 1, max: 30 }), fc.constantFrom(0, -1, 0.5, NaN, Infinity, 2 ** 53)),
    } : {}),
    description: field(mode, fc.constantFrom('Release images', 'x'), fc.constantFrom('', '   ')),
  }, { requiredKeys: [] });
  // Any whole number of 1 or more is allowed.
  const positive = field(mode, fc.integer({ min: 1, max: 10_000 }),
    fc.constantFrom(0, -1, 0.5, NaN, Infinity, 2 ** 53));
  const count = positive;
  const days = positive;
  const prefixes = stringArray(mode, validTag, badTag, 2);
  return fc.oneof(
    fc.record({ method: fc.constant('expireUntaggedAfter'), days, opts }),
    fc.record({ method: fc.constant('keepLastUntagged'), count, opts }),
    fc.record({ method: fc.constant('keepLastTagged'), count, prefixes, opts }),
    fc.record({ method: fc.constant('expireTaggedOlderThan'), days, prefixes, opts }),
    fc.record({ method: fc.constant('keepLast'), count, opts }),
  );
}

function lifecycleArbitrary(mode: Mode): fc.Arbitrary<unknown> {
  const calls = mode === 'valid'
    // One keepLast at most, and it goes last: ECR allows one "any" rule.
    ? fc.array(lifecycleCall(mode), { maxLength: 4 }).map((cs) => {
      const keep = cs.filter((c) => c.method === 'keepLast').slice(0, 1);
      return [...cs.filter((c) => c.method !== 'keepLast'), ...keep];
    })
    : fc.array(lifecycleCall(mode), { maxLength: 4 });
  return fc.oneof(fc.constantFrom('recommended', 'empty'), calls);
}

function buildLifecycle(spec: unknown): LifecycleRules {
  if (spec === 'recommended') return LifecycleRules.recommended();
  if (spec === 'empty') return LifecycleRules.empty();
  const rules = LifecycleRules.empty();
  for (const call of spec as any[]) {
    switch (call.method) {
      case 'expireUntaggedAfter': rules.expireUntaggedAfter(call.days, call.opts); break;
      case 'keepLastUntagged': rules.keepLastUntagged(call.count, call.opts); break;
      case 'keepLastTagged': rules.keepLastTagged(call.count, call.prefixes, call.opts); break;
      case 'expireTaggedOlderThan': rules.expireTaggedOlderThan(call.days, call.prefixes, call.opts); break;
      case 'keepLast': rules.keepLast(call.count, call.opts); break;
    }
  }
  return rules;
}

function repositoryPropsArbitrary(mode: Mode) {
  return coherent(mode, fc.record({
    repositoryName: field(mode, validRepositoryName, badRepositoryName),
    encryption: oneOf(mode, [RepositoryEncryption.AES256, RepositoryEncryption.KMS], ['DES' as RepositoryEncryption]),
    encryptionKey: oneOf(mode, ['kms']),
    lifecycle: lifecycleArbitrary(mode),
    removalPolicy: oneOf(mode, [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE], [RemovalPolicy.SNAPSHOT]),
    emptyOnDelete: bool(mode),
    imageTagMutability: oneOf(mode, [ecr.TagMutability.IMMUTABLE, ecr.TagMutability.MUTABLE],
      [ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION, 'SOMETIMES' as ecr.TagMutability]),
    imageScanOnPush: bool(mode),
    pullAccountIds: stringArray(mode, validAccount, badAccount, 2, false),
  }, { requiredKeys: [] }), (p) => {
    if (val(p.emptyOnDelete) === true) p.removalPolicy = ok(RemovalPolicy.DESTROY);
    if (p.encryptionKey !== undefined) delete p.encryption;
  });
}

function repositoryProps(props: any, fx: Fixtures): any {
  return {
    ...props,
    encryptionKey: props.encryptionKey ? fx.kmsKey() : undefined,
    lifecycle: props.lifecycle === undefined ? undefined : buildLifecycle(props.lifecycle),
  };
}

export const imageRepositoryTarget: FuzzTarget = {
  name: 'ImageRepository',
  arbitrary: (mode) => fc.record({
    props: repositoryPropsArbitrary(mode),
    // Methods called after construction, with values that are checked too.
    calls: fc.array(fc.oneof(
      fc.record({ method: fc.constant('grantPullToAccount'), accountId: field(mode, validAccount, badAccount) }),
      fc.record({ method: fc.constant('dockerCommands'), tag: field(mode, validTag, badTag) }),
    ), { maxLength: 2 }),
  }),
  build: (stack, { props, calls }) => {
    const fx = new Fixtures(stack);
    const repo = new ImageRepository(stack, 'Repo', repositoryProps(props ?? {}, fx));
    for (const call of calls ?? []) {
      if (call.method === 'grantPullToAccount') repo.grantPullToAccount(call.accountId);
      else repo.dockerCommands(call.tag);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// ServiceImage (bound through a ServiceTaskDefinition)

function repositoryImageOptions(mode: Mode) {
  const valid = fc.oneof(
    validTag.map((tag) => ({ tag })),
    validDigest.map((digest) => ({ digest })),
  );
  const invalid = fc.oneof(
    fc.constant({}),
    fc.tuple(validTag, validDigest).map(([tag, digest]) => ({ tag, digest })),
    badTag.map((tag) => ({ tag })),
    badDigest.map((digest) => ({ digest })),
  );
  return field(mode, valid, invalid, 2);
}

export function imageArbitrary(mode: Mode, kinds = ['repository', 'imageRepository', 'registry', 'asset']): fc.Arbitrary<Record<string, unknown>> {
  const all: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    repository: fc.record({ kind: fc.constant('repository'), options: repositoryImageOptions(mode) }),
    imageRepository: fc.record({ kind: fc.constant('imageRepository'), options: repositoryImageOptions(mode) }),
    registry: fc.record({ kind: fc.constant('registry'), imageName: field(mode, validImageName, badImageName, 2) }),
    asset: fc.record({
      kind: fc.constant('asset'),
      directory: field(mode, fc.constant('examples/app'), fc.constantFrom('', 'does/not/exist', 'package.json', 'lib'), 2),
      file: field(mode, fc.constant('Dockerfile'), fc.constantFrom('Nope.Dockerfile', '../Dockerfile', 'server.js/x')),
      target: field(mode, fc.constant(undefined), fc.constantFrom('', '   ')),
      buildArgs: field(mode, fc.dictionary(fc.stringMatching(/^[A-Z_]{1,8}$/), fc.string({ maxLength: 10 }), { maxKeys: 2 })),
    }, { requiredKeys: ['kind', 'directory'] }),
  };
  return fc.oneof(...kinds.map((k) => all[k]));
}

/** The ServiceImage a spec names (for `asset`, a relative directory is taken from the repository root). */
export function buildImage(spec: any, fx: Fixtures): ServiceImage {
  switch (spec.kind) {
    case 'repository': return ServiceImage.fromRepository(fx.imageRepository().ecrRepository, spec.options);
    case 'imageRepository': return ServiceImage.fromImageRepository(fx.imageRepository(), spec.options);
    case 'registry': return ServiceImage.fromRegistry(spec.imageName);
    default: {
      const directory = spec.directory === 'examples/app' ? EXAMPLE_APP_DIR
        : spec.directory === '' ? '' : path.join(__dirname, '..', '..', spec.directory);
      const { kind: _k, directory: _d, ...options } = spec;
      return ServiceImage.fromAsset(directory, options);
    }
  }
}

export const serviceImageTarget: FuzzTarget = {
  name: 'ServiceImage',
  arbitrary: (mode) => fc.record({
    image: imageArbitrary(mode),
    architecture: oneOf(mode, [Architecture.X86_64, Architecture.ARM64], ['SPARC' as Architecture]),
  }, { requiredKeys: ['image'] }),
  build: (stack, props) => {
    const fx = new Fixtures(stack);
    new ServiceTaskDefinition(stack, 'Task', { image: buildImage(props.image, fx), architecture: props.architecture });
  },
};

// ---------------------------------------------------------------------------------------------
// ServiceNetwork

const RETENTION_DAYS = Object.values(logs.RetentionDays).filter((v): v is logs.RetentionDays => typeof v === 'number');
const LAYOUTS = Object.values(NetworkLayout);

function networkPropsArbitrary(mode: Mode, layoutKey: 'layout' | 'network') {
  return coherent(mode, fc.record({
    [layoutKey]: oneOf(mode, LAYOUTS, ['BOGUS' as NetworkLayout, 'single_nat' as NetworkLayout]),
    maxAzs: int(mode, 2, 6),
    cidr: field(mode, fc.constantFrom('10.0.0.0/16', '10.1.0.0/20', '192.168.0.0/22', '172.31.0.0/24'),
      fc.constantFrom('', '10.0.0.0', '300.0.0.0/16', '10.0.0.1/16', '10.0.0.0/8', '10.0.0.0/29', 'abc', '10.0.0.0/16 ')),
    flowLogRetention: oneOf(mode, RETENTION_DAYS, [0, 2, -1, NaN, 1.5] as logs.RetentionDays[]),
    restrictDefaultSecurityGroup: bool(mode),
    ecsExecEndpoint: bool(mode),
  }, { requiredKeys: [] }), (p) => {
    if (val(p[layoutKey]) !== NetworkLayout.PRIVATE_WITH_ENDPOINTS) delete p.ecsExecEndpoint;
  });
}

export const serviceNetworkTarget: FuzzTarget = {
  name: 'ServiceNetwork',
  arbitrary: (mode) => networkPropsArbitrary(mode, 'layout'),
  build: (stack, props) => {
    new ServiceNetwork(stack, 'Network', props);
  },
};

// ---------------------------------------------------------------------------------------------
// ServiceCluster

const SUBNET_TYPES: Record<string, ec2.SubnetSelection> = {
  PUBLIC: { subnetType: ec2.SubnetType.PUBLIC },
  PRIVATE_WITH_EGRESS: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  PRIVATE_ISOLATED: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  GROUP_NOPE: { subnetGroupName: 'Nope' },
};

export const serviceClusterTarget: FuzzTarget = {
  name: 'ServiceCluster',
  arbitrary: (mode) => fc.oneof(
    // Built network (optionally with BYO-only props mixed in, which must be refused).
    fc.tuple(networkPropsArbitrary(mode, 'network'), fc.record({
      containerInsights: bool(mode),
      clusterName: field(mode, fc.constantFrom('web', 'my_cluster-1', 'a'.repeat(255)), fc.constantFrom('', 'a b', 'a'.repeat(256), 'clüster', 'a/b')),
      enableFargateSpot: bool(mode),
      ...(mode === 'mixed' ? { assignPublicIp: rare(bool(mode)), taskSubnets: rare(oneOf(mode, Object.keys(SUBNET_TYPES))) } : {}),
    }, { requiredKeys: [] })).map(([a, b]) => ({ ...a, ...b })),
    // Bring your own VPC.
    coherent(mode, fc.record({
      vpc: fc.constantFrom('standard', 'publicOnly'),
      taskSubnets: oneOf(mode, Object.keys(SUBNET_TYPES)),
      assignPublicIp: bool(mode),
      containerInsights: bool(mode),
      enableFargateSpot: bool(mode),
      ...(mode === 'mixed' ? { network: rare(oneOf(mode, LAYOUTS)), maxAzs: rare(int(mode, 2, 6)) } : {}),
    }, { requiredKeys: ['vpc'] }), (p) => {
      const pub = p.vpc === 'publicOnly' || val(p.taskSubnets) === 'PUBLIC';
      p.taskSubnets = ok(pub ? 'PUBLIC' : 'PRIVATE_WITH_EGRESS');
      p.assignPublicIp = ok(pub);
    }),
  ),
  build: (stack, props) => {
    const fx = new Fixtures(stack);
    new ServiceCluster(stack, 'Cluster', {
      ...props,
      vpc: props.vpc !== undefined ? fx.vpc(props.vpc) : undefined,
      taskSubnets: props.taskSubnets !== undefined ? SUBNET_TYPES[props.taskSubnets] : undefined,
    });
  },
};

// ---------------------------------------------------------------------------------------------
// ServiceLoadBalancer + addTarget

function routeArbitrary(mode: Mode) {
  return fc.record({
    id: fc.constantFrom('Api', 'Web', 'Admin', 'Api'),
    pathPatterns: stringArray(mode, validPathPattern, badPathPattern, 3),
    hostHeaders: stringArray(mode, validHostHeader, badHostHeader, 2),
    priority: int(mode, 1, 50_000),
  }, { requiredKeys: ['id'] });
}

export function loadBalancerPropsArbitrary(mode: Mode) {
  return coherent(mode, fc.record({
    vpcSubnets: oneOf(mode, ['PUBLIC', 'PRIVATE_WITH_EGRESS', 'PRIVATE_ISOLATED']),
    internetFacing: bool(mode),
    dualStack: bool(mode),
    certificate: oneOf(mode, ['cert']),
    domainName: field(mode, validDomain, badDomain),
    hostedZone: oneOf(mode, ['zone']),
    allowedCidrs: field(mode, fc.array(fc.oneof(validIpv4Cidr, validIpv6Cidr), { maxLength: 3 }),
      fc.tuple(fc.array(validIpv4Cidr, { maxLength: 2 }), badCidr).map(([vs, b]) => [...vs, b])),
    testListenerAllowedCidrs: field(mode, fc.array(fc.oneof(validIpv4Cidr, validIpv6Cidr), { maxLength: 2 }),
      fc.tuple(fc.array(validIpv4Cidr, { maxLength: 1 }), badCidr).map(([vs, b]) => [...vs, b])),
    sslPolicy: oneOf(mode, [elbv2.SslPolicy.TLS13_12_RES_PQ, elbv2.SslPolicy.RECOMMENDED_TLS, elbv2.SslPolicy.TLS12]),
    accessLogs: bool(mode),
    accessLogBucket: oneOf(mode, ['s3'], ['kms']),
    accessLogPrefix: field(mode, fc.constantFrom('alb', 'alb/prod', 'a'), fc.constantFrom('', '/x', 'x/', 'AWSLogs', 'my/AWSLogs/x')),
    accessLogExpiry: field(mode, fc.integer({ min: 1, max: 3650 }).map((d) => Duration.days(d)),
      fc.constantFrom(Duration.hours(5), Duration.days(0), Duration.seconds(NaN), Duration.days(1.5), Duration.minutes(90))),
    idleTimeout: duration(mode, 1, 4000),
    desyncMitigationMode: oneOf(mode, [elbv2.DesyncMitigationMode.DEFENSIVE, elbv2.DesyncMitigationMode.STRICTEST, elbv2.DesyncMitigationMode.MONITOR]),
    loadBalancerName: field(mode, fc.constantFrom('web', 'my-alb-1', 'a'.repeat(32)),
      fc.constantFrom('internal-web', '-a', 'a-', 'a_b', 'a'.repeat(33), '', 'a b')),
    deletionProtection: bool(mode),
    https: fc.constantFrom('none', 'certificate', 'certificateAndDomain', 'zone'),
  }, { requiredKeys: mode === 'valid' ? ['https'] : [] }), (p) => {
    // The fixture VPC has no IPv6 CIDR.
    delete p.dualStack;
    if (p.allowedCidrs !== undefined) p.allowedCidrs = ok(val(p.allowedCidrs).filter((c: string) => !c.includes(':')));
    if (p.testListenerAllowedCidrs !== undefined && !p.testListenerAllowedCidrs.$bad) {
      p.testListenerAllowedCidrs = ok(val(p.testListenerAllowedCidrs).filter((c: string) => !c.includes(':')));
    }
    p.vpcSubnets = ok(val(p.internetFacing) === false ? 'PRIVATE_WITH_EGRESS' : 'PUBLIC');
    if (val(p.accessLogs) === false) { delete p.accessLogBucket; delete p.accessLogPrefix; delete p.accessLogExpiry; }
    if (p.accessLogBucket !== undefined) delete p.accessLogExpiry;
    delete p.certificate; delete p.domainName; delete p.hostedZone;
    if (p.https === 'certificate' || p.https === 'certificateAndDomain') p.certificate = ok('cert');
    if (p.https === 'certificateAndDomain' || p.https === 'zone') p.domainName = ok('app.example.com');
    if (p.https === 'zone') p.hostedZone = ok('zone');
    delete p.https;
  });
}

export function loadBalancerProps(props: any, fx: Fixtures, vpc: ec2.IVpc): any {
  return {
    ...props,
    vpc,
    vpcSubnets: props.vpcSubnets !== undefined ? SUBNET_TYPES[props.vpcSubnets] : undefined,
    certificate: props.certificate ? fx.certificate() : undefined,
    hostedZone: props.hostedZone ? fx.hostedZone() : undefined,
    accessLogBucket: props.accessLogBucket !== undefined ? fx.bucket(props.accessLogBucket) : undefined,
  };
}

export const serviceLoadBalancerTarget: FuzzTarget = {
  name: 'ServiceLoadBalancer',
  arbitrary: (mode) => withValidWeight(12, () => fc.record({
    vpc: mode === 'valid' ? fc.constant('standard') : fc.constantFrom('standard', 'standard', 'publicOnly', 'oneAz'),
    props: loadBalancerPropsArbitrary(mode),
    routes: mode === 'valid'
      // Distinct ids, conditions and priorities; at most one default route (the first).
      ? fc.constantFrom(0, 1, 2, 3).map((n) => [
        { id: 'Default' },
        { id: 'Api', pathPatterns: ok(['/api/*']) },
        { id: 'Admin', hostHeaders: ok(['admin.example.com']), priority: ok(5) },
        { id: 'Static', pathPatterns: ok(['/static/*', '/assets/*']), hostHeaders: ok(['*.example.com']) },
      ].slice(0, n))
      : fc.array(routeArbitrary(mode), { maxLength: 4 }),
  })),
  build: (stack, { vpc, props, routes }) => {
    const fx = new Fixtures(stack);
    const v = fx.vpc(vpc);
    const lb = new ServiceLoadBalancer(stack, 'LoadBalancer', loadBalancerProps(props ?? {}, fx, v));
    (routes ?? []).forEach((route: any, i: number) => {
      const targetGroup = new elbv2.ApplicationTargetGroup(stack, `TargetGroup${i}`, {
        vpc: v, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
      });
      const { id, ...options } = route;
      lb.addTarget(id, { targetGroup, ...options });
    });
  },
};

// ---------------------------------------------------------------------------------------------
// ServiceTaskDefinition

const FARGATE_PAIRS: Array<[number, number]> = [
  [256, 512], [256, 1024], [256, 2048], [512, 1024], [512, 4096], [1024, 2048], [1024, 8192],
  [2048, 4096], [2048, 16384], [4096, 8192], [4096, 30720], [8192, 16384], [16384, 122880],
];

function sizeArbitrary(mode: Mode) {
  const pair = fc.constantFrom(...FARGATE_PAIRS).map(([cpu, memoryMiB]) => ({
    cpu: { $v: cpu, $bad: false }, memoryMiB: { $v: memoryMiB, $bad: false },
  }));
  if (mode === 'valid') return fc.oneof(fc.constant({}), pair);
  const independent = fc.record({
    cpu: field(mode, fc.constantFrom(256, 512, 1024, 4096), fc.constantFrom(100, 0, NaN, 300.5, -256, 32768)),
    memoryMiB: field(mode, fc.constantFrom(512, 1024, 2048, 8192), fc.constantFrom(0, NaN, 511.5, -512, 1_000_000)),
  }, { requiredKeys: [] });
  return fc.oneof({ arbitrary: fc.constant({}), weight: 1 }, { arbitrary: pair, weight: 3 }, { arbitrary: independent, weight: 2 });
}

function containerHealthCheckArbitrary(mode: Mode) {
  const valid = fc.integer({ min: 5, max: 300 }).chain((interval) => fc.record({
    command: fc.constant(['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/ || exit 1']),
    interval: fc.constant(Duration.seconds(interval)),
    // The timeout must stay under the interval, whose default is 30 s when it is left out.
    timeout: fc.integer({ min: 2, max: Math.min(29, interval - 1) }).map((s) => Duration.seconds(s)),
    retries: fc.integer({ min: 1, max: 10 }),
    startPeriod: fc.integer({ min: 0, max: 300 }).map((s) => Duration.seconds(s)),
  }, { requiredKeys: ['command'] }));
  const invalid = fc.oneof(
    fc.constant({ command: [] as string[] }),
    fc.record({
      command: fc.constant(['CMD', 'true']),
      interval: fc.constantFrom(Duration.seconds(4), Duration.seconds(301), Duration.millis(5500)),
    }),
    fc.record({ command: fc.constant(['CMD', 'true']), retries: fc.constantFrom(0, 11, 1.5, NaN) }),
    fc.record({ command: fc.constant(['CMD', 'true']), timeout: fc.constantFrom(Duration.seconds(1), Duration.seconds(61)) }),
  );
  return field(mode, valid, invalid);
}

/** Options of one container; `sidecar` draws ports away from the main container's. */
function containerOptionsArbitrary(mode: Mode, sidecar: boolean) {
  return coherent(mode, fc.record({
    image: imageArbitrary(mode, ['registry', 'registry', 'repository']),
    // Distinct ranges keep the main container's and the sidecars' ports apart.
    containerPort: field(mode, sidecar ? fc.integer({ min: 9000, max: 9100 }) : fc.integer({ min: 1, max: 8999 }),
      fc.constantFrom(0, -1, 65536, 1.5, NaN, Infinity)),
    environment: field(mode, fc.dictionary(fc.constantFrom('LOG_LEVEL', 'FEATURE_X', '_PRIVATE', 'a1'), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
      fc.constantFrom({ '1ABC': 'x' }, { 'A-B': 'x' }, { '': 'x' }, { 'A B': 'x' })),
    secrets: field(mode, fc.uniqueArray(fc.constantFrom('DB_PASSWORD', 'API_KEY'), { maxLength: 2 }),
      fc.constantFrom(['9LIVES'], ['API-KEY'])),
    command: field(mode, fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
    readonlyRootFilesystem: bool(mode),
    writablePaths: field(mode, fc.uniqueArray(fc.constantFrom('/tmp', '/var/cache', '/home/node/.npm', '/run'), { minLength: 1, maxLength: 3 }),
      fc.constantFrom(['tmp'], ['/a b'], ['/tmp', '/tmp/'], [''])),
    user: field(mode, fc.constantFrom('node', '1000', '1000:1000')),
    // Valid draws fit the smallest task; invalid ones are wrong for any task size.
    cpuReservation: field(mode, fc.integer({ min: 0, max: 128 }), fc.constantFrom(-1, 0.5, NaN, Infinity, 16385)),
    memoryLimitMiB: field(mode, fc.integer({ min: 6, max: 512 }), fc.constantFrom(5, 0, -6, 6.5, NaN, 122881)),
    stopTimeout: duration(mode, 2, 120),
    containerHealthCheck: containerHealthCheckArbitrary(mode),
  }, { requiredKeys: ['image'] }), (p) => {
    if (val(p.readonlyRootFilesystem) === false) delete p.writablePaths;
  });
}

function sidecarArbitrary(mode: Mode) {
  return fc.tuple(containerOptionsArbitrary(mode, true), fc.record({
    containerName: field(mode, fc.constantFrom('proxy', 'agent', 'log-router', 'App', 'my_proxy'),
      fc.constantFrom('', 'a b', 'x'.repeat(256), 'prøxy')),
    essential: bool(mode),
    startBeforeMain: bool(mode),
  }, { requiredKeys: ['containerName'] })).map(([a, b]) => ({ ...a, ...b }));
}

export function taskOptionsArbitrary(mode: Mode, withSidecars: boolean) {
  return fc.tuple(sizeArbitrary(mode), containerOptionsArbitrary(mode, false), fc.record({
    architecture: oneOf(mode, [Architecture.X86_64, Architecture.ARM64], ['SPARC' as Architecture]),
    containerName: field(mode, fc.constantFrom('app', 'web', 'main_1'), fc.constantFrom('', 'my app', 'x'.repeat(256))),
    family: field(mode, fc.constantFrom('web', 'web-task_1'), fc.constantFrom('', 'web task', 'x'.repeat(256))),
    logRetention: oneOf(mode, RETENTION_DAYS, [0, 4, NaN] as logs.RetentionDays[]),
    logRemovalPolicy: oneOf(mode, [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY], [RemovalPolicy.SNAPSHOT]),
    logEncryptionKey: oneOf(mode, ['kms']),
    ...(withSidecars ? {
      sidecars: mode === 'valid'
        ? fc.uniqueArray(sidecarArbitrary(mode), { maxLength: 2, selector: (s: any) => s.containerName.$v })
        : fc.array(sidecarArbitrary(mode), { maxLength: 2 }),
    } : {}),
  }, { requiredKeys: [] })).map(([size, container, rest]) => ({ ...size, ...container, ...rest }));
}

/** Turns spec names into scoped things for ServiceTaskOptions (main container and sidecars). */
export function taskProps(props: any, fx: Fixtures): any {
  const container = (c: any) => ({
    ...c,
    image: buildImage(c.image, fx),
    secrets: c.secrets !== undefined
      ? Object.fromEntries((c.secrets as string[]).map((name) => [name, fx.ssmSecret(name)]))
      : undefined,
  });
  return {
    ...container(props),
    logEncryptionKey: props.logEncryptionKey ? fx.kmsKey() : undefined,
    sidecars: props.sidecars?.map(container),
  };
}

export const serviceTaskDefinitionTarget: FuzzTarget = {
  name: 'ServiceTaskDefinition',
  arbitrary: (mode) => withValidWeight(20, () => taskOptionsArbitrary(mode, true)),
  build: (stack, props) => {
    new ServiceTaskDefinition(stack, 'Task', taskProps(props, new Fixtures(stack)));
  },
};

// ---------------------------------------------------------------------------------------------
// WebService

function targetHealthCheckArbitrary(mode: Mode) {
  return fc.record({
    path: field(mode, fc.constantFrom('/', '/health', '/api/v1/status?full=1'), fc.constantFrom('health', '/a b', '', '/' + 'x'.repeat(1024), '/ü')),
    interval: duration(mode, 5, 300),
    timeout: duration(mode, 2, 120),
    healthyThresholdCount: int(mode, 2, 10),
    unhealthyThresholdCount: int(mode, 2, 10),
    healthyHttpCodes: field(mode, fc.constantFrom('200', '200-299', '200,302', '200-399', '499'),
      fc.constantFrom('600', '20', 'abc', '200-', '', '200,,302', '199')),
  }, { requiredKeys: [] });
}

function scalingArbitrary(mode: Mode) {
  const percent = field(mode, fc.double({ min: 1, max: 100, noNaN: true }), fc.constantFrom(0, 101, NaN, -5, Infinity));
  return fc.record({
    minCapacity: int(mode, 0, 5000),
    maxCapacity: int(mode, 1, 5000),
    targetCpuPercent: percent,
    targetMemoryPercent: percent,
    requestsPerTarget: int(mode, 1, 1_000_000),
    scaleInCooldown: duration(mode, 0, 3600),
    scaleOutCooldown: duration(mode, 0, 3600),
    schedules: fc.array(fc.record({
      name: field(mode, fc.constantFrom('OfficeHours', 'night-1', 'Weekend_2'), fc.constantFrom('', '-x', 'a b', 'x'.repeat(65))),
      minCapacity: int(mode, 0, 5000),
      maxCapacity: int(mode, 0, 5000),
      berlin: fc.boolean(),
    }, { requiredKeys: ['name'] }), { maxLength: 2 }),
  }, { requiredKeys: [] });
}

function scalingProps(scaling: any): any {
  if (scaling === undefined) return undefined;
  return {
    ...scaling,
    schedules: scaling.schedules?.map(({ berlin, ...s }: any) => ({
      ...s,
      schedule: appscaling.Schedule.cron({ hour: '8', minute: '0' }),
      timeZone: berlin ? TimeZone.EUROPE_BERLIN : undefined,
    })),
  };
}

/**
 * A multiple of 0.1 in [min, 100] that JSON Schema validators also read as one (value / 0.1 a whole
 * number in floating point: 63.3 is not), or (mixed) one out of range, off the 0.1 grid, or 63.3.
 */
function percentTenths(mode: Mode, min: number): fc.Arbitrary<Field<number>> {
  const valid = fc.integer({ min: Math.round(min * 10), max: 1000 }).map((t) => t / 10).filter((v) => Number.isInteger(v / 0.1));
  return field(mode, valid, fc.constantFrom(min - 0.1, 100.5, 5.25, 63.3, NaN));
}

/** Whole minutes 0–1440 (a bake time), or (mixed) seconds off the minute, or over a day. */
function bakeMinutes(mode: Mode): fc.Arbitrary<Field<Duration>> {
  return field(mode, fc.integer({ min: 0, max: 1440 }).map((m) => Duration.minutes(m)), fc.constantFrom(Duration.seconds(90), Duration.minutes(1441)));
}

/** `deployment`: a strategy spec (built into a DeploymentStrategy by webServiceProps) and alarm settings. */
function deploymentArbitrary(mode: Mode) {
  return fc.record({
    strategy: fc.oneof(
      fc.record({ kind: fc.constant('rolling') }),
      fc.record({ kind: fc.constant('canary'), percent: percentTenths(mode, 0.1), stepBakeTime: bakeMinutes(mode), bakeTime: bakeMinutes(mode) }, { requiredKeys: ['kind'] }),
      fc.record({ kind: fc.constant('linear'), stepPercent: percentTenths(mode, 3), stepBakeTime: bakeMinutes(mode), bakeTime: bakeMinutes(mode) }, { requiredKeys: ['kind'] }),
      fc.record({ kind: fc.constant('blueGreen'), bakeTime: bakeMinutes(mode), testPort: field(mode, fc.constantFrom(8080, 8443, 9000), fc.constantFrom(0, 80, 70000)) }, { requiredKeys: ['kind'] }),
    ),
    alarms: fc.record({
      enabled: bool(mode),
      errorRatePercent: field(mode, fc.constantFrom(0.1, 1, 5, 100), fc.constantFrom(0, 101, NaN)),
      minimumRequestsPerMinute: int(mode, 1, 1_000_000),
      // Valid on their own, and together: 2 or fewer bad minutes of 3 to 10 always fit the window ECS watches.
      evaluationPeriods: int(mode, 3, 10),
      datapointsToAlarm: int(mode, 1, 2),
    }, { requiredKeys: [] }),
  }, { requiredKeys: [] });
}

/** The unwrapped `deployment` spec as DeploymentOptions. */
function deploymentProps(spec: any): any {
  if (spec === undefined) return undefined;
  const s = spec.strategy;
  const strategy = s === undefined ? undefined
    : s.kind === 'canary' ? DeploymentStrategy.canary({ percent: s.percent, stepBakeTime: s.stepBakeTime, bakeTime: s.bakeTime })
      : s.kind === 'linear' ? DeploymentStrategy.linear({ stepPercent: s.stepPercent, stepBakeTime: s.stepBakeTime, bakeTime: s.bakeTime })
        : s.kind === 'blueGreen' ? DeploymentStrategy.blueGreen({ bakeTime: s.bakeTime, testPort: s.testPort })
          : DeploymentStrategy.rolling();
  return { ...spec, strategy };
}

export function webServiceOptionsArbitrary(mode: Mode) {
  return coherent(mode, fc.tuple(taskOptionsArbitrary(mode, false), fc.record({
    healthCheck: targetHealthCheckArbitrary(mode),
    deregistrationDelay: duration(mode, 0, 3600),
    desiredCount: int(mode, 0, 5000),
    healthCheckGracePeriod: duration(mode, 0, 2_147_483_647),
    minHealthyPercent: int(mode, 0, 100),
    maxHealthyPercent: int(mode, 100, 200),
    enableExecuteCommand: bool(mode),
    scaling: scalingArbitrary(mode),
    spot: fc.record({
      spotWeight: int(mode, 0, 1000),
      onDemandWeight: int(mode, 0, 1000),
      onDemandBase: int(mode, 0, 100_000),
    }, { requiredKeys: ['spotWeight'] }),
    serviceName: field(mode, fc.constantFrom('web', 'web_service-1'), fc.constantFrom('', 'web service', 'x'.repeat(256))),
    assignPublicIp: bool(mode),
    pathPatterns: stringArray(mode, validPathPattern, badPathPattern, 2),
    hostHeaders: stringArray(mode, validHostHeader, badHostHeader, 2),
    priority: int(mode, 1, 50_000),
    deployment: deploymentArbitrary(mode),
  }, { requiredKeys: [] })).map(([task, service]) => ({ ...task, ...service })), (p) => {
    delete p.assignPublicIp;
    const strategy = p.deployment?.strategy;
    if (strategy?.kind === 'canary' && (val(strategy.stepBakeTime)?.toMinutes({ integral: false }) ?? 5) + (val(strategy.bakeTime)?.toMinutes({ integral: false }) ?? 5) > 1980) {
      p.deployment = { ...p.deployment, strategy: { kind: 'canary' } };
    }
    if (p.scaling !== undefined) {
      delete p.desiredCount;
      const sc = p.scaling = { ...p.scaling };
      const min = val(sc.minCapacity) ?? 1;
      const max = val(sc.maxCapacity) ?? 4;
      if (min > max) { sc.minCapacity = ok(max); sc.maxCapacity = ok(min === 0 ? 1 : min); }
      sc.schedules = (sc.schedules ?? []).filter((e: any, i: number, all: any[]) =>
        (e.minCapacity !== undefined || e.maxCapacity !== undefined) && all.findIndex((o) => val(o.name) === val(e.name)) === i
        && !(val(e.minCapacity) > val(e.maxCapacity)));
    }
    const hc = p.healthCheck;
    const secs = (d: Duration | undefined, dflt: number) => (d === undefined ? dflt : d.toMilliseconds({ integral: false }) / 1000);
    if (hc !== undefined && !(secs(val(hc.timeout), 4) < secs(val(hc.interval), 5))) {
      p.healthCheck = { ...hc };
      delete p.healthCheck.timeout;
      if (!(secs(val(hc.interval), 5) > 4)) delete p.healthCheck.interval;
    }
    if ((val(p.minHealthyPercent) ?? 100) >= (val(p.maxHealthyPercent) ?? 200)) { delete p.minHealthyPercent; delete p.maxHealthyPercent; }
    if (val(p.enableExecuteCommand) === true) { p.readonlyRootFilesystem = ok(false); delete p.writablePaths; }
    if (p.spot !== undefined && val(p.spot.spotWeight) === 0) p.spot = { spotWeight: ok(1) };
    if (p.hostHeaders === undefined && p.pathPatterns === undefined) delete p.priority;
  });
}

export function webServiceProps(props: any, fx: Fixtures): any {
  return { ...props, ...taskProps(props, fx), scaling: scalingProps(props.scaling), deployment: deploymentProps(props.deployment) };
}

export const webServiceTarget: FuzzTarget = {
  name: 'WebService',
  arbitrary: (mode) => withValidWeight(40, () => fc.record({
    cluster: fc.constantFrom('nat', 'public'),
    fargateSpot: mode === 'valid' ? fc.constant(true) : fc.constantFrom(true, true, false),
    options: webServiceOptionsArbitrary(mode),
  })),
  build: (stack, { cluster, fargateSpot, options }) => {
    const fx = new Fixtures(stack);
    const c = fx.cluster(cluster, fargateSpot);
    new WebService(stack, 'Web', { ...webServiceProps(options, fx), cluster: c, loadBalancer: fx.loadBalancer(c.vpc) });
  },
};

// ---------------------------------------------------------------------------------------------
// NetworkService (and its ServiceNetworkLoadBalancer)

function networkHealthCheckArbitrary(mode: Mode) {
  return fc.record({
    protocol: oneOf(mode, [NetworkHealthCheckProtocol.TCP, NetworkHealthCheckProtocol.HTTP, NetworkHealthCheckProtocol.HTTPS],
      ['UDP', 'TLS'] as unknown as NetworkHealthCheckProtocol[]),
    port: int(mode, 1, 65535),
    path: field(mode, fc.constantFrom('/', '/healthz'), fc.constantFrom('healthz', '/a b', '')),
    healthyHttpCodes: field(mode, fc.constantFrom('200', '200-299', '200-599'), fc.constantFrom('600', '199', 'abc', '')),
    interval: duration(mode, 5, 300),
    timeout: duration(mode, 2, 120),
    healthyThresholdCount: int(mode, 2, 10),
    unhealthyThresholdCount: int(mode, 2, 10),
  }, { requiredKeys: [] });
}

export function networkServiceArbitrary(mode: Mode) {
  return coherent(mode, fc.tuple(taskOptionsArbitrary(mode, false), fc.record({
    port: int(mode, 1, 65535),
    protocol: oneOf(mode, [NetworkProtocol.TCP, NetworkProtocol.UDP, NetworkProtocol.TCP_UDP, NetworkProtocol.TLS], ['HTTP'] as unknown as NetworkProtocol[]),
    certificate: oneOf(mode, ['cert']),
    alpnPolicy: oneOf(mode, [elbv2.AlpnPolicy.HTTP2_PREFERRED, elbv2.AlpnPolicy.NONE]),
    preserveClientIp: bool(mode),
    healthCheck: networkHealthCheckArbitrary(mode),
    deregistrationDelay: duration(mode, 0, 3600),
    healthCheckGracePeriod: duration(mode, 0, 2_147_483_647),
    desiredCount: int(mode, 0, 5000),
    internetFacing: bool(mode),
    allowedCidrs: field(mode, fc.array(fc.constantFrom('0.0.0.0/0', '203.0.113.0/24', '10.0.0.0/8'), { maxLength: 2 }), badCidr.map((c) => [c])),
    crossZoneEnabled: bool(mode),
  }, { requiredKeys: ['port'] })).map(([task, service]) => ({ ...task, ...service })), (p) => {
    const protocol = val(p.protocol) ?? NetworkProtocol.TCP;
    if (protocol === NetworkProtocol.TLS) p.certificate = ok('cert');
    else { delete p.certificate; delete p.alpnPolicy; }
    if (protocol === NetworkProtocol.UDP || protocol === NetworkProtocol.TCP_UDP) delete p.preserveClientIp;
    const hc = p.healthCheck;
    if (hc !== undefined) {
      p.healthCheck = { ...hc };
      if ((val(hc.protocol) ?? NetworkHealthCheckProtocol.TCP) === NetworkHealthCheckProtocol.TCP) { delete p.healthCheck.path; delete p.healthCheck.healthyHttpCodes; }
      const secs = (d: Duration | undefined, dflt: number) => (d === undefined ? dflt : d.toMilliseconds({ integral: false }) / 1000);
      if (!(secs(val(hc.timeout), 4) < secs(val(hc.interval), 5))) {
        delete p.healthCheck.timeout;
        if (!(secs(val(hc.interval), 5) > 4)) delete p.healthCheck.interval;
      }
    }
  });
}

export const networkServiceTarget: FuzzTarget = {
  name: 'NetworkService',
  arbitrary: (mode) => withValidWeight(40, () => networkServiceArbitrary(mode)),
  build: (stack, props) => {
    const fx = new Fixtures(stack);
    const cluster = fx.cluster('nat', true);
    const { internetFacing, allowedCidrs, crossZoneEnabled, certificate, ...service } = props;
    const loadBalancer = new ServiceNetworkLoadBalancer(stack, 'Nlb', { vpc: cluster.vpc, internetFacing, allowedCidrs, crossZoneEnabled });
    const s = new NetworkService(stack, 'Net', {
      ...service, ...taskProps(service, fx), cluster, loadBalancer, certificate: certificate ? fx.certificate() : undefined,
    });
    Validations.of(s).acknowledge({ id: 'Annotation::ecs-service-kit:no-deployment-alarms', reason: 'The fuzz target builds the service alone; alarms are the application\'s.' });
  },
};

// ---------------------------------------------------------------------------------------------
// ContainerWebApp

export function containerWebAppArbitrary(mode: Mode) {
  return coherent(mode, fc.tuple(
    fc.record({
      image: imageArbitrary(mode, ['registry', 'imageRepository', 'asset']),
      cpu: field(mode, fc.constantFrom(256, 512), fc.constantFrom(NaN, 3)),
      memoryMiB: field(mode, fc.constantFrom(1024), fc.constantFrom(-1)),
      healthCheck: fc.record({ path: field(mode, fc.constantFrom('/', '/health'), fc.constantFrom('health', '')) }),
      scaling: fc.record({ minCapacity: int(mode, 0, 5000), maxCapacity: int(mode, 1, 5000) }, { requiredKeys: [] }),
      spot: fc.record({ spotWeight: int(mode, 0, 1000) }),
      pathPatterns: stringArray(mode, validPathPattern, badPathPattern, 2),
    }, { requiredKeys: ['image'] }),
    fc.record({
      repository: oneOf(mode, ['own']),
      repositoryProps: fc.record({
        repositoryName: field(mode, validRepositoryName, badRepositoryName),
        removalPolicy: oneOf(mode, [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY], [RemovalPolicy.SNAPSHOT]),
        emptyOnDelete: bool(mode),
      }, { requiredKeys: [] }),
      cluster: oneOf(mode, ['own']),
      vpc: oneOf(mode, ['standard']),
      network: oneOf(mode, LAYOUTS, ['BOGUS' as NetworkLayout]),
      restrictDefaultSecurityGroup: bool(mode),
      loadBalancer: oneOf(mode, ['own']),
      certificate: oneOf(mode, ['cert']),
      domainName: field(mode, validDomain, badDomain),
      hostedZone: oneOf(mode, ['zone']),
      allowedCidrs: field(mode, fc.array(validIpv4Cidr, { maxLength: 2 }), badCidr.map((c) => [c])),
    }, { requiredKeys: [] }),
  ).map(([a, b]) => ({ ...a, ...b })), (p) => {
    if (p.cpu !== undefined || p.memoryMiB !== undefined) { p.cpu = ok(val(p.cpu) ?? 256); p.memoryMiB = ok(1024); }
    if (p.repository !== undefined) delete p.repositoryProps;
    if (p.repositoryProps !== undefined && val(p.repositoryProps.emptyOnDelete) === true) {
      p.repositoryProps = { ...p.repositoryProps, removalPolicy: ok(RemovalPolicy.DESTROY) };
    }
    if (p.cluster !== undefined) { delete p.vpc; delete p.network; delete p.restrictDefaultSecurityGroup; }
    if (p.vpc !== undefined) { delete p.network; delete p.restrictDefaultSecurityGroup; }
    if (p.loadBalancer !== undefined) { delete p.certificate; delete p.domainName; delete p.hostedZone; delete p.allowedCidrs; }
    if (p.domainName !== undefined) p.domainName = ok('app.example.com');
    if (p.domainName !== undefined && p.certificate === undefined) p.hostedZone = ok('zone');
    if (p.domainName === undefined) delete p.hostedZone;
    if (p.scaling !== undefined && (val(p.scaling.minCapacity) ?? 1) > (val(p.scaling.maxCapacity) ?? 4)) delete p.scaling;
  });
}

export function containerWebAppProps(props: any, fx: Fixtures): any {
  const cluster = props.cluster ? fx.cluster('nat', true) : undefined;
  return {
    ...props,
    image: buildImage(props.image, fx),
    repository: props.repository ? fx.imageRepository() : undefined,
    repositoryProps: props.repositoryProps,
    cluster,
    vpc: props.vpc ? fx.vpc(props.vpc) : undefined,
    loadBalancer: props.loadBalancer ? fx.loadBalancer(cluster?.vpc ?? fx.vpc('standard')) : undefined,
    certificate: props.certificate ? fx.certificate() : undefined,
    hostedZone: props.hostedZone ? fx.hostedZone() : undefined,
  };
}

export const containerWebAppTarget: FuzzTarget = {
  name: 'ContainerWebApp',
  arbitrary: (mode) => withValidWeight(15, () => containerWebAppArbitrary(mode)),
  build: (stack, props) => {
    new ContainerWebApp(stack, 'App', containerWebAppProps(props, new Fixtures(stack)));
  },
};

export const ALL_TARGETS: FuzzTarget[] = [
  imageRepositoryTarget, serviceImageTarget, serviceNetworkTarget, serviceClusterTarget,
  serviceLoadBalancerTarget, serviceTaskDefinitionTarget, webServiceTarget, containerWebAppTarget, networkServiceTarget,
];
