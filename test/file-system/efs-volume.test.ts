import { App, CfnResource, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import { ContainerInstanceOs, ServiceCluster } from '../../lib/cluster';
import { NetworkLayout } from '../../lib/network';
import { schemaFacts } from '../../lib/deploy-checks/schema-facts';
import { EfsVolumeOptions, ServiceFileSystem } from '../../lib/file-system';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer/service-load-balancer';
import { WebService } from '../../lib/service/web-service';
import { OneOffTask, ScheduledTask, TaskSchedule } from '../../lib/task';
import { WorkerService, WorkerServiceProps } from '../../lib/worker';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function platform(app: App = testApp()) {
  const stack = testStack(app);
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const files = new ServiceFileSystem(stack, 'Files', { cluster });
  return { app, stack, cluster, files };
}

function worker(volumes: (files: ServiceFileSystem) => EfsVolumeOptions[], extra: Partial<WorkerServiceProps> = {}) {
  const p = platform();
  const w = new WorkerService(p.stack, 'Worker', { cluster: p.cluster, image: NGINX, efsVolumes: volumes(p.files), ...extra });
  return { ...p, worker: w, template: Template.fromStack(p.stack) };
}

const id = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
const ofType = (template: Template, type: string) => Object.entries(template.findResources(type)) as [string, any][];

describe('ServiceFileSystem defaults', () => {
  const { stack, files } = platform();
  const template = Template.fromStack(stack);
  const [fsId, fileSystem] = ofType(template, 'AWS::EFS::FileSystem')[0];

  test('encrypted, retained on stack delete and on replacement, backed up, elastic, general purpose, IA after 30 days and back on first access', () => {
    expect(fileSystem.DeletionPolicy).toBe('Retain');
    expect(fileSystem.UpdateReplacePolicy).toBe('Retain');
    expect(fileSystem.Properties).toMatchObject({
      Encrypted: true,
      BackupPolicy: { Status: 'ENABLED' },
      ThroughputMode: 'elastic',
      PerformanceMode: 'generalPurpose',
      LifecyclePolicies: [{ TransitionToIA: 'AFTER_30_DAYS' }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }],
    });
  });

  test('its policy refuses connections without TLS and allows nobody by itself (no aws-cdk-lib statement for any principal)', () => {
    expect(fileSystem.Properties.FileSystemPolicy.Statement).toEqual([{
      Sid: 'DenyWithoutTls', Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }]);
  });

  test('one mount target in each task subnet, in a security group with no ingress until a volume uses it and no egress', () => {
    const targets = ofType(template, 'AWS::EFS::MountTarget');
    expect(targets).toHaveLength(2);
    const sgId = id(stack, files.securityGroup);
    for (const [, target] of targets) {
      expect(target.Properties.FileSystemId).toEqual({ Ref: fsId });
      expect(target.Properties.SecurityGroups).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
      expect(JSON.stringify(target.Properties.SubnetId)).toMatch(/PrivateSubnet/);
    }
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(template.findResources('AWS::EC2::SecurityGroup')[sgId].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
  });

  test('the synth output states the per-GB prices (no fixed fee) and where they come from', () => {
    Annotations.fromStack(stack).hasInfo('/TestStack/Files', Match.stringLikeRegexp(
      'no fixed monthly fee.*https://aws.amazon.com/efs/pricing/.*\\$0.30/GB-month Standard.*\\$0.016/GB-month Infrequent Access.*backups \\$0.05/GB-month.*\\$0.03/GB read.*\\$0.06/GB written.*10 GB in Standard with backups: \\$3.50/month'));
  });

  test('removalPolicy and enableAutomaticBackups opt out; the note then leaves backups out', () => {
    const stack2 = testStack();
    const cluster = new ServiceCluster(stack2, 'Cluster', { restrictDefaultSecurityGroup: false });
    new ServiceFileSystem(stack2, 'Files', { cluster, removalPolicy: RemovalPolicy.DESTROY, enableAutomaticBackups: false });
    const [, fs2] = ofType(Template.fromStack(stack2), 'AWS::EFS::FileSystem')[0];
    expect(fs2.DeletionPolicy).toBe('Delete');
    expect(fs2.Properties.BackupPolicy).toBeUndefined();
    const info = Annotations.fromStack(stack2).findInfo('/TestStack/Files', Match.anyValue());
    expect(JSON.stringify(info)).not.toMatch(/backup/);
    expect(JSON.stringify(info)).toMatch(/10 GB in Standard: \$3.00\/month/);
  });

  test('Max I/O with elastic throughput and provisioned throughput are refused at synth', () => {
    const stack2 = testStack();
    const cluster = new ServiceCluster(stack2, 'Cluster', { restrictDefaultSecurityGroup: false });
    expect(() => new ServiceFileSystem(stack2, 'A', { cluster, performanceMode: efs.PerformanceMode.MAX_IO })).toThrow(/performanceMode.*maxIO.*elastic/);
    expect(() => new ServiceFileSystem(stack2, 'B', { cluster, throughputMode: efs.ThroughputMode.PROVISIONED })).toThrow(/throughputMode/);
  });
});

describe('a worker with an EFS volume', () => {
  const { stack, files, worker: w, template } = worker((f) => [{ fileSystem: f.fileSystem, mountPath: '/data', posixUser: { uid: 1000, gid: 1000 } }]);
  const [apId, accessPoint] = ofType(template, 'AWS::EFS::AccessPoint')[0];
  const fsId = id(stack, files.fileSystem);

  test('an access point with the POSIX user, and a root directory EFS creates owned by it with mode 750', () => {
    expect(accessPoint.Properties).toMatchObject({
      FileSystemId: { Ref: fsId },
      PosixUser: { Uid: '1000', Gid: '1000' },
      RootDirectory: { Path: '/data', CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' } },
    });
  });

  test('the task mounts it through the access point with IAM authorization and TLS, writable, in the main container', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.arrayWith([{
        Name: 'efs-data',
        EFSVolumeConfiguration: { FilesystemId: { Ref: fsId }, TransitEncryption: 'ENABLED', AuthorizationConfig: { AccessPointId: { Ref: apId }, IAM: 'ENABLED' } },
      }]),
      ContainerDefinitions: [Match.objectLike({ Name: 'app', MountPoints: Match.arrayWith([{ ContainerPath: '/data', SourceVolume: 'efs-data', ReadOnly: false }]) })],
    });
  });

  test('the task role may mount and write the file system through this access point only, without root access', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(stack, w.taskDefinition.taskRole) }],
      PolicyDocument: { Statement: Match.arrayWith([{
        Effect: 'Allow',
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: { 'Fn::GetAtt': [fsId, 'Arn'] },
        Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: apId }])]) }) } },
      }]) },
    });
  });

  test('NFS (2049) from the worker\'s tasks to the mount targets, and no other ingress', () => {
    const rules = ofType(template, 'AWS::EC2::SecurityGroupIngress');
    expect(rules).toHaveLength(1);
    expect(rules[0][1].Properties).toMatchObject({
      GroupId: { 'Fn::GetAtt': [id(stack, files.securityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(stack, w.securityGroup), 'GroupId'] },
      IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049,
    });
  });

  test('lifecycle, create: the service waits for every mount target and the NFS rule (else tasks fail "mount.nfs: Failed to resolve server")', () => {
    const service = template.findResources('AWS::ECS::Service')[id(stack, w.ecsService)];
    const targets = ofType(template, 'AWS::EFS::MountTarget').map(([logicalId]) => logicalId);
    const rule = ofType(template, 'AWS::EC2::SecurityGroupIngress')[0][0];
    expect(targets).toHaveLength(2);
    expect(service.DependsOn).toEqual(expect.arrayContaining([...targets, rule]));
  });

  test('lifecycle, destroy: the file system is retained; access point, mount targets, security group and rule are deleted, '
    + 'the mount targets before the group they reference', () => {
    for (const type of ['AWS::EFS::AccessPoint', 'AWS::EFS::MountTarget', 'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress']) {
      for (const [, resource] of ofType(template, type)) expect(resource.DeletionPolicy).toBeUndefined();
    }
    expect(template.findResources('AWS::EFS::FileSystem')[fsId].DeletionPolicy).toBe('Retain');
    // CloudFormation deletes in reverse dependency order: a mount target (which references the
    // group) goes first, so the group is free to delete; the retained file system outlives both
    // and keeps its files, reachable again once new mount targets exist.
    for (const [, target] of ofType(template, 'AWS::EFS::MountTarget')) {
      expect(JSON.stringify(target.Properties.SecurityGroups)).toContain(id(stack, files.securityGroup));
    }
  });
});

