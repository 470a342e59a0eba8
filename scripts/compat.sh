#!/usr/bin/env bash
# Compatibility: the aws-cdk-lib range the package declares, and the Python package.
#   1. floor    aws-cdk-lib at the peer-dependency floor (package.json peerDependencies, e.g.
#               ^2.269.0 -> 2.269.0) and constructs at its floor, from npm, into a cache folder:
#               lib/, examples/ and bin/ type-check against it, and every example and bin-app stage
#               synthesizes on it (scripts/synth-all.ts: strict built-in validation, cdk-nag, DeployChecks)
#   2. newest   the same synth on the pinned devDependency (the newest version), and the templates
#               of both compared (printed, not gated: a newer aws-cdk-lib may change templates)
#   3. python   jsii-pacmak builds dist/python/*.whl; a fresh venv installs it with aws-cdk-lib and
#               constructs at their floors from PyPI; test/python/app.py synthesizes ContainerWebApp
#               from Python and checks its template, DeployChecks and the built-in validation.
# Needs `npm run build` first (.jsii). Caches under node_modules/.cache/ecs-service-kit-compat
# (ignored by git, emptied by npm ci); pip and npm keep their own download caches.
#
# Usage: bash scripts/compat.sh
#   COMPAT_PYTHON_CDK="2.269.0 2.275.0"  aws-cdk-lib versions from PyPI for the Python app
#                                        (default: the floor)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

START=$(date +%s)
step() { printf '\n== %s (%s s)\n' "$*" "$(( $(date +%s) - START ))"; }
# An exact version from a range such as ^2.269.0 (only caret/tilde/exact ranges have one floor).
floor_of() {
  node -e '
    const [section, name] = process.argv.slice(1);
    const range = require("./package.json")[section]?.[name] ?? "";
    const m = /^[\^~]?(\d+\.\d+\.\d+)$/.exec(range);
    if (!m) { console.error(`compat: ${section}.${name} is "${range}", not ^X.Y.Z, ~X.Y.Z or X.Y.Z`); process.exit(1); }
    console.log(m[1]);' "$1" "$2"
}
CDK_FLOOR=$(floor_of peerDependencies aws-cdk-lib)
CONSTRUCTS_FLOOR=$(floor_of peerDependencies constructs)
CDK_NEWEST=$(node -p 'require("aws-cdk-lib/package.json").version')
CACHE="$ROOT/node_modules/.cache/ecs-service-kit-compat"
OUT="$ROOT/cdk.out/compat"
[ -f .jsii ] || { echo "compat: no .jsii; run npm run build first" >&2; exit 2; }
rm -rf "$OUT" && mkdir -p "$OUT" "$CACHE"
echo "aws-cdk-lib: floor $CDK_FLOOR (peerDependencies), newest $CDK_NEWEST (devDependencies); constructs floor $CONSTRUCTS_FLOOR"

step "floor: aws-cdk-lib@$CDK_FLOOR constructs@$CONSTRUCTS_FLOOR from npm"
FLOOR_DIR="$CACHE/cdk-$CDK_FLOOR-constructs-$CONSTRUCTS_FLOOR"
if [ ! -f "$FLOOR_DIR/node_modules/aws-cdk-lib/package.json" ] || [ ! -f "$FLOOR_DIR/node_modules/constructs/package.json" ]; then
  rm -rf "$FLOOR_DIR" && mkdir -p "$FLOOR_DIR"
  echo '{ "private": true, "description": "aws-cdk-lib at the peer floor, for scripts/compat.sh" }' > "$FLOOR_DIR/package.json"
  npm install --prefix "$FLOOR_DIR" --no-audit --no-fund --ignore-scripts --save-exact \
    "aws-cdk-lib@$CDK_FLOOR" "constructs@$CONSTRUCTS_FLOOR" >"$OUT/floor-npm.log" 2>&1 \
    || { cat "$OUT/floor-npm.log" >&2; exit 1; }
fi
node -e 'const [dir, want] = process.argv.slice(1); const v = require(dir + "/node_modules/aws-cdk-lib/package.json").version;
  if (v !== want) { console.error(`compat: ${dir} holds aws-cdk-lib ${v}, not ${want}`); process.exit(1); }' "$FLOOR_DIR" "$CDK_FLOOR"

step "floor: type-check lib/, examples/ and bin/ against aws-cdk-lib $CDK_FLOOR"
# `paths` sends every aws-cdk-lib and constructs import, ours and the declaration files', to the floor copies.
cat > "$FLOOR_DIR/tsconfig.json" <<JSON
{
  "extends": "$ROOT/tsconfig.dev.json",
  "compilerOptions": {
    "noEmit": true,
    "types": ["node"],
    "typeRoots": ["$ROOT/node_modules/@types"],
    "paths": {
      "aws-cdk-lib": ["$FLOOR_DIR/node_modules/aws-cdk-lib"],
      "aws-cdk-lib/*": ["$FLOOR_DIR/node_modules/aws-cdk-lib/*"],
      "constructs": ["$FLOOR_DIR/node_modules/constructs"]
    }
  },
  "include": ["$ROOT/lib/**/*.ts", "$ROOT/examples/**/*.ts", "$ROOT/bin/**/*.ts"],
  "exclude": ["$ROOT/lib/**/*.d.ts"]
}
JSON
npx tsc -p "$FLOOR_DIR/tsconfig.json"
echo "type-check: ok"

