/**
 * AWS limits the scale test and the scale benchmark check against (default quotas unless said;
 * see the AWS docs named next to each).
 */

/** CloudFormation: resources per stack (template). */
export const CFN_MAX_RESOURCES = 500;
/** CloudFormation: template body uploaded through S3 (the CDK always uploads it there). 1 MB. */
export const CFN_MAX_TEMPLATE_BYTES = 1_000_000;
/** CloudFormation: template body passed inline in the API call. */
export const CFN_MAX_INLINE_TEMPLATE_BYTES = 51_200;
/** Elastic Load Balancing: rules per ALB, default rules excluded (default quota, adjustable). */
export const ALB_MAX_RULES = 100;
/** Elastic Load Balancing: target groups per ALB (not adjustable). */
export const ALB_MAX_TARGET_GROUPS = 100;
/** Elastic Load Balancing: Application Load Balancers per Region (default quota, adjustable). */
export const ALBS_PER_REGION = 50;
/** VPC: outbound (and, separately, inbound) rules per security group (default quota, adjustable). */
export const SG_MAX_RULES = 60;
/** Listener rule priorities an ALB accepts. */
export const MAX_RULE_PRIORITY = 50_000;
