import * as fs from "fs";
import * as path from "path";
import program from "../index";
import { evaluate, ROOT } from "./harness";

/** The custom scopes each DigitalOcean resource type or data source of the program needs (DigitalOcean's scope pages). */
const SCOPES: Record<string, string[]> = {
    "digitalocean:index/vpc:Vpc": ["vpc:create", "vpc:read", "vpc:update", "vpc:delete"],
    "digitalocean:index/kubernetesCluster:KubernetesCluster": ["kubernetes:create", "kubernetes:read", "kubernetes:update", "kubernetes:delete", "kubernetes:access_cluster"],
    "digitalocean:index/kubernetesNodePool:KubernetesNodePool": ["kubernetes:create", "kubernetes:read", "kubernetes:update", "kubernetes:delete"],
    "digitalocean:index/databaseCluster:DatabaseCluster": ["database:create", "database:read", "database:update", "database:delete", "database:view_credentials"],
    "digitalocean:index/databaseUser:DatabaseUser": ["database:create", "database:read", "database:delete"],
    "digitalocean:index/databaseDb:DatabaseDb": ["database:create", "database:read", "database:delete"],
    "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": ["database:create", "database:read", "database:delete"],
    "digitalocean:index/databaseFirewall:DatabaseFirewall": ["database:update", "database:read"],
    "digitalocean:index/containerRegistry:ContainerRegistry": ["registry:create", "registry:read", "registry:update", "registry:delete"],
    "digitalocean:index/containerRegistryDockerCredentials:ContainerRegistryDockerCredentials": ["registry:read"],
    "digitalocean:index/uptimeCheck:UptimeCheck": ["uptime:create", "uptime:read", "uptime:update", "uptime:delete"],
    "digitalocean:index/uptimeAlert:UptimeAlert": ["uptime:create", "uptime:read", "uptime:update", "uptime:delete"],
    "digitalocean:index/monitorAlert:MonitorAlert": ["monitoring:create", "monitoring:read", "monitoring:update", "monitoring:delete"],
    "digitalocean:index/getKubernetesVersions:getKubernetesVersions": ["kubernetes:read"],
    "digitalocean:index/getLoadBalancer:getLoadBalancer": ["load_balancer:read"],
    "digitalocean:index/getSizes:getSizes": ["sizes:read"],
    "digitalocean:index/getContainerRegistry:getContainerRegistry": ["registry:read"],
};

test.each(["dev", "prod"] as const)("the custom-scope token list covers every DigitalOcean resource and data source %s uses", async (stack) => {
    const e = await evaluate(program, stack);
    const types = new Set([...e.resources.map((r) => r.type), ...e.invokes.map((i) => i.token)].filter((t) => t.startsWith("digitalocean:") && t !== "pulumi:providers:digitalocean"));
    expect([...types].filter((t) => !(t in SCOPES))).toEqual([]);
    const doc = fs.readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8");
    const table = doc.slice(doc.indexOf("## The DigitalOcean token"), doc.indexOf("This list is read from DigitalOcean's scope pages"));
    const missing = [...types].flatMap((t) => SCOPES[t].filter((scope) => !table.includes(`\`${scope}\``)).map((scope) => `${t}: ${scope}`));
    expect(missing).toEqual([]);
});
