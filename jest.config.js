const os = require("os");

/** @type {import('jest').Config} */
module.exports = {
    // Jest's default is one worker fewer than the cores: a single worker on a 2-core machine.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    setupFilesAfterEnv: ["<rootDir>/tests/setup-quiet-console.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
    testTimeout: 30000,
};
