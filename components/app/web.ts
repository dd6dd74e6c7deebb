import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { UNHEALTHY_POD_EVICTION_POLICY } from "../disruption";
import { AppScope } from "./namespace";
import {
    clusterIpService,
    ComputeResources,
    httpProbe,
    POD_SECURITY,
    RESTRICTED_CONTAINER,
    TMP_MOUNT,
    TMP_VOLUME,
} from "./workload";

/** The port gunicorn listens on (the container's `http` port and the Service's port). */
export const APP_PORT = 8080;

export interface Scaling {
    minReplicas: number;
    maxReplicas: number;
    /** With it, an HPA owns the replica count between min and max; without it, minReplicas run. */
    autoscaling: boolean;
    /** HPA targets, percent of the requests. */
    cpuUtilization: number;
    memoryUtilization: number;
}

/** HTTP paths of the startup, readiness and liveness probes. */
export interface Probes {
    liveness: string;
    readiness: string;
    startup: string;
}

export interface WebArgs {
    /** The app's image by tag or digest. */
    image: pulumi.Input<string>;
    /** The app's environment (AppEnv.envFrom). */
    envFrom: k8s.types.input.core.v1.EnvFromSource[];
    /** Annotated on the pod template: a change rolls the pods. */
    configHash: string;
    pullSecretName: pulumi.Input<string>;
    resources: ComputeResources;
    probes: Probes;
    scaling: Scaling;
    /** The pods start after these (the migrations Job). */
    dependsOn: pulumi.Resource[];
}

export interface Web {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
}

/**
 * The Django web workload: its Deployment (spread over nodes, rolled one surge pod at a time),
 * the ClusterIP Service, the HPA when autoscaling, and a PodDisruptionBudget from two replicas on.
 */
export function createWeb(scope: AppScope, args: WebArgs): Web {
    const { name, labels } = scope;
    const web = labels.selector("web");
    const deployment = new k8s.apps.v1.Deployment(
        `${name}-web`,
        {
            metadata: scope.metadata("web", "web"),
            spec: {
                // With the HPA on, replicas is the HPA's field alone (see docs/design.md, "Scaling").
                replicas: args.scaling.autoscaling ? undefined : args.scaling.minReplicas,
                selector: { matchLabels: web },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                template: {
                    metadata: {
                        labels: labels.labels("web"),
                        annotations: { "django-doks/config-hash": args.configHash },
                    },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: POD_SECURITY,
                        nodeSelector: scope.nodeSelector,
                        imagePullSecrets: [{ name: args.pullSecretName }],
                        terminationGracePeriodSeconds: 30,
                        topologySpreadConstraints: [
                            {
                                maxSkew: 1,
                                topologyKey: "kubernetes.io/hostname",
                                whenUnsatisfiable: "ScheduleAnyway",
                                labelSelector: { matchLabels: web },
                            },
                        ],
                        containers: [
                            {
                                name: "django",
                                image: args.image,
                                ports: [{ name: "http", containerPort: APP_PORT, protocol: "TCP" }],
                                envFrom: args.envFrom,
                                resources: args.resources,
                                startupProbe: httpProbe(args.probes.startup, 5, 30),
                                readinessProbe: httpProbe(args.probes.readiness, 10, 3),
                                livenessProbe: httpProbe(args.probes.liveness, 20, 3),
                                // Endpoints drop the pod before it stops taking requests.
                                lifecycle: { preStop: { sleep: { seconds: 5 } } },
                                securityContext: RESTRICTED_CONTAINER,
                                volumeMounts: [TMP_MOUNT],
                            },
                        ],
                        volumes: [TMP_VOLUME],
                    },
                },
            },
        },
        { ...scope.opts, dependsOn: args.dependsOn },
    );
    const service = clusterIpService(scope, "web", APP_PORT);

    if (args.scaling.autoscaling) {
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            `${name}-web`,
            {
                metadata: scope.metadata("web", "web"),
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                    minReplicas: args.scaling.minReplicas,
                    maxReplicas: args.scaling.maxReplicas,
                    metrics: (["cpu", "memory"] as const).map((resource) => ({
                        type: "Resource",
                        resource: {
                            name: resource,
                            target: {
                                type: "Utilization",
                                averageUtilization:
                                    resource === "cpu" ? args.scaling.cpuUtilization : args.scaling.memoryUtilization,
                            },
                        },
                    })),
                },
            },
            scope.opts,
        );
    }
    if (args.scaling.minReplicas >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-web`,
            {
                metadata: scope.metadata("web", "web"),
                spec: { minAvailable: 1, unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION_POLICY, selector: { matchLabels: web } },
            },
            scope.opts,
        );
    }
    return { deployment, service };
}
