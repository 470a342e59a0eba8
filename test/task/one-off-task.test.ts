import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { NetworkLayout } from '../../lib/network';
import { OneOffTask, OneOffTaskProps, ScheduledTask, TaskSchedule } from '../../lib/task';
import { testApp, testStack } from '../util/test-app';

const IMAGE = ServiceImage.fromRegistry('public.ecr.aws/docker/library/node:20-alpine');

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('OneOffTask defaults (SINGLE_NAT cluster)', () => {
  // GIVEN a cluster with one NAT gateway, a migration task and a CI role allowed to run it (one synth)
  let stack: Stack;
  let cluster: ServiceCluster;
  let task: OneOffTask;
  let template: Template;
  beforeAll(() => {
    stack = testStack(testApp());
    cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
    // WHEN
    task = new OneOffTask(stack, 'Migrate', { cluster, image: IMAGE, command: ['node', 'migrate.js'], cpu: 512, memoryMiB: 1024 });
    const ci = new iam.Role(stack, 'CiRole', { assumedBy: new iam.AccountRootPrincipal() });
    task.grantRun(ci);
    template = Template.fromStack(stack);
  });

  test('a Fargate task definition with the command, the size and logs with retention', () => {
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '512',
      Memory: '1024',
      ContainerDefinitions: [Match.objectLike({
        Name: 'app',
        Command: ['node', 'migrate.js'],
        ReadonlyRootFilesystem: true,
        PortMappings: Match.absent(),
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(task.taskDefinition).toBe(task.serviceTaskDefinition.taskDefinition);
  });

  test('its own security group has no ingress and all egress', () => {
    // THEN
    const sg = template.findResources('AWS::EC2::SecurityGroup')[logicalId(stack, task.securityGroup)] as any;
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [logicalId(stack, task.securityGroup), 'GroupId'] },
    }, 0);
  });

  test('the run-task command names the cluster, the revision, the private subnets and the security group', () => {
    // WHEN
    const resolved = JSON.stringify(stack.resolve(task.runTaskCommand));
    // THEN
    expect(resolved).toContain('aws ecs run-task --region us-east-1 --cluster ');
    expect(resolved).toContain(JSON.stringify({ Ref: logicalId(stack, cluster.ecsCluster) }));
    expect(resolved).toContain(`--task-definition ",${JSON.stringify({ Ref: logicalId(stack, task.taskDefinition) })}`);
    expect(resolved).toContain('--launch-type FARGATE --network-configuration \\"awsvpcConfiguration={subnets=[');
    const subnets = cluster.vpc.privateSubnets.map((s) => JSON.stringify({ Ref: logicalId(stack, s) }));
    expect(resolved).toContain(`${subnets[0]},",",${subnets[1]}`);
    expect(resolved).toContain(`securityGroups=[",${JSON.stringify({ 'Fn::GetAtt': [logicalId(stack, task.securityGroup), 'GroupId'] })},"],assignPublicIp=DISABLED}\\"`);
    expect(task.assignPublicIp).toBe(false);
  });

  test('grantRun: RunTask on this revision in this cluster, PassRole on its two roles to ECS tasks only', () => {
    // THEN
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^CiRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'ecs:RunTask',
            Effect: 'Allow',
            Resource: { Ref: logicalId(stack, task.taskDefinition) },
            Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [logicalId(stack, cluster.ecsCluster), 'Arn'] } } },
          },
          {
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Resource: [
              { 'Fn::GetAtt': [stack.getLogicalId(task.taskDefinition.taskRole.node.defaultChild as any), 'Arn'] },
              { 'Fn::GetAtt': [stack.getLogicalId(task.taskDefinition.executionRole!.node.defaultChild as any), 'Arn'] },
            ],
            Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
          },
        ],
        Version: '2012-10-17',
      },
    });
  });
});

