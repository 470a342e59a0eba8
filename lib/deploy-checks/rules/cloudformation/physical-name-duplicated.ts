import { physicalName } from '../../physical-names';
import { DeployCheckRule, Finding, StackTemplate } from '../../rule';
import { envKey, identity, resources } from '../../template';

/**
 * ESK-NAME1: two resources of the app with the same explicit physical name where it must be
 * unique (per account and region, per account for IAM, globally for S3; ECS services per
 * cluster; EventBridge schedules per group; a name that is part of a composite primary
 * identifier within its other parts). The second create fails "already exists". The names come
 * from physical-names.ts: every type whose schema identifier the template sets, and a few by hand.
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
    for (const stack of stacks) {
      for (const [id, resource] of resources(stack.template)) {
        const spec = physicalName(resource.Type);
        const name = spec ? resource.Properties?.[spec.name] : undefined;
        if (spec === undefined || typeof name !== 'string') continue;
        const where = spec.unique === 'global' ? '*' : spec.unique === 'account' ? (stack.account ?? '<account>') : envKey(stack);
        const parents = spec.scope.map((p) => identity(stacks, stack, resource.Properties?.[p] ?? spec.defaults?.[p] ?? null)).join(' ');
        add(`${resource.Type} ${where} ${parents} ${name}`, stack, id, `Properties/${spec.name}`);
      }
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
