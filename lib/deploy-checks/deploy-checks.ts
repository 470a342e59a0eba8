import * as fs from 'fs';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { DEPLOY_CHECK_RULES, runDeployChecks } from './pack';
import { CfnTemplate, PreviousVersion, stackKey, StackTemplate } from './rule';
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

  /**
   * A directory holding the templates of the version deployed now: the `cdk.out` of the last
   * deploy (keep it as a CI artifact), or the deployed templates saved with
   * `aws cloudformation get-template` as `<stack artifact id>.template.json`. The update rules
   * (ESK-UPD1 to ESK-UPD16) compare each stack with the file of the same name there and name what
   * the update would break: a listener-rule priority or physical name another resource still
   * holds, a subnet's addresses, a named or stateful resource replaced, a retained resource
   * orphaned, a service replaced, a Service Connect port's protocol changed, a Service Connect
   * name a replaced service still holds, a resource replaced under the primary identifier it
   * keeps, an account-wide setting reset. Relative paths are resolved from the working directory.
   *
   * @default - no update rules: only the rules that read this version's templates run
   */
  readonly previousVersion?: string;
}

/**
 * Deploy checks as an aws-cdk-lib policy-validation plugin: rules that read every template of
 * a synthesized app (all stacks, so cross-stack hazards are found) and name what would fail on a
 * real account: create order, an update, a delete, the quotas of one account and region.
 *
 * ```ts
 * import { Validations } from 'aws-cdk-lib';
 * import { DeployChecks } from 'ecs-service-kit';
 *
 * Validations.of(app).addPlugins(new DeployChecks());
 * ```
 *
 * With `previousVersion` (the templates of the version deployed now, e.g. the `cdk.out` of the
 * last deploy) the update rules (ESK-UPD*) also name what updating it to this version would break.
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
  private readonly previous?: PreviousVersion;

  constructor(props: DeployChecksProps = {}) {
    const skip = props.skipRules ?? [];
    const unknown = skip.filter((id) => !DeployChecks.ALL_RULE_IDS.includes(id));
    if (unknown.length > 0) {
      throw new ConfigurationError('DeployChecks', 'skipRules', JSON.stringify(unknown), 'names rules that do not exist', `use ids from ${DeployChecks.ALL_RULE_IDS.join(', ')}`);
    }
    this.skipRules = new Set(skip);
    this.ruleIds = DeployChecks.ALL_RULE_IDS.filter((id) => !this.skipRules.has(id));
    if (props.previousVersion !== undefined) this.previous = readPreviousVersion(props.previousVersion);
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
        stackConstructPath: info?.stackConstructPath,
      };
    });
    const violations = runDeployChecks(stacks, DEPLOY_CHECK_RULES.filter((r) => !this.skipRules.has(r.id)), this.previous);
    return {
      success: !violations.some((v) => v.severity === 'error'),
      violations,
    };
  }
}

/**
 * Reads every `*.template.json` of `directory` and of its nested `assembly-*` folders (a cdk.out
 * of an app with stages), by stack key. A missing directory or one without templates is an error:
 * an update check that silently compares with nothing would pass every update.
 */
function readPreviousVersion(directory: string): PreviousVersion {
  const absolute = path.resolve(directory);
  const fail = (problem: string): never => {
    throw new ConfigurationError('DeployChecks', 'previousVersion', JSON.stringify(directory), problem,
      'give the directory of the deployed version\'s templates (the cdk.out of the last deploy), or leave previousVersion out on a first deploy');
  };
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isDirectory()) fail(`is not a directory (resolved to ${absolute})`);
  const templates: Record<string, CfnTemplate> = {};
  const templatePaths: Record<string, string> = {};
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name.startsWith('assembly-')) visit(file);
      else if (entry.isFile() && entry.name.endsWith('.template.json')) {
        const key = stackKey(file);
        try {
          templates[key] = JSON.parse(fs.readFileSync(file, 'utf-8')) as CfnTemplate;
        } catch (e) {
          fail(`holds ${entry.name}, which is not JSON (${(e as Error).message})`);
        }
        templatePaths[key] = file;
      }
    }
  };
  visit(absolute);
  if (Object.keys(templates).length === 0) fail(`holds no *.template.json (resolved to ${absolute})`);
  return { templates, templatePaths };
}
