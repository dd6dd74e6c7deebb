/**
 * Jest as `npm run test:mutation` runs it: only the test files of the mutated code, stopping
 * each file at its first failure. ts-jest transpiles only (tsconfig.json sets isolatedModules).
 * @type {import('jest').Config}
 */
module.exports = {
    ...require("./jest.config.js"),
    testMatch: ["**/tests/(namecheap|dns-wait|config|config-load|config-values).test.ts"],
    // An absolute path: Stryker loads the environment itself, without resolving <rootDir>.
    testEnvironment: require("path").join(__dirname, "jest.mutation.environment.js"),
};
