import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exceptionFor, Finding, loadExceptions, RULES_DIR } from '../../scripts/control-tower';

/** The Control Tower gate of `npm run verify` (scripts/control-tower.ts) and its exceptions list. */
describe('Control Tower exceptions list', () => {
  const exceptions = loadExceptions();
  const finding = (control: string, resourceType: string, logicalId: string, target = 'smallest-service'): Finding =>
    ({ target, template: 't.json', control, title: '', logicalId, resourceType });

  test('every entry names a control the bundled rules check', () => {
    const rules = fs.readdirSync(RULES_DIR, { recursive: true }).map(String).filter((f) => f.endsWith('.guard'))
      .map((f) => fs.readFileSync(path.join(RULES_DIR, f), 'utf8'));
    for (const e of exceptions) expect([e.control, rules.some((r) => r.includes(`[${e.control}]`))]).toEqual([e.control, true]);
  });

  test('the free fixes have no entry: a finding of theirs fails the gate in both modes', () => {
    for (const control of ['CT.ECS.PR.7', 'CT.EC2.PR.11', 'CT.SQS.PR.1', 'CT.KMS.PR.3']) {
      expect(exceptions.filter((e) => e.control === control)).toEqual([]);
    }
  });

  test('what the governance switch fixes is excepted in the default mode only', () => {
    const logGroup = finding('CT.CLOUDWATCH.PR.2', 'AWS::Logs::LogGroup', 'WebTaskLogs1234ABCD');
    expect(exceptionFor(logGroup, 'default', exceptions)?.owner).toBe('switch');
    expect(exceptionFor(logGroup, 'governed', exceptions)).toBeUndefined();
  });

  test('an entry scoped to targets and a logical-id pattern covers nothing else', () => {
    expect(exceptionFor(finding('CT.ECS.PR.9', 'AWS::ECS::Service', 'WebService436DDF84', 'bin-app-rehearsal'), 'governed', exceptions)).toBeDefined();
    expect(exceptionFor(finding('CT.ECS.PR.9', 'AWS::ECS::Service', 'WebService436DDF84', 'smallest-service'), 'default', exceptions)).toBeUndefined();
    expect(exceptionFor(finding('CT.S3.PR.9', 'AWS::S3::Bucket', 'LoadBalancerAccessLogBucketE4D80E6D'), 'default', exceptions)).toBeDefined();
    expect(exceptionFor(finding('CT.S3.PR.9', 'AWS::S3::Bucket', 'DataBucketE4D80E6D'), 'default', exceptions)).toBeUndefined();
  });

  test('a malformed entry stops the gate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-exc-'));
    const write = (entry: object): string => {
      const file = path.join(dir, 'exceptions.json');
      fs.writeFileSync(file, JSON.stringify({ exceptions: [entry] }));
      return file;
    };
    const good = { control: 'CT.CLOUDWATCH.PR.2', resourceType: 'AWS::Logs::LogGroup', modes: ['default'], owner: 'switch',
      reason: 'r', docs: 'https://docs.aws.amazon.com/controltower/latest/controlreference/cloudwatch-rules.html', userAction: 'u' };
    expect(loadExceptions(write(good))).toHaveLength(1);
    expect(() => loadExceptions(write({ ...good, modes: ['default', 'governed'] }))).toThrow(/left to the switch cannot be excepted in the governed mode/);
    expect(() => loadExceptions(write({ ...good, docs: 'https://example.com' }))).toThrow(/docs must be an AWS documentation URL/);
    expect(() => loadExceptions(write({ ...good, reason: '' }))).toThrow(/reason is missing/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
