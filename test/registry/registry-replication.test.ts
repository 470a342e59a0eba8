import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RegistryReplication } from '../../lib/registry';
import { testApp, testStack } from '../util/test-app';

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

  test('create and destroy: it depends on nothing and is deleted with the stack (no Retain); replicated repositories are not in the template', () => {
    const stack = testStack(testApp());
    new RegistryReplication(stack, 'Replication', { destinations: [{ region: 'eu-west-1' }] });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::ReplicationConfiguration')) as any[];
    expect(resource.DependsOn).toBeUndefined();
    expect(resource.DeletionPolicy).toBeUndefined();
    expect(resource.Properties.ReplicationConfiguration.Rules[0].RepositoryFilters).toBeUndefined();
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
