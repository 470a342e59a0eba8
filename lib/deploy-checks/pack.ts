/**
 * The pack: every deploy check, composed. Add a rule by adding its file under rules/<service>/
 * (named by what it checks, its id inside; the update rules under rules/update/, beside the
 * comparison that finds their hazards) and listing it here; the plugin, its rule-id list and the
 * README table follow.
 */
import { DeployCheckRule, Finding, PreviousVersion, StackTemplate } from './rule';
import { ESK_ACCT1 } from './rules/cloudformation/one-per-account-twice';
import { ESK_NAME1 } from './rules/cloudformation/physical-name-duplicated';
import { ESK_RET1 } from './rules/cloudformation/retained-resource-with-physical-name';
import { ESK_ECR1 } from './rules/ecr/image-from-repository-created-empty';
import { ESK_ECR2 } from './rules/ecr/lifecycle-rule-expires-release-images';
import { ESK_ECS1 } from './rules/ecs/capacity-provider-association-not-depended-on';
import { ESK_ECS8 } from './rules/ecs/deployment-alarm-fires-on-healthy-start';
import { ESK_ECS7 } from './rules/ecs/deployment-alarm-slower-than-bake';
import { ESK_ECS3 } from './rules/ecs/desired-count-resets-auto-scaling';
import { ESK_ECS4 } from './rules/ecs/fargate-bind-mount-not-writable';
import { ESK_ECS6 } from './rules/ecs/load-balancer-container-not-in-task-definition';
import { ESK_ECS2 } from './rules/ecs/managed-termination-protection-blocks-delete';
import { ESK_ECS5 } from './rules/ecs/no-circuit-breaker-or-alarms';
import { ESK_SC1 } from './rules/ecs/service-connect-client-before-publishers';
import { ESK_SC2 } from './rules/ecs/service-connect-namespace-by-name';
import { ESK_ELB3 } from './rules/elb/access-log-bucket-kms-encrypted';
import { ESK_ELB2 } from './rules/elb/access-log-bucket-policy-missing';
import { ESK_ELB4 } from './rules/elb/dual-stack-subnet-without-ipv6';
import { ESK_ELB7 } from './rules/elb/instance-target-type-for-awsvpc';
import { ESK_ELB1 } from './rules/elb/listener-rule-priority-duplicated';
import { ESK_ELB8 } from './rules/elb/load-balancer-cannot-reach-tasks';
import { ESK_ELB6 } from './rules/elb/target-group-without-listener';
import { ESK_ELB5 } from './rules/elb/too-many-target-groups';
import { ESK_LOG1 } from './rules/logs/log-group-without-retention';
import { ESK_UPD11 } from './rules/update/account-setting-reset';
import { ESK_UPD4 } from './rules/update/custom-named-resource-replaced';
import { ESK_UPD7 } from './rules/update/ecs-service-replaced';
import { ESK_UPD12 } from './rules/update/identifier-kept-on-replacement';
import { ESK_UPD1 } from './rules/update/listener-rule-priority-in-use';
import { ESK_UPD16 } from './rules/update/efs-update';
import { ESK_UPD13, ESK_UPD14, ESK_UPD15, ESK_UPD17 } from './rules/update/load-balancer-update';
import { ESK_UPD2 } from './rules/update/physical-name-in-use';
import { ESK_UPD6 } from './rules/update/retained-resource-orphaned';
import { ESK_UPD10 } from './rules/update/service-connect-name-in-use';
import { ESK_UPD8 } from './rules/update/service-connect-protocol-changed';
import { ESK_UPD9 } from './rules/update/shifted-listener-rule-changed';
import { ESK_UPD5 } from './rules/update/stateful-data-lost';
import { ESK_UPD3 } from './rules/update/subnet-cidr-in-use';
import { ESK_VPC1 } from './rules/vpc/isolated-tasks-without-vpc-endpoints';

/** Every rule, in report order. */
export const DEPLOY_CHECK_RULES: readonly DeployCheckRule[] = [
  ESK_ECS1, ESK_ECS2, ESK_ECS3, ESK_ECS4, ESK_ECS5, ESK_ECS6, ESK_ECS7, ESK_ECS8,
  ESK_ELB1, ESK_ELB2, ESK_ELB3, ESK_ELB4, ESK_ELB5, ESK_ELB6, ESK_ELB7, ESK_ELB8,
  ESK_ECR1, ESK_ECR2,
  ESK_SC1, ESK_SC2, ESK_VPC1, ESK_NAME1, ESK_RET1, ESK_LOG1, ESK_ACCT1,
  // Need DeployChecks' previousVersion: the hazards of updating the deployed version to this one.
  ESK_UPD1, ESK_UPD2, ESK_UPD3, ESK_UPD4, ESK_UPD5, ESK_UPD6, ESK_UPD7, ESK_UPD8, ESK_UPD9, ESK_UPD10, ESK_UPD11, ESK_UPD12, ESK_UPD13, ESK_UPD14, ESK_UPD15, ESK_UPD16, ESK_UPD17,
];

/** A rule's result in report form. */
export interface RuleViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly fix: string;
  readonly severity: string;
  readonly violatingResources: { resourceLogicalId: string; templatePath: string; locations: string[]; constructPath?: string }[];
}

/**
 * Runs the rules on the app's templates. Findings of one rule with the same text become one
 * violation listing their resources. A rule that throws is reported as its own error finding
 * instead of hiding the others.
 */
export function runDeployChecks(
  stacks: readonly StackTemplate[], rules: readonly DeployCheckRule[] = DEPLOY_CHECK_RULES, previous?: PreviousVersion,
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  for (const rule of rules) {
    let findings: Finding[];
    try {
      findings = rule.check(stacks, previous);
    } catch (e) {
      violations.push({
        ruleName: rule.id, severity: 'error', fix: 'Report this as a bug in ecs-service-kit, with the template.',
        description: `The rule could not read the templates: ${(e as Error).message}`, violatingResources: [],
      });
      continue;
    }
    const byText = new Map<string, RuleViolation>();
    for (const f of findings) {
      // The fix goes in `fix`: aws-cdk-lib prints it as "Suggested fix" under the description.
      const description = `${rule.reason}${f.detail ? ` (${f.detail})` : ''}`;
      let v = byText.get(description);
      if (v === undefined) {
        v = { ruleName: rule.id, description, fix: rule.fix, severity: rule.severity, violatingResources: [] };
        byText.set(description, v);
        violations.push(v);
      }
      v.violatingResources.push({
        resourceLogicalId: f.logicalId, templatePath: f.templatePath, locations: f.locations,
        ...(f.constructPath !== undefined ? { constructPath: f.constructPath } : {}),
      });
    }
  }
  return violations;
}
