import * as fs from "fs";
import * as path from "path";
import program from "../index";
import { contentHash, IMAGES, PSQL_IMAGE, ROLE_GRANTS, ROLE_GRANTS_SCRIPT, staticServerConfig } from "../components/app";
import {
    CONTROLLERS,
    evaluate,
    Evaluation,
    generatedName,
    MOCK_IMAGE_DIGEST,
    ofType,
    one,
    plainTextSecrets,
    PROJECT,
    Registered,
    resolve,
    ROOT,
    SECRET_TEXTS,
    secretInput,
    StackName,
    stackFileConfig,
    STACKS_BY_CONTROLLER,
    unwrapSecrets,
    USER_VALUES,
} from "./harness";

const T = {
    namespace: "kubernetes:core/v1:Namespace",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    ciliumNetworkPolicy: "kubernetes:cilium.io/v2:CiliumNetworkPolicy",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
    image: "docker-build:index:Image",
};

const BUILT_IMAGE = `registry.digitalocean.com/${USER_VALUES.registryName}/django@${MOCK_IMAGE_DIGEST}`;
const POOL_URI = `postgresql://app_web:${SECRET_TEXTS.dbPassword}@private-pool-do-user-1.k.db.ondigitalocean.com:25061/app-pool?sslmode=require`;
const USER_STATIC = JSON.parse(USER_VALUES.staticContent);

/** A registered object's inputs with secrets unwrapped; its name as the provider reports it. */
const obj = (r: Registered) => unwrapSecrets(r.inputs);
const nameOf = (r: Registered) => r.inputs.metadata?.name ?? generatedName(r.name);
const podSpec = (r: Registered) =>
    r.type === T.cronJob ? obj(r).spec.jobTemplate.spec.template.spec : obj(r).spec.template.spec;
const podSpecLabels = (r: Registered) => obj(r).spec.template.metadata.labels;
/** Every workload the program registers with a pod template. */
const kubernetesPods = (e: Evaluation) =>
    e.resources
        .filter((r) => [T.deployment, T.job, T.cronJob].includes(r.type) && r.read === undefined)
        .map((resource) => ({ resource, spec: podSpec(resource) }));

