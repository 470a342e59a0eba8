/**
 * Generates lib/copilot/documented-fields.generated.ts: every manifest field that AWS Copilot's
 * own docs document, per manifest kind, with its declared type and its anchor on the docs site.
 * CopilotApplication compares a workspace's manifests against it (a field it does not map gets a
 * synth warning) and the docs derive their coverage figures from it.
 *
 * Usage: node --import tsx scripts/copilot-fields.ts [--check] <copilot-cli git dir> [commit]
 *   --check                write nothing; exit 1 when the committed file differs from what the
 *                          docs at that commit give (give the commit the file names)
 *   <copilot-cli git dir>  a clone or mirror of github.com/aws/copilot-cli (read with `git show`,
 *                          so a bare repository is enough)
 *   [commit]               default HEAD; the resolved hash is written into the generated file
 *
 * What is read: site/content/docs/manifest/<page>.en.md for the seven manifest kinds and
 * site/content/docs/developing/sidecars.en.md (sidecar fields are documented only there), with
 * `{% include 'x' %}` expanded recursively from site/content/docs/include (mkdocs-macros'
 * include_dir in the repository's mkdocs.yml). A documented field is the line
 *   [<span class="parent-field">a.b.</span>]<a id="a-b-c" href="#a-b-c" class="field">`c`</a> <span class="type">T</span>
 * outside fenced code.
 *
 * Path notation (the one the generated table uses):
 * - segments joined by `.`, as the YAML keys are written (`http.healthcheck.path`);
 * - `*` for a key the user chooses or one of an enumerated set, which the docs write as a
 *   placeholder (`storage.volumes.<volume>` → `storage.volumes.*`, `network.vpc.subnets.<type>`
 *   → `network.vpc.subnets.*`, `sidecars.*`);
 * - array items add no segment (`http.additional_rules.path` is a key of every item of the
 *   `additional_rules` array); the docs mostly write it so, and where they name the item
 *   (`subscribe.topics.topic.name`, "Array of `topic`s") the item's name is dropped.
 * A manifest walker turns `subscribe.topics[0].name` into `subscribe.topics.name` and compares
 * segment by segment, `*` matching any one key.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'lib', 'copilot', 'documented-fields.generated.ts');
const DOCS = 'site/content/docs';
const SITE = 'https://aws.github.io/copilot-cli/docs';

/** Manifest kind (the manifest's `type`) and its docs page under docs/manifest. */
const PAGES: ReadonlyArray<readonly [kind: string, page: string]> = [
  ['Load Balanced Web Service', 'lb-web-service'],
  ['Backend Service', 'backend-service'],
  ['Worker Service', 'worker-service'],
  ['Scheduled Job', 'scheduled-job'],
  ['Environment', 'environment'],
  ['Request-Driven Web Service', 'rd-web-service'],
  ['Static Site', 'static-site'],
];

interface Field {
  readonly path: string;
  readonly docType: string;
  readonly url: string;
}

interface PageResult {
  readonly fields: Field[];
  /** Paths documented twice on the page (the first one is kept). */
  readonly duplicates: string[];
  /** Fields whose `href` names another anchor than their `id` (the `id` is what the page has). */
  readonly hrefMismatches: string[];
  /** The description under the `environments` field, when the page documents it. */
  readonly environmentsText?: string;
}