describe('lifecycle, update: what a changed volume does to running tasks', () => {
  test('the access point\'s POSIX user and root directory, and a mount target\'s subnet, are create-only (CloudFormation registry schemas)', () => {
    const ap = schemaFacts('AWS::EFS::AccessPoint')!.createOnly.map((p) => p.join('/'));
    expect(ap).toEqual(expect.arrayContaining(['FileSystemId', 'PosixUser', 'RootDirectory']));
    expect(schemaFacts('AWS::EFS::MountTarget')!.createOnly.map((p) => p.join('/'))).toEqual(expect.arrayContaining(['SubnetId', 'FileSystemId']));
    expect(schemaFacts('AWS::EFS::FileSystem')!.createOnly.map((p) => p.join('/'))).toEqual(expect.arrayContaining(['Encrypted', 'KmsKeyId', 'PerformanceMode']));
  });

  test('a new POSIX user replaces the access point; the task definition names it by id, so it gets a new revision and the service rolls its tasks', () => {
    const v1 = worker((f) => [{ fileSystem: f.fileSystem, mountPath: '/data', posixUser: { uid: 1000, gid: 1000 } }]).template;
    const v2 = worker((f) => [{ fileSystem: f.fileSystem, mountPath: '/data', posixUser: { uid: 2000, gid: 2000 } }]).template;
    const [ap1, before] = ofType(v1, 'AWS::EFS::AccessPoint')[0];
    const [ap2, after] = ofType(v2, 'AWS::EFS::AccessPoint')[0];
    // Same logical id, a create-only property changed: CloudFormation creates a new access point (new id) ...
    expect(ap2).toBe(ap1);
    expect(after.Properties.PosixUser).not.toEqual(before.Properties.PosixUser);
    // ... which the task definition refers to; every property of a task definition is create-only,
    // so it becomes a new revision, and the service rolls to it (running tasks keep the old access
    // point until they stop; CloudFormation deletes it in cleanup, after the deployment).
    const [, taskDef] = ofType(v2, 'AWS::ECS::TaskDefinition')[0];
    expect(JSON.stringify(taskDef.Properties.Volumes)).toContain(`{"Ref":"${ap2}"}`);
    expect(schemaFacts('AWS::ECS::TaskDefinition')!.createOnly.map((p) => p.join('/'))).toEqual(expect.arrayContaining(['Volumes']));
  });
});

