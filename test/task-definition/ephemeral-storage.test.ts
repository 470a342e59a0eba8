import { Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ServiceCluster } from '../../lib/cluster';
import { ServiceImage } from '../../lib/image';
import { ServiceTaskDefinition } from '../../lib/task-definition';
import { testApp, testStack } from '../util/test-app';

const NGINX = ServiceImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27');

test('Fargate: ephemeralStorageSize sets EphemeralStorage.SizeInGiB', () => {
  // GIVEN
  const stack = testStack(testApp());
  // WHEN
  new ServiceTaskDefinition(stack, 'Task', { image: NGINX, ephemeralStorageSize: Size.gibibytes(100) });
  // THEN
  Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EphemeralStorage: { SizeInGiB: 100 } });
});

test('default: no EphemeralStorage (Fargate\'s free 20 GiB)', () => {
  // GIVEN
  const stack = testStack(testApp());
  // WHEN
  new ServiceTaskDefinition(stack, 'Task', { image: NGINX });
  // THEN
  Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EphemeralStorage: Match.absent() });
});

describe('ephemeralStorageSize validation (one rule each)', () => {
  test.each<[string, Size, RegExp]>([
    ['20 GiB (what every task already has)', Size.gibibytes(20), /TestStack\/Task: ephemeralStorageSize 20 GiB is out of range; use whole GiB from 21 to 200/],
    ['above 200 GiB', Size.gibibytes(201), /ephemeralStorageSize 201 GiB is out of range/],
    ['fractional', Size.mebibytes(22_000), /ephemeralStorageSize 21.484375 GiB is out of range/],
  ])('%s', (_name, size, message) => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN / THEN
    expect(() => new ServiceTaskDefinition(stack, 'Task', { image: NGINX, ephemeralStorageSize: size })).toThrow(message);
  });

  test('not on EC2 capacity', () => {
    // GIVEN
    const stack = testStack(testApp());
    const cluster = new ServiceCluster(stack, 'Cluster', { restrictDefaultSecurityGroup: false });
    const ec2Capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('t3.medium') });
    // WHEN / THEN
    expect(() => new ServiceTaskDefinition(stack, 'Task', { image: NGINX, ec2Capacity, ephemeralStorageSize: Size.gibibytes(50) }))
      .toThrow(/ephemeralStorageSize "50 GiB" only applies to Fargate; tasks on ec2Capacity/);
  });
});
