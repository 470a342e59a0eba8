/**
 * Account settings (ESK-UPD11): a one-per-account-and-region resource whose delete handler calls
 * AWS (schema-facts.ts deleteResets) resets the setting for the whole account and region when
 * CloudFormation deletes it in cleanup.
 */
import { CfnResource } from '../../rule';
import { schemaFacts } from '../../schema-facts';
import { Comparison, isStateful } from './comparison';

type CfnResourceJson = CfnResource;

/** account-setting-reset: `old`, of N, whose logical id N+1 does not have and whose type N+1 no longer has in its stack. */
export function accountSettingReset(c: Comparison, stack: string, id: string, old: CfnResourceJson): void {
  const { after, push, resourcesOf } = c;
  // Retained or stateful: the stateful family reports it (retained-orphaned, stateful-deleted).
  if (isStateful(old)) return;
  const a = resourcesOf(after, stack);
  if (schemaFacts(old.Type)?.deleteResets && !Object.values(a).some((r) => r.Type === old.Type)) {
    // (Moved to another logical id of this stack: identifier-in-use names that.)
    push('account-setting-reset', stack, id, old.Type, `the logical id is gone: CloudFormation deletes it in cleanup, and a ${old.Type} is one per account and region, `
      + 'so its delete handler resets the setting for the whole account and region (an ECR replication configuration is emptied, a registry policy removed), '
      + 'whoever set it; keep it with DeletionPolicy Retain. To give it to another stack, retain it, remove it here and import it there (cdk import): '
      + 'a create in another stack fails AlreadyExists while it exists');
  }
}
