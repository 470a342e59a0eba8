import { PHYSICAL_NAME_PROPERTIES } from '../physical-names';
import { DeployCheckRule, Finding, StackTemplate } from '../rule';
import { allResources, envKey, identity } from '../template';

/**
 * ESK-NAME1: two resources of the app with the same explicit physical name where it must be
 * unique (per account and region, per account for IAM, globally for S3; ECS services per
 * cluster; EventBridge schedules per group). The second create fails "already exists".
 * Only literal names are compared; stacks with an unknown account or region are taken to
 * deploy to the same place.
 *
 * Sources: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html
 * ("you can't perform an update that requires replacement ... and you can't reuse a name");
 * AWS::ECS::Service ServiceName ("unique within a cluster"); AWS::Scheduler::Schedule Name.
 */
export const ESK_NAME1: DeployCheckRule = {
  id: 'ESK-NAME1',
  severity: 'error',
  reason: 'Two resources of the app have the same physical name in one account and region: the second create fails "already exists"',
  fix: 'Leave the name out (let CloudFormation generate it) or make it unique, e.g. with the stack name.',
  check: (stacks) => {
    const groups = new Map<string, { stack: StackTemplate; id: string; location: string }[]>();
    const add = (key: string, stack: StackTemplate, id: string, location: string) => groups.set(key, [...(groups.get(key) ?? []), { stack, id, location }]);
    for (const [type, { property, scope }] of Object.entries(PHYSICAL_NAME_PROPERTIES)) {
      for (const { stack, id, resource } of allResources(stacks, type)) {
        const name = resource.Properties?.[property];
        if (typeof name !== 'string') continue;
        const where = scope === 'global' ? '*' : scope === 'account' ? (stack.account ?? '<account>') : envKey(stack);
        add(`${type} ${where} ${name}`, stack, id, `Properties/${property}`);
      }
    }
    for (const { stack, id, resource } of allResources(stacks, 'AWS::ECS::Service')) {
      const name = resource.Properties?.ServiceName;
      if (typeof name !== 'string') continue;
      add(`AWS::ECS::Service ${envKey(stack)} ${identity(stacks, stack, resource.Properties?.Cluster ?? 'default')} ${name}`, stack, id, 'Properties/ServiceName');
    }
    for (const { stack, id, resource } of allResources(stacks, 'AWS::Scheduler::Schedule')) {
      const name = resource.Properties?.Name;
      if (typeof name !== 'string') continue;
      add(`AWS::Scheduler::Schedule ${envKey(stack)} ${identity(stacks, stack, resource.Properties?.GroupName ?? 'default')} ${name}`, stack, id, 'Properties/Name');
    }
    const findings: Finding[] = [];
    for (const [key, members] of groups) {
      if (members.length < 2) continue;
      const name = key.slice(key.lastIndexOf(' ') + 1);
      for (const m of members) {
        const others = members.filter((o) => o !== m).map((o) => (o.stack === m.stack ? o.id : `${o.id} in ${o.stack.templatePath.split('/').pop()}`));
        findings.push({ templatePath: m.stack.templatePath, logicalId: m.id, locations: [m.location], detail: `name ${name} also used by ${others.join(', ')}` });
      }
    }
    return findings;
  },
};
