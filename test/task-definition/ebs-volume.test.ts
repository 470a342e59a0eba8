import * as fs from 'fs';
import * as path from 'path';
import { App, Size, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployChecks } from '../../lib';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { EbsVolumeOptions } from '../../lib/task-definition';
import { WorkerService } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function worker(ebsVolume: EbsVolumeOptions, app: App = testApp()): { stack: Stack; worker: WorkerService } {
  const stack = testStack(app);
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  return { stack, worker: new WorkerService(stack, 'Worker', { cluster, image: NGINX, ebsVolume }) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('a service-managed EBS volume with defaults (gp3, xfs, encrypted)', () => {
  let stack: Stack;
  let w: WorkerService;
  let template: Template;
  beforeAll(() => {
    // GIVEN / WHEN
    ({ stack, worker: w } = worker({ mountPath: '/data', size: Size.gibibytes(100) }));
    template = Template.fromStack(stack);
  });

  test('the task definition has a volume configured at launch, mounted writable in the main container', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.arrayWith([{ Name: 'ebs', ConfiguredAtLaunch: true }]),
      ContainerDefinitions: [Match.objectLike({ Name: 'app', MountPoints: Match.arrayWith([{ ContainerPath: '/data', SourceVolume: 'ebs', ReadOnly: false }]) })],
    });
  });

  test('the service configures it: encrypted gp3, 100 GiB, xfs, the service\'s tags, and the ECS infrastructure role', () => {
    // THEN
    const service = (template.findResources('AWS::ECS::Service') as any)[logicalId(stack, w.ecsService)];
    const config = service.Properties.VolumeConfigurations[0];
    expect(config.Name).toBe('ebs');
    expect(config.ManagedEBSVolume).toMatchObject({
      Encrypted: true, VolumeType: 'gp3', SizeInGiB: 100, FilesystemType: 'xfs',
      TagSpecifications: [{ ResourceType: 'volume', PropagateTags: 'SERVICE' }],
    });
    expect(config.ManagedEBSVolume.KmsKeyId).toBeUndefined();
    // Create order, and delete: the service references the role, so the role exists before the
    // service and is deleted only after it (ECS deletes the volumes with it as the tasks stop).
    const roleId = config.ManagedEBSVolume.RoleArn['Fn::GetAtt'][0];
    const role = (template.findResources('AWS::IAM::Role') as any)[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'ecs.amazonaws.com' });
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('AmazonECSInfrastructureRolePolicyForVolumes');
  });

  test('nothing is retained: the volumes are not CloudFormation resources (ECS deletes each when its task stops)', () => {
    // THEN
    template.resourceCountIs('AWS::EC2::Volume', 0);
  });
});

test('a customer-managed key: its id on the volume, and the infrastructure role may use it', () => {
  // GIVEN
  const app = testApp();
  const stack = testStack(app);
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  // WHEN
  new WorkerService(stack, 'Worker', { cluster, image: NGINX, ebsVolume: { mountPath: '/data', size: Size.gibibytes(10), encryptionKey: key } });
  // THEN
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::ECS::Service', {
    VolumeConfigurations: [{ Name: 'ebs', ManagedEBSVolume: Match.objectLike({ KmsKeyId: { Ref: logicalId(stack, key) } }) }],
  });
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: Match.arrayWith(['kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext']),
      Resource: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] },
    })]) },
  });
  // ...before the first task starts: the service waits for the role's policy with the KMS grant.
  const [policyId] = Object.entries(template.findResources('AWS::IAM::Policy'))
    .find(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('kms:CreateGrant'))!;
  const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
  expect(service.DependsOn).toContain(policyId);
});

test('io2 with provisioned IOPS, and gp3 with IOPS and throughput, are passed through', () => {
  // GIVEN / WHEN
  const { stack } = worker({ mountPath: '/db', size: Size.gibibytes(100), volumeType: ec2.EbsDeviceVolumeType.GP3, iops: 6000, throughputMiBps: 500 });
  // THEN
  Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
    VolumeConfigurations: [{ Name: 'ebs', ManagedEBSVolume: Match.objectLike({ VolumeType: 'gp3', Iops: 6000, Throughput: 500 }) }],
  });
});

test('cdk-nag and the deploy checks pass in strict mode', () => {
  // GIVEN
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new DeployChecks());
  // WHEN
  worker({ mountPath: '/data', size: Size.gibibytes(20) }, app);
  // THEN
  expect(() => app.synth()).not.toThrow();
});

