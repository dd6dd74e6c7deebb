/**
 * Jest's node environment for mutation runs: once a test fails, the file's remaining tests are
 * skipped. One failing test is enough to kill a mutant, and the tests after it would only add time.
 */
const { TestEnvironment } = require("jest-environment-node");

class StopAtFirstFailure extends TestEnvironment {
    failed = false;

    async handleTestEvent(event) {
        if (event.name === "test_done" && event.test.errors.length > 0) this.failed = true;
        // jest-circus checks test.mode after test_start, so the test is reported as skipped.
        if (event.name === "test_start" && this.failed) event.test.mode = "skip";
    }
}

module.exports = StopAtFirstFailure;
