/**
 * Test file order for mutation runs: the order of the run's testMatch patterns (cheap files that
 * kill most mutants first, see mutation/stryker.config.mjs), so that a killed mutant skips the costly ones.
 * Each sort starts a new jest run, so the environment's failure flag is reset here.
 */
const Sequencer = require("@jest/test-sequencer").default;
const micromatch = require("micromatch");
const { run } = require("./jest.environment");

class InTestMatchOrder extends Sequencer {
    sort(tests) {
        run.failed = false;
        // dot: as jest matches, so that a path through .stryker-tmp matches too.
        const rank = (test) => test.context.config.testMatch.findIndex((glob) => micromatch.isMatch(test.path, glob, { dot: true }));
        return [...tests].sort((a, b) => rank(a) - rank(b));
    }
}

module.exports = InTestMatchOrder;
