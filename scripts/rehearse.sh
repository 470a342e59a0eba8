#!/usr/bin/env bash
# Deploy rehearsal: the real `cdk bootstrap`, `cdk deploy`, an image-tag update and `cdk destroy`
# of the bin app, route updates (remove a route, add a service) of a second small app, and the
# deploy and destroy of a third with an EFS volume, against a local moto server, with AWS SDK
# checks after each step.
# Only loopback is contacted. See docs/rehearsal.md.
#
# Environment (all optional):
#   MOTO_SERVER      path of the moto_server executable (default: .venv/bin/moto_server, made by scripts/venv.sh)
#   REHEARSAL_APP    a --app command to deploy instead of cdk.json's app (for debugging a stand-in)
#   REHEARSAL_KEEP   1 = keep .rehearsal/ from the previous run instead of starting clean
#   REHEARSAL_NETNS  auto (default): run inside a fresh network namespace that has only loopback
#                    when this machine allows it (root with unshare and ip), so nothing can leave
#                    the machine; 0 = never
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

STAGE=rehearsal
ACCOUNT=123456789012 # moto's fixed account
REGION=us-east-1
WORK="$ROOT/.rehearsal"
OUT="$WORK/cdk.out"
MOTO_LOG="$WORK/moto.log"
STEP_LOG="$WORK/steps.log"
CHECKS=(node --import tsx "$ROOT/test/rehearsal/checks.rehearsal.ts")
BUDGET_SECONDS=300
START=$SECONDS

if [[ "${REHEARSAL_KEEP:-0}" != 1 ]]; then rm -rf "$WORK"; fi
mkdir -p "$WORK"
: >"$STEP_LOG"

log() { printf '[rehearse %3ds] %s\n' "$((SECONDS - START))" "$*"; }

# ---- moto server ----------------------------------------------------------------------------
MOTO_SERVER="${MOTO_SERVER:-$ROOT/.venv/bin/moto_server}"
if [[ ! -x "$MOTO_SERVER" && -f "$ROOT/scripts/venv.sh" ]]; then
  log "no $MOTO_SERVER yet: running scripts/venv.sh"
  bash "$ROOT/scripts/venv.sh"
fi
if [[ ! -x "$MOTO_SERVER" ]]; then
  echo "rehearse: moto_server not found at $MOTO_SERVER (run scripts/venv.sh or set MOTO_SERVER)" >&2
  exit 2
fi

# Re-run inside a loopback-only network namespace (after the venv is in place: pip needs the network).
if [[ "${REHEARSAL_NETNS:-auto}" != 0 && -z "${REHEARSAL_IN_NETNS:-}" ]] && command -v unshare >/dev/null && command -v ip >/dev/null \
  && unshare -n sh -c 'ip link set lo up' 2>/dev/null; then
  log "isolating the rehearsal in a network namespace with loopback only"
  export REHEARSAL_IN_NETNS=1 MOTO_SERVER
  exec unshare -n bash -c 'ip link set lo up && exec bash "$0"' "${BASH_SOURCE[0]}"
fi
[[ -n "${REHEARSAL_IN_NETNS:-}" ]] && log "network: $(ip -br addr | awk '{print $1}' | paste -sd, -) only"
PYTHON="$(dirname "$MOTO_SERVER")/python"
[[ -x "$PYTHON" ]] || PYTHON=python3

PORT="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
MOTO_PID=""

print_moto_tail() {
  echo "---- last 60 lines of $MOTO_LOG ----" >&2
  tail -n 60 "$MOTO_LOG" >&2 || true
  echo "---- end of moto log ----" >&2
}

# cdk.context.json is git-ignored, but a run must not leave the emulator's lookups in it.
CONTEXT_EXISTED=0
[[ -f "$ROOT/cdk.context.json" ]] && CONTEXT_EXISTED=1 && cp "$ROOT/cdk.context.json" "$WORK/cdk.context.json.before"
restore_context() {
  if [[ $CONTEXT_EXISTED == 1 ]]; then cp "$WORK/cdk.context.json.before" "$ROOT/cdk.context.json"
  else rm -f "$ROOT/cdk.context.json"; fi
}

