#!/usr/bin/env bash
# npm run verify: the quality gates on every template the examples and the bin app synthesize.
#   1. synth     scripts/synth-all.ts: strict built-in CloudFormation validation + cdk-nag
#                AwsSolutions + construct annotations: zero errors, zero warnings
#   2. cfn-lint  zero errors, zero warnings (ignored rules: .cfnlintrc.yaml)
#   3. checkov   framework cloudformation: zero failed checks (skips: .checkov.yaml, template metadata)
#   4. fuzz      test/quality/fuzz.test.ts at full size (FUZZ_RUNS=1, fixed seed; npm test runs an
#                eighth), its synth sample with strict built-in validation; table printed
#   5. control   AWS Control Tower proactive controls (scripts/control-tower.ts: the Guard rules of
#      tower     @cdklabs/cdk-validator-cfnguard, run with its cfn-guard binary) in two modes:
#                default context and governed (-c ecs-service-kit:governance=control-tower), both
#                gated: zero findings outside scripts/control-tower-exceptions.json. The governed
#                templates also pass steps 1-3 (synth with cdk-nag and the deploy checks,
#                cfn-lint, checkov) and the governed sweep (test/governance/governed-templates.verify.ts:
#                every log group, KMS key, load balancer and created bucket as the switch makes it)
#   6. NIST      opt-in (--nist or VERIFY_NIST=1): cdk-nag NIST 800-53 rev 5 findings, counted, not gated
# Fails on any finding; prints a summary. Offline after scripts/venv.sh: the tools run in a network
# namespace without interfaces when `unshare -n` is allowed (root), so any network call fails loudly.
#
# Usage: bash scripts/verify.sh [--nist] [--baseline] [--module FILE[#fn]]... [-- synth-all args]
#   --nist       also count NIST 800-53 rev 5 findings per example
#   --baseline   run the same tools on benchmarks/ecs-patterns/app.ts and print its counts
#                (never gated: those are the figures to beat)
#   --module F   verify this app module instead of the examples and the bin app (repeatable)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

NIST="${VERIFY_NIST:-0}"
GOVERNANCE_CONTEXT='ecs-service-kit:governance=control-tower'
BASELINE=0
MODULES=0
SYNTH_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --nist) NIST=1 ;;
    --baseline) BASELINE=1 ;;
    --module) SYNTH_ARGS+=(--module "$2"); MODULES=1; shift ;;
    --) shift; SYNTH_ARGS+=("$@"); break ;;
    *) echo "verify: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

START=$(date +%s)
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE
export CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true
export PYTHONDONTWRITEBYTECODE=1

# Offline guard: a fresh network namespace has only a down loopback.
OFFLINE=()
if [ "${VERIFY_ALLOW_NETWORK:-0}" != "1" ] && unshare -n true 2>/dev/null; then
  OFFLINE=(unshare -n)
fi

step() { printf '\n== %s\n' "$*"; }

step "venv"
bash scripts/venv.sh || { echo "verify: venv setup failed" >&2; exit 2; }
PY="$ROOT/.venv/bin/python"

