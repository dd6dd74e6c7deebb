import failOnConsole from "jest-fail-on-console";

// A passing run prints nothing a reader has to judge: a test that expects console output asserts it.
failOnConsole({
    shouldFailOnError: true,
    shouldFailOnWarn: true,
    shouldFailOnLog: true,
    shouldFailOnInfo: true,
    shouldFailOnDebug: true,
    shouldFailOnAssert: true,
});
