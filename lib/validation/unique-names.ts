import { Annotations, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { fail, formatValue } from './checks';

/**
 * Checks of explicit physical names, shared by the constructs that take one. Internal helpers:
 * not exported from any index.ts.
 */

/** The id of the synth warning for a fixed name on a resource that outlives its stack. */
export const RETAINED_PHYSICAL_NAME_WARNING = 'ecs-service-kit:retained-physical-name';

/**
 * Warns (acknowledgeably, id `ecs-service-kit:retained-physical-name`) when `name` is an explicit
 * physical name and `removalPolicy` keeps the resource when the stack is deleted. CloudFormation
 * then leaves the resource behind, and re-creating the stack fails with "already exists" because
 * the new stack asks for the same name.
 *
 * @param prop the prop as the user wrote it (`repositoryName`, `queue.queueName`)
 * @param resource what the name names, for the message (`ECR repository`)
 * @param alsoNamed other names derived from it, for the message (`the dead-letter queue "x-dlq"`)
 */
export function warnRetainedPhysicalName(
  scope: IConstruct, prop: string, name: string | undefined, removalPolicy: RemovalPolicy, resource: string, alsoNamed?: string,
): void {
  if (name === undefined) return;
  if (removalPolicy !== RemovalPolicy.RETAIN && removalPolicy !== RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE) return;
  const shown = Token.isUnresolved(name) ? 'a fixed name' : formatValue(name);
  const also = alsoNamed ? ` (and ${alsoNamed})` : '';
  const policy = Object.entries(RemovalPolicy).find(([, value]) => value === removalPolicy)?.[0] ?? removalPolicy;
  Annotations.of(scope).addWarningV2(RETAINED_PHYSICAL_NAME_WARNING,
    `${prop} ${shown} names the ${resource}${also}, which is kept when the stack is deleted (removalPolicy RemovalPolicy.${policy}): ` +
    'the kept resource still holds the name, so deploying the stack again after a delete fails with "already exists". ' +
    `Leave ${prop} out for a name CloudFormation generates, or set removalPolicy: RemovalPolicy.DESTROY; ` +
    `to keep both, delete or import the kept ${resource} before re-creating the stack, and acknowledge this warning with ` +
    `Validations.of(<this construct>).acknowledge({ id: 'Annotation::${RETAINED_PHYSICAL_NAME_WARNING}', reason }).`);
}

/** The id of the synth warning for a name that two stacks may, or may not, deploy to one account and region. */
export const POSSIBLE_DUPLICATE_NAME_WARNING = 'ecs-service-kit:possible-duplicate-name';

/** One construct's claim on a name. */
interface NameClaim {
  readonly path: string;
  /** The stack that is deployed: a nested stack deploys with its parent, into its environment. */
  readonly stack: Stack;
  readonly account: string;
  readonly region: string;
}

/** Claims per app (the construct tree's root), by kind, namespace and name. */
const claimsByRoot = new WeakMap<IConstruct, Map<string, NameClaim[]>>();

/** Whether two claims land in one account and region: surely, possibly (synth cannot tell), or never. */
enum Overlap {
  SURE = 'sure',
  POSSIBLE = 'possible',
  NEVER = 'never',
}

function overlap(a: NameClaim, b: NameClaim): Overlap {
  // One stack (with its nested stacks) is deployed into one environment, whatever it is.
  if (a.stack === b.stack) return Overlap.SURE;
  const known = (value: string) => !Token.isUnresolved(value);
  // A known, different account or region tells two environments apart.
  if (known(a.account) && known(b.account) && a.account !== b.account) return Overlap.NEVER;
  if (known(a.region) && known(b.region) && a.region !== b.region) return Overlap.NEVER;
  if (known(a.account) && known(b.account) && known(a.region) && known(b.region)) return Overlap.SURE;
  // An environment-agnostic stack (account or region a token) goes wherever it is deployed.
  return Overlap.POSSIBLE;
}

function deploymentStack(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

function describeEnvironment(claim: NameClaim): string {
  const account = Token.isUnresolved(claim.account) ? 'any account' : `account ${claim.account}`;
  const region = Token.isUnresolved(claim.region) ? 'any region' : claim.region === '*' ? 'all regions' : claim.region;
  return `${account}, ${region}`;
}

/**
 * Checks that no other construct of the same app claimed `name` for a `kind` of resource in a
 * namespace (`default` schedule group, the account's registry) of the same account and region:
 *
 * - the same stack (nested stacks count as their parent), or stacks with the same known account
 *   and region: a synth error, since the second deploy surely fails with "already exists";
 * - stacks with a known, different account or region: no message, each has its own namespace;
 * - otherwise an environment-agnostic stack is involved (account or region a token, on one side or
 *   both): synth cannot know where it is deployed, so this is a warning
 *   (`ecs-service-kit:possible-duplicate-name`, acknowledgeable) naming both construct paths.
 *
 * Names that are tokens are not checked.
 *
 * @param kind what the name names (`ECR repository name`)
 * @param namespace where the name must be unique, within an account and region (`registry`, `schedule group default`)
 * @param options.regionless the name is unique in the account across regions (CloudWatch dashboards)
 */
export function claimUniqueName(
  scope: IConstruct, prop: string, name: string | undefined, kind: string, namespace: string, options: { regionless?: boolean } = {},
): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const root = scope.node.root;
  let claims = claimsByRoot.get(root);
  if (!claims) {
    claims = new Map();
    claimsByRoot.set(root, claims);
  }
  const stack = deploymentStack(scope);
  // A regionless name (a CloudWatch dashboard's) is unique in the whole account: every claim is in one "region".
  const region = options.regionless ? '*' : stack.region;
  const mine: NameClaim = { path: scope.node.path, stack, account: stack.account, region };
  const key = JSON.stringify([kind, namespace, name]);
  const earlier = claims.get(key) ?? [];
  const clash = earlier.find((other) => overlap(other, mine) === Overlap.SURE);
  if (clash) {
    const where = clash.stack === mine.stack ? 'the same stack' : `the same account and region (${describeEnvironment(mine)})`;
    fail(scope, prop, name, `is already the ${kind} of ${clash.path}, in ${where}: both deploy to the same ${namespace}, where the second one fails with "already exists"`,
      `give each a different ${prop}, or leave ${prop} out for a generated name; stacks with a different known account or region may share it`);
  }
  const possible = earlier.filter((other) => overlap(other, mine) === Overlap.POSSIBLE);
  if (possible.length > 0) {
    const others = possible.map((other) => `${other.path} (${describeEnvironment(other)})`).join(', ');
    Annotations.of(scope).addWarningV2(POSSIBLE_DUPLICATE_NAME_WARNING,
      `${prop} ${formatValue(name)} of ${mine.path} (${describeEnvironment(mine)}) is also the ${kind} of ${others}. ` +
      'An environment-agnostic stack is involved, so synth cannot tell whether they deploy to the same account and region: ' +
      `if they land in one (as environment-agnostic stacks do when deployed together with one set of credentials), the second deploy fails with "already exists" in the ${namespace}. ` +
      `Give each a different ${prop}, leave ${prop} out for a generated name, or set env (account and region) on the stacks; ` +
      `if they always deploy to different accounts or regions, acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${POSSIBLE_DUPLICATE_NAME_WARNING}', reason }).`);
  }
  earlier.push(mine);
  claims.set(key, earlier);
}
