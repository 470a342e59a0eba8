import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { skipCheckov } from '../../lib/validation/checkov';
import { testApp, testStack } from '../util/test-app';

describe('skipCheckov', () => {
  test('merges skips into the resource metadata, one entry per check id, last reason wins', () => {
    // GIVEN
    const stack = testStack(testApp());
    const bucket = new s3.Bucket(stack, 'Logs');
    // WHEN
    skipCheckov(bucket, 'CKV_AWS_18', 'first reason');
    skipCheckov(bucket, 'CKV_AWS_21', 'log bucket: versioning not needed');
    skipCheckov(bucket.node.defaultChild as s3.CfnBucket, 'CKV_AWS_18', 'this bucket receives access logs');
    // THEN
    const resources = Template.fromStack(stack).findResources('AWS::S3::Bucket');
    const metadata = Object.values(resources)[0].Metadata;
    expect(metadata.checkov).toEqual({
      skip: [
        { id: 'CKV_AWS_21', comment: 'log bucket: versioning not needed' },
        { id: 'CKV_AWS_18', comment: 'this bucket receives access logs' },
      ],
    });
  });

  test('rejects a construct without a CloudFormation resource', () => {
    const stack = testStack(testApp());
    const plain = new Construct(stack, 'Plain');
    expect(() => skipCheckov(plain, 'CKV_AWS_18', 'reason')).toThrow(/TestStack\/Plain is not a CloudFormation resource/);
  });

  test('rejects an id that is not a checkov id, and an empty reason', () => {
    const stack = testStack(testApp());
    const bucket = new s3.Bucket(stack, 'Logs');
    expect(() => skipCheckov(bucket, 'W3005', 'reason')).toThrow(/check id W3005 is not a checkov id/);
    expect(() => skipCheckov(bucket, 'CKV2_AWS_62', ' ')).toThrow(/skipping CKV2_AWS_62 needs a reason/);
  });
});
