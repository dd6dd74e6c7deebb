/** Mutation testing of the config rules: `npm run test:mutation` runs it after the DNS code (mutation/stryker.config.mjs). */
import { mutationRun } from "./stryker.config.mjs";

export default mutationRun("config", ["components/config/*.ts"], ["config-rules", "config", "config-values", "config-read", "config-load"]);