describe('OneOffTask on Fargate Spot in a public-subnet cluster', () => {
  test('the command uses the FARGATE_SPOT strategy and a public IP', () => {
    // GIVEN
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.PUBLIC_ONLY, restrictDefaultSecurityGroup: false });
    // WHEN
    const task = new OneOffTask(stack, 'Batch', { cluster, image: IMAGE, fargateSpot: true });
    const resolved = JSON.stringify(stack.resolve(task.runTaskCommand));
    // THEN
    expect(resolved).toContain('--capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1 --network-configuration');
    expect(resolved).not.toContain('--launch-type');
    expect(resolved).toContain('assignPublicIp=ENABLED');
    const subnets = cluster.vpc.publicSubnets.map((s) => JSON.stringify({ Ref: stack.getLogicalId(s.node.defaultChild as any) }));
    for (const subnet of subnets) expect(resolved).toContain(subnet);
    expect(task.capacityProviderStrategy()).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
  });
});

describe('OneOffTask validation', () => {
  const stack = testStack(testApp());
  const cluster = new ServiceCluster(stack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false });
  let n = 0;
  const make = (props: Partial<OneOffTaskProps>) => () => new OneOffTask(stack, `Task${++n}`, { cluster, image: IMAGE, ...props });

  test('cluster is required', () => {
    expect(make({ cluster: undefined })).toThrow(/TestStack\/Task\d+: cluster undefined is missing; give a ServiceCluster/);
  });

  test('task options are checked under the OneOffTask, e.g. the Fargate size', () => {
    expect(make({ cpu: 256, memoryMiB: 4096 })).toThrow(/TestStack\/Task\d+: cpu 256 with memoryMiB 4096 is not a Fargate size/);
  });

  test('fargateSpot must be a boolean', () => {
    expect(make({ fargateSpot: 'yes' as unknown as boolean })).toThrow(/TestStack\/Task\d+: fargateSpot "yes" is not a boolean; use true or false/);
  });

  test('fargateSpot needs the cluster\'s Fargate capacity providers (checked at synth)', () => {
    // GIVEN a cluster without capacity providers
    const app = testApp();
    const spotStack = testStack(app);
    const noSpot = new ServiceCluster(spotStack, 'Cluster', { network: NetworkLayout.SINGLE_NAT, restrictDefaultSecurityGroup: false, enableFargateSpot: false });
    // WHEN
    new OneOffTask(spotStack, 'Batch', { cluster: noSpot, image: IMAGE, fargateSpot: true });
    // THEN
    expect(() => app.synth()).toThrow(/TestStack\/Batch: fargateSpot true needs the FARGATE_SPOT capacity provider on the cluster/);
  });
});

describe('additionalSecurityGroups of a task', () => {
  test('the run command, a schedule and a re-running state machine start the task in its own group and the given ones', () => {
    // GIVEN
    const stack = testStack();
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const database = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Database', 'sg-0123456789abcdef0', { mutable: false });
    // WHEN
    const job = new ScheduledTask(stack, 'Job', {
      cluster, image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'), additionalSecurityGroups: [database],
      schedule: TaskSchedule.rate(Duration.hours(1)), rerunFailedRuns: 1,
    });
    const template = Template.fromStack(stack);
    // THEN
    expect(JSON.stringify(stack.resolve(job.oneOffTask.runTaskCommand))).toContain(',sg-0123456789abcdef0]');
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    expect(JSON.stringify(schedule)).not.toContain('sg-0123456789abcdef0'); // the schedule starts the state machine, which runs the task
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    expect(JSON.stringify(machine)).toContain('sg-0123456789abcdef0');
  });

  test('a schedule without re-runs runs the task in both groups', () => {
    const stack = testStack();
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const database = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Database', 'sg-0123456789abcdef0', { mutable: false });
    new ScheduledTask(stack, 'Job', { cluster, image: ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'), additionalSecurityGroups: [database], schedule: TaskSchedule.rate(Duration.hours(1)) });
    const schedule = Object.values(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule'))[0];
    expect(schedule.Properties.Target.EcsParameters.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[1]).toBe('sg-0123456789abcdef0');
  });

  test('more than four given groups fail: with the task\'s own, ECS takes five', () => {
    const stack = testStack();
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const groups = [1, 2, 3, 4, 5].map((i) => ec2.SecurityGroup.fromSecurityGroupId(stack, `G${i}`, `sg-0000000000000000${i}`));
    expect(() => new OneOffTask(stack, 'Once', { cluster, image: ServiceImage.fromRegistry('x'), additionalSecurityGroups: groups }))
      .toThrow(/additionalSecurityGroups.*5.*more than the 5 ECS takes per task.*at most 4/);
  });
});
