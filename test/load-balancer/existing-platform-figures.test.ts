import * as fs from 'fs';
import * as path from 'path';
import { countBoth } from '../../benchmarks/existing-platform/count';

describe('the README figure for one service on an existing cluster and listener', () => {
  const both = countBoth();
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');

  test('the hand-written L2 version and ours create the same kinds of resource, ours plus one shared target security group', () => {
    // The comparison is fair only if both create a working service: same service, rule, target group, roles, logs.
    const { ['AWS::EC2::SecurityGroup']: ourGroups, ...ourRest } = both.ours.byType;
    const { ['AWS::EC2::SecurityGroup']: theirGroups, ...theirRest } = both.l2.byType;
    expect(ourRest).toEqual(theirRest);
    expect(ourGroups).toBe(theirGroups + 1);
  });

  test('the README states the measured lines and resources', () => {
    expect(readme).toContain(`the L2s by hand: ${both.l2.lines} lines, ${both.l2.resources} resources | ${both.ours.lines} lines, ${both.ours.resources} resources`);
  });
});
