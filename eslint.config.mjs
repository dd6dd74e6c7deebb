import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "out/", ".build/", "policy/dist/", "coverage/", ".tools/", "app/", "reports/", ".stryker-tmp/", "jest.config.js", "mutation/*.js", "tests/fixtures/"] },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        plugins: { "@pulumi": pulumi },
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        // The policy pack's entry point and build: CommonJS, run by node without a compiler.
        files: ["policy/*.js"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