describe('read-only, root access, sidecars', () => {
  test('readOnly: the mount is read-only and the task role gets no ClientWrite', () => {
    const { template } = worker((f) => [{ fileSystem: f.fileSystem, mountPath: '/config', readOnly: true, posixUser: { uid: 1000, gid: 1000 } }]);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ MountPoints: Match.arrayWith([{ ContainerPath: '/config', SourceVolume: 'efs-config', ReadOnly: true }]) })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'elasticfilesystem:ClientMount' })]) } });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toMatch(/ClientWrite|ClientRootAccess/);
    // The directory is the POSIX user's, so the read-only mount can enter it
    template.hasResourceProperties('AWS::EFS::AccessPoint', { PosixUser: { Uid: '1000', Gid: '1000' }, RootDirectory: { Path: '/config', CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' } } });
  });

  test('rootAccess adds ClientRootAccess; rootDirectory and directoryPermissions shape the directory', () => {
    const { template } = worker((f) => [{ fileSystem: f.fileSystem, mountPath: '/data', rootAccess: true, rootDirectory: '/shared/jobs', directoryPermissions: '0770' }]);
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite', 'elasticfilesystem:ClientRootAccess'],
    })]) } });
    template.hasResourceProperties('AWS::EFS::AccessPoint', { RootDirectory: { Path: '/shared/jobs', CreationInfo: Match.objectLike({ Permissions: '0770' }) } });
  });

  test('containers: a sidecar mounts it and the main container does not; two volumes of one file system get one NFS rule', () => {
    const { template } = worker((f) => [
      { fileSystem: f.fileSystem, mountPath: '/data', containers: ['shipper'], posixUser: { uid: 1000, gid: 1000 } },
      { fileSystem: f.fileSystem, mountPath: '/cache', posixUser: { uid: 1000, gid: 1000 } },
    ], { sidecars: [{ containerName: 'shipper', image: NGINX }] });
    const [, taskDef] = ofType(template, 'AWS::ECS::TaskDefinition')[0];
    const mounts = Object.fromEntries(taskDef.Properties.ContainerDefinitions.map((c: any) => [c.Name, (c.MountPoints ?? []).map((m: any) => m.ContainerPath)]));
    expect(mounts.shipper).toContain('/data');
    expect(mounts.app).not.toContain('/data');
    expect(mounts.app).toContain('/cache');
    template.resourceCountIs('AWS::EFS::AccessPoint', 2);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
  });
});