describe('EBS volume validation against the limits of each volume type (one rule each)', () => {
  const gib = (n: number) => Size.gibibytes(n);
  test.each<[string, EbsVolumeOptions, RegExp]>([
    ['mountPath relative', { mountPath: 'data', size: gib(10) }, /ebsVolume.mountPath "data" is not valid/],
    ['size missing without snapshot', { mountPath: '/d' }, /ebsVolume.size undefined is missing/],
    ['gp3 size above 65536', { mountPath: '/d', size: gib(65_537) }, /ebsVolume.size 65537 GiB is out of range for gp3 volumes; use whole GiB from 1 to 65536/],
    ['gp2 size above 16384', { mountPath: '/d', size: gib(16_385), volumeType: ec2.EbsDeviceVolumeType.GP2 }, /out of range for gp2 volumes; use whole GiB from 1 to 16384/],
    ['io1 below 4 GiB', { mountPath: '/d', size: gib(3), volumeType: ec2.EbsDeviceVolumeType.IO1, iops: 100 }, /out of range for io1 volumes; use whole GiB from 4 to 16384/],
    ['st1 below 125 GiB', { mountPath: '/d', size: gib(100), volumeType: ec2.EbsDeviceVolumeType.ST1 }, /out of range for st1 volumes; use whole GiB from 125 to 16384/],
    ['sc1 below 125 GiB', { mountPath: '/d', size: gib(100), volumeType: ec2.EbsDeviceVolumeType.SC1 }, /out of range for sc1 volumes/],
    ['standard above 1024 GiB', { mountPath: '/d', size: gib(2000), volumeType: ec2.EbsDeviceVolumeType.STANDARD }, /out of range for standard volumes; use whole GiB from 1 to 1024/],
    ['fractional size', { mountPath: '/d', size: Size.mebibytes(1536) }, /ebsVolume.size 1.5 GiB is out of range/],
    ['gp3 IOPS below 3000', { mountPath: '/d', size: gib(100), iops: 2000 }, /ebsVolume.iops 2000 is out of range; use an integer from 3000 to 80000 IOPS for gp3/],
    ['gp3 IOPS above 500 per GiB', { mountPath: '/d', size: gib(10), iops: 6000 }, /ebsVolume.iops 6000 is more than 500 IOPS per GiB of the 10 GiB gp3 volume; use at most 5000 IOPS, or a size of at least 12 GiB/],
    ['io1 IOPS above 50 per GiB', { mountPath: '/d', size: gib(10), volumeType: ec2.EbsDeviceVolumeType.IO1, iops: 1000 }, /more than 50 IOPS per GiB/],
    ['io2 IOPS above 256000', { mountPath: '/d', size: gib(1000), volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 300_000 }, /from 100 to 256000 IOPS for io2/],
    ['io2 without IOPS', { mountPath: '/d', size: gib(100), volumeType: ec2.EbsDeviceVolumeType.IO2 }, /ebsVolume.iops undefined is required for io2 volumes/],
    ['IOPS on gp2', { mountPath: '/d', size: gib(100), volumeType: ec2.EbsDeviceVolumeType.GP2, iops: 3000 }, /ebsVolume.iops 3000 cannot be set on gp2 volumes/],
    ['IOPS on st1', { mountPath: '/d', size: gib(500), volumeType: ec2.EbsDeviceVolumeType.ST1, iops: 3000 }, /cannot be set on st1 volumes/],
    ['throughput on io2', { mountPath: '/d', size: gib(100), volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 1000, throughputMiBps: 200 }, /ebsVolume.throughputMiBps 200 cannot be set on io2 volumes/],
    ['gp3 throughput above 2000', { mountPath: '/d', size: gib(1000), iops: 80_000, throughputMiBps: 2001 }, /throughputMiBps 2001 is out of range; use an integer from 125 to 2000 MiB\/s/],
    ['gp3 throughput above 0.25 MiB/s per IOPS', { mountPath: '/d', size: gib(100), throughputMiBps: 1000 }, /throughputMiBps 1000 is more than 0.25 MiB\/s per IOPS \(3000 IOPS, gp3's baseline\); use at most 750 MiB\/s, or give iops of at least 4000/],
    ['snapshot id', { mountPath: '/d', snapshotId: 'snapshot-1' }, /ebsVolume.snapshotId "snapshot-1" is not valid/],
    ['NTFS', { mountPath: '/d', size: gib(10), fileSystemType: 'ntfs' as any }, /ebsVolume.fileSystemType "ntfs" is not a Linux filesystem/],
  ])('%s', (_name, volume, message) => {
    // WHEN / THEN
    expect(() => worker(volume)).toThrow(message);
  });

  test('a snapshot without a size is fine (the snapshot\'s size)', () => {
    // WHEN / THEN
    expect(() => worker({ mountPath: '/d', snapshotId: 'snap-0123456789abcdef0' })).not.toThrow();
  });
});

describe('the default key, as the docs state it', () => {
  test('without encryptionKey the template names no key, so the key is ECS\'s choice (cluster managed storage key, else the account\'s default EBS key): no doc promises aws/ebs alone', () => {
    // GIVEN a worker with an EBS volume and no key
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    new WorkerService(stack, 'Worker', { cluster, image: ServiceImage.fromRegistry('public.ecr.aws/docker/library/alpine:3.20'), ebsVolume: { mountPath: '/data', size: Size.gibibytes(20) } });
    // THEN the template leaves the key to ECS
    const [service] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service')) as any[];
    expect(service.Properties.VolumeConfigurations[0].ManagedEBSVolume).toMatchObject({ Encrypted: true });
    expect(service.Properties.VolumeConfigurations[0].ManagedEBSVolume.KmsKeyId).toBeUndefined();
    // AND every sentence of the docs and the TSDoc that names aws/ebs says it is only the account's default
    const root = path.join(__dirname, '..', '..');
    const texts = ['README.md', 'docs/constructs.md', 'lib/task-definition/ebs-volume.ts'].map((f) => [f, fs.readFileSync(path.join(root, f), 'utf-8')]);
    const claims = texts.flatMap(([file, text]) => [...text.matchAll(/aws\/ebs/g)].map((m) => [file, text.slice(Math.max(0, m.index - 250), m.index + 250)]));
    expect(claims.length).toBeGreaterThan(0);
    for (const [file, around] of claims) {
      expect([file, /default EBS key/.test(around.replace(/\s*\*?\s*\n\s*\*?\s*/g, ' '))]).toEqual([file, true]);
    }
  });
});
