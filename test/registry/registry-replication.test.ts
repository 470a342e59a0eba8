import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { RegistryReplication } from '../../lib/registry';
import { REGISTRY_REPLICATION_WARNING } from '../../lib/registry/registry-replication';
import { describeWithSchemas, schemaFacts } from '../util/cfn-schemas';
import { testApp, testStack } from '../util/test-app';

function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

describe('RegistryReplication', () => {
  test('one rule to each destination, this account by default, with prefix filters', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN
    new RegistryReplication(stack, 'Replication', {
      destinations: [{ region: 'eu-west-1' }, { region: 'us-east-1', account: '210987654321' }],
      repositoryPrefixes: ['team'],
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECR::ReplicationConfiguration', 1);
    template.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [{
          Destinations: [{ Region: 'eu-west-1', RegistryId: '123456789012' }, { Region: 'us-east-1', RegistryId: '210987654321' }],
          RepositoryFilters: [{ Filter: 'team', FilterType: 'PREFIX_MATCH' }],
        }],
      },
    });
    expect(Object.keys(template.findResources('AWS::ECR::ReplicationConfiguration'))).toEqual([expect.stringMatching(/^ReplicationConfiguration[0-9A-F]{8}$/)]);
  });

  test('create: it depends on nothing in the stack; replicated repositories are not in the template', () => {
    // GIVEN / WHEN
    const stack = testStack(testApp());
    new RegistryReplication(stack, 'Replication', { destinations: [{ region: 'eu-west-1' }] });
    // THEN
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::ReplicationConfiguration')) as any[];
    expect(resource.DependsOn).toBeUndefined();
    expect(resource.Properties.ReplicationConfiguration.Rules[0].RepositoryFilters).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::ECR::Repository', 0);
  });

  test('cdk destroy: retained by default (the delete handler writes an empty configuration, replication off for the whole registry)', () => {
    // GIVEN / WHEN
    const stack = testStack(testApp());
    const replication = new RegistryReplication(stack, 'Replication', { destinations: [{ region: 'eu-west-1' }] });
    // THEN
    expect(replication.removalPolicy).toBe(RemovalPolicy.RETAIN);
    Template.fromStack(stack).hasResource('AWS::ECR::ReplicationConfiguration', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('removalPolicy DESTROY opts out: deleted with the stack, and the warning says replication then stops', () => {
    // GIVEN / WHEN
    const stack = testStack(testApp());
    new RegistryReplication(stack, 'Replication', { destinations: [{ region: 'eu-west-1' }], removalPolicy: RemovalPolicy.DESTROY });
    // THEN
    Template.fromStack(stack).hasResource('AWS::ECR::ReplicationConfiguration', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(warnings(stack).join('\n')).toMatch(/removalPolicy DESTROY, cdk destroy writes an empty configuration: replication stops for every repository/);
  });

  test('removalPolicy SNAPSHOT is rejected by name', () => {
    expect(() => new RegistryReplication(testStack(testApp()), 'R', { destinations: [{ region: 'eu-west-1' }], removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/^TestStack\/R: removalPolicy "snapshot" is not allowed/);
  });

  test('synth warns (acknowledgeably) that the registry must have no replication rule yet, and that a renamed construct fails the same way', () => {
    // GIVEN
    const stack = testStack(testApp());
    // WHEN
    const replication = new RegistryReplication(stack, 'Replication', { destinations: [{ region: 'eu-west-1' }] });
    // THEN
    const [warning] = warnings(stack);
    expect(warning).toMatch(/^The ECR registry of account 123456789012 in us-east-1 must have no replication rule before this stack creates its replication configuration/);
    expect(warning).toMatch(/refuses to create it over an existing one \("already exists"\)/);
    expect(warning).toMatch(/a renamed or moved one is a new resource created while the old one exists/);
    expect(warning).toMatch(/It is retained: after cdk destroy replication goes on/);
    // AND acknowledging it by its id silences it
    Validations.of(replication).acknowledge({ id: `Annotation::${REGISTRY_REPLICATION_WARNING}`, reason: 'the registry has no replication rule' });
    expect(warnings(stack)).toEqual([]);
  });

  test('an environment-agnostic stack: the warning names "the account and region this stack deploys to"', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    new RegistryReplication(stack, 'R', { destinations: [{ region: 'eu-west-1' }] });
    expect(warnings(stack)[0]).toMatch(/^The ECR registry of the account and region this stack deploys to must have no replication rule/);
  });

  test('a second one for the same registry in the app is rejected (one per account and region)', () => {
    const stack = testStack(testApp());
    new RegistryReplication(stack, 'A', { destinations: [{ region: 'eu-west-1' }] });
    expect(() => new RegistryReplication(stack, 'B', { destinations: [{ region: 'eu-central-1' }] }))
      .toThrow(/^TestStack\/B: RegistryReplication "replication-configuration" is already the replication configuration of TestStack\/A, in the same stack/);
  });

  test('one per region is fine', () => {
    const app = new App();
    new RegistryReplication(new Stack(app, 'East', { env: { account: '123456789012', region: 'us-east-1' } }), 'R', { destinations: [{ region: 'eu-west-1' }] });
    expect(() => new RegistryReplication(new Stack(app, 'West', { env: { account: '123456789012', region: 'us-west-2' } }), 'R', { destinations: [{ region: 'eu-west-1' }] })).not.toThrow();
  });

  function make(props: ConstructorParameters<typeof RegistryReplication>[2]) {
    return () => new RegistryReplication(testStack(testApp()), 'R', props);
  }

  test.each([
    [{ destinations: [] }, /^TestStack\/R: destinations \[\] is not a list of 1 to 25 destinations/],
    [{ destinations: Array.from({ length: 26 }, (_, i) => ({ region: 'eu-west-1', account: `${100000000000 + i}` })) }, /destinations .* is not a list of 1 to 25/],
    [{ destinations: [{ region: 'us-east-1' }] }, /^TestStack\/R: destinations\[0\]\.region "us-east-1" is the region of this registry/],
    [{ destinations: [{ region: 'EU-WEST-1' }] }, /^TestStack\/R: destinations\[0\]\.region "EU-WEST-1".*use an AWS region name/],
    [{ destinations: [{ region: 'eu-west-1' }, { region: 'eu-west-1', account: '123456789012' }] }, /^TestStack\/R: destinations\[1\] .* is listed twice/],
    [{ destinations: [{ region: 'eu-west-1', account: '123' }] }, /destinations\[0\]\.account "123"/],
    [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: [] }, /repositoryPrefixes \[\] is not a list of 1 to 100 prefixes/],
    [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: ['Team'] }, /repositoryPrefixes\[0\] "Team"/],
    [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: ['team', 'team'] }, /repositoryPrefixes\[1\] "team" is listed twice/],
  ])('%#: %j is rejected', (props, message) => {
    expect(make(props as any)).toThrow(message);
  });

  test('the same region in another account is allowed', () => {
    expect(make({ destinations: [{ region: 'us-east-1', account: '210987654321' }] })).not.toThrow();
  });
});

describeWithSchemas('RegistryReplication against the AWS::ECR::ReplicationConfiguration schema', () => {
  const facts = schemaFacts('AWS::ECR::ReplicationConfiguration');

  test('one per account and region: identified by RegistryId, which the handler sets from the account (not a property we write)', () => {
    expect(facts.primaryIdentifier).toEqual(['RegistryId']);
    const stack = testStack(testApp());
    new RegistryReplication(stack, 'R', { destinations: [{ region: 'eu-west-1' }] });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::ReplicationConfiguration')) as any[];
    expect(Object.keys(resource.Properties)).toEqual(['ReplicationConfiguration']);
  });

  test('next version: a change of destinations or prefixes updates in place (nothing is create-only); only a new logical id (a renamed or moved construct) creates a second one, which the warning covers', () => {
    expect(facts.createOnly).toEqual([]);
    const id = (constructId: string) => {
      const stack = testStack(testApp());
      new RegistryReplication(stack, constructId, { destinations: [{ region: 'eu-west-1' }] });
      return Object.keys(Template.fromStack(stack).findResources('AWS::ECR::ReplicationConfiguration'))[0];
    };
    expect(id('Replication')).not.toBe(id('Replicas'));
  });
});
