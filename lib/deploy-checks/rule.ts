/**
 * The internal model of the deploy checks: a rule is a pure function of the app's templates
 * that returns findings. Not exported from the package: users meet rules only by id.
 */

/** A CloudFormation template as synthesized (only the parts the rules read). */
export interface CfnTemplate {
  readonly Resources?: { readonly [logicalId: string]: CfnResource };
  readonly Outputs?: { readonly [id: string]: { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } } };
  readonly Parameters?: { readonly [id: string]: unknown };
}

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** One stack's template with where it deploys. */
export interface StackTemplate {
  /** Absolute path of the template file (what the report names). */
  readonly templatePath: string;
  readonly template: CfnTemplate;
  /** Account, if the stack has a concrete one. */
  readonly account?: string;
  /** Region, if the stack has a concrete one. */
  readonly region?: string;
  /** The stack's construct path, when aws-cdk-lib gives it. */
  readonly stackConstructPath?: string;
}

/**
 * The templates of the version deployed now (DeployChecks' `previousVersion`), for the update
 * rules: they compare it with the app as synthesized.
 */
export interface PreviousVersion {
  /** Templates by stack key: the template file's name without `.template.json`. */
  readonly templates: { readonly [stackKey: string]: CfnTemplate };
  /** Absolute path of each template file, by the same key. */
  readonly templatePaths: { readonly [stackKey: string]: string };
}

/** The key of a stack's template in both versions: the file name without `.template.json`. */
export function stackKey(templatePath: string): string {
  return templatePath.replace(/^.*[\\/]/, '').replace(/\.template\.json$/, '');
}

/** What a rule reports: one resource, where in it, and (optionally) the specific fact. */
export interface Finding {
  readonly templatePath: string;
  readonly logicalId: string;
  /** Paths inside the resource, e.g. `Properties/CapacityProviderStrategy`. */
  readonly locations: string[];
  /** The specific fact (names, numbers), appended to the rule's reason. */
  readonly detail?: string;
  /**
   * The construct to name when the resource is not in this version's templates (a removed
   * resource of the previous version): acknowledgements apply to it and its ancestors.
   */
  readonly constructPath?: string;
}

export type Severity = 'error' | 'warning';

/** A deploy check: id, severity, one-line reason and fix, and the check itself. */
export interface DeployCheckRule {
  /** `ESK-<AREA><n>`; the file, rules/<service>/, is named by what the rule checks. */
  readonly id: string;
  /** error: the deploy, update or delete fails for certain; warning: it likely fails or misbehaves. */
  readonly severity: Severity;
  /** One line: what breaks and when. */
  readonly reason: string;
  /** One line: how to fix it. */
  readonly fix: string;
  /**
   * A pure function of every template of the app (all stacks, so cross-stack checks work) and,
   * when given, of the version deployed now (update rules use it; the others ignore it).
   */
  readonly check: (stacks: readonly StackTemplate[], previous?: PreviousVersion) => Finding[];
}
