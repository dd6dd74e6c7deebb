/**
 * The pinned charts, the Kubernetes minors each supports, and the stack-wide rule that holds the
 * cluster's version (cluster keys) to the charts (platform keys).
 */
import * as semver from "semver";
import type { CrossFieldRule } from "./fields";

/** The chart versions the stack pins by default. */
export const DEFAULT_CHARTS = {
    ingressNginx: "4.15.1",
    certManager: "v1.21.1",
    metricsServer: "3.13.1",
} as const;

type ChartKey = keyof typeof DEFAULT_CHARTS;

/** A Kubernetes minor version, such as "1.36". */
export const KUBERNETES_MINOR = /^\d+\.\d+$/;

/**
 * The Kubernetes minors each pinned chart supports, from the project's own documentation for that
 * version (newest unset: no upper bound stated). A chart configured at another version is not checked.
 */
export const CHART_KUBERNETES_SUPPORT: Record<ChartKey, { chart: string; version: string; oldest: string; newest?: string; source: string }> = {
    // Controller v1.15.1, the last release; tested on 1.31 to 1.35 (the chart's kubeVersion, >=1.21.0-0, is only a floor).
    ingressNginx: { chart: "ingress-nginx", version: DEFAULT_CHARTS.ingressNginx, oldest: "1.31", newest: "1.35", source: "https://github.com/kubernetes/ingress-nginx#supported-versions-table" },
    certManager: { chart: "cert-manager", version: DEFAULT_CHARTS.certManager, oldest: "1.33", newest: "1.36", source: "https://cert-manager.io/docs/releases/" },
    // Chart 3.13.1 ships metrics-server 0.8.1; 0.8.x supports Kubernetes 1.31+.
    metricsServer: { chart: "metrics-server", version: DEFAULT_CHARTS.metricsServer, oldest: "1.31", source: "https://github.com/kubernetes-sigs/metrics-server#compatibility-matrix" },
};

/** A minor ("1.36"), a prefix ("1.36.") or a DOKS slug ("1.36.4-do.0") as a version to compare. */
export const minorVersion = (minor: string) => semver.coerce(minor) as semver.SemVer;

/** The newest Kubernetes minor every pinned chart supports: the default kubernetesVersionPrefix. */
export const NEWEST_SUPPORTED_MINOR = Object.values(CHART_KUBERNETES_SUPPORT)
    .flatMap((c) => (c.newest === undefined ? [] : [c.newest]))
    .reduce((a, b) => (semver.lt(minorVersion(a), minorVersion(b)) ? a : b));

/** The pinned charts (at their pinned versions) that do not support a Kubernetes minor. */
export function chartsNotSupporting(minor: string, charts: Record<ChartKey, string>): string[] {
    const v = minorVersion(minor);
    return Object.entries(CHART_KUBERNETES_SUPPORT)
        .filter(([key, c]) => charts[key as ChartKey] === c.version)
        .filter(([, c]) => semver.lt(v, minorVersion(c.oldest)) || (c.newest !== undefined && semver.gt(v, minorVersion(c.newest))))
        .map(([, c]) => `${c.chart} ${c.version} (${c.oldest} to ${c.newest ?? "newer"}: ${c.source})`);
}

/**
 * The cluster's minor must be one every pinned chart supports, unless acceptUnsupportedKubernetesVersion
 * names exactly that minor.
 */
export const kubernetesVersionRule: CrossFieldRule<{
    kubernetesVersionPrefix: string;
    acceptUnsupportedKubernetesVersion?: string;
    charts: Record<ChartKey, string>;
    ingress?: { controller: string; keepNginx: boolean };
}> = (c, ctx) => {
    const minor = c.kubernetesVersionPrefix.replace(/\.$/, "");
    const accepted = c.acceptUnsupportedKubernetesVersion;
    // A malformed prefix or acceptUnsupportedKubernetesVersion has its own issue already.
    if (!KUBERNETES_MINOR.test(minor) || (accepted !== undefined && !KUBERNETES_MINOR.test(accepted))) return;
    // Only the charts the stack installs: without ingress-nginx (the Gateway alone) its support does not bind.
    const { ingressNginx, ...others } = c.charts;
    const installed = c.ingress?.controller === "gateway" && !c.ingress.keepNginx ? others : { ingressNginx, ...others };
    const unsupported = chartsNotSupporting(minor, installed as Record<ChartKey, string>);
    if (unsupported.length > 0 && accepted !== minor) {
        ctx.addIssue({
            code: "custom",
            path: ["kubernetesVersionPrefix"],
            input: c.kubernetesVersionPrefix,
            message:
                `a minor every pinned chart supports (newest: ${NEWEST_SUPPORTED_MINOR}); ${minor} is outside what ${unsupported.join(" and ")} supports. ` +
                `To run it anyway: pulumi config set acceptUnsupportedKubernetesVersion ${minor}`,
        });
    }
    if (accepted !== undefined && accepted !== minor) {
        ctx.addIssue({
            code: "custom",
            path: ["acceptUnsupportedKubernetesVersion"],
            input: accepted,
            message: `"${minor}" (the minor of kubernetesVersionPrefix) or unset: it accepts only the minor it names`,
        });
    }
};
