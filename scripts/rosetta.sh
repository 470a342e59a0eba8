#!/usr/bin/env bash
# Snippets: every ```ts block of README.md and docs/**/*.md must compile under jsii-rosetta --strict
# and translate to Python, Java, C# and Go (what Construct Hub shows).
#
# - README.md is the assembly's readme (and TSDoc ```ts examples are in the assembly too):
#   `jsii-rosetta extract --strict .` compiles them and writes the tablet .jsii.tabl.json.
# - docs/: jsii-rosetta reads snippets only from assemblies, so each docs page becomes the readme of
#   a copy of this assembly in a scratch directory (same package.json, build/, node_modules/ and
#   rosetta/ fixtures, by symlink), and the same extract command compiles them.
# Fixtures: rosetta/default.ts-fixture (`/// here` marks where a snippet goes); a block may ask for
# another one with ```ts fixture=<name>  (rosetta/<name>.ts-fixture).
#
# Usage: npm run rosetta      (needs `npm run build` first: it reads .jsii and build/)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
[ -f .jsii ] && [ -f build/lib/index.d.ts ] || { echo "rosetta: .jsii or build/ is missing; run npm run build first" >&2; exit 2; }
start=$(date +%s%N)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rosetta.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
dirs=()
while IFS= read -r md; do
  dir="$WORK/$(echo "${md%.md}" | tr '/' '_')"
  mkdir -p "$dir"
  for f in package.json build node_modules rosetta; do ln -s "$ROOT/$f" "$dir/$f"; done
  node -e '
    const fs = require("fs");
    const [asmFile, mdFile, out] = process.argv.slice(1);
    const asm = JSON.parse(fs.readFileSync(asmFile, "utf-8"));
    asm.readme = { markdown: fs.readFileSync(mdFile, "utf-8") };
    fs.writeFileSync(out, JSON.stringify(asm));
  ' .jsii "$md" "$dir/.jsii"
  echo "$md" > "$dir/SOURCE"
  dirs+=("$dir")
done < <(find docs -name '*.md' 2>/dev/null | sort)

echo "rosetta: jsii-rosetta extract --strict: README.md and the TSDoc examples, ${#dirs[@]} docs pages"
status=0
npx jsii-rosetta extract --strict . "${dirs[@]}" > "$WORK/extract.log" 2>&1 || status=$?
grep -v -E '^!!|^\s*$' "$WORK/extract.log" | sed -E "s#$WORK/##g" || true
if [ "$status" -ne 0 ]; then
  echo "rosetta: FAILED: a snippet does not compile. ecs-service-kit-README-L<n>.ts is line <n> of README.md or of a docs page (${#dirs[@]} pages: $(find docs -name '*.md' | sort | tr '\n' ' '))" >&2
  exit 1
fi

# Every snippet compiled and has a translation in each jsii language.
node - . "${dirs[@]}" <<'JS'
const fs = require('fs');
const path = require('path');
const languages = ['python', 'java', 'csharp', 'go'];
let total = 0;
const problems = [];
const lines = [];
for (const dir of process.argv.slice(2)) {
  const isDocs = fs.existsSync(path.join(dir, 'SOURCE'));
  const tablet = JSON.parse(fs.readFileSync(path.join(dir, '.jsii.tabl.json'), 'utf-8'));
  // A docs page's assembly copy also holds the TSDoc examples: count those once, with README.md.
  const groups = {};
  for (const s of Object.values(tablet.snippets ?? {})) {
    const readme = s.location?.api?.api === 'moduleReadme';
    if (isDocs && !readme) continue;
    const source = isDocs ? fs.readFileSync(path.join(dir, 'SOURCE'), 'utf-8').trim() : readme ? 'README.md' : 'TSDoc examples (lib/)';
    const where = `${source}${s.location?.field?.line ? ` line ${s.location.field.line}` : ''}`;
    if (s.didCompile !== true) problems.push(`${where}: did not compile`);
    for (const l of languages) if (!s.translations?.[l]?.source?.trim()) problems.push(`${where}: no ${l} translation`);
    groups[source] = (groups[source] ?? 0) + 1;
  }
  for (const [source, n] of Object.entries(groups)) { lines.push(`  ${source}: ${n}`); total += n; }
}
console.log(lines.join('\n'));
if (problems.length) { console.error(`rosetta: FAILED:\n  ${problems.join('\n  ')}`); process.exit(1); }
console.log(`rosetta: ok: ${total} snippets compiled (strict) and translated to ${languages.join(', ')}`);
JS
echo "rosetta: took $(( ($(date +%s%N) - start) / 1000000 )) ms"