function git(gitDir: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function expandIncludes(gitDir: string, commit: string, text: string, stack: readonly string[] = []): string {
  return text.replace(/\{%-?\s*include\s+['"]([^'"]+)['"]\s*-?%\}/g, (_m, name: string) => {
    if (stack.includes(name)) {
      throw new Error(`include cycle: ${[...stack, name].join(' -> ')}`);
    }
    const included = git(gitDir, 'show', `${commit}:${DOCS}/include/${name}`);
    return expandIncludes(gitDir, commit, included, [...stack, name]);
  });
}

const HTML_TAGS = new Set(['a', 'b', 'br', 'code', 'em', 'i', 'span', 'strong', 'sup', 'sub']);

/** Markdown/HTML escapes and code marks out of a docs snippet. */
function plain(s: string): string {
  return s
    // HTML goes; a placeholder such as `<volume>` or `<type\\>` stays (normalizePath reads it).
    .replace(/<\/?([a-zA-Z]+)\b[^>]*>/g, (tag, name: string) => (HTML_TAGS.has(name.toLowerCase()) ? '' : tag))
    .replace(/\\([<>_*])/g, '$1')
    .replace(/`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The normalized path, or undefined for the docs' entry of an array's item (`publish.topics.topic`). */
function normalizePath(parent: string, names: readonly string[]): string | undefined {
  const raw = [...plain(parent).split('.'), ...names.flatMap((n) => plain(n).split('.'))].filter((s) => s !== '');
  const segments: string[] = [];
  for (const [i, seg] of raw.entries()) {
    const previous = segments[segments.length - 1];
    // "Array of `topic`s": the docs name the array's item; items add no segment.
    if (previous !== undefined && previous === `${seg}s`) {
      if (i === raw.length - 1) return undefined;
      continue;
    }
    segments.push(/^<[^>]+>$/.test(seg) ? '*' : seg);
  }
  const result = segments.join('.');
  for (const seg of segments) {
    if (!/^(\*|[a-z][A-Za-z0-9_]*)$/.test(seg)) {
      throw new Error(`unexpected segment '${seg}' in field path '${result}' (parent '${parent}', name '${names.join('')}')`);
    }
  }
  return result;
}

const FIELD_LINE = /class="field"/;
const PARENT = /<span class="parent-field">(.*?)<\/span>/;
const ANCHOR = /<a id="([^"]*)" href="#([^"]*)" class="field">`([^`]*)`<\/a>/g;
const TYPE = /<span class="type">(.*?)<\/span>/;

function extract(text: string, url: string, prefix: string): PageResult {
  const fields: Field[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const hrefMismatches: string[] = [];
  let environmentsText: string | undefined;
  let inFence = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('```')) {
      inFence = !inFence;
      continue;
    }
    if (!FIELD_LINE.test(line)) continue;
    if (inFence) throw new Error(`${url}: a field inside fenced code (is a fence unbalanced?): ${line}`);
    const anchors = [...line.matchAll(ANCHOR)];
    const type = TYPE.exec(line);
    if (anchors.length === 0 || !type) {
      throw new Error(`${url}: a field line the parser does not read: ${line}`);
    }
    const parent = PARENT.exec(line)?.[1] ?? '';
    const fieldPath = normalizePath(prefix + parent, anchors.map((a) => a[3]));
    if (fieldPath === undefined) continue;
    const last = anchors[anchors.length - 1];
    const [, id, href] = last;
    if (id !== href) hrefMismatches.push(`${fieldPath} (id ${id}, href #${href})`);
    if (fieldPath === 'environments') environmentsText = paragraphAfter(lines, i);
    if (seen.has(fieldPath)) {
      duplicates.push(fieldPath);
      continue;
    }
    seen.add(fieldPath);
    fields.push({ path: fieldPath, docType: plain(type[1]), url: `${url}#${id}` });
  }
  if (inFence) throw new Error(`${url}: a code fence is not closed`);
  return { fields, duplicates, hrefMismatches, environmentsText };
}

/** The prose lines after a field line, up to the next blank line. */
function paragraphAfter(lines: readonly string[], index: number): string {
  const out: string[] = [];
  for (let j = index + 1; j < lines.length && lines[j].trim() !== ''; j++) out.push(lines[j].trim());
  return plain(out.join(' '));
}

function readPage(gitDir: string, commit: string, docPath: string): string {
  return expandIncludes(gitDir, commit, git(gitDir, 'show', `${commit}:${DOCS}/${docPath}`));
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fieldLines(fields: readonly Field[], indent: string): string[] {
  return fields.map((f) => `${indent}{ path: ${quote(f.path)}, docType: ${quote(f.docType)}, url: ${quote(f.url)} },`);
}

function main(): void {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const [gitDir, commitArg] = args.filter((a) => a !== '--check');
  if (!gitDir) {
    process.stderr.write('usage: node --import tsx scripts/copilot-fields.ts [--check] <copilot-cli git dir> [commit]\n');
    process.exit(2);
  }
  const commit = git(gitDir, 'rev-parse', '--verify', `${commitArg ?? 'HEAD'}^{commit}`).trim();
  const date = git(gitDir, 'show', '-s', '--format=%cs', commit).trim();

  const perKind: Array<[string, PageResult]> = PAGES.map(([kind, page]) => [
    kind,
    extract(readPage(gitDir, commit, `manifest/${page}.en.md`), `${SITE}/manifest/${page}/`, ''),
  ]);
  const sidecars = extract(readPage(gitDir, commit, 'developing/sidecars.en.md'), `${SITE}/developing/sidecars/`, 'sidecars.<name>.');
  const environmentsText = perKind.map(([, r]) => r.environmentsText).find((t) => t !== undefined);
  if (environmentsText === undefined) throw new Error('no page documents the environments field');

  const out: string[] = [
    '// Generated by scripts/copilot-fields.ts from the AWS Copilot docs (github.com/aws/copilot-cli,',
    `// site/content/docs, commit ${commit}, ${date}). Do not edit:`,
    '// run `node --import tsx scripts/copilot-fields.ts <copilot-cli git dir> [commit]`.',
    '// Paths: `.` between keys, `*` for a key the user names (the docs\' <volume>, <type>…), array',
    '// items add no segment (the docs\' `subscribe.topics.topic.name` is `subscribe.topics.name`).',
    '',
    '/** The copilot-cli commit whose docs this table was derived from. */',
    `export const COPILOT_DOCS_COMMIT = ${quote(commit)};`,
    '',
    '/** One field as Copilot\'s docs document it. */',
    'export interface CopilotDocumentedField {',
    '  /** Dotted path; `*` stands for any one key, array items add no segment. */',
    '  readonly path: string;',
    '  /** The type the docs declare, as written (`Integer or Map`, `Array of Strings`, `Duration`). */',
    '  readonly docType: string;',
    '  /** The field\'s anchor on the Copilot docs site. */',
    '  readonly url: string;',
    '}',
    '',
    '/** The manifest kinds (the manifest\'s `type`), in the docs\' order. */',
    `export const COPILOT_MANIFEST_KINDS: readonly string[] = [${PAGES.map(([k]) => quote(k)).join(', ')}];`,
    '',
    '/** Every documented field per manifest kind, in the order of its docs page, each path once. */',
    'export const COPILOT_DOCUMENTED_FIELDS: { readonly [kind: string]: readonly CopilotDocumentedField[] } = {',
  ];
  for (const [kind, result] of perKind) {
    out.push(`  ${quote(kind)}: [`, ...fieldLines(result.fields, '    '), '  ],');
  }
  out.push(
    '};',
    '',
    '/**',
    ' * Sidecar fields, documented on the sidecars page rather than on each manifest page; `sidecars`',
    ' * is accepted by Load Balanced Web, Backend and Worker Services and Scheduled Jobs (not by',
    ' * Request-Driven Web Services, says that page). Includes the `image.*` keys the page shows.',
    ' */',
    'export const COPILOT_SIDECAR_FIELDS: readonly CopilotDocumentedField[] = [',
    ...fieldLines(sidecars.fields, '  '),
    '];',
    '',
    '/**',
    ' * What the docs say of the `environments` field: a map from environment name to any part of',
    ' * the manifest, which overrides that part in that environment (so `environments.*.<path>` is',
    ' * documented wherever `<path>` is).',
    ' */',
    `export const COPILOT_ENVIRONMENTS_OVERRIDE_DOC = ${quote(environmentsText)};`,
    '',
    '/** The forms a documented type allows: `Integer or Map` → [`Integer`, `Map`]. */',
    'export function copilotTypeForms(docType: string): string[] {',
    '  return docType.split(/\\s+or\\s+/).map((form) => form.trim());',
    '}',
    '',
    '/** Whether the docs allow a field more than one form (`Boolean or Map`, `String or Array of Strings`). */',
    'export function isMultiForm(docType: string): boolean {',
    '  return copilotTypeForms(docType).length > 1;',
    '}',
    '',
  );
  const generated = out.join('\n');
  if (check) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (current !== generated) {
      process.stderr.write(`${path.relative(ROOT, OUT)} differs from the docs at ${commit}: run without --check\n`);
      process.exit(1);
    }
    process.stdout.write(`${path.relative(ROOT, OUT)} is current for ${commit}\n`);
    return;
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, generated);

  for (const [kind, result] of perKind) {
    const multi = result.fields.filter((f) => /\sor\s/.test(f.docType)).length;
    process.stdout.write(`${kind}: ${result.fields.length} fields (${multi} multi-form)`
      + (result.duplicates.length > 0 ? `; documented twice: ${result.duplicates.join(', ')}` : '')
      + (result.hrefMismatches.length > 0 ? `; href differs from id: ${result.hrefMismatches.length}` : '') + '\n');
  }
  process.stdout.write(`sidecars: ${sidecars.fields.length} fields\n`);
  process.stdout.write(`wrote ${path.relative(ROOT, OUT)} from ${commit}\n`);
}

main();
