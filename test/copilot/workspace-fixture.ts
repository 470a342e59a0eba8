import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigurationErrors } from '../../lib';

/** Writes a Copilot workspace of the given files (path → content) into a new temporary directory and returns it. */
export function writeWorkspace(files: Record<string, string>, application = 'shop'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'copilot-ws-'));
  const all: Record<string, string> = { 'copilot/.workspace': `application: ${application}\n`, 'app/Dockerfile': 'FROM scratch\n', ...files };
  for (const [file, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

/** A manifest from lines, so tests read like the YAML they write. */
export function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** The text of the error `build` throws, which must be the library's configuration error. */
export function configurationErrorOf(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(ConfigurationErrors.isConfigurationError(e)).toBe(true);
    return String(e);
  }
  throw new Error('expected the construct to fail');
}