# run_gates NAME OUTDIR GATED SYNTH_ARGS...  -> sets SYNTH_RC CFN_E CFN_W CFN_I CKV_FAILED CKV_PASSED CKV_SKIPPED NIST_TOTAL
run_gates() {
  local name="$1" outdir="$2" gated="$3"; shift 3
  local nist_args=()
  [ "$NIST" = "1" ] && nist_args=(--nist)
  step "synth ($name)"
  local synth_extra=()
  [ "$gated" = "1" ] || synth_extra=(--no-fail)
  # Start clean so a synth that dies early cannot leave the last run's templates to be linted.
  rm -rf "$outdir" "$outdir-nist"
  "${OFFLINE[@]}" node --import tsx scripts/synth-all.ts --outdir "$outdir" "${nist_args[@]}" "${synth_extra[@]}" "$@"
  SYNTH_RC=$?
  local templates=()
  if [ -f "$outdir/templates.txt" ]; then mapfile -t templates < "$outdir/templates.txt"; fi
  if [ "${#templates[@]}" -eq 0 ]; then
    echo "verify: no templates synthesized for $name"
    SYNTH_RC=${SYNTH_RC:-1}; [ "$SYNTH_RC" = "0" ] && SYNTH_RC=1
    CFN_E=-; CFN_W=-; CFN_I=-; CKV_FAILED=-; CKV_PASSED=-; CKV_SKIPPED=-; NIST_TOTAL=-
    return
  fi

  step "cfn-lint ($name: ${#templates[@]} templates)"
  local cfn_out="$outdir/cfn-lint.txt"
  "${OFFLINE[@]}" "$ROOT/.venv/bin/cfn-lint" --config-file .cfnlintrc.yaml --format parseable -- "${templates[@]}" > "$cfn_out" 2>&1
  local rc=$?
  sed "s#^$ROOT/##" "$cfn_out"
  # Exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 = the tool itself failed.
  if [ $((rc & 1)) -ne 0 ]; then echo "verify: cfn-lint failed to run (exit $rc)"; CFN_E=crash; else CFN_E=$(grep -cE ':E[0-9]+:' "$cfn_out"); fi
  CFN_W=$(grep -cE ':W[0-9]+:' "$cfn_out")
  CFN_I=$(grep -cE ':I[0-9]+:' "$cfn_out")
  if [ "$CFN_E" != crash ] && { [ $((rc & 2)) -ne 0 ] && [ "$CFN_E" = 0 ]; } ; then CFN_E="?(exit $rc)"; fi
  echo "cfn-lint: $CFN_E errors, $CFN_W warnings, $CFN_I informational (exit $rc)"

  step "checkov ($name)"
  local ckv_json="$outdir/checkov.json" file_args=()
  for t in "${templates[@]}"; do file_args+=(-f "$t"); done
  "${OFFLINE[@]}" "$ROOT/.venv/bin/checkov" --config-file .checkov.yaml "${file_args[@]}" -o json > "$ckv_json" 2> "$outdir/checkov.stderr"
  rc=$?
  local counts
  counts=$("$PY" - "$ckv_json" "$ROOT" <<'PY'
import json, sys
path, root = sys.argv[1], sys.argv[2] + '/'
try:
    data = json.load(open(path))
except Exception as e:  # checkov crashed or printed something else
    print(f'verify: cannot read checkov output: {e}', file=sys.stderr)
    print('crash - -'); sys.exit(0)
reports = data if isinstance(data, list) else [data]
failed = passed = skipped = 0
for r in reports:
    if 'results' not in r:  # "no files scanned" summary
        continue
    res = r['results']
    passed += len(res.get('passed_checks', []))
    skipped += len(res.get('skipped_checks', []))
    for f in res.get('failed_checks', []):
        failed += 1
        print(f"FAILED {f['check_id']} {f['resource']} ({f['file_path'].replace(root, '').lstrip('/')}): {f['check_name']}", file=sys.stderr)
    for s in res.get('skipped_checks', []):
        comment = ((s.get('check_result') or {}).get('suppress_comment') or '').strip()
        print(f"skipped {s['check_id']} {s['resource']}: {comment}", file=sys.stderr)
by_check = {}
for r in reports:
    for f in r.get('results', {}).get('failed_checks', []):
        by_check.setdefault((f['check_id'], f['check_name']), []).append(f['resource'].split('.', 1)[-1])
if by_check:
    print('failed checks by id (findings: logical ids):', file=sys.stderr)
for (cid, name), res in sorted(by_check.items(), key=lambda kv: -len(kv[1])):
    print(f"  {cid} x{len(res)} ({name}): {', '.join(sorted(set(res)))}", file=sys.stderr)
print(failed, passed, skipped)
PY
)
  read -r CKV_FAILED CKV_PASSED CKV_SKIPPED <<< "$counts"
  if [ "$CKV_FAILED" = crash ]; then sed -n 1,40p "$outdir/checkov.stderr"; fi
  echo "checkov: $CKV_FAILED failed, $CKV_PASSED passed, $CKV_SKIPPED skipped (exit $rc)"

  NIST_TOTAL=-
  if [ "$NIST" = "1" ]; then
    NIST_TOTAL=$("$PY" -c "import json,sys; print(sum(r.get('nistFindings') or 0 for r in json.load(open(sys.argv[1]))))" "$outdir/summary.json" 2>/dev/null || echo '?')
  fi
}

