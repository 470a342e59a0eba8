// Keeps CHANGELOG.md's hand-written "## Unreleased" notes across `npm run release`.
// commit-and-tag-version rewrites the file as header + new section + everything from the last
// release's heading on, so text between the header and that heading would be lost. Its lifecycle
// scripts (.versionrc.json) call this script:
//   save     (prechangelog)   copies the Unreleased notes to build/changelog-unreleased.md
//   restore  (postchangelog)  puts them at the top of the new release's section, then deletes the copy
// Lifecycle scripts do not run with --dry-run.
import * as fs from 'node:fs';

const CHANGELOG = 'CHANGELOG.md';
const SAVED = 'build/changelog-unreleased.md';
const UNRELEASED = /^## Unreleased[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m;

const mode = process.argv[2];
const text = fs.readFileSync(CHANGELOG, 'utf-8');

if (mode === 'save') {
  const notes = text.match(UNRELEASED)?.[1].trim() ?? '';
  fs.mkdirSync('build', { recursive: true });
  fs.writeFileSync(SAVED, notes);
} else if (mode === 'restore') {
  const notes = fs.existsSync(SAVED) ? fs.readFileSync(SAVED, 'utf-8').trim() : '';
  fs.rmSync(SAVED, { force: true });
  if (notes !== '') {
    // The first "## " heading after the tool's rewrite is the new release's.
    const heading = text.match(/^## [^\n]*\n/m);
    if (!heading || heading.index === undefined) throw new Error(`${CHANGELOG}: no release heading to put the Unreleased notes under`);
    const at = heading.index + heading[0].length;
    fs.writeFileSync(CHANGELOG, `${text.slice(0, at)}\n${notes}\n${text.slice(at)}`);
  }
} else {
  console.error('usage: node scripts/changelog-unreleased.mjs save|restore');
  process.exit(2);
}
