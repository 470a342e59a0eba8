/**
 * "A team with an existing cluster and load balancer": the lines each way takes to add one
 * service (between the BEGIN and END markers, blank lines and comments not counted) and the
 * resources each template creates.
 *
 *   node --import tsx benchmarks/existing-platform/count.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as l2 from './l2';
import * as ours from './ours';
import { PLATFORM } from './platform';

type AddService = typeof ours.addService;

export interface Count {
  readonly lines: number;
  readonly resources: number;
  readonly byType: Record<string, number>;
}

function countLines(file: string): number {
  const text = fs.readFileSync(file, 'utf-8');
  const body = text.slice(text.indexOf('// BEGIN'), text.indexOf('// END')).split('\n').slice(1);
  return body.filter((line) => line.trim() !== '' && !line.trim().startsWith('//')).length;
}

function countResources(addService: AddService): Pick<Count, 'resources' | 'byType'> {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0bb0000000000002a', 'subnet-0bb0000000000002b'],
    privateSubnetRouteTableIds: ['rtb-0dd0000000000004a', 'rtb-0dd0000000000004b'],
  });
  addService(stack, vpc, PLATFORM);
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  const byType: Record<string, number> = {};
  for (const r of Object.values(resources)) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  return { resources: Object.keys(resources).length, byType };
}

export function countBoth(): { ours: Count; l2: Count } {
  return {
    ours: { lines: countLines(path.join(__dirname, 'ours.ts')), ...countResources(ours.addService) },
    l2: { lines: countLines(path.join(__dirname, 'l2.ts')), ...countResources(l2.addService) },
  };
}

if (require.main === module) {
  const both = countBoth();
  for (const [name, c] of Object.entries(both)) {
    console.log(`${name}: ${c.lines} lines, ${c.resources} resources ${JSON.stringify(c.byType)}`);
  }
}