# run_ct NAME TEMPLATES_TXT MODE GATED JSON  -> sets CT_TOTAL CT_CONTROLS CT_OPEN (findings, controls,
# findings the exceptions list does not cover; "-" when the tool failed) and CT_RC
run_ct() {
  local name="$1" list="$2" mode="$3" gated="$4" json="$5" extra=()
  [ "$gated" = 1 ] || extra=(--report-only)
  step "control tower ($name: Control Tower proactive controls, $mode mode$([ "$gated" = 1 ] || echo ', reported only'))"
  CT_TOTAL=- CT_CONTROLS=- CT_OPEN=-
  if [ ! -s "$list" ]; then echo "verify: no templates for the Control Tower rules ($list)"; CT_RC=2; return; fi
  local out
  out=$("${OFFLINE[@]}" node --import tsx scripts/control-tower.ts "$list" --mode "$mode" --label "$name" --json "$json" "${extra[@]}" 2>&1)
  CT_RC=$?
  printf '%s\n' "$out" | grep -v '^CT_SUMMARY '
  read -r _ CT_TOTAL CT_CONTROLS CT_OPEN <<< "$(printf '%s\n' "$out" | grep '^CT_SUMMARY ' || echo 'CT_SUMMARY - - -')"
}

FAIL=0
run_gates "ours" "cdk.out/verify" 1 "${SYNTH_ARGS[@]}"
O_SYNTH=$SYNTH_RC O_E=$CFN_E O_W=$CFN_W O_I=$CFN_I O_CF=$CKV_FAILED O_CP=$CKV_PASSED O_CS=$CKV_SKIPPED O_N=$NIST_TOTAL
[ "$O_SYNTH" = 0 ] || FAIL=1
[ "$O_E" = 0 ] && [ "$O_W" = 0 ] || FAIL=1
[ "$O_CF" = 0 ] || FAIL=1

CT_START=$(date +%s)
run_ct "default" "cdk.out/verify/templates.txt" default 1 cdk.out/verify/control-tower.json
CT_D_TOTAL=$CT_TOTAL CT_D_CONTROLS=$CT_CONTROLS CT_D_OPEN=$CT_OPEN
[ "$CT_RC" = 0 ] || FAIL=1
# Governed mode: the same apps with the governance switch's context, through the same gates
# (strict synth with cdk-nag and the deploy checks, cfn-lint, checkov) and the Control Tower rules.
run_gates "governed" "cdk.out/verify-governed" 1 -c "$GOVERNANCE_CONTEXT" "${SYNTH_ARGS[@]}"
G_SYNTH=$SYNTH_RC G_E=$CFN_E G_W=$CFN_W G_CF=$CKV_FAILED G_CP=$CKV_PASSED G_CS=$CKV_SKIPPED
[ "$G_SYNTH" = 0 ] || FAIL=1
[ "$G_E" = 0 ] && [ "$G_W" = 0 ] || FAIL=1
[ "$G_CF" = 0 ] || FAIL=1
run_ct "governed" "cdk.out/verify-governed/templates.txt" governed 1 cdk.out/verify-governed/control-tower.json
CT_G_TOTAL=$CT_TOTAL CT_G_CONTROLS=$CT_CONTROLS CT_G_OPEN=$CT_OPEN
[ "$CT_RC" = 0 ] || FAIL=1
CT_SECS=$(( $(date +%s) - CT_START ))
# The sweep over every governed template that npm test ran before (governance.test.ts keeps the
# per-construct tests and runs the sweep on the smallest example only).
step "governed sweep (test/governance/governed-templates.verify.ts over the governed templates)"
GOV_SWEEP=FAILED
if [ "$MODULES" = 1 ]; then
  GOV_SWEEP=skipped  # --module: another app, which need not use the switch
elif "${OFFLINE[@]}" node --import tsx test/governance/governed-templates.verify.ts cdk.out/verify-governed/templates.txt; then
  GOV_SWEEP=ok
fi
[ "$GOV_SWEEP" = FAILED ] && FAIL=1

