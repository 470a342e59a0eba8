/**
 * The order of the test files. With the timing of a previous run in its cache, Jest starts the
 * longest files first; on a fresh clone (no cache, as in CI) it orders by file size, which can
 * start the longest file last and leave one worker idle while it runs. These files took the
 * longest in the measurements of docs/development.md ("Time of npm test"); they start first,
 * longest first, and Jest's own order follows for the rest.
 */
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST_FIRST = [
  'test/examples/examples.test.ts',
  'test/update/update-sequence.test.ts',
  'test/copilot/coverage.test.ts',
  'test/quality/fuzz.test.ts',
  'test/governance/governance.test.ts',
  'test/monitoring/app-monitoring.test.ts',
  'test/deployment/deployment-alarms.test.ts',
  'test/copilot/copilot-application.test.ts',
];

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const rank = (test) => {
      const index = LONGEST_FIRST.findIndex((file) => test.path.endsWith(file));
      return index < 0 ? LONGEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: Jest's order holds among the files not listed.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirstSequencer;
