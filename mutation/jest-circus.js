/**
 * jest-circus for mutation runs: once a test of the run has failed (jest.environment.js),
 * a later file is reported as one skipped test, without loading the file or its imports. Stryker's
 * per-test coverage requires a runner whose path names jest-circus, hence this file's name.
 */
const { createEmptyTestResult } = require("@jest/test-result");
const circus = require("jest-circus/runner");
const { run } = require("./jest.environment");

const SKIPPED = "not run: an earlier test of this run failed";

module.exports = async function stopAtFirstFailure(globalConfig, config, environment, runtime, testPath, sendMessageToJest) {
    if (!run.failed) return circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);
    // A file without any test result is a runtime error to jest (and Stryker), so it holds one skipped test.
    const skipped = { ancestorTitles: [], fullName: SKIPPED, title: SKIPPED, status: "pending", duration: 0, failureDetails: [], failureMessages: [], numPassingAsserts: 0, location: null };
    return { ...createEmptyTestResult(), testFilePath: testPath, numPendingTests: 1, testResults: [skipped] };
};
