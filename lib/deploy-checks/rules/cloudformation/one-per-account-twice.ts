import { DeployCheckRule, Finding, StackTemplate } from '../../rule';
import { schemaFacts } from '../../schema-facts';
import { envKey, resources } from '../../template';

/**
 * ESK-ACCT1: a resource type that is one per account and region, created more than once by the
 * app in one account and region (in one stack or in several). The types come from the
 * CloudFormation registry schemas (schema-facts.ts): the primary identifier is read-only and is
 * the account itself (AccountId, AwsAccountId, or an ECR RegistryId, which is the account id),
 * so every resource of the type has the same identifier; plus AWS::ApiGateway::Account, whose
 * schema says so in words. The second create fails AlreadyExists (the ECR replication
 * configuration and registry policy handlers check for an existing one) or overwrites the first.
 * Stacks with an unknown account or region are taken to deploy to the same place; resources
 * with a Condition are left out (they may not be created).
 *
 * Sources: the schemas' primaryIdentifier and readOnlyProperties; aws-cloudformation-resource-
 * providers-ecr, ReplicationConfiguration and RegistryPolicy CreateHandler.
 */
export const ESK_ACCT1: DeployCheckRule = {
  id: 'ESK-ACCT1',
  severity: 'error',
  reason: 'A resource type that is one per account and region is created more than once in one account and region: the second create fails AlreadyExists or overwrites the first',
  fix: 'Create it once per account and region, in one stack, and merge the settings (replication rules, policy statements) into it.',
  check: (stacks) => {
    const groups = new Map<string, { stack: StackTemplate; id: string }[]>();
    for (const stack of stacks) {
      for (const [id, resource] of resources(stack.template)) {
        if (!schemaFacts(resource.Type)?.accountSingleton || (resource as { Condition?: unknown }).Condition !== undefined) continue;
        const key = `${resource.Type} ${envKey(stack)}`;
        groups.set(key, [...(groups.get(key) ?? []), { stack, id }]);
      }
    }
    const findings: Finding[] = [];
    for (const [key, members] of groups) {
      if (members.length < 2) continue;
      const type = key.slice(0, key.indexOf(' '));
      for (const m of members) {
        const others = members.filter((o) => o !== m).map((o) => (o.stack === m.stack ? o.id : `${o.id} in ${o.stack.templatePath.split('/').pop()}`));
        findings.push({ templatePath: m.stack.templatePath, logicalId: m.id, locations: ['Type'], detail: `${type} also created by ${others.join(', ')}` });
      }
    }
    return findings;
  },
};
