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

/** One construct's claim on a name. */
interface NameClaim {
  readonly path: string;
  readonly account: string;
  readonly region: string;
}

/** Claims per app (the construct tree's root), by kind, namespace and name. */
const claimsByRoot = new WeakMap<IConstruct, Map<string, NameClaim[]>>();

/** Two values that are both known and differ tell two environments apart; a token may be anything. */
function mayBeEqual(a: string, b: string): boolean {
  return Token.isUnresolved(a) || Token.isUnresolved(b) || a === b;
}

function describeEnvironment(claim: NameClaim): string {
  const account = Token.isUnresolved(claim.account) ? 'any account' : `account ${claim.account}`;
  const region = Token.isUnresolved(claim.region) ? 'any region' : claim.region;
  return `${account}, ${region}`;
}

/**
 * Fails when another construct of the same app already claimed `name` for a `kind` of resource
 * in a namespace (`default` schedule group, the account's registry) of an environment this
 * construct's stack may share. Stacks with a known, different account or region may share the
 * name; an environment-agnostic stack (account or region a token) may deploy anywhere, so it
 * clashes with every environment.
 *
 * Names that are tokens are not checked.
 *
 * @param kind what the name names (`ECR repository name`)
 * @param namespace where the name must be unique, within an account and region (`registry`, `schedule group default`)
 */
export function claimUniqueName(scope: IConstruct, prop: string, name: string | undefined, kind: string, namespace: string): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const root = scope.node.root;
  let claims = claimsByRoot.get(root);
  if (!claims) {
    claims = new Map();
    claimsByRoot.set(root, claims);
  }
  const stack = Stack.of(scope);
  const mine: NameClaim = { path: scope.node.path, account: stack.account, region: stack.region };
  const key = JSON.stringify([kind, namespace, name]);
  const earlier = claims.get(key) ?? [];
  const clash = earlier.find((other) => mayBeEqual(other.account, mine.account) && mayBeEqual(other.region, mine.region));
  if (clash) {
    fail(scope, prop, name, `is already the ${kind} of ${clash.path} (${describeEnvironment(clash)}); this stack (${describeEnvironment(mine)}) may deploy to the same ${namespace}, where the second one fails with "already exists"`,
      `give each a different ${prop}, or leave ${prop} out for a generated name; stacks with a different known account or region may share it`);
  }
  earlier.push(mine);
  claims.set(key, earlier);
}
