import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ServiceCluster } from '../../lib/cluster';
import { compareTemplates, describeHazard, errorsOf } from '../../lib/deploy-checks/update-hazards';
import { ServiceImage } from '../../lib/image';
import { ServiceLoadBalancer } from '../../lib/load-balancer';
import { WebService } from '../../lib/service';
import { WorkerService } from '../../lib/worker';
import { testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

function build(groups: (stack: Stack) => ec2.ISecurityGroup[] | undefined): { stack: Stack; web: WebService; worker: WorkerService } {
  const stack = testStack();
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  const additionalSecurityGroups = groups(stack);
  const web = new WebService(stack, 'Web', { cluster, loadBalancer, image: NGINX, additionalSecurityGroups });
  const worker = new WorkerService(stack, 'Worker', { cluster, image: NGINX, additionalSecurityGroups });
  return { stack, web, worker };
}

const database = (stack: Stack) => [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Database', 'sg-0123456789abcdef0', { mutable: false })];

test('the tasks of a web and a worker service join the groups after their own (and the web one\'s load balancer target group)', () => {
  // GIVEN / WHEN
  const { stack, web, worker } = build(database);
  const services = Template.fromStack(stack).findResources('AWS::ECS::Service');
  const groupsOf = (service: WebService | WorkerService) => services[stack.getLogicalId(service.ecsService.node.defaultChild as any)]
    .Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups;
  // THEN
  expect(groupsOf(web)).toHaveLength(3);
  expect(groupsOf(web)[2]).toBe('sg-0123456789abcdef0');
  expect(groupsOf(worker)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^WorkerSecurityGroup/), 'GroupId'] }, 'sg-0123456789abcdef0']);
});

test('update: adding a group changes the services in place (a new deployment), without an update hazard', () => {
  const before = Template.fromStack(build(() => undefined).stack).toJSON();
  const after = Template.fromStack(build(database).stack).toJSON();
  expect(errorsOf(compareTemplates({ TestStack: before }, { TestStack: after })).map(describeHazard)).toEqual([]);
});

describe('additionalSecurityGroups ECS would refuse fail at synth', () => {
  test('more than five groups with the task\'s own and the load balancer\'s', () => {
    const four = (stack: Stack) => [1, 2, 3, 4].map((i) => ec2.SecurityGroup.fromSecurityGroupId(stack, `G${i}`, `sg-0000000000000000${i}`));
    expect(() => build(four)).toThrow(/additionalSecurityGroups.*4.*groups with the task's own group and the load balancer's target group are more than the 5 ECS takes per task.*at most 3/);
  });

  test('a group twice', () => {
    expect(() => build((stack) => {
      const group = database(stack)[0];
      return [group, group];
    })).toThrow(/additionalSecurityGroups\[1\].*is in the list twice/);
  });
});

test('allowing a caller with additional groups admits the caller\'s own group only, not everything in the shared ones (review finding)', () => {
  // GIVEN a worker in a shared "database clients" group, calling a web service over Service Connect
  const stack = testStack();
  const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false, serviceConnectNamespace: 'internal' });
  const loadBalancer = new ServiceLoadBalancer(stack, 'LB', { vpc: cluster.vpc });
  const shared = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbClients', 'sg-0123456789abcdef0', { mutable: false });
  const api = new WebService(stack, 'Api', { cluster, loadBalancer, image: NGINX, serviceConnect: { name: 'api' } });
  const worker = new WorkerService(stack, 'Worker', { cluster, image: NGINX, serviceConnect: { clientOnly: true }, additionalSecurityGroups: [shared] });
  // WHEN
  api.allowServiceConnectFrom(worker);
  // THEN
  const template = Template.fromStack(stack);
  template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { SourceSecurityGroupId: 'sg-0123456789abcdef0' }, 0);
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    FromPort: 8080, SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(worker.securityGroup.node.defaultChild as any), 'GroupId'] },
  });
  expect(worker.connections.securityGroups).toEqual([worker.securityGroup]);
});