describe.each(STACKS_BY_CONTROLLER)("%s stack with ingress.controller %s: the app workload", (stack, controller) => {
    let e: Evaluation;
    beforeAll(async () => {
        e = await evaluate(program, stack, {
            set: { ...CONTROLLERS[controller].set, app: { env: { FEATURE_FLAGS: "guestbook" } } },
            secrets: { appSecrets: JSON.stringify({ STRIPE_KEY: SECRET_TEXTS.appSecret }) },
        });
    });
    const web = () => one(e, T.deployment, "app-web");
    const django = () => podSpec(web()).containers[0];

    test("everything lives in the django namespace, which enforces the restricted pod security standard", () => {
        const ns = one(e, T.namespace, "app-namespace").inputs.metadata;
        expect(ns.name).toBe("django");
        expect(ns.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        const appObjects = e.resources.filter((r) => r.type.startsWith("kubernetes:") && r.opts.parent === "app");
        expect(appObjects.length).toBeGreaterThan(15);
        for (const r of appObjects.filter((r) => r.type !== T.namespace)) expect(r.inputs.metadata.namespace).toBe("django");
    });

    test("ConfigMap: the user's variables plus hosts, origins, port and workers; no secret in it", () => {
        const cm = one(e, T.configMap, "app-config");
        expect(cm.inputs.metadata.name).toBeUndefined(); // generated, so a change of content is a new name
        expect(cm.inputs.data).toEqual({
            FEATURE_FLAGS: "guestbook",
            ALLOWED_HOSTS: USER_VALUES.hostname,
            CSRF_TRUSTED_ORIGINS: `https://${USER_VALUES.hostname}`,
            PORT: "8080",
            GUNICORN_WORKERS: "2",
        });
        expect(plainTextSecrets(cm.inputs)).toEqual([]);
    });

    test("Secret: DATABASE_URL through the pool, the generated SECRET_KEY and the user's secrets, all secret", () => {
        const s = one(e, T.secret, "app-secret");
        const data = secretInput(s.inputs.stringData);
        expect(data.secret).toBe(true);
        expect(unwrapSecrets(data.value)).toEqual({
            DATABASE_URL: POOL_URI,
            SECRET_KEY: SECRET_TEXTS.djangoSecretKey,
            STRIPE_KEY: SECRET_TEXTS.appSecret,
        });
        expect(one(e, "random:index/randomPassword:RandomPassword").inputs).toMatchObject({ length: 64 });
    });

    test("no registered input carries a secret in plain text", () => {
        const leaks = e.resources.map((r) => [r.type, r.name, plainTextSecrets(r.inputs)] as const).filter(([, , l]) => l.length);
        expect(leaks).toEqual([]);
    });

    test("Deployment: port 8080 named http, probes on it, envFrom the ConfigMap and Secret created", () => {
        const c = django();
        expect(c.image).toBe(BUILT_IMAGE);
        expect(c.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
        expect(c.startupProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
        expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
        expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
        expect(c.envFrom).toEqual([
            { configMapRef: { name: nameOf(one(e, T.configMap, "app-config")) } },
            { secretRef: { name: nameOf(one(e, T.secret, "app-secret")) } },
        ]);
        expect(c.envFrom[0].configMapRef.name).toMatch(/^app-config-/);
        expect(c.envFrom[1].secretRef.name).toMatch(/^app-secret-/);
        expect(c.resources).toEqual({ requests: { cpu: "400m", memory: "200Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
        expect(c.lifecycle.preStop).toEqual({ sleep: { seconds: 5 } });
    });

    test("Deployment: restricted security context, /tmp the only writable path", () => {
        const pod = podSpec(web());
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(django().securityContext).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
        });
        expect(django().volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
        expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    });

    test("Deployment: rolling update with no loss of capacity, spread across nodes, pull secret", () => {
        const spec = obj(web()).spec;
        expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        const pod = spec.template.spec;
        expect(pod.topologySpreadConstraints).toEqual([
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: spec.selector.matchLabels } },
        ]);
        expect(pod.imagePullSecrets).toEqual([{ name: "registry" }]);
        expect(one(e, T.secret, "app-registry").inputs.type).toBe("kubernetes.io/dockerconfigjson");
        expect(secretInput(one(e, T.secret, "app-registry").inputs.stringData).secret).toBe(true);
    });

    test("with the HPA on, the Deployment leaves replicas to it", () => {
        expect(obj(web()).spec.replicas).toBeUndefined();
        const hpa = obj(one(e, T.hpa, "app-web")).spec;
        expect(hpa.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: nameOf(web()) });
        expect(hpa.minReplicas).toBe(2);
        expect(hpa.maxReplicas).toBe(4);
        expect(hpa.metrics).toEqual([
            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
            { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
        ]);
    });

    test("a change of the ConfigMap's content changes the pod template", async () => {
        const hash = obj(web()).spec.template.metadata.annotations["django-doks/config-hash"];
        expect(hash).toBe(contentHash(one(e, T.configMap, "app-config").inputs.data));
        const changed = await evaluate(program, stack, { set: { app: { env: { FEATURE_FLAGS: "other" } } } });
        const changedHash = obj(one(changed, T.deployment, "app-web")).spec.template.metadata.annotations["django-doks/config-hash"];
        expect(changedHash).not.toBe(hash);
    });

    test("migrations: the same image, the direct database URL, before the Deployment", () => {
        const job = one(e, T.job, "app-migrate");
        const c = podSpec(job).containers[0];
        expect(c.image).toBe(django().image);
        expect(c.command).toEqual(["python", "manage.py", "migrate", "--noinput"]);
        const migrationSecret = one(e, T.secret, "app-migration-secret");
        expect(c.envFrom[c.envFrom.length - 1]).toEqual({ secretRef: { name: nameOf(migrationSecret) } });
        expect(unwrapSecrets(migrationSecret.inputs.stringData)).toEqual({
            DATABASE_URL: `postgresql://app:${SECRET_TEXTS.dbPassword}@private-django-doks-${stack}-pg-do-user-1.k.db.ondigitalocean.com:25060/app?sslmode=require`,
        });
        expect(secretInput(migrationSecret.inputs.stringData).secret).toBe(true);
        expect(podSpec(job).restartPolicy).toBe("Never");
        // Pulumi awaits the Job; a failed one is replaced on the next up rather than awaited forever.
        expect(job.inputs.metadata.annotations).toEqual({ "pulumi.com/replaceUnready": "true" });
        expect(obj(job).spec.activeDeadlineSeconds).toBe(900);
        expect(job.opts.customTimeouts).toEqual({ create: "16m", update: "16m" });
        expect(web().opts.dependsOn).toContain("app-migrate");
        expect(job.seq).toBeLessThan(web().seq);
    });

    test("the database roles' grants: a Job before the migrations, with doadmin's URL in a Secret only it reads", () => {
        const job = one(e, T.job, "app-db-roles");
        const spec = podSpec(job);
        const c = spec.containers[0];
        expect(c.image).toBe(PSQL_IMAGE);
        expect(c.command).toEqual(["sh", "-ec", ROLE_GRANTS_SCRIPT]);
        // psql stops at the first error: admin.sql as doadmin, then owner.sql as the owner.
        expect(ROLE_GRANTS_SCRIPT).toBe(
            'psql "$ADMIN_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -v database="$DATABASE" -v owner="$OWNER" -v runtime="$RUNTIME" -f /sql/admin.sql && ' +
                'psql "$OWNER_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -v runtime="$RUNTIME" -f /sql/owner.sql',
        );
        expect(c.env.filter((v: { name: string }) => v.name !== "HOME")).toEqual([
            { name: "DATABASE", value: "app" },
            { name: "OWNER", value: "app" },
            { name: "RUNTIME", value: "app_web" },
        ]);
        const credentials = one(e, T.secret, "app-db-roles");
        expect(c.envFrom).toEqual([{ secretRef: { name: nameOf(credentials) } }]);
        expect(secretInput(credentials.inputs.stringData).secret).toBe(true);
        expect(Object.keys(unwrapSecrets(credentials.inputs.stringData)).sort()).toEqual(["ADMIN_DATABASE_URL", "OWNER_DATABASE_URL"]);
        // Nothing else mounts or reads doadmin's Secret.
        const readers = kubernetesPods(e).filter(({ spec: other }) => JSON.stringify(other).includes(nameOf(credentials)));
        expect(readers.map((r) => r.resource.name)).toEqual(["app-db-roles"]);
        // The SQL the app's tests run (scripts/app-test.sh), from the ConfigMap.
        const sql = one(e, T.configMap, "app-db-roles-sql");
        expect(sql.inputs.data).toEqual({ "admin.sql": ROLE_GRANTS.admin, "owner.sql": ROLE_GRANTS.owner });
        expect(spec.volumes).toContainEqual({ name: "sql", configMap: { name: nameOf(sql) } });
        expect(plainTextSecrets(sql.inputs)).toEqual([]);
        // The restricted pod security standard: the image's own non-root user.
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 70 });
        expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(job.inputs.metadata.annotations).toEqual({ "pulumi.com/replaceUnready": "true" });
        expect(one(e, T.job, "app-migrate").opts.dependsOn).toEqual(["app-db-roles"]);
    });

    test("the grants give the owner CREATE in public, the runtime role only rows and sequences", () => {
        expect(ROLE_GRANTS.admin).toContain('GRANT USAGE, CREATE ON SCHEMA public TO :"owner";');
        expect(ROLE_GRANTS.admin).toContain('GRANT USAGE ON SCHEMA public TO :"runtime";');
        expect(ROLE_GRANTS.admin).not.toMatch(/OWNER TO|SUPERUSER|CREATEDB|GRANT ALL/i);
        expect(ROLE_GRANTS.owner).toContain('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"runtime";');
        expect(ROLE_GRANTS.owner).not.toMatch(/TRUNCATE|REFERENCES|TRIGGER|GRANT ALL/i);
    });

    test("the app's tests (scripts/app-test.sh) run the same SQL files with the same psql options", () => {
        const script = fs.readFileSync(path.join(ROOT, "scripts", "app-test.sh"), "utf8");
        const grants = script.slice(script.indexOf("pg_grants() {"), script.indexOf("\n}\n", script.indexOf("pg_grants() {")));
        // One psql call per file, in the Job's order, each with the Job's options.
        const calls = grants.split("&&").map((c) => c.replace(/\\\n\s*/g, ""));
        expect(calls.map((c) => /-f components\/app\/sql\/(\w+\.sql)/.exec(c)?.[1])).toEqual(["admin.sql", "owner.sql"]);
        for (const c of calls) expect(c).toContain("-X -q -v ON_ERROR_STOP=1");
        expect(ROLE_GRANTS_SCRIPT.split("&&").map((c) => /-f \/sql\/(\w+\.sql)/.exec(c)?.[1])).toEqual(["admin.sql", "owner.sql"]);
    });

    test("every pod of the app runs on the worker pool's nodes", () => {
        const pods = kubernetesPods(e);
        expect(pods.map((p) => p.resource.name).sort()).toEqual(["app-db-roles", "app-migrate", "app-static", "app-static-sync", "app-static-sync-init", "app-web"]);
        for (const { resource, spec } of pods) expect([resource.name, spec.nodeSelector]).toEqual([resource.name, { "django-doks/pool": "workers" }]);
    });

    test("Service: ClusterIP on 8080, selecting the Deployment's pods", () => {
        const svc = obj(one(e, T.service, "app-web")).spec;
        expect(svc.type).toBe("ClusterIP");
        expect(svc.ports).toEqual([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
        expect(obj(web()).spec.template.metadata.labels).toMatchObject(svc.selector);
    });

    const servicePorts = () =>
        Object.fromEntries(ofType(e, T.service).map((s) => [nameOf(s), s.inputs.spec.ports.map((p: { port: number }) => p.port)]));
    const issuer = stack === "prod" ? "letsencrypt-production" : "letsencrypt-staging";

    if (controller === "gateway")
        test("HTTPRoute: TLS by the stack's issuer, / to the app and /static to the static server", () => {
            const route = obj(one(e, T.httpRoute, `app-route-${USER_VALUES.hostname}`)).spec;
            expect(route.hostnames).toEqual([USER_VALUES.hostname]);
            expect(route.rules.map((r: any) => [r.matches[0].path.value, r.matches[0].path.type, r.backendRefs[0].name])).toEqual([
                ["/", "PathPrefix", "web"],
                ["/static", "PathPrefix", "static"],
            ]);
            const services = servicePorts();
            for (const r of route.rules) expect(services[r.backendRefs[0].name]).toContain(r.backendRefs[0].port);
            const cert = obj(one(e, T.certificate)).spec;
            expect(cert).toMatchObject({ secretName: "web-tls", dnsNames: [USER_VALUES.hostname], issuerRef: { kind: "ClusterIssuer", name: issuer } });
            expect(ofType(e, T.ingress)).toEqual([]);
        });
    else
        test("Ingress: class nginx, TLS by the stack's issuer, / to the app and /static to the static server", () => {
            const ing = obj(one(e, T.ingress, "app-web"));
            expect(ing.spec.ingressClassName).toBe("nginx");
            expect(ing.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe(issuer);
            expect(ing.spec.tls).toEqual([{ hosts: [USER_VALUES.hostname], secretName: "web-tls" }]);
            const services = servicePorts();
            const paths = ing.spec.rules[0].http.paths;
            expect(ing.spec.rules.map((r: { host: string }) => r.host)).toEqual([USER_VALUES.hostname]);
            expect(paths.map((p: any) => [p.path, p.pathType, p.backend.service.name])).toEqual([
                ["/", "Prefix", "web"],
                ["/static", "Prefix", "static"],
            ]);
            for (const p of paths) expect(services[p.backend.service.name]).toContain(p.backend.service.port.number);
        });

    test("PodDisruptionBudget keeps one app pod during drains, and never holds a drain for unready pods", () => {
        const pdb = obj(one(e, T.pdb, "app-web")).spec;
        expect(pdb.minAvailable).toBe(1);
        expect(pdb.unhealthyPodEvictionPolicy).toBe("AlwaysAllow");
        expect(pdb.selector.matchLabels).toEqual(obj(web()).spec.selector.matchLabels);
    });

    test("static content: one RWO DigitalOcean volume, claimed by the server, the initial Job and the CronJob", () => {
        const pvc = obj(one(e, T.pvc, "app-static-content"));
        expect(pvc.spec).toEqual({
            accessModes: ["ReadWriteOnce"],
            storageClassName: "do-block-storage",
            resources: { requests: { storage: "1Gi" } },
        });
        const users = [one(e, T.deployment, "app-static"), one(e, T.job, "app-static-sync-init"), one(e, T.cronJob, "app-static-sync")];
        for (const u of users) {
            const claims = podSpec(u).volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName);
            expect(claims).toEqual([pvc.metadata.name]);
        }
        const server = podSpec(users[0]);
        expect(server.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.readOnly).toBe(true);
        expect(server.containers[0].volumeMounts).toContainEqual({ name: "content", mountPath: "/content", readOnly: true });
    });

    test("the sync Job and CronJob run on the static server's node (pod affinity on its labels)", () => {
        const serverLabels = obj(one(e, T.deployment, "app-static")).spec.template.metadata.labels;
        for (const u of [one(e, T.job, "app-static-sync-init"), one(e, T.cronJob, "app-static-sync")]) {
            const [term] = podSpec(u).affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution;
            expect(term.topologyKey).toBe("kubernetes.io/hostname");
            expect(serverLabels).toMatchObject(term.labelSelector.matchLabels);
            expect(u.opts.dependsOn).toContain("app-static");
        }
    });

    test("static server: one unprivileged nginx, Recreate, serving /static from the current checkout", () => {
        const d = obj(one(e, T.deployment, "app-static")).spec;
        expect(d.replicas).toBe(1);
        expect(d.strategy).toEqual({ type: "Recreate" });
        const c = d.template.spec.containers[0];
        expect(c.image).toBe(IMAGES.staticServer);
        expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
        const conf = one(e, T.configMap, "app-static-server").inputs.data["default.conf"];
        expect(conf).toContain(`alias /content/current/${USER_STATIC.path}/;`);
        expect(conf).toContain("location /static/");
    });

    test("git sync: the configured repository and branch, swapped in by symlink; CronJob never overlaps", () => {
        const cron = obj(one(e, T.cronJob, "app-static-sync")).spec;
        expect(cron.schedule).toBe("*/15 * * * *");
        expect(cron.concurrencyPolicy).toBe("Forbid");
        for (const spec of [podSpec(one(e, T.cronJob, "app-static-sync")), podSpec(one(e, T.job, "app-static-sync-init"))]) {
            const env = Object.fromEntries(spec.containers[0].env.map((v: any) => [v.name, v.value]));
            expect(env).toMatchObject({
                GITSYNC_REPO: USER_STATIC.repository,
                GITSYNC_REF: "main",
                GITSYNC_ROOT: "/content",
                GITSYNC_LINK: "current",
                GITSYNC_ONE_TIME: "true",
            });
            expect(spec.containers[0].image).toBe(IMAGES.gitSync);
            expect(spec.securityContext.fsGroup).toBe(spec.securityContext.runAsUser);
        }
    });

    test("network policies: default deny, the ingress controller in, egress only to DNS, the database and git", () => {
        const policies = Object.fromEntries(ofType(e, T.networkPolicy).map((p) => [p.inputs.metadata.name, obj(p).spec]));
        const admitted = ["acme-solver", "static", "web"];
        expect(Object.keys(policies).sort()).toEqual(
            [
                "default-deny",
                "dns-egress",
                "migrate-to-database",
                "roles-to-database",
                "sync-to-git",
                "web-to-database",
                ...(controller === "nginx" ? admitted.map((a) => `${a}-from-ingress`) : []),
            ].sort(),
        );
        expect(policies["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const webLabels = obj(web()).spec.selector.matchLabels;
        const staticLabels = obj(one(e, T.deployment, "app-static")).spec.selector.matchLabels;
        if (controller === "nginx") {
            const fromIngress = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } };
            expect(policies["web-from-ingress"].ingress).toEqual([{ from: [fromIngress], ports: [{ protocol: "TCP", port: 8080 }] }]);
            expect(policies["web-from-ingress"].podSelector.matchLabels).toEqual(webLabels);
            expect(policies["static-from-ingress"].podSelector.matchLabels).toEqual(staticLabels);
            expect(ofType(e, T.ciliumNetworkPolicy)).toEqual([]);
        } else {
            // Cilium's Gateway data plane reaches the pods as the reserved "ingress" identity.
            const cnps = Object.fromEntries(ofType(e, T.ciliumNetworkPolicy).map((p) => [p.inputs.metadata.name, obj(p).spec]));
            expect(Object.keys(cnps).sort()).toEqual(admitted.map((a) => `${a}-from-gateway`));
            expect(cnps["web-from-gateway"].ingress).toEqual([{ fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "8080", protocol: "TCP" }] }] }]);
            expect(cnps["web-from-gateway"].endpointSelector.matchLabels).toEqual(webLabels);
            expect(cnps["static-from-gateway"].endpointSelector.matchLabels).toEqual(staticLabels);
        }
        expect(policies["web-to-database"].egress).toEqual([
            { to: [{ ipBlock: { cidr: stackFileConfig(stack)[`${PROJECT}:vpcIpRange`] } }], ports: [{ protocol: "TCP", port: 25060 }, { protocol: "TCP", port: 25061 }] },
        ]);
        expect(policies["roles-to-database"].egress).toEqual(policies["web-to-database"].egress);
        expect(policies["roles-to-database"].podSelector.matchLabels).toEqual(podSpecLabels(one(e, T.job, "app-db-roles")));
        expect(policies["sync-to-git"].egress[0].ports).toEqual([{ protocol: "TCP", port: 443 }]);
        expect(policies["dns-egress"].egress[0].ports).toEqual([{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
        const syncLabels = obj(one(e, T.cronJob, "app-static-sync")).spec.jobTemplate.spec.template.metadata.labels;
        expect(syncLabels).toMatchObject(policies["sync-to-git"].podSelector.matchLabels);
    });

    test("the image is built from app/ and pushed with the push credentials", () => {
        const image = obj(one(e, T.image, "app-image"));
        expect(image.context).toEqual({ location: "app" });
        expect(image.dockerfile).toEqual({ location: "app/Dockerfile" });
        expect(image.push).toBe(true);
        expect(image.tags).toEqual([`registry.digitalocean.com/${USER_VALUES.registryName}/django:${stack}`]);
        expect(secretInput(one(e, T.image, "app-image").inputs.registries).secret).toBe(true);
        expect(image.registries[0]).toMatchObject({ address: "registry.digitalocean.com", username: "mock-user", password: "mock-registry-token" });
    });
});

describe.each(["prod", "dev"] as const)("the first preview of %s needs no Docker engine", (stack: StackName) => {
    test("the registry is known at preview, and the image is built only at pulumi up", async () => {
        const e = await evaluate(program, stack, { preview: true });
        const image = one(e, T.image, "app-image");
        // Known here, so docker-build's default (buildOnPreview: true) would build during the preview.
        expect(obj(image).tags).toEqual([`registry.digitalocean.com/${USER_VALUES.registryName}/django:${stack}`]);
        expect(image.inputs.buildOnPreview).toBe(false);
        expect((await resolve(e.outputs.appImage)).known).toBe(false);
    });
});

describe("per-stack choices", () => {
    test("a prebuilt image is deployed as given, to the app and the migrations alike", async () => {
        const image = "ghcr.io/acme/shop:1.4.2";
        const e = await evaluate(program, "prod", { set: { app: { image } } });
        expect(podSpec(one(e, T.deployment, "app-web")).containers[0].image).toBe(image);
        expect(podSpec(one(e, T.job, "app-migrate")).containers[0].image).toBe(image);
        expect(ofType(e, T.image)).toEqual([]);
    });

    test("autoscaling off: fixed replicas and no HPA", async () => {
        const e = await evaluate(program, "dev", { set: { app: { autoscaling: false, minReplicas: 3 } } });
        expect(obj(one(e, T.deployment, "app-web")).spec.replicas).toBe(3);
        expect(ofType(e, T.hpa)).toEqual([]);
    });

    test("a single replica gets no disruption budget that would block node drains", async () => {
        const e = await evaluate(program, "dev", { set: { app: { autoscaling: false, minReplicas: 1 } } });
        expect(ofType(e, T.pdb)).toEqual([]);
    });

    test("routes, hosts, probes, bounds and targets come from config", async () => {
        const e = await evaluate(program, "prod", {
            set: {
                extraHostnames: ["www.acme-test.org"],
                app: {
                    minReplicas: 3,
                    maxReplicas: 8,
                    cpuUtilization: 60,
                    memoryUtilization: 75,
                    probes: { liveness: "/live", readiness: "/ready", startup: "/start" },
                    routes: [
                        { path: "/", service: "app" },
                        { path: "/assets", service: "static" },
                        { path: "/api", service: "api", port: 9000 },
                    ],
                },
            },
        });
        const ing = obj(one(e, T.ingress, "app-web")).spec;
        expect(ing.tls[0].hosts).toEqual([USER_VALUES.hostname, "www.acme-test.org"]);
        expect(ing.rules.map((r: any) => r.host)).toEqual([USER_VALUES.hostname, "www.acme-test.org"]);
        expect(ing.rules[1].http.paths.map((p: any) => [p.path, p.backend.service.name, p.backend.service.port.number])).toEqual([
            ["/", "web", 8080],
            ["/assets", "static", 8080],
            ["/api", "api", 9000],
        ]);
        const hpa = obj(one(e, T.hpa, "app-web")).spec;
        expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([3, 8]);
        expect(hpa.metrics.map((m: any) => m.resource.target.averageUtilization)).toEqual([60, 75]);
        const c = podSpec(one(e, T.deployment, "app-web")).containers[0];
        expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path, c.startupProbe.httpGet.path]).toEqual(["/live", "/ready", "/start"]);
        expect(one(e, T.configMap, "app-config").inputs.data.ALLOWED_HOSTS).toBe(`${USER_VALUES.hostname},www.acme-test.org`);
    });

    test("egress open: only ingress is denied by default, no egress rules", async () => {
        const e = await evaluate(program, "dev", { set: { app: { egress: "open" } } });
        const names = ofType(e, T.networkPolicy).map((p) => p.inputs.metadata.name).sort();
        expect(names).toEqual(["acme-solver-from-ingress", "default-deny", "static-from-ingress", "web-from-ingress"]);
        expect(one(e, T.networkPolicy, "app-default-deny").inputs.spec.policyTypes).toEqual(["Ingress"]);
    });

    test("the static server's root follows staticContent.path", () => {
        expect(staticServerConfig("")).toContain("alias /content/current/;");
        expect(staticServerConfig("site/public")).toContain("alias /content/current/site/public/;");
    });

    test("the config hash ignores key order and sees every value", () => {
        expect(contentHash({ a: "1", b: "2" })).toBe(contentHash({ b: "2", a: "1" }));
        expect(contentHash({ a: "1", b: "2" })).not.toBe(contentHash({ a: "1", b: "3" }));
    });
});
