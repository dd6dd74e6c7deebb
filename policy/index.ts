import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Run with: pulumi preview --policy-pack policy (dependencies come from the repository's node_modules).
new PolicyPack("django-doks-guardrails", {
    description: "Guardrails for the django-doks platform: workloads, ingress, Helm charts and the managed database.",
    enforcementLevel: "mandatory",
    policies,
});