cleanup() {
  local rc=$?
  restore_context
  if [[ -n "$MOTO_PID" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$MOTO_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 ]]; then
    print_moto_tail
    echo "rehearse: FAILED (exit $rc) after $((SECONDS - START)) s; logs in $WORK" >&2
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting moto_server on 127.0.0.1:$PORT (log: .rehearsal/moto.log)"
"$MOTO_SERVER" -H 127.0.0.1 -p "$PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!

"$PYTHON" - "$PORT" <<'PY'
import sys, time, urllib.request
port = sys.argv[1]
deadline = time.time() + 30
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2).read()
        break
    except Exception:
        if time.time() > deadline:
            sys.exit("moto_server did not answer within 30 s")
        time.sleep(0.2)
PY
log "moto_server is up (pid $MOTO_PID)"

# ---- environment: emulator endpoint, dummy credentials, nothing leaves the machine ------------
# moto only recognizes a template URL on S3 when the host is called "localhost".
export AWS_ENDPOINT_URL="http://localhost:$PORT"
export AWS_ACCESS_KEY_ID=rehearsal
export AWS_SECRET_ACCESS_KEY=rehearsal
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL_S3 AWS_CA_BUNDLE || true
export AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION
# No profile files, no instance metadata lookups (169.254.169.254 is not loopback).
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"
: >"$AWS_CONFIG_FILE"; : >"$AWS_SHARED_CREDENTIALS_FILE"
export AWS_EC2_METADATA_DISABLED=true
# aws-cdk 2.1148.1: CDK_DISABLE_CLI_TELEMETRY (lib/cli/telemetry/collect-telemetry.js) and
# CDK_DISABLE_VERSION_CHECK (lib/cli/display-version.js); notices are only fetched when shown,
# so --no-notices keeps them offline. CDK_HOME keeps the CLI's caches out of the user's ~/.cdk.
export CDK_DISABLE_CLI_TELEMETRY=true
export CDK_DISABLE_VERSION_CHECK=1
export CDK_HOME="$WORK/cdk-home"
export CI=true
# The SDK's notice about future Node versions is noise in every step's output.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
export REHEARSAL_DIR="$WORK" REHEARSAL_STACK="ecs-service-kit-$STAGE" REHEARSAL_OUT="$OUT"

CDK_COMMON=(--no-notices --output "$OUT")
APP_ARGS=()
if [[ -n "${REHEARSAL_APP:-}" ]]; then APP_ARGS=(--app "$REHEARSAL_APP"); fi


# run_step NAME SECONDS CMD...: bounded, logged, and the whole rehearsal stays within the budget.
run_step() {
  local name=$1 limit=$2; shift 2
  local left=$((BUDGET_SECONDS - (SECONDS - START)))
  if ((left <= 0)); then echo "rehearse: over the ${BUDGET_SECONDS} s budget before '$name'" >&2; return 1; fi
  ((limit > left)) && limit=$left
  log "$name (limit ${limit} s)"
  echo "==== $name: $*" >>"$STEP_LOG"
  local rc=0
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$WORK/step.out" | sed -u 's/^/    /' || rc=${PIPESTATUS[0]}
  cat "$WORK/step.out" >>"$STEP_LOG"
  if ((rc == 124 || rc == 137)); then echo "rehearse: '$name' timed out after ${limit} s" >&2; fi
  if ((rc != 0)) && [[ -n "${TOLERATE:-}" ]] && ((rc != 124 && rc != 137)) && grep -Eq "$TOLERATE" "$WORK/step.out"; then
    log "'$name' exited $rc with a known moto limitation: $(grep -Eo "$TOLERATE" "$WORK/step.out" | head -n 1)"
    rc=0
  fi
  if ((rc != 0)); then echo "rehearse: '$name' failed (exit $rc)" >&2; return $rc; fi
  check_moto_log "$name"
}

check_moto_log() {
  if grep -q 'Traceback (most recent call last)' "$MOTO_LOG"; then
    echo "rehearse: moto raised a Python exception during '$1':" >&2
    grep -n -A 30 'Traceback (most recent call last)' "$MOTO_LOG" | tail -n 40 >&2
    return 1
  fi
}

