import * as fs from 'fs';
import * as path from 'path';
import { countBoth } from '../../benchmarks/existing-platform/count';

describe('the README figure for one service on an existing cluster and listener', () => {
  const both = countBoth();
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');

  test('the hand-written L2 version and ours create the same kinds of resource; ours adds a shared target group of security, the load balancer\'s egress to it and a deployment alarm', () => {
    // The comparison is fair only if both create a working service: same service, rule, target group, roles, logs.
    const extra: Record<string, number> = { 'AWS::EC2::SecurityGroup': 1, 'AWS::EC2::SecurityGroupEgress': 1, 'AWS::CloudWatch::Alarm': 1 };
    const oursWithoutExtras = Object.fromEntries(Object.entries(both.ours.byType)
      .map(([type, n]) => [type, n - (extra[type] ?? 0)] as const)
      .filter(([, n]) => n > 0));
    expect(oursWithoutExtras).toEqual(both.l2.byType);
  });

  test('the README states the measured lines and resources', () => {
    expect(readme).toContain(`the L2s by hand: ${both.l2.lines} lines, ${both.l2.resources} resources | ${both.ours.lines} lines, ${both.ours.resources} resources`);
  });
});
