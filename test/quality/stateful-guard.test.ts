/**
 * Unit tests of the stateful-resource guard's comparison. The guard itself runs in
 * test/examples/examples.test.ts, on the templates that test synthesizes anyway.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnTemplate, compareStateful, describeFinding, readSnapshotTemplates } from './stateful-guard';

const WHERE = { app: 'example', stack: 'Stack' };

describe('compareStateful', () => {
  const repository = (props: Record<string, unknown> = {}, policy = 'Retain') => ({
    Type: 'AWS::ECR::Repository',
    Properties: { ImageTagMutability: 'IMMUTABLE', ...props },
    DeletionPolicy: policy,
    UpdateReplacePolicy: policy,
  });
  const before: CfnTemplate = {
    Resources: {
      Repo: repository({ RepositoryName: 'web' }),
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'logs-bucket' }, DeletionPolicy: 'Retain' },
      Key: { Type: 'AWS::KMS::Key', Properties: { KeySpec: 'SYMMETRIC_DEFAULT' } },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 't' }, DeletionPolicy: 'Retain' },
      Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } },
    },
  };

  test('an unchanged template, or changes to properties that update in place, give no finding', () => {
    // GIVEN the same resources, with in-place changes (retention, KMS key of a log group, tags, key order)
    const after = JSON.parse(JSON.stringify(before));
    after.Resources.Logs.Properties = { RetentionInDays: 90, KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/x' };
    after.Resources.Repo.Properties = { RepositoryName: 'web', ImageTagMutability: 'MUTABLE' };
    after.Resources.Role.Properties.RoleName = 'other';
    // WHEN / THEN
    expect(compareStateful(before, after, WHERE)).toEqual([]);
  });

  test('a stateful resource whose logical id is gone would be deleted; a stateless one does not count', () => {
    // GIVEN the log group and the role renamed
    const after = JSON.parse(JSON.stringify(before));
    after.Resources.LogsRenamed = after.Resources.Logs;
    delete after.Resources.Logs;
    delete after.Resources.Role;
    // WHEN
    const findings = compareStateful(before, after, WHERE);
    // THEN
    expect(findings.map(describeFinding)).toEqual([
      expect.stringMatching(/^would be deleted: example Stack Logs \(AWS::Logs::LogGroup\): the logical id is gone/),
    ]);
  });

  test('a renamed repository and a changed encryption would be replaced', () => {
    const after = JSON.parse(JSON.stringify(before));
    after.Resources.Repo.Properties.RepositoryName = 'web-v2';
    after.Resources.Repo.Properties.EncryptionConfiguration = { EncryptionType: 'KMS' };
    const findings = compareStateful(before, after, WHERE);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'replaced', logicalId: 'Repo', reason: expect.stringContaining('RepositoryName changed from "web" to "web-v2"') }),
      expect.objectContaining({ kind: 'replaced', logicalId: 'Repo', reason: expect.stringContaining('EncryptionConfiguration changed from (absent)') }),
    ]);
  });

  test('replacing properties of buckets, log groups and keys, and a changed type, are found', () => {
    const after = JSON.parse(JSON.stringify(before));
    after.Resources.Bucket.Properties.BucketName = 'logs-bucket-2';
    after.Resources.Logs.Properties.LogGroupName = '/app/web';
    after.Resources.Key.Properties.KeySpec = 'RSA_2048';
    after.Resources.Table.Type = 'AWS::DynamoDB::GlobalTable';
    const reasons = compareStateful(before, after, WHERE).map((f) => `${f.logicalId}: ${f.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^Logs: LogGroupName changed/),
      expect.stringMatching(/^Bucket: BucketName changed/),
      expect.stringMatching(/^Key: KeySpec changed/),
      expect.stringMatching(/^Table: Type changed/),
    ]);
  });

  test('DeletionPolicy Retain changed to Delete (or dropped) is found', () => {
    const after = JSON.parse(JSON.stringify(before));
    after.Resources.Repo.DeletionPolicy = 'Delete';
    delete after.Resources.Table.DeletionPolicy;
    const findings = compareStateful(before, after, WHERE);
    expect(findings.map((f) => [f.kind, f.logicalId, f.reason])).toEqual([
      ['unretained', 'Repo', 'DeletionPolicy changed from Retain to Delete'],
      ['unretained', 'Table', 'DeletionPolicy changed from Retain to Delete (absent)'],
    ]);
  });
});

describe('readSnapshotTemplates', () => {
  test('reads Jest 30 string snapshots (describe, test name, hint) into templates by "<app> <stack>"', () => {
    // GIVEN a snapshot file in the format toMatchSnapshot writes for a JSON string
    const template = { Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { Policy: '{"a":"b\\\\c"}' } } } };
    const json = JSON.stringify(template, null, 1);
    const escaped = `"${json}"`.replace(/`|\\|\$\{/g, '\\$&');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'snap-')), 'x.snap');
    fs.writeFileSync(file, '// Jest Snapshot v1, https://jestjs.io/docs/snapshot-testing\n\n'
      + `exports[\`my-app templates match the snapshot (logical ids are public API): my-app MyStack 1\`] = \`\n${escaped}\n\`;\n`);
    // WHEN / THEN
    expect(readSnapshotTemplates(file)).toEqual(new Map([['my-app MyStack', template]]));
  });
});
