#!/usr/bin/env bash
# First contact: the library as a new user meets it. Packs it (`npm pack`, what npm publishes),
# generates a fresh app with the real `cdk init app --language typescript` (an environment-agnostic
# stack: no env, region and account are deploy-time tokens), installs the tarball into it, pastes the
# README's smallest example into the generated stack and the README's deploy checks into its app,
# and synthesizes with the real CDK CLI, which
# runs the app as `cdk init` set it up: the app's own TypeScript type-checks it (`npx tsc`), then tsx
# runs it. Then checks the template: access logs on, with a bucket policy that is right in any region,
# no deploy-check finding, cfn-lint clean, and checkov clean as a user runs it (no config file).
#
# Usage: bash scripts/first-contact.sh [--keep]     (--keep leaves the app in place and prints its path)
# Needs: `npm run build` done (the tarball ships build/), the npm registry (installs the generated
# app's dependencies; the versions of aws-cdk-lib and constructs are this repository's pins).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEEP="${1:-}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/first-contact.XXXXXX")"
[ "$KEEP" = "--keep" ] || trap 'rm -rf "$WORK"' EXIT
export CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

pin() { node -p "require('$ROOT/package.json').devDependencies['$1']"; }

[ -f "$ROOT/build/lib/index.js" ] || { echo "first-contact: build/ is missing; run npm run build first" >&2; exit 2; }
echo "first-contact: packing the library"
tarball="$(cd "$ROOT" && npm pack --silent --pack-destination "$WORK" | tail -1)"

echo "first-contact: cdk init app --language typescript"
mkdir "$WORK/my-app"
cd "$WORK/my-app"
"$ROOT/node_modules/.bin/cdk" init app --language typescript --generate-only > "$WORK/init.log" 2>&1 || { cat "$WORK/init.log"; exit 1; }

echo "first-contact: npm install $tarball aws-cdk-lib@$(pin aws-cdk-lib) constructs@$(pin constructs)"
npm install --no-audit --no-fund --loglevel=error "$WORK/$tarball" "aws-cdk-lib@$(pin aws-cdk-lib)" "constructs@$(pin constructs)" > install.log 2>&1 \
  || { cat install.log; exit 1; }

# The README's smallest example: the first ```ts block under "Use the constructs in your app",
# pasted into the generated stack with `stack` meaning the stack itself.
cp -r "$ROOT/examples/app" ./app
node - "$ROOT/README.md" lib/my-app-stack.ts <<'JS'
const fs = require('fs');
const [readmeFile, stackFile] = process.argv.slice(2);
const section = fs.readFileSync(readmeFile, 'utf-8').split('## Use the constructs in your app')[1] ?? '';
const snippet = (/```ts\n([\s\S]*?)```/.exec(section) ?? [])[1];
if (!snippet) throw new Error('first-contact: no ```ts block under "Use the constructs in your app" in README.md');
const lines = snippet.trimEnd().split('\n');
const imports = lines.filter((l) => l.startsWith('import '));
const body = lines.filter((l) => !l.startsWith('import ')).join('\n').trim().replace(/\bstack\b/g, 'this');
let code = fs.readFileSync(stackFile, 'utf-8');
const marker = '    // The code that defines your stack goes here';
if (!code.includes(marker)) throw new Error(`first-contact: cdk init's stack file has no "${marker.trim()}" line any more`);
code = code.replace("import { Construct } from 'constructs';", `import { Construct } from 'constructs';\n${imports.join('\n')}`)
  .replace(marker, `    ${body.replace(/\n/g, '\n    ')}`);
fs.writeFileSync(stackFile, code);
JS

