export interface KubeconfigParts {
    clusterName: string;
    endpoint: string;
    /** Base64 PEM of the cluster CA, as DigitalOcean returns it. */
    caCertificate: string;
    token: string;
}

/**
 * A kubeconfig that authenticates with a DigitalOcean API token. DOKS accepts the account's
 * API tokens directly, so it outlives the 7-day credential of the cluster's own kubeconfig.
 */
export function buildKubeconfig(p: KubeconfigParts): string {
    const context = `do-${p.clusterName}`;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: context, cluster: { server: p.endpoint, "certificate-authority-data": p.caCertificate } }],
        users: [{ name: `${context}-token`, user: { token: p.token } }],
        contexts: [{ name: context, context: { cluster: context, user: `${context}-token` } }],
        "current-context": context,
    });
}
