/**
 * Jest as `npm run test:mutation` runs it: each Stryker run sets the test files of its mutated
 * code, in the order they run (mutation/stryker.config.mjs), and a run stops at its first failing test.
 * ts-jest transpiles only (tsconfig.json sets isolatedModules).
 * @type {import('jest').Config}
 */
const path = require("path");

module.exports = {
    ...require("../jest.config.js"),
    rootDir: path.join(__dirname, ".."),
    // Absolute paths: Stryker loads these itself, without resolving <rootDir>.
    testEnvironment: path.join(__dirname, "jest.environment.js"),
    testRunner: path.join(__dirname, "jest-circus.js"),
    testSequencer: path.join(__dirname, "jest.sequencer.js"),
};
