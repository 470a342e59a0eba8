/**
 * Makes a synthesized template stable across machines for snapshots: asset hashes (which
 * depend on file modes and paths) become a placeholder.
 */
export function normalizeTemplate(template: unknown): unknown {
  const text = JSON.stringify(template)
    .replace(/[0-9a-f]{64}(\.zip|\.json|:)?/g, (_m, suffix) => `<asset-hash>${suffix ?? ''}`)
    .replace(/cdk-hnb659fds-[a-z-]+-\d{12}-[a-z0-9-]+/g, (m) => m);
  return JSON.parse(text);
}
