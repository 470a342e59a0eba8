/**
 * The governed sweep: every template of every example and bin-app stage, synthesized with
 * `-c ecs-service-kit:governance=control-tower`, carries what the controls the switch owns require:
 * - every log group: a year of retention or more (CT.CLOUDWATCH.PR.2), encrypted with a KMS key of
 *   its own stack (CT.CLOUDWATCH.PR.3; a key of the stack, not only some KmsKeyId);
 * - every KMS key: the CreateGrant guard in its policy (CT.KMS.PR.3);
 * - every load balancer: deletion protection (CT.ELASTICLOADBALANCING.PR.5);
 * - every S3 bucket: server access logging (CT.S3.PR.2) and EventBridge notifications, exactly
 *   (CT.S3.PR.4 asks for some notification);
 * and each of those four resource types occurs at least once (a vacuous pass is not a pass).
 *
 *   node --import tsx test/governance/governed-templates.verify.ts <outdir>/templates.txt
 *
 * `npm run verify` (scripts/verify.sh) runs it on the governed templates it has just synthesized
 * (with cdk-nag, the deploy checks and the strict built-in validation) and checked with cfn-lint,
 * checkov and the Control Tower rules; this sweep is stricter than the rules in the two places
 * named above. It was a test in governance.test.ts, which synthesized every app a second time for
 * it in `npm test`; the per-construct governance tests stay there, and they run
 * {@link governedViolations} on the smallest example, governed and not.
 *
 * Named *.verify.ts so that `npm test` (testMatch **\/*.test.ts) never picks it up.
 * Exit code: 0 clean, 1 a violation or a kind never seen, 2 no templates or an app without one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_APPS } from '../../examples';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** One template and where it comes from (for the messages). */
export interface GovernedTemplate {
  readonly where: string;
  readonly template: { Resources?: Resources };
}

/** The resource types the sweep checks; each must occur at least once. */
export const SWEPT_TYPES = ['AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::S3::Bucket'];

/** What the sweep finds: violations (`<where>/<logical id>: what`) and resources counted per type. */
export function governedViolations(templates: readonly GovernedTemplate[]): { violations: string[]; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const violations: string[] = [];
  for (const { where: file, template } of templates) {
    const resources = template.Resources ?? {};
    const keyIds = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::KMS::Key');
    for (const [id, r] of Object.entries(resources)) {
      const where = `${file}/${id}`;
      const p = r.Properties ?? {};
      counts[r.Type] = (counts[r.Type] ?? 0) + 1;
      if (r.Type === 'AWS::Logs::LogGroup') {
        if (!((p.RetentionInDays as number) >= 365)) violations.push(`${where}: RetentionInDays ${String(p.RetentionInDays)}`);
        const keyRef = (p.KmsKeyId as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0];
        if (!keyIds.includes(keyRef ?? '')) violations.push(`${where}: KmsKeyId ${JSON.stringify(p.KmsKeyId)}`);
      } else if (r.Type === 'AWS::KMS::Key') {
        const sids = (p.KeyPolicy as { Statement: { Sid?: string }[] }).Statement.map((st) => st.Sid);
        if (!sids.includes('DenyGrantsExceptByAwsServicesForAwsResources')) violations.push(`${where}: no CreateGrant guard`);
      } else if (r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
        const attributes = JSON.stringify(p.LoadBalancerAttributes);
        if (!attributes.includes('{"Key":"deletion_protection.enabled","Value":"true"}')) violations.push(`${where}: no deletion protection`);
      } else if (r.Type === 'AWS::S3::Bucket') {
        if (!p.LoggingConfiguration) violations.push(`${where}: no server access logging`);
        if (JSON.stringify(p.NotificationConfiguration) !== '{"EventBridgeConfiguration":{"EventBridgeEnabled":true}}') violations.push(`${where}: no EventBridge notifications`);
      }
    }
  }
  return { violations, counts };
}

function main(argv: string[]): number {
  const list = argv[0];
  if (!list || !fs.existsSync(list)) {
    console.error(`governed sweep: no template list ${list ?? '(none given)'}; usage: governed-templates.verify.ts <outdir>/templates.txt`);
    return 2;
  }
  const files = fs.readFileSync(list, 'utf-8').split('\n').filter((line) => line.trim() !== '');
  // synth-all.ts writes each app's templates under <outdir>/<app name>/: every app must be there.
  const outdir = path.dirname(path.resolve(list));
  const missing = ALL_APPS.map((entry) => entry.name)
    .filter((name) => !files.some((f) => path.relative(outdir, path.resolve(f)).split(path.sep)[0] === name));
  if (files.length === 0 || missing.length > 0) {
    console.error(`governed sweep: ${files.length} templates in ${list}; apps without a template: ${missing.join(', ') || '-'}`);
    return 2;
  }
  const templates = files.map((f) => ({ where: path.relative(outdir, f), template: JSON.parse(fs.readFileSync(f, 'utf-8')) as GovernedTemplate['template'] }));
  const { violations, counts } = governedViolations(templates);
  const unseen = SWEPT_TYPES.filter((type) => !(counts[type] > 0));
  for (const v of violations) console.log(`governed sweep: ${v}`);
  if (unseen.length > 0) console.log(`governed sweep: no ${unseen.join(', ')} in any template (a vacuous pass is not a pass)`);
  console.log(`governed sweep: ${templates.length} templates of ${ALL_APPS.length} apps; ${SWEPT_TYPES.map((t) => `${t.split('::').slice(1).join('::')} ${counts[t] ?? 0}`).join(', ')}; `
    + `${violations.length} violations`);
  return violations.length > 0 || unseen.length > 0 ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
