/**
 * Jest as `npm run test:mutation` runs it: each Stryker run sets the test files of its mutated
 * code, in the order they run (stryker.config.mjs), and a run stops at its first failing test.
 * ts-jest transpiles only (tsconfig.json sets isolatedModules).
 * @type {import('jest').Config}
 */
const path = require("path");

module.exports = {
    ...require("./jest.config.js"),
    // Absolute paths: Stryker loads these itself, without resolving <rootDir>.
    testEnvironment: path.join(__dirname, "jest.mutation.environment.js"),
    testRunner: path.join(__dirname, "jest-circus.mutation.js"),
    testSequencer: path.join(__dirname, "jest.mutation.sequencer.js"),
};