describe('shared and existing file systems', () => {
  test('a web service and a worker share one file system: one rule each, both wait for the mount targets', () => {
    const { stack, cluster, files } = platform();
    const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
    Validations.of(loadBalancer).acknowledge({ id: 'Annotation::ecs-service-kit:http-only', reason: 'test' });
    const volume = { fileSystem: files.fileSystem, mountPath: '/data', posixUser: { uid: 1000, gid: 1000 } };
    const web = new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, efsVolumes: [volume] });
    const w = new WorkerService(stack, 'Worker', { cluster, image: NGINX, efsVolumes: [volume] });
    const template = Template.fromStack(stack);
    const sources = ofType(template, 'AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => r.Properties.FromPort === 2049).map(([, r]) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]);
    expect(sources.sort()).toEqual([id(stack, web.securityGroup), id(stack, w.securityGroup)].sort());
    const targets = ofType(template, 'AWS::EFS::MountTarget').map(([logicalId]) => logicalId);
    for (const service of [web.ecsService, w.ecsService]) {
      expect(template.findResources('AWS::ECS::Service')[id(stack, service)].DependsOn).toEqual(expect.arrayContaining(targets));
    }
  });

  test('a file system in the platform stack: the NFS rule is created in the service\'s stack, so the stacks form no cycle', () => {
    const app = testApp();
    const { stack: shared, cluster, files } = platform(app);
    const apps = testStack(app, 'Apps');
    new WorkerService(apps, 'Worker', { cluster, image: NGINX, efsVolumes: [{ fileSystem: files.fileSystem, mountPath: '/data', posixUser: { uid: 1000, gid: 1000 } }] });
    expect(() => app.synth()).not.toThrow();
    expect(apps.dependencies).toContain(shared);
    expect(shared.dependencies).not.toContain(apps);
    Template.fromStack(apps).resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    Template.fromStack(apps).resourceCountIs('AWS::EFS::AccessPoint', 1);
    Template.fromStack(shared).resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('an existing file system, imported by id and security group: the rule lands on its group; there are no mount targets to wait for', () => {
    const stack = testStack();
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const fileSystem = efs.FileSystem.fromFileSystemAttributes(stack, 'Existing', {
      fileSystemId: 'fs-0123456789abcdef0',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'ExistingSg', 'sg-0123456789abcdef0'),
    });
    new WorkerService(stack, 'Worker', { cluster, image: NGINX, efsVolumes: [{ fileSystem, mountPath: '/data', posixUser: { uid: 1000, gid: 1000 } }] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 2049 });
    template.hasResourceProperties('AWS::EFS::AccessPoint', { FileSystemId: 'fs-0123456789abcdef0' });
    template.resourceCountIs('AWS::EFS::FileSystem', 0);
  });
});

