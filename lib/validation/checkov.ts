import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One entry of checkov's per-resource skip list in CloudFormation metadata. */
interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

const CHECKOV_ID = /^CKV2?_[A-Z0-9]+_\d+$/;

/**
 * Tells checkov to skip check `id` on one resource, with the reason, by merging
 * `{ id, comment: reason }` into the resource's `Metadata.checkov.skip` list (checkov honours it
 * for CloudFormation templates). Use only where the check cannot apply to this resource; the
 * reason is what a reviewer reads in the template.
 *
 * `resource` is a CfnResource or an L2 whose `node.defaultChild` is one.
 * Internal helper: not exported from any index.ts.
 */
export function skipCheckov(resource: IConstruct, id: string, reason: string): void {
  const cfn = CfnResource.isCfnResource(resource) ? resource : resource.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn)) {
    throw new Error(`skipCheckov: ${resource.node.path} is not a CloudFormation resource and has no default child that is one`);
  }
  if (!CHECKOV_ID.test(id)) {
    throw new Error(`skipCheckov: ${resource.node.path}: check id ${id} is not a checkov id (CKV_AWS_123, CKV2_AWS_12)`);
  }
  if (reason.trim() === '') {
    throw new Error(`skipCheckov: ${resource.node.path}: skipping ${id} needs a reason`);
  }
  const existing = (cfn.getMetadata('checkov') ?? {}) as { skip?: CheckovSkip[] };
  const skip = (existing.skip ?? []).filter((s) => s.id !== id);
  skip.push({ id, comment: reason });
  cfn.addMetadata('checkov', { ...existing, skip });
}
