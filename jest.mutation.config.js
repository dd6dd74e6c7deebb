/**
 * Jest as `npm run test:mutation` runs it: each Stryker run sets the test files of its mutated
 * code (stryker.config.mjs), and a file stops at its first failure. ts-jest transpiles only
 * (tsconfig.json sets isolatedModules).
 * @type {import('jest').Config}
 */
module.exports = {
    ...require("./jest.config.js"),
    // An absolute path: Stryker loads the environment itself, without resolving <rootDir>.
    testEnvironment: require("path").join(__dirname, "jest.mutation.environment.js"),
};
