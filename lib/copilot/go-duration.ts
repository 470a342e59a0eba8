/**
 * Go's duration syntax, which Copilot manifests use for every time (`30s`, `1h30m`, `250ms`,
 * `1.5h`): a sequence of decimal numbers, each with a unit (ns, us, µs, ms, s, m, h). Internal.
 */
const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600,
};

/** The duration in seconds, or undefined when the text is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let seconds = 0;
  let matched = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(trimmed)) !== null) {
    seconds += Number(match[1]) * UNIT_SECONDS[match[2]];
    matched = part.lastIndex;
  }
  if (matched === 0 || matched !== trimmed.length) return undefined;
  return seconds;
}
