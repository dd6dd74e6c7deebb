/** The app's workloads and the objects that belong to them, as `app.kubernetes.io/component` names them. */
export type AppComponent = "web" | "roles" | "migrate" | "static" | "sync" | "network";

/** The one labels definition of the app: every object's labels and every pod selector derive from it. */
export interface AppLabels {
    /** On every object of the app, the Namespace included. */
    readonly partOf: Record<string, string>;
    /** The labels of a component's objects and pods. */
    labels(component: AppComponent): Record<string, string>;
    /** The labels that select a component's pods: the stable subset of `labels`. */
    selector(component: AppComponent): Record<string, string>;
}

/** The labels of the app of one stack; `instance` is the stack. */
export function appLabels(instance: string): AppLabels {
    const partOf = { "app.kubernetes.io/part-of": "django-doks", "app.kubernetes.io/instance": instance };
    const identity = (component: AppComponent) => ({ "app.kubernetes.io/name": "django", "app.kubernetes.io/component": component });
    return {
        partOf,
        labels: (component) => ({ ...identity(component), ...partOf }),
        selector: (component) => ({ ...identity(component), "app.kubernetes.io/instance": instance }),
    };
}
