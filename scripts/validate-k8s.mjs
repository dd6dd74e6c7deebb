// Validates Kubernetes objects (a JSON array on stdin) against the Kubernetes, cert-manager,
// Gateway API and Cilium schemas of the @kubernetes-models packages. Prints a JSON array of { name, kind, error }.
// A script of its own because the packages are ES modules only.
const MODULES = {
    "cert-manager.io": "@kubernetes-models/cert-manager/cert-manager.io",
    "acme.cert-manager.io": "@kubernetes-models/cert-manager/acme.cert-manager.io",
    "gateway.networking.k8s.io": "@kubernetes-models/gateway-api/gateway.networking.k8s.io",
    "cilium.io": "@kubernetes-models/cilium/cilium.io",
};

async function modelFor(apiVersion, kind) {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    const base = MODULES[group] ?? (group === "" ? "kubernetes-models" : `kubernetes-models/${group}`);
    const mod = await import(`${base}/${version}`).catch(() => undefined);
    return mod?.[kind];
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const object of JSON.parse(input)) {
    const name = object.metadata?.name ?? "(generated)";
    const Model = await modelFor(object.apiVersion ?? "", object.kind ?? "");
    if (!Model) {
        results.push({ name, kind: object.kind, error: `no schema for ${object.apiVersion} ${object.kind}` });
        continue;
    }
    try {
        new Model(object).validate();
        results.push({ name, kind: object.kind, error: null });
    } catch (e) {
        results.push({ name, kind: object.kind, error: String(e.message ?? e) });
    }
}
process.stdout.write(JSON.stringify(results));
