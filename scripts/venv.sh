#!/usr/bin/env bash
# Creates or refreshes .venv with the pinned Python tools from requirements-dev.txt.
# Idempotent: reinstalls only when requirements-dev.txt changed since the last install (stamp
# file .venv/.requirements.sha256) or the venv is broken. Prints the tool versions.
# Usage: bash scripts/venv.sh [--quiet]      env: PYTHON (default python3), VENV_DIR (default .venv)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${VENV_DIR:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
REQ="$ROOT/requirements-dev.txt"
STAMP="$VENV_DIR/.requirements.sha256"
QUIET="${1:-}"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"

healthy() {
  [ -x "$VENV_DIR/bin/python" ] && "$VENV_DIR/bin/python" -c 'import sys' 2>/dev/null
}

if [ "$want" != "$have" ] || ! healthy; then
  if ! healthy; then
    rm -rf "$VENV_DIR"
    echo "venv: creating $VENV_DIR with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV_DIR"
  else
    echo "venv: requirements-dev.txt changed; reinstalling"
  fi
  rm -f "$STAMP"
  "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  # pip's exit status is lost in the pipe above: check the result instead.
  "$VENV_DIR/bin/python" -m pip check --disable-pip-version-check 2>&1 | grep -v "is ignored: it is neither" || true
  # Every pinned top-level requirement must be installed at exactly its pinned version.
  "$VENV_DIR/bin/python" - "$REQ" <<'PY'
import re, sys
from importlib.metadata import version, PackageNotFoundError
bad = []
for line in open(sys.argv[1]):
    line = line.split('#', 1)[0].strip()
    m = re.match(r'^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)$', line)
    if not line:
        continue
    if not m:
        bad.append(f'unpinned line: {line}')
        continue
    name, _, want = m.groups()
    try:
        got = version(name)
    except PackageNotFoundError:
        got = None
    if got != want:
        bad.append(f'{name}: want {want}, have {got}')
if bad:
    sys.exit('venv: install incomplete: ' + '; '.join(bad))
PY
  echo "$want" > "$STAMP"
fi

if [ "$QUIET" != "--quiet" ]; then
  echo "venv: $VENV_DIR ($("$VENV_DIR/bin/python" --version 2>&1))"
  echo "  cfn-lint $("$VENV_DIR/bin/cfn-lint" --version 2>&1 | awk '{print $NF}')"
  echo "  checkov  $(CKV_SKIP_PACKAGE_UPDATE_CHECK=true "$VENV_DIR/bin/checkov" --version 2>/dev/null)"
  echo "  moto     $("$VENV_DIR/bin/python" -c 'from importlib.metadata import version; print(version("moto"))')"
fi
