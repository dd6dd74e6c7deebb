/**
 * The stack's configuration, by the component each key feeds: cluster (with the Kubernetes
 * versions the charts support, and the networks), database, registry, platform, dns, app, static
 * content and monitoring. One reader (read.ts) and its Pulumi loader (load.ts), one error format (errors.ts), the secret checks
 * (secrets.ts) and which keys are secrets (secret-keys.ts).
 */
export { DEFAULT_RESOURCES, RESERVED_ENV } from "./app";
export { MAINTENANCE_DAYS, REGIONS } from "./cluster";
export { POSTGRES_VERSIONS } from "./database";
export { NAMECHEAP_DDNS_URL } from "./dns";
export { ConfigError, problemLine } from "./errors";
export { type StackConfig, loadConfig } from "./load";
export { type ConfigSource, type PlainSecrets, readConfig, type StackSettings } from "./read";
export { ALERT_NAMES, ALERT_WINDOWS, UPTIME_PERIODS, UPTIME_REGIONS } from "./monitoring";
export { namespaceProblems, parseConfig, PROVIDER_NAMESPACES, stackNameProblems } from "./parse";
export { REGISTRY_REGIONS } from "./registry";
export { configSchema, type RawConfig } from "./schema";
export { checkSecrets, plainTextProblem, resolveDoToken, SECRET_KEYS, takeLeaves } from "./secrets";
export { CHART_KUBERNETES_SUPPORT, chartsNotSupporting, DEFAULT_CHARTS, minorVersion, NEWEST_SUPPORTED_MINOR } from "./versions";