: >"$WORK/results.txt"

# ---- 1. synth + template checks (before any deploy: a Lambda-backed resource would hang it) ----
run_step "synth (stage=$STAGE, imageTag=v1)" 90 \
  npx cdk synth "${APP_ARGS[@]}" "${CDK_COMMON[@]}" -q -c stage=$STAGE -c imageTag=v1
run_step "template checks" 30 "${CHECKS[@]}" template

# ---- 2. bootstrap and deploy exactly as the README tells a user -------------------------------
run_step "cdk bootstrap" 90 \
  npx cdk bootstrap "${APP_ARGS[@]}" "${CDK_COMMON[@]}" "aws://$ACCOUNT/$REGION"
run_step "checks after bootstrap" 30 "${CHECKS[@]}" bootstrapped
run_step "cdk deploy imageTag=v1" 120 \
  npx cdk deploy "${APP_ARGS[@]}" "${CDK_COMMON[@]}" -c stage=$STAGE -c imageTag=v1 \
  --require-approval never --method=direct --outputs-file "$WORK/outputs-v1.json"
run_step "checks after deploy v1" 60 "${CHECKS[@]}" deployed v1 "$WORK/outputs-v1.json"

# ---- 3. update: a new image tag must roll the service to a new task definition revision -------
run_step "push image v2" 30 "${CHECKS[@]}" push v2
# --no-previous-parameters: moto 5.2's UpdateStack answers UsePreviousValue for a parameter that was
# left at its Default on create (CDK's BootstrapVersion) with a KeyError (HTTP 500). Without
# previous values the CLI sends nothing for it and the template's Default applies, as on AWS.
run_step "cdk deploy imageTag=v2" 120 \
  npx cdk deploy "${APP_ARGS[@]}" "${CDK_COMMON[@]}" -c stage=$STAGE -c imageTag=v2 \
  --require-approval never --method=direct --no-previous-parameters --outputs-file "$WORK/outputs-v2.json"
run_step "checks after deploy v2" 60 "${CHECKS[@]}" updated v2 "$WORK/outputs-v2.json"

# ---- 4. route updates: a second, small app (test/rehearsal/routes-app.ts) with routed services ---
# Version N has three routed services; N+1 removes the middle one; N+2 adds a service whose
# route is constructed first. After each deploy the checks compare the listener's rules and the
# services with the template (priorities kept, services ACTIVE) and run compareTemplates on the
# previous and the new template. moto creates rules with a priority check (PriorityInUse), so a
# new rule on a priority an existing rule holds fails here; it does not check priority changes on
# update, and it deletes removed resources first (CloudFormation deletes them last): see README.
# Precompiled with esbuild (like scripts/build-app.mjs), so each synth runs plain JavaScript.
ROUTES_STACK=ecs-service-kit-routes
ROUTES_OUT="$WORK/cdk.out.routes"
ROUTES_APP_JS="$WORK/routes-app.js"
ROUTES_START=$SECONDS
run_step "routes: compile test/rehearsal/routes-app.ts" 30 node -e "require('esbuild').buildSync({entryPoints:['test/rehearsal/routes-app.ts'],outfile:process.argv[1],bundle:true,platform:'node',target:'node20',format:'cjs',external:['aws-cdk-lib','constructs'],logLevel:'warning'})" "$ROUTES_APP_JS"
ROUTES_DEPLOY=(npx cdk deploy --app "node $ROUTES_APP_JS" --no-notices --output "$ROUTES_OUT" --require-approval never --method=direct --no-previous-parameters)
# REHEARSAL_SEQUENTIAL_PRIORITIES=true deploys the old 10/20/30 scheme instead: the last update then fails in moto with PriorityInUse.
if [[ "${REHEARSAL_SEQUENTIAL_PRIORITIES:-}" == true ]]; then ROUTES_DEPLOY+=(-c sequentialPriorities=true); fi
ROUTES_CHECKS=(env REHEARSAL_STACK=$ROUTES_STACK REHEARSAL_OUT="$ROUTES_OUT" "${CHECKS[@]}" routes)
run_step "routes: deploy Api,Admin,Docs" 90 "${ROUTES_DEPLOY[@]}" -c routes=Api,Admin,Docs
run_step "routes: checks after N (three routed services)" 30 "${ROUTES_CHECKS[@]}" three-routes
run_step "routes: deploy Api,Docs (remove the middle route)" 90 "${ROUTES_DEPLOY[@]}" -c routes=Api,Docs
run_step "routes: checks after removing the middle route" 30 "${ROUTES_CHECKS[@]}" removed-middle
run_step "routes: deploy Billing,Api,Docs (add a service, its route first)" 90 "${ROUTES_DEPLOY[@]}" -c routes=Billing,Api,Docs
run_step "routes: checks after adding a service" 30 "${ROUTES_CHECKS[@]}" added-service
log "route updates took $((SECONDS - ROUTES_START)) s"