# The deploy checks, as the README's "Deploy checks" section adds them: its first ```ts block,
# pasted into the generated bin file right after the App is created.
node - "$ROOT/README.md" bin/my-app.ts <<'JS'
const fs = require('fs');
const [readmeFile, binFile] = process.argv.slice(2);
const section = fs.readFileSync(readmeFile, 'utf-8').split('## Deploy checks')[1] ?? '';
const snippet = (/```ts\n([\s\S]*?)```/.exec(section) ?? [])[1];
if (!snippet) throw new Error('first-contact: no ```ts block under "Deploy checks" in README.md');
const lines = snippet.trimEnd().split('\n').filter((l) => !l.trim().startsWith('//'));
const imports = lines.filter((l) => l.startsWith('import '));
const body = lines.filter((l) => !l.startsWith('import ') && l.trim() !== '').join('\n');
let code = fs.readFileSync(binFile, 'utf-8');
const marker = 'const app = new cdk.App();';
if (!code.includes(marker)) throw new Error(`first-contact: cdk init's bin file has no "${marker}" line any more`);
const cdkImport = "import * as cdk from 'aws-cdk-lib/core';";
if (!code.includes(cdkImport)) throw new Error(`first-contact: cdk init's bin file has no "${cdkImport}" line any more`);
code = code.replace(cdkImport, `${cdkImport}\n${imports.join('\n')}`).replace(marker, `${marker}\n${body}`);
fs.writeFileSync(binFile, code);
JS

echo "first-contact: cdk synth (the app as cdk init runs it: npx tsc && npx tsx bin/my-app.ts)"
start=$(date +%s%N)
"$ROOT/node_modules/.bin/cdk" synth -q > synth.log 2>&1 || { cat synth.log; echo "first-contact: FAILED: the README's snippets do not synthesize in a cdk init app" >&2; exit 1; }
echo "first-contact: synth took $(( ($(date +%s%N) - start) / 1000000 )) ms (type-check + synth)"

node - cdk.out/MyAppStack.template.json <<'JS'
const fs = require('fs');
const template = JSON.parse(fs.readFileSync(process.argv[2], 'utf-8'));
const resources = Object.values(template.Resources ?? {});
const problems = [];
const alb = resources.find((r) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer');
const attrs = Object.fromEntries((alb?.Properties?.LoadBalancerAttributes ?? []).map((a) => [a.Key, a.Value]));
if (attrs['access_logs.s3.enabled'] !== 'true') problems.push('the load balancer has no access logs');
const policies = resources.filter((r) => r.Type === 'AWS::S3::BucketPolicy').map((r) => JSON.stringify(r.Properties.PolicyDocument));
if (!policies.some((p) => p.includes('AWS::Region'))) {
  problems.push('no bucket policy chooses the log-delivery principal by the deploy-time region (AWS::Region)');
}
const reportFile = 'cdk.out/validation-report.json';
const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')) : { pluginReports: [] };
const checks = (report.pluginReports ?? []).filter((r) => (r.pluginName ?? r.summary?.pluginName) === 'ecs-service-kit-deploy-checks');
const findings = checks.flatMap((r) => r.violations ?? []).map((v) => `${v.ruleName} (${v.severity})`);
if (findings.length > 0) problems.push(`the deploy checks report ${findings.join(', ')}`);
if (problems.length > 0) {
  console.error(`first-contact: FAILED: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`first-contact: ok: MyAppStack synthesizes (${resources.length} resources), access logs on, bucket policy keyed on the deploy-time region, deploy checks clean`);
JS
# The same linter as npm run verify, on this template too: the region mapping and condition are
# only in environment-agnostic stacks, which the examples (all with a region) never produce.
if [ -x "$ROOT/.venv/bin/cfn-lint" ]; then
  (cd "$ROOT" && .venv/bin/cfn-lint --config-file .cfnlintrc.yaml -- "$WORK/my-app/cdk.out/MyAppStack.template.json") \
    || { echo "first-contact: FAILED: cfn-lint reports the template above" >&2; exit 1; }
  echo "first-contact: cfn-lint: no findings"
  # checkov as a user runs it: from the user's app, without this repository's .checkov.yaml, so
  # only the skips that travel in the template (with their reasons) apply.
  (cd "$WORK/my-app" && CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE "$ROOT/.venv/bin/checkov" \
    -f cdk.out/MyAppStack.template.json --framework cloudformation --skip-download --compact --quiet > checkov.log 2>&1) \
    || { cat "$WORK/my-app/checkov.log"; echo "first-contact: FAILED: checkov (no config file) reports the template" >&2; exit 1; }
  echo "first-contact: checkov without a config file: $(grep -Eo 'Passed checks: [0-9]+, Failed checks: [0-9]+, Skipped checks: [0-9]+' "$WORK/my-app/checkov.log")"
else
  echo "first-contact: cfn-lint and checkov skipped (no .venv: run scripts/venv.sh)"
fi
[ "$KEEP" = "--keep" ] && echo "first-contact: app kept at $WORK/my-app"
exit 0
