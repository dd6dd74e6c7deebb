/**
 * Every PodDisruptionBudget the project makes, its own and the charts', lets a running but unready
 * pod be evicted. With the default IfHealthyBudget an outage that makes every pod unready (for
 * the app, a database outage: /readyz checks it) makes the budget refuse every eviction, which
 * stalls node drains, DOKS upgrades and autoscaler scale-downs exactly then. GA in Kubernetes 1.31:
 * https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy
 */
export const UNHEALTHY_POD_EVICTION_POLICY = "AlwaysAllow";