# ---- 5. EFS volumes: a third small app (test/rehearsal/efs-app.ts): a ServiceFileSystem and a ---
# worker that mounts it through an access point. Checks the file system (encrypted, backups,
# throughput, lifecycle), one mount target per task subnet, the access point's POSIX user and root
# directory, and the task volume (IAM authorization, transit encryption, that access point); then
# destroys it: the file system stays (RETAIN), its mount targets and access point go. moto 5.2.5
# has no Fn::GetAtt for AWS::EFS::FileSystem: the app builds the file system's ARN from its Ref
# (see efs-app.ts); the destroy ends on the VPC as the bin app's does (tolerated the same way).
EFS_STACK=ecs-service-kit-efs
EFS_OUT="$WORK/cdk.out.efs"
EFS_APP_JS="$WORK/efs-app.js"
EFS_START=$SECONDS
# Deploy and destroy read the assembly the template checks looked at (no second synth).
EFS_CDK=(--app "$EFS_OUT" --no-notices)
EFS_CHECKS=(env REHEARSAL_STACK=$EFS_STACK REHEARSAL_OUT="$EFS_OUT" "${CHECKS[@]}")
run_step "efs: compile test/rehearsal/efs-app.ts" 30 node -e "require('esbuild').buildSync({entryPoints:['test/rehearsal/efs-app.ts'],outfile:process.argv[1],bundle:true,platform:'node',target:'node20',format:'cjs',external:['aws-cdk-lib','constructs'],logLevel:'warning'})" "$EFS_APP_JS"
run_step "efs: synth" 60 npx cdk synth --app "node $EFS_APP_JS" --no-notices --output "$EFS_OUT" -q
run_step "efs: template checks" 30 "${EFS_CHECKS[@]}" efs-template
run_step "efs: deploy (file system, worker with an EFS volume)" 90 \
  npx cdk deploy "${EFS_CDK[@]}" --require-approval never --method=direct --no-previous-parameters
run_step "efs: checks after deploy" 30 "${EFS_CHECKS[@]}" efs-deployed
TOLERATE='The vpc vpc-[0-9a-f]+ has dependencies and cannot be deleted' run_step "efs: cdk destroy" 90 \
  npx cdk destroy "${EFS_CDK[@]}" --force
run_step "efs: checks after destroy (file system retained)" 30 "${EFS_CHECKS[@]}" efs-destroyed
log "EFS volumes took $((SECONDS - EFS_START)) s"

# ---- 6. destroy: the stack goes, the repository and its images stay ---------------------------
# moto 5.2 never deletes the route tables CloudFormation created, so DeleteStack fails on the VPC
# ("has dependencies") after deleting the rest; the checks below say what was and was not deleted.
TOLERATE='The vpc vpc-[0-9a-f]+ has dependencies and cannot be deleted' run_step "cdk destroy" 120 \
  npx cdk destroy "${APP_ARGS[@]}" "${CDK_COMMON[@]}" --force -c stage=$STAGE -c imageTag=v2
run_step "checks after destroy" 60 "${CHECKS[@]}" destroyed

check_moto_log "the rehearsal"
"${CHECKS[@]}" summary
log "done in $((SECONDS - START)) s"