describe('one-off and scheduled tasks', () => {
  test('the task definition (which runTaskCommand and the schedule name) waits for the mount targets; the schedule comes after it', () => {
    const { stack, cluster, files } = platform();
    const job = new ScheduledTask(stack, 'Nightly', {
      cluster, image: NGINX, schedule: TaskSchedule.rate(Duration.hours(1)),
      efsVolumes: [{ fileSystem: files.fileSystem, mountPath: '/reports', posixUser: { uid: 1000, gid: 1000 } }],
    });
    const one = new OneOffTask(stack, 'Migrate', { cluster, image: NGINX, efsVolumes: [{ fileSystem: files.fileSystem, mountPath: '/data', readOnly: true, posixUser: { uid: 1000, gid: 1000 } }] });
    const template = Template.fromStack(stack);
    const targets = ofType(template, 'AWS::EFS::MountTarget').map(([logicalId]) => logicalId);
    for (const taskDefinition of [job.taskDefinition, one.taskDefinition]) {
      expect(template.findResources('AWS::ECS::TaskDefinition')[id(stack, taskDefinition)].DependsOn).toEqual(expect.arrayContaining(targets));
    }
    const schedule = template.findResources('AWS::Scheduler::Schedule')[id(stack, job.schedule)];
    expect(JSON.stringify(schedule.Properties.Target)).toContain(id(stack, job.taskDefinition));
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
  });
});

describe('validation', () => {
  const cases: [string, (f: ServiceFileSystem) => EfsVolumeOptions[], Partial<WorkerServiceProps>, RegExp][] = [
    ['a non-root container user without posixUser', (f) => [{ fileSystem: f.fileSystem, mountPath: '/data' }], { user: '1000' },
      /efsVolumes\[0\]\.posixUser.*container "app" runs as user "1000"/],
    ['a uid out of range', (f) => [{ fileSystem: f.fileSystem, mountPath: '/data', posixUser: { uid: 4_294_967_296, gid: 0 } }], {}, /efsVolumes\[0\]\.posixUser\.uid/],
    ['a negative gid', (f) => [{ fileSystem: f.fileSystem, mountPath: '/data', posixUser: { uid: 1, gid: -1 } }], {}, /efsVolumes\[0\]\.posixUser\.gid/],
    ['a relative mount path', (f) => [{ fileSystem: f.fileSystem, mountPath: 'data', posixUser: { uid: 1000, gid: 1000 } }], {}, /efsVolumes\[0\]\.mountPath.*absolute/],
    ['the root as mount path', (f) => [{ fileSystem: f.fileSystem, mountPath: '/', posixUser: { uid: 1000, gid: 1000 } }], {}, /efsVolumes\[0\]\.mountPath/],
    ['a duplicated mount path', (f) => [{ fileSystem: f.fileSystem, mountPath: '/data', posixUser: { uid: 1000, gid: 1000 } }, { fileSystem: f.fileSystem, mountPath: '/data/', posixUser: { uid: 1000, gid: 1000 } }], {},
      /efsVolumes\[1\]\.mountPath.*efsVolumes\[0\]/],
    ['the EBS volume\'s mount path', (f) => [{ fileSystem: f.fileSystem, mountPath: '/scratch', posixUser: { uid: 1000, gid: 1000 } }], { ebsVolume: { mountPath: '/scratch', size: Size.gibibytes(20) } },
      /efsVolumes\[0\]\.mountPath.*ebsVolume/],
    ['a writable path', (f) => [{ fileSystem: f.fileSystem, mountPath: '/tmp', posixUser: { uid: 1000, gid: 1000 } }], {}, /efsVolumes\[0\]\.mountPath.*writable path/],
    ['read-only with root access', (f) => [{ fileSystem: f.fileSystem, mountPath: '/data', readOnly: true, rootAccess: true, posixUser: { uid: 1000, gid: 1000 } }], {}, /efsVolumes\[0\]\.rootAccess.*readOnly/],
    ['a container that does not exist', (f) => [{ fileSystem: f.fileSystem, mountPath: '/data', containers: ['nope'], posixUser: { uid: 1000, gid: 1000 } }], {}, /efsVolumes\[0\]\.containers.*"nope".*app/],
    ['bad permissions', (f) => [{ fileSystem: f.fileSystem, mountPath: '/data', directoryPermissions: 'rwx', posixUser: { uid: 1000, gid: 1000 } }], {}, /directoryPermissions/],
  ];
  test.each(cases)('%s is a ConfigurationError naming the prop', (_name, volumes, extra, message) => {
    expect(() => worker(volumes, extra)).toThrow(message);
  });

  test('without posixUser the volume needs rootAccess (EFS squashes a root client without ClientRootAccess, and the directory would be root\'s); uid 0 needs it too', () => {
    expect(() => worker((f) => [{ fileSystem: f.fileSystem, mountPath: '/data' }], { user: 'root' })).toThrow(/efsVolumes\[0\]\.posixUser.*root squashing/);
    expect(() => worker((f) => [{ fileSystem: f.fileSystem, mountPath: '/data', posixUser: { uid: 0, gid: 0 } }])).toThrow(/efsVolumes\[0\]\.posixUser\.uid.*ClientRootAccess/);
    expect(() => worker((f) => [{ fileSystem: f.fileSystem, mountPath: '/data', rootAccess: true }], { user: '0:0' })).not.toThrow();
  });
});

