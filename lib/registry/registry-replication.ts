import { Annotations, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { checkOneOf, checkPattern, fail } from '../validation/checks';
import { claimUniqueName } from '../validation/unique-names';
import { ACCOUNT_ID_PATTERN, REPOSITORY_NAME_PATTERN } from './patterns';

/** AWS region names: `us-east-1`, `eu-central-2`, `ap-southeast-4`, `us-gov-west-1`. */
const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** ECR quota: 25 unique destinations across all replication rules of a registry. */
const MAX_DESTINATIONS = 25;
/** ECR quota: 100 repository filters per replication rule. */
const MAX_FILTERS = 100;

/** The id of the synth warning that the registry must not have a replication configuration yet. */
export const REGISTRY_REPLICATION_WARNING = 'ecs-service-kit:registry-replication-exists';

/**
 * Where images are replicated to.
 */
export interface ReplicationDestination {
  /** The destination region, e.g. `eu-west-1`. */
  readonly region: string;

  /**
   * The destination account (12 digits). Another account must allow this registry to replicate
   * into it with its registry policy.
   *
   * @default - this stack's account
   */
  readonly account?: string;
}

/**
 * Properties of a RegistryReplication.
 */
export interface RegistryReplicationProps {
  /** 1 to 25 destinations; never this stack's own region in its own account. */
  readonly destinations: ReplicationDestination[];

  /**
   * Replicate only repositories whose names start with one of these prefixes (ECR `PREFIX_MATCH`
   * filters), at most 100.
   *
   * @default - every repository of the registry
   */
  readonly repositoryPrefixes?: string[];

  /**
   * What happens to the registry's replication configuration when this construct leaves the
   * stack (`cdk destroy`, or removed from the app). CloudFormation's delete handler writes an
   * empty configuration: replication stops for the whole registry (account and region), also for
   * repositories of other stacks and apps. `RemovalPolicy.DESTROY` does that; with `RETAIN`
   * replication goes on, and a stack that creates it again fails until the configuration is
   * emptied (see the class documentation).
   *
   * @default RemovalPolicy.RETAIN - deleting a stack does not switch replication off for the account and region
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Cross-region (and cross-account) replication of this account's ECR registry
 * (`AWS::ECR::ReplicationConfiguration`), so a service in another region pulls from a registry
 * near it.
 *
 * The replication configuration is one per account and region (its identifier is the registry
 * id, the account). CloudFormation's create handler refuses to create it where the registry
 * already has a replication rule (set by hand, by another stack or app, or left by a retained
 * one): the deploy fails with "already exists". A renamed or moved construct is a new resource
 * created before the old one is deleted, and fails the same way. Synth warns about both
 * (`ecs-service-kit:registry-replication-exists`). Create it once per account and region, in one
 * stack: a second one in the same app and environment is a synth error.
 *
 * The configuration is retained by default: the delete handler would write an empty
 * configuration, switching replication off for the whole registry. After `cdk destroy`,
 * replication goes on; empty it (`aws ecr put-replication-configuration
 * --replication-configuration rules=[]`) before creating it from a stack again.
 *
 * Replicated repositories are created by ECR in the destination, outside CloudFormation, and
 * stay after `cdk destroy`; only images pushed after the configuration exists are replicated.
 * They get the settings of a repository creation template for replication in the destination
 * registry (`ReplicaRepositoryTemplate`, in a stack of that region and account), or ECR's
 * defaults (mutable tags, AES256, no lifecycle policy) without one.
 */
export class RegistryReplication extends Construct {
  /** The replication configuration. */
  public readonly configuration: ecr.CfnReplicationConfiguration;
  /** What happens to the configuration when it leaves the stack. */
  public readonly removalPolicy: RemovalPolicy;
  /** The destinations, as given. */
  public readonly destinations: ReplicationDestination[];

  constructor(scope: Construct, id: string, props: RegistryReplicationProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const destinations = props.destinations;
    if (!Array.isArray(destinations) || destinations.length === 0 || destinations.length > MAX_DESTINATIONS) {
      fail(this, 'destinations', destinations, `is not a list of 1 to ${MAX_DESTINATIONS} destinations`,
        `ECR replicates to at most ${MAX_DESTINATIONS} destinations per registry`);
    }
    const seen = new Set<string>();
    destinations.forEach((destination, i) => {
      const prop = `destinations[${i}]`;
      checkPattern(this, `${prop}.region`, destination.region, REGION_PATTERN, 'use an AWS region name, e.g. "eu-west-1"');
      checkPattern(this, `${prop}.account`, destination.account, ACCOUNT_ID_PATTERN, 'use a 12-digit AWS account id, or leave it out for this account');
      const account = destination.account ?? stack.account;
      const sameAccount = destination.account === undefined || (!Token.isUnresolved(stack.account) && destination.account === stack.account);
      if (sameAccount && !Token.isUnresolved(stack.region) && destination.region === stack.region) {
        fail(this, `${prop}.region`, destination.region, 'is the region of this registry',
          'replicate to another region, or to another account in this region');
      }
      const key = `${Token.isUnresolved(account) ? 'this account' : account}/${destination.region}`;
      if (seen.has(key)) {
        fail(this, prop, destination, 'is listed twice', 'list each destination region and account once');
      }
      seen.add(key);
    });
    const prefixes = props.repositoryPrefixes;
    if (prefixes !== undefined) {
      if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.length > MAX_FILTERS) {
        fail(this, 'repositoryPrefixes', prefixes, `is not a list of 1 to ${MAX_FILTERS} prefixes`,
          'leave it out to replicate every repository');
      }
      const seenPrefixes = new Set<string>();
      prefixes.forEach((prefix, i) => {
        checkPattern(this, `repositoryPrefixes[${i}]`, prefix, REPOSITORY_NAME_PATTERN,
          'use the start of repository names: 2 to 256 lowercase letters and digits, with single ".", "_" or "-" between them and "/" between parts');
        if (seenPrefixes.has(prefix)) fail(this, `repositoryPrefixes[${i}]`, prefix, 'is listed twice', 'list each prefix once');
        seenPrefixes.add(prefix);
      });
    }
    checkOneOf(this, 'removalPolicy', props.removalPolicy, [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE]);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // One replication configuration per registry (account and region).
    claimUniqueName(this, 'RegistryReplication', 'replication-configuration', 'replication configuration', 'registry');

    this.configuration = new ecr.CfnReplicationConfiguration(this, 'Configuration', {
      replicationConfiguration: {
        rules: [{
          destinations: destinations.map((d) => ({ region: d.region, registryId: d.account ?? stack.account })),
          repositoryFilters: prefixes?.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })),
        }],
      },
    });
    // The delete handler writes an empty configuration (replication off for the whole registry);
    // a replacement cannot happen (no create-only property), so RETAIN is about the delete.
    this.configuration.applyRemovalPolicy(removalPolicy);
    this.removalPolicy = removalPolicy;
    this.destinations = [...destinations];

    const where = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)
      ? 'the account and region this stack deploys to'
      : `account ${stack.account} in ${stack.region}`;
    const kept = removalPolicy === RemovalPolicy.DESTROY
      ? 'With removalPolicy DESTROY, cdk destroy writes an empty configuration: replication stops for every repository of the registry.'
      : 'It is retained: after cdk destroy replication goes on, and this stack can create it again only after you empty it (aws ecr put-replication-configuration --replication-configuration rules=[]).';
    Annotations.of(this).addWarningV2(REGISTRY_REPLICATION_WARNING,
      `The ECR registry of ${where} must have no replication rule before this stack creates its replication configuration ` +
      '(aws ecr describe-registry shows none): the configuration is one per account and region, and CloudFormation refuses to create it over an existing one ("already exists"), ' +
      'whether that one was set by hand, by another stack or app, or left by an earlier deploy. ' +
      `Keep this construct's id and path: a renamed or moved one is a new resource created while the old one exists, and fails the same way. ${kept} ` +
      `Acknowledge with Validations.of(<this construct>).acknowledge({ id: 'Annotation::${REGISTRY_REPLICATION_WARNING}', reason }) once the registry has no replication rule.`);
  }
}
