/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    // Pulumi keeps its runtime state on the global object.
    testEnvironmentOptions: { globalsCleanup: "off" },
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
    testTimeout: 30000,
};
