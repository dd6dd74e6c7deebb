import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppComponent, AppLabels, appLabels } from "./labels";

/** The app's namespace: everything of the workload lives in it. */
export const APP_NAMESPACE = "django";

/** What every builder of the app works with: the App as parent, the namespace, the labels. */
export interface AppScope {
    /** Prefix of every child's resource name: the App's name. */
    readonly name: string;
    /** The namespace's literal name, known at preview (policies read it). */
    readonly namespace: pulumi.Output<string>;
    readonly labels: AppLabels;
    /** Options of every object in the namespace: the App as parent, the provider, after the Namespace. */
    readonly opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource };
    /** Every pod of the app runs on the worker pool's nodes. */
    readonly nodeSelector: Record<string, string>;
    /** Metadata of an object with a fixed name. */
    metadata(name: string, component: AppComponent): { name: string; namespace: pulumi.Output<string>; labels: Record<string, string> };
}

export interface AppNamespaceArgs {
    provider: k8s.Provider;
    /** The namespace's name (index.ts passes APP_NAMESPACE). */
    namespace: string;
    /** Instance label: the stack. */
    instance: string;
    /** The worker pool's node label. */
    nodeSelector: Record<string, string>;
}

/**
 * The app's Namespace, which enforces the restricted pod security standard, and the scope the
 * other builders create the app's objects in.
 */
export function createAppNamespace(parent: pulumi.ComponentResource, name: string, args: AppNamespaceArgs): AppScope {
    const labels = appLabels(args.instance);
    const ns = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        {
            metadata: {
                name: args.namespace,
                labels: {
                    ...labels.partOf,
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
        },
        { parent, provider: args.provider },
    );
    // The literal name, known at preview (policies read it), and every object after the Namespace.
    const namespace = pulumi.output(args.namespace);
    return {
        name,
        namespace,
        labels,
        opts: { parent, provider: args.provider, dependsOn: [ns] },
        nodeSelector: args.nodeSelector,
        metadata: (n, component) => ({ name: n, namespace, labels: labels.labels(component) }),
    };
}