step "floor: synthesize every example and bin-app stage on aws-cdk-lib $CDK_FLOOR"
# scripts/use-cdk-lib.cjs sends every require of aws-cdk-lib/constructs (library, examples, cdk-nag)
# to the floor copies and fails the run if any file of another copy was loaded.
USE_CDK_LIB_DIR="$FLOOR_DIR" node --require ./scripts/use-cdk-lib.cjs --import tsx scripts/synth-all.ts \
  --outdir "$OUT/cdk-$CDK_FLOOR" | grep -v '^     \(cdk.out\|\.\./\|/\)'

step "newest: synthesize every example and bin-app stage on aws-cdk-lib $CDK_NEWEST"
node --import tsx scripts/synth-all.ts --outdir "$OUT/cdk-$CDK_NEWEST" | grep -v '^     \(cdk.out\|\.\./\|/\)'

step "templates: aws-cdk-lib $CDK_FLOOR against $CDK_NEWEST (CDK metadata and asset hashes aside)"
node -e '
  const fs = require("fs"), path = require("path");
  const [a, b] = process.argv.slice(1);
  const norm = (file) => {
    const t = JSON.parse(fs.readFileSync(file, "utf-8"));
    delete t.Resources?.CDKMetadata;
    for (const r of Object.values(t.Resources ?? {})) delete r.Metadata;
    return JSON.parse(JSON.stringify(t).replace(/[0-9a-f]{64}/g, "<hash>"));
  };
  const flat = (x, p, out) => {
    if (x && typeof x === "object") for (const [k, v] of Object.entries(x)) flat(v, `${p}/${k}`, out);
    else out[p] = x;
    return out;
  };
  let total = 0;
  for (const file of fs.readFileSync(path.join(a, "templates.txt"), "utf-8").split("\n").filter(Boolean)) {
    const rel = path.relative(a, file);
    const other = path.join(b, rel);
    if (!fs.existsSync(other)) { console.log(`  ${rel}: only on the floor`); total++; continue; }
    const [x, y] = [flat(norm(file), "", {}), flat(norm(other), "", {})];
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
    total += keys.length;
    console.log(`  ${rel}: ${keys.length === 0 ? "identical" : `${keys.length} differences`}`);
    for (const k of keys.slice(0, 10)) console.log(`     ${k}: ${JSON.stringify(x[k])} -> ${JSON.stringify(y[k])}`);
  }
  console.log(`templates: ${total} differences between the floor and the newest version`);
' "$OUT/cdk-$CDK_FLOOR" "$OUT/cdk-$CDK_NEWEST"

step "python: jsii-pacmak --targets python"
rm -rf dist/python
# jsii-pacmak writes a .npmignore when there is none; leave the working tree as it was.
[ -e .npmignore ] && KEEP_NPMIGNORE=1 || KEEP_NPMIGNORE=0
PACMAK_RC=0
npx jsii-pacmak --targets python >"$OUT/pacmak.log" 2>&1 || PACMAK_RC=$?
[ "$KEEP_NPMIGNORE" = 1 ] || rm -f .npmignore
[ "$PACMAK_RC" = 0 ] || { grep -v '^!!' "$OUT/pacmak.log" >&2; exit 1; }
WHEEL=$(ls dist/python/*.whl)
echo "$(basename "$WHEEL") ($(( $(stat -c %s "$WHEEL") / 1024 )) KiB); $(unzip -p "$WHEEL" '*.dist-info/METADATA' | grep '^Requires-Dist: aws-cdk-lib')"

for CDK_PY in ${COMPAT_PYTHON_CDK:-$CDK_FLOOR}; do
  step "python: fresh venv with the wheel, aws-cdk-lib==$CDK_PY and constructs==$CONSTRUCTS_FLOOR from PyPI"
  VENV="$CACHE/python-venv"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --no-warn-script-location "$WHEEL" "aws-cdk-lib==$CDK_PY" "constructs==$CONSTRUCTS_FLOOR" \
    >"$OUT/pip-$CDK_PY.log" 2>&1 || { cat "$OUT/pip-$CDK_PY.log" >&2; exit 1; }

  step "python: test/python/app.py on aws-cdk-lib $CDK_PY"
  "$VENV/bin/python" test/python/app.py "$OUT/python-$CDK_PY" 2>&1 | grep -v "^b'!!" >"$OUT/python-$CDK_PY.log" \
    || { cat "$OUT/python-$CDK_PY.log" >&2; exit 1; }
  grep '^python smoke' "$OUT/python-$CDK_PY.log"
done

step "compat: done"
