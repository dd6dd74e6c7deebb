import type * as digitalocean from "@pulumi/digitalocean";
import type * as k8s from "@pulumi/kubernetes";

// The resource classes the policies match, as the policy SDK matches them: by the Pulumi type
// token in `__pulumiType` (isType, validateResourceOfType). Typed as the classes, so props keep
// their types, without loading the provider SDKs when the pack starts (tests/policy.test.ts checks
// each token against its class).

function byToken<C>(token: string): C {
    return { __pulumiType: token } as unknown as C;
}

export const K8S = {
    Deployment: byToken<typeof k8s.apps.v1.Deployment>("kubernetes:apps/v1:Deployment"),
    StatefulSet: byToken<typeof k8s.apps.v1.StatefulSet>("kubernetes:apps/v1:StatefulSet"),
    DaemonSet: byToken<typeof k8s.apps.v1.DaemonSet>("kubernetes:apps/v1:DaemonSet"),
    Job: byToken<typeof k8s.batch.v1.Job>("kubernetes:batch/v1:Job"),
    CronJob: byToken<typeof k8s.batch.v1.CronJob>("kubernetes:batch/v1:CronJob"),
    Pod: byToken<typeof k8s.core.v1.Pod>("kubernetes:core/v1:Pod"),
    ConfigMap: byToken<typeof k8s.core.v1.ConfigMap>("kubernetes:core/v1:ConfigMap"),
    Service: byToken<typeof k8s.core.v1.Service>("kubernetes:core/v1:Service"),
    Ingress: byToken<typeof k8s.networking.v1.Ingress>("kubernetes:networking.k8s.io/v1:Ingress"),
    HorizontalPodAutoscalerV2: byToken<typeof k8s.autoscaling.v2.HorizontalPodAutoscaler>("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"),
    HorizontalPodAutoscalerV1: byToken<typeof k8s.autoscaling.v1.HorizontalPodAutoscaler>("kubernetes:autoscaling/v1:HorizontalPodAutoscaler"),
    HelmRelease: byToken<typeof k8s.helm.v3.Release>("kubernetes:helm.sh/v3:Release"),
    HelmChartV4: byToken<typeof k8s.helm.v4.Chart>("kubernetes:helm.sh/v4:Chart"),
};

export const DO = {
    KubernetesCluster: byToken<typeof digitalocean.KubernetesCluster>("digitalocean:index/kubernetesCluster:KubernetesCluster"),
    DatabaseCluster: byToken<typeof digitalocean.DatabaseCluster>("digitalocean:index/databaseCluster:DatabaseCluster"),
    DatabaseFirewall: byToken<typeof digitalocean.DatabaseFirewall>("digitalocean:index/databaseFirewall:DatabaseFirewall"),
    DatabaseDb: byToken<typeof digitalocean.DatabaseDb>("digitalocean:index/databaseDb:DatabaseDb"),
    UptimeCheck: byToken<typeof digitalocean.UptimeCheck>("digitalocean:index/uptimeCheck:UptimeCheck"),
    UptimeAlert: byToken<typeof digitalocean.UptimeAlert>("digitalocean:index/uptimeAlert:UptimeAlert"),
    MonitorAlert: byToken<typeof digitalocean.MonitorAlert>("digitalocean:index/monitorAlert:MonitorAlert"),
};