step "cfn-lint on fuzzed configurations (scripts/fuzz-sample.ts: valid random props, fixed seed)"
rm -rf cdk.out/fuzz-sample
FUZZ_E=- FUZZ_W=- FUZZ_N=0
# The script's exit status counts: a crash after the first template must not pass as a short sample.
mkdir -p cdk.out
if "${OFFLINE[@]}" node --import tsx scripts/fuzz-sample.ts cdk.out/fuzz-sample > cdk.out/fuzz-sample.list \
  && mapfile -t fuzz_templates < cdk.out/fuzz-sample.list && [ "${#fuzz_templates[@]}" -gt 0 ]; then
  FUZZ_N=${#fuzz_templates[@]}
  mkdir -p cdk.out/fuzz-sample
  "${OFFLINE[@]}" "$ROOT/.venv/bin/cfn-lint" --config-file .cfnlintrc.yaml --format parseable -- "${fuzz_templates[@]}" > cdk.out/fuzz-sample/cfn-lint.txt 2>&1
  rc=$?
  if [ $((rc & 1)) -ne 0 ]; then FUZZ_E=crash; else FUZZ_E=$(grep -cE ':E[0-9]+:' cdk.out/fuzz-sample/cfn-lint.txt); fi
  FUZZ_W=$(grep -cE ':W[0-9]+:' cdk.out/fuzz-sample/cfn-lint.txt)
  grep -E ':[EW][0-9]+:' cdk.out/fuzz-sample/cfn-lint.txt | head -20
  echo "cfn-lint on $FUZZ_N fuzzed templates: $FUZZ_E errors, $FUZZ_W warnings (exit $rc)"
else
  echo "verify: scripts/fuzz-sample.ts failed or produced no templates (see above)"
fi
[ "$FUZZ_E" = 0 ] && [ "$FUZZ_W" = 0 ] || FAIL=1

step "fuzz at full size: FUZZ_RUNS=1 jest test/quality/fuzz.test.ts (fixed seed; npm test runs an eighth)"
FUZZ_FULL=FAILED
if [ "$MODULES" = 1 ]; then
  FUZZ_FULL=skipped  # --module: verifying another app, not this library
elif "${OFFLINE[@]}" env FUZZ_RUNS=1 VERBOSE_FUZZ=1 node_modules/.bin/jest --ci test/quality/fuzz.test.ts; then
  FUZZ_FULL=ok
fi
[ "$FUZZ_FULL" = FAILED ] && FAIL=1

if [ "$BASELINE" = 1 ]; then
  if [ -f benchmarks/ecs-patterns/app.ts ]; then
    run_gates "ecs-patterns baseline" "cdk.out/verify-baseline" 0 --module benchmarks/ecs-patterns/app.ts
    B_E=$CFN_E B_W=$CFN_W B_CF=$CKV_FAILED B_CP=$CKV_PASSED B_N=$NIST_TOTAL
    run_ct "ecs-patterns baseline" "cdk.out/verify-baseline/templates.txt" default 0 cdk.out/verify-baseline/control-tower.json
    B_CT=$CT_TOTAL B_CTC=$CT_CONTROLS
  else
    echo "verify: benchmarks/ecs-patterns/app.ts not found; no baseline"
    BASELINE=0
  fi
fi

END=$(date +%s)
step "summary ($((END - START)) s${OFFLINE:+, offline via unshare -n})"
synth_line="synth     $([ "$O_SYNTH" = 0 ] && echo ok || echo FAILED) (strict CloudFormation validation, cdk-nag AwsSolutions, annotations; details above)"
echo "$synth_line"
echo "cfn-lint  errors $O_E, warnings $O_W, informational $O_I"
echo "checkov   failed $O_CF, passed $O_CP, skipped $O_CS"
echo "fuzzed    $FUZZ_N valid random configurations: cfn-lint errors $FUZZ_E, warnings $FUZZ_W"
echo "fuzz      full size (FUZZ_RUNS=1, strict built-in validation on the synth sample): $FUZZ_FULL"
echo "control   tower default: $CT_D_TOTAL findings in $CT_D_CONTROLS controls, $CT_D_OPEN not in the exceptions list (gated; scripts/control-tower-exceptions.json)"
echo "governed  (-c $GOVERNANCE_CONTEXT) synth $([ "$G_SYNTH" = 0 ] && echo ok || echo FAILED); cfn-lint errors $G_E, warnings $G_W; checkov failed $G_CF, passed $G_CP, skipped $G_CS"
echo "governed  sweep (log groups a year and with the stack's key, KMS CreateGrant guard, deletion protection, bucket logging and EventBridge): $GOV_SWEEP"
echo "control   tower governed: $CT_G_TOTAL findings in $CT_G_CONTROLS controls, $CT_G_OPEN not in the exceptions list (gated); both modes took ${CT_SECS} s"
[ "$NIST" = 1 ] && echo "NIST      800-53 rev 5 findings $O_N (counted, not gated; per example above)"
if [ "$BASELINE" = 1 ]; then
  echo "baseline  ecs-patterns: cfn-lint errors $B_E, warnings $B_W; checkov failed $B_CF, passed $B_CP; Control Tower findings $B_CT in $B_CTC controls$([ "$NIST" = 1 ] && echo "; NIST $B_N")"
fi
if [ "$FAIL" = 0 ]; then echo "verify: PASSED"; else echo "verify: FAILED"; fi
exit "$FAIL"
