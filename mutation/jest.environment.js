/**
 * Jest's node environment for mutation runs. One failing test is enough to kill a mutant, so once
 * a test fails, every later test of the run is skipped: the rest of its file here, later files in
 * jest-circus.js. jest.sequencer.js starts each run afresh.
 */
const { TestEnvironment } = require("jest-environment-node");

/** Whether a test of the current jest run has failed (Stryker runs jest in band, so one process holds every file). */
const run = { failed: false };

class StopAtFirstFailure extends TestEnvironment {
    static run = run;

    async handleTestEvent(event) {
        if (event.name === "test_done" && event.test.errors.length > 0) run.failed = true;
        // jest-circus checks test.mode after test_start, so the test is reported as skipped.
        if (event.name === "test_start" && run.failed) event.test.mode = "skip";
    }
}

module.exports = StopAtFirstFailure;
