import * as fs from 'fs';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { DEPLOY_CHECK_RULES, runDeployChecks } from './pack';
import { CfnTemplate, StackTemplate } from './rule';
import { ConfigurationError } from '../validation/configuration-error';

/**
 * Props for DeployChecks.
 */
export interface DeployChecksProps {
  /**
   * Rule ids to leave out for the whole app, e.g. `['ESK-LOG1']`. To accept one finding on one
   * resource, acknowledge it instead:
   * `Validations.of(construct).acknowledge({ id: 'ecs-service-kit-deploy-checks::ESK-ECS3', reason })`.
   *
   * @default - every rule runs
   */
  readonly skipRules?: string[];
}

/**
 * Deploy checks as an aws-cdk-lib policy-validation plugin: rules that read every template of
 * a synthesized app (all stacks, so cross-stack hazards are found) and name what would fail on a
 * real account: create order, an update, a delete, the quotas of one account and region.
 *
 * ```ts
 * Validations.of(app).addPlugins(new DeployChecks());
 * ```
 *
 * Findings of severity `error` fail the synth; `warning`s are reported (and fail it in the
 * `@aws-cdk/core:strictCfnValidateErrors` strict mode). aws-cdk-lib applies acknowledgements:
 * `Validations.of(construct).acknowledge({ id: 'ecs-service-kit-deploy-checks::<rule id>', reason })`
 * on the resource or any construct above it.
 */
export class DeployChecks implements IPolicyValidationPlugin {
  /** The plugin name; the prefix of acknowledgement ids (`ecs-service-kit-deploy-checks::ESK-ECS1`). */
  public static readonly PLUGIN_NAME = 'ecs-service-kit-deploy-checks';

  /** Every rule id the plugin knows. */
  public static readonly ALL_RULE_IDS: string[] = DEPLOY_CHECK_RULES.map((r) => r.id);

  public readonly name = DeployChecks.PLUGIN_NAME;

  /** The ids of the rules this instance runs. */
  public readonly ruleIds?: string[];

  private readonly skipRules: Set<string>;

  constructor(props: DeployChecksProps = {}) {
    const skip = props.skipRules ?? [];
    const unknown = skip.filter((id) => !DeployChecks.ALL_RULE_IDS.includes(id));
    if (unknown.length > 0) {
      throw new ConfigurationError('DeployChecks', 'skipRules', JSON.stringify(unknown), 'names rules that do not exist', `use ids from ${DeployChecks.ALL_RULE_IDS.join(', ')}`);
    }
    this.skipRules = new Set(skip);
    this.ruleIds = DeployChecks.ALL_RULE_IDS.filter((id) => !this.skipRules.has(id));
  }

  /** Called by aws-cdk-lib after synthesis with the paths of every template of the app. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const described = context.stackTemplates ?? [];
    const stacks: StackTemplate[] = context.templatePaths.map((templatePath) => {
      const info = described.find((s) => s.templatePath === templatePath);
      return {
        templatePath,
        template: JSON.parse(fs.readFileSync(templatePath, 'utf-8')) as CfnTemplate,
        account: info?.accountId,
        region: info?.region,
      };
    });
    const violations = runDeployChecks(stacks, DEPLOY_CHECK_RULES.filter((r) => !this.skipRules.has(r.id)));
    return {
      success: !violations.some((v) => v.severity === 'error'),
      violations,
    };
  }
}