describe('platform version', () => {
  test('a service pinned below Fargate platform version 1.4.0 through the L1 cannot synthesize with an EFS volume; LATEST and 1.4.0 can', () => {
    const synth = (version: string) => {
      const { app, stack, cluster, files } = platform();
      const w = new WorkerService(stack, 'Worker', { cluster, image: NGINX, efsVolumes: [{ fileSystem: files.fileSystem, mountPath: '/data', posixUser: { uid: 1000, gid: 1000 } }] });
      (w.ecsService.node.defaultChild as any).platformVersion = version;
      return () => app.synth();
    };
    expect(synth('1.3.0')).toThrow(/PlatformVersion.*1\.3\.0.*1\.4\.0/);
    expect(synth('1.4.0')).not.toThrow();
    expect(synth('LATEST')).not.toThrow();
  });
});

describe('what EFS would refuse at run time (review findings)', () => {
  test('mount targets: one per Availability Zone even when the task subnets hold two subnets in a zone (EFS allows one mount target per zone)', () => {
    const stack = testStack(testApp());
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2, natGateways: 1, restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    });
    const cluster = new ServiceCluster(stack, 'Cluster', { vpc });
    new ServiceFileSystem(stack, 'Files', { cluster });
    Template.fromStack(stack).resourceCountIs('AWS::EFS::MountTarget', 2);
  });

  test('EC2 capacity on Bottlerocket cannot mount an EFS volume with IAM authorization and TLS (no amazon-efs-utils): a ConfigurationError naming efsVolumes', () => {
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    const capacity = cluster.addEc2Capacity('Instances', { os: ContainerInstanceOs.BOTTLEROCKET });
    const files = new ServiceFileSystem(stack, 'Files', { cluster });
    expect(() => new WorkerService(stack, 'Worker', {
      cluster, image: NGINX, ec2Capacity: capacity,
      efsVolumes: [{ fileSystem: files.fileSystem, mountPath: '/data', posixUser: { uid: 1000, gid: 1000 } }],
    })).toThrow(/efsVolumes.*Bottlerocket.*amazon-efs-utils/);
  });
});
