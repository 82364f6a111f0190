// Reads one Jest `--json` result into the counts and titles that `npm test` (scripts/test.mjs) reports.
// CommonJS so that both the ESM runner and the Jest unit tests (test/jest-results.spec.ts) can load it.
'use strict';

const { relative } = require('node:path');

/**
 * Counts one Jest project's results.
 * - passed / skipped (pending + todo) come from Jest's own totals;
 * - failed adds, to Jest's failed tests, every suite that failed without a failed test (it crashed before
 *   running one: a syntax error, a failing import, a hook that threw), so nothing broken counts as nothing;
 * - skipped and failed tests are listed by name: "<project>: <file> › <full test name>".
 * @param {object} result the parsed `--json` output
 * @param {string} project the Jest project's name
 * @param {string} root paths are shown relative to it
 */
function summarizeJestResult(result, project, root) {
  const title = (suite, test) => `${project}: ${relative(root, suite.name)} › ${test.fullName}`;
  const brokenSuites = result.testResults.filter(
    (suite) => suite.status === 'failed' && !suite.assertionResults.some((test) => test.status === 'failed'),
  );
  const skippedTitles = [];
  const failedTitles = [];
  for (const suite of result.testResults)
    for (const test of suite.assertionResults)
      if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo')
        skippedTitles.push(title(suite, test));
      else if (test.status === 'failed') failedTitles.push(title(suite, test));
  return {
    passed: result.numPassedTests,
    failed: result.numFailedTests + brokenSuites.length,
    skipped: result.numPendingTests + result.numTodoTests,
    files: result.testResults.length,
    brokenSuites: brokenSuites.map(
      (suite) => `${project}: suite ${relative(root, suite.name)} failed to run`,
    ),
    skippedTitles,
    failedTitles,
  };
}

module.exports = { summarizeJestResult };
