/**
 * The pack: every deploy check, composed. Add a rule by adding its file under rules/ (named by
 * what it checks, its id inside; older rules' files carry their id) and listing it here; the plugin, its rule-id list and the README table follow.
 */
import { DeployCheckRule, Finding, PreviousVersion, StackTemplate } from './rule';
import { ESK_UPD11 } from './rules/account-setting-reset';
import { ESK_ECR1 } from './rules/esk-ecr1';
import { ESK_ECR2 } from './rules/esk-ecr2';
import { ESK_ECS1 } from './rules/esk-ecs1';
import { ESK_ECS2 } from './rules/esk-ecs2';
import { ESK_ECS3 } from './rules/esk-ecs3';
import { ESK_ECS4 } from './rules/esk-ecs4';
import { ESK_ECS5 } from './rules/esk-ecs5';
import { ESK_ECS6 } from './rules/esk-ecs6';
import { ESK_ECS7 } from './rules/esk-ecs7';
import { ESK_ECS8 } from './rules/esk-ecs8';
import { ESK_ELB1 } from './rules/esk-elb1';
import { ESK_ELB2 } from './rules/esk-elb2';
import { ESK_ELB3 } from './rules/esk-elb3';
import { ESK_ELB4 } from './rules/esk-elb4';
import { ESK_ELB5 } from './rules/esk-elb5';
import { ESK_ELB6 } from './rules/esk-elb6';
import { ESK_ELB7 } from './rules/esk-elb7';
import { ESK_LOG1 } from './rules/esk-log1';
import { ESK_NAME1 } from './rules/esk-name1';
import { ESK_RET1 } from './rules/esk-ret1';
import { ESK_SC1 } from './rules/esk-sc1';
import { ESK_UPD1 } from './rules/esk-upd1';
import { ESK_UPD2 } from './rules/esk-upd2';
import { ESK_UPD3 } from './rules/esk-upd3';
import { ESK_UPD4 } from './rules/esk-upd4';
import { ESK_UPD5 } from './rules/esk-upd5';
import { ESK_UPD6 } from './rules/esk-upd6';
import { ESK_UPD7 } from './rules/esk-upd7';
import { ESK_UPD8 } from './rules/esk-upd8';
import { ESK_UPD9 } from './rules/esk-upd9';
import { ESK_UPD10 } from './rules/esk-upd10';
import { ESK_VPC1 } from './rules/esk-vpc1';
import { ESK_UPD12 } from './rules/identifier-kept-on-replacement';
import { ESK_ELB8 } from './rules/load-balancer-cannot-reach-tasks';
import { ESK_ACCT1 } from './rules/one-per-account-twice';
import { ESK_SC2 } from './rules/service-connect-namespace-by-name';

/** Every rule, in report order. */
export const DEPLOY_CHECK_RULES: readonly DeployCheckRule[] = [
  ESK_ECS1, ESK_ECS2, ESK_ECS3, ESK_ECS4, ESK_ECS5, ESK_ECS6, ESK_ECS7, ESK_ECS8,
  ESK_ELB1, ESK_ELB2, ESK_ELB3, ESK_ELB4, ESK_ELB5, ESK_ELB6, ESK_ELB7, ESK_ELB8,
  ESK_ECR1, ESK_ECR2,
  ESK_SC1, ESK_SC2, ESK_VPC1, ESK_NAME1, ESK_RET1, ESK_LOG1, ESK_ACCT1,
  // Need DeployChecks' previousVersion: the hazards of updating the deployed version to this one.
  ESK_UPD1, ESK_UPD2, ESK_UPD3, ESK_UPD4, ESK_UPD5, ESK_UPD6, ESK_UPD7, ESK_UPD8, ESK_UPD9, ESK_UPD10, ESK_UPD11, ESK_UPD12,
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
