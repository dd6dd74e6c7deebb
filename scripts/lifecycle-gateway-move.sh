#!/usr/bin/env bash
# A live stack moved from ingress-nginx to the Gateway API with the real Pulumi engine, on the
# team's lifecycle harness (shared/tools/lifecycle: a DigitalOcean API emulator, a real control
# plane, the real CLI and plugins; not part of this repository), as docs/operations.md says:
#
#   pulumi up (nginx; by lifecycle.sh, KEEP=1 STOP_AFTER=up)
#   the Gateway API CRDs, a CiliumNetworkPolicy CRD and scripts/lifecycle/cilium-gateway.mjs
#     (DOKS installs the CRDs and runs Cilium; the harness does neither)
#   two-step (default): ingress.controller gateway + keepNginx true, pulumi up, no-op preview;
#                       keepNginx false, pulumi up, no-op preview
#   one-step:           ingress.controller gateway, pulumi up, no-op preview
#   pulumi destroy, leftovers
# or, new-stack: the harness's whole lifecycle (up, no-op, update, upgrade, refresh, destroy) of a
# stack with ingress.controller gateway from its first up, the CRDs and the stand-in installed as
# soon as the harness's control plane is up (DOKS has them before the cluster is handed over).
#
# Checked at each step: the Namecheap record holds the Gateway's address once the Gateway path
# exists; both load balancers exist while both paths serve; the record had moved before
# ingress-nginx's load balancer was deleted; a second preview changes nothing; destroy leaves
# nothing in the emulator.
#
# Usage: scripts/lifecycle-gateway-move.sh [two-step|one-step|new-stack] [stack (default dev)]
# Env:   LIFECYCLE_SH (default: shared/tools/lifecycle/lifecycle.sh beside the checkout),
#        GATEWAY_API_VERSION (v1.4.1), LIFECYCLE_BUILD, PULUMI_BIN (as lifecycle.sh)
# Last line: "gateway move <scenario> <stack>: ok" or "... failed (<reasons>)"; exit 1 unless ok
# (new-stack: the harness's own verdict line first).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
SCENARIO=${1:-two-step}
STACK=${2:-dev}
case $SCENARIO in two-step | one-step | new-stack) ;; *) echo "usage: $0 [two-step|one-step|new-stack] [stack]" >&2; exit 2 ;; esac
LIFECYCLE_SH=${LIFECYCLE_SH:-$(realpath ..)/shared/tools/lifecycle/lifecycle.sh}
HARNESS=$(dirname "$LIFECYCLE_SH")
OUT=${LIFECYCLE_BUILD:-${XDG_CACHE_HOME:-$HOME/.cache}/lifecycle-build}
PBIN=$(realpath "${PULUMI_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-build/bin}")
# shellcheck source=scripts/system-tools.sh
source scripts/system-tools.sh

# The harness's work directory, from the first line of its log that names it.
work_dir_of() { sed -n 's/^lifecycle: work directory \(\/tmp\/lifecycle\.[^ ]*\).*/\1/p' "$1" | head -1; }

if [ -z "${GW_WORK:-}" ]; then
	# Outside the harness's network namespace: the CRDs from the module proxy, then the harness's up.
	GATEWAY_API_VERSION=${GATEWAY_API_VERSION:-v1.4.1}
	gw_dir=$(module_dir gateway-move "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")
	log=$(mktemp /tmp/gateway-move-harness.XXXXXX.log)
	if [ "$SCENARIO" = new-stack ]; then
		say gateway-move "the harness's lifecycle of a stack with ingress.controller gateway (log: $log)"
		EXTRA_CONFIG="${EXTRA_CONFIG:-} ingress.controller=gateway" bash "$LIFECYCLE_SH" "$ROOT" "$STACK" >"$log" 2>&1 &
		harness=$!
		# The harness records its first process (in its namespace) once the control plane answers.
		work=
		while kill -0 "$harness" 2>/dev/null; do
			[ -n "$work" ] || work=$(work_dir_of "$log")
			[ -n "$work" ] && [ -s "$work/pids" ] && break
			sleep 0.2
		done
		pid=$([ -n "$work" ] && awk 'NR==1{print $2}' "$work/pids")
		if [ -n "$pid" ]; then
			GW_INSTALL_ONLY=1 GW_WORK=$work GW_CRDS="$gw_dir/config/crd/standard" GW_CRDS_VERSION="$GATEWAY_API_VERSION" \
				nsenter --net="/proc/$pid/ns/net" -- bash "$0" "$SCENARIO" "$STACK"
		fi
		wait "$harness"
		rc=$?
		tail -n 2 "$log"
		if [ "$rc" = 0 ]; then echo "gateway move new-stack $STACK: ok"; else echo "gateway move new-stack $STACK: failed (the harness's verdict above; $log)"; exit 1; fi
		exit 0
	fi
	say gateway-move "pulumi up with ingress-nginx on the harness (log: $log)"
	KEEP=1 STOP_AFTER=up UPGRADE=0 REFRESH=0 bash "$LIFECYCLE_SH" "$ROOT" "$STACK" >"$log" 2>&1
	tail -n 1 "$log"
	work=$(work_dir_of "$log")
	pid=$(sed -n 's/.*nsenter --net=\/proc\/\([0-9]*\)\/ns\/net.*/\1/p' "$log" | head -1)
	if [ -z "$work" ] || [ -z "$pid" ]; then
		tail -n 30 "$log"
		echo "gateway move $SCENARIO $STACK: failed (the harness left no work directory or namespace)"
		exit 1
	fi
	grep -q "^lifecycle $STACK: up ok" "$log" || {
		grep -m1 "^lifecycle $STACK: up" "$log"
		GW_STOP_ONLY=1 GW_WORK=$work nsenter --net="/proc/$pid/ns/net" -- bash "$0" "$SCENARIO" "$STACK"
		echo "gateway move $SCENARIO $STACK: failed (the first pulumi up failed: $log)"
		exit 1
	}
	exec env GW_WORK="$work" GW_CRDS="$gw_dir/config/crd/standard" GW_CRDS_VERSION="$GATEWAY_API_VERSION" GW_HARNESS_LOG="$log" \
		nsenter --net="/proc/$pid/ns/net" -- bash "$0" "$SCENARIO" "$STACK"
fi

# ------------------------------------------------------------------ inside the namespace
WORK=$GW_WORK
KC() { "$OUT/bin/kubectl" --kubeconfig "$WORK/cp/kubeconfig" "$@"; }
stop_everything() {
	tac "$WORK/pids" | while read -r _ p; do kill "$p" 2>/dev/null; done
	CP_RUN=$WORK/cp LIFECYCLE_BUILD=$OUT bash "$HARNESS/controlplane.sh" stop >/dev/null 2>&1
	rm -rf "$WORK/cp/etcd-data"
}
# What DOKS provides and the harness does not: the CRDs and Cilium's Gateway controller (its PID
# among the harness's, which stops it).
install_gateway_support() {
	say gateway-move "installing the Gateway API CRDs (standard channel, $GW_CRDS_VERSION) and a CiliumNetworkPolicy CRD"
	KC apply --server-side -f "$GW_CRDS" >/dev/null || { fail "the Gateway API CRDs were refused"; return 1; }
	# A stand-in without Cilium's schema (the objects are checked against it by npm test's validator).
	KC apply --server-side -f - >/dev/null <<'EOF' || { fail "the CiliumNetworkPolicy CRD was refused"; return 1; }
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ciliumnetworkpolicies.cilium.io}
spec:
  group: cilium.io
  scope: Namespaced
  names: {kind: CiliumNetworkPolicy, plural: ciliumnetworkpolicies, singular: ciliumnetworkpolicy, shortNames: [cnp]}
  versions:
    - name: v2
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
EOF
	KC wait --for condition=Established --timeout=60s crd --all >/dev/null
	setsid node "$ROOT/scripts/lifecycle/cilium-gateway.mjs" --kube-server "https://127.0.0.1:${CP_API_PORT:-36443}" --kube-ca "$WORK/cp/pki/ca.crt" \
		--kube-token-file "$WORK/cp/admin.token" --log "$LOGS/cilium-gateway.log" </dev/null >/dev/null 2>>"$LOGS/cilium-gateway.stderr" &
	echo "cilium-gateway $!" >>"$WORK/pids"
}
if [ -n "${GW_STOP_ONLY:-}" ]; then stop_everything; exit 0; fi
LOGS=$WORK/logs
FAILED=()
fail() { FAILED+=("$*"); echo "FAILED: $*"; }
if [ -n "${GW_INSTALL_ONLY:-}" ]; then install_gateway_support; exit $?; fi
trap stop_everything EXIT

# The harness's environment for the CLI (lifecycle.sh, "Pulumi").
port_of() { awk '/^listening/{print $2; exit}' "$WORK/logs/$1.out"; }
export PATH="$PBIN:$PATH" HOME=$WORK/home PULUMI_HOME=$WORK/pulumi-home PULUMI_CONFIG_PASSPHRASE=lifecycle-only
export PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_BACKEND_URL="file://$WORK/state"
HTTPS_PROXY=http://127.0.0.1:$(port_of chart-proxy)
export HTTPS_PROXY HTTP_PROXY=$HTTPS_PROXY https_proxy=$HTTPS_PROXY http_proxy=$HTTPS_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost SSL_CERT_FILE=$WORK/pki/ca.crt
export HELM_CACHE_HOME=$WORK/helm/cache HELM_CONFIG_HOME=$WORK/helm/config HELM_DATA_HOME=$WORK/helm/data
unset PULUMI_ACCESS_TOKEN DIGITALOCEAN_TOKEN DIGITALOCEAN_ACCESS_TOKEN KUBECONFIG
DO_API=http://127.0.0.1:$(port_of do-emulator)
PF=(--stack "$STACK" --non-interactive --color never)
cd "$WORK/proj" || exit 1

install_gateway_support

state() { curl -sf "$DO_API/_emulator/state"; }
lb_names() { state | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(Object.values(s.load_balancers||s.loadBalancers||{}).map(l=>l.name).sort().join(" "))'; }
record_ip() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const v=Object.values(r);console.log(v.map(x=>x.ip??x).join(" "))' "$WORK/dns-records.json"; }
gateway_ip() { KC -n gateway get gateway web -o jsonpath='{.status.addresses[0].value}' 2>/dev/null; }

up() { # <label>
	say gateway-move "pulumi up: $1"
	timeout 1800 pulumi up --yes --diff "${PF[@]}" >"$LOGS/gw-$1.log" 2>&1 || { tail -n 40 "$LOGS/gw-$1.log"; fail "pulumi up ($1): $(grep -m1 -E '^\s*error: ' "$LOGS/gw-$1.log" | cut -c1-300)"; return 1; }
	sed -n '/^Resources:/,/^Duration:/p' "$LOGS/gw-$1.log"
}
noop() { # <label>
	pulumi preview --expect-no-changes --diff "${PF[@]}" >"$LOGS/gw-noop-$1.log" 2>&1 || { cat "$LOGS/gw-noop-$1.log"; fail "the preview after $1 shows changes"; return 1; }
	echo "no-op preview after $1: no changes"
}
dns_on_gateway() { # <label>
	local gw rec
	gw=$(gateway_ip)
	rec=$(record_ip)
	echo "after $1: Gateway address ${gw:-none}; Namecheap record $rec; load balancers: $(lb_names)"
	if [ -z "$gw" ] || [ "$rec" != "$gw" ]; then fail "after $1 the record ($rec) is not the Gateway's address (${gw:-none})"; fi
}
nginx_lb_gone_after_dns() { # the record's move is logged before ingress-nginx's load balancer is deleted
	node - "$LOGS/dns.log" "$LOGS/do-api.log" "$(gateway_ip)" <<'EOF'
const fs = require("fs");
const [dnsLog, apiLog, ip] = process.argv.slice(2);
const at = (line) => Date.parse(line.split(" ")[0]);
const moved = fs.readFileSync(dnsLog, "utf8").split("\n").find((l) => l.includes(ip) && /update|set/i.test(l));
const deleted = fs.readFileSync(apiLog, "utf8").split("\n").find((l) => /DELETE \/v2\/load_balancers\//.test(l));
if (!moved) { console.log(`no record update to ${ip} in ${dnsLog}`); process.exit(1); }
if (!deleted) { console.log(`no load balancer deletion in ${apiLog}`); process.exit(1); }
console.log(`record moved ${moved.split(" ")[0]}; first load balancer deleted ${deleted.split(" ")[0]}`);
process.exit(at(moved) <= at(deleted) ? 0 : 1);
EOF
}

# registryMode existing (prod): another stack owns the registry. The harness created it for its run
# and deleted it at the end of it; it exists again for the rest of this one.
DO_TOKEN=$(pulumi config get "${PF[@]:0:2}" digitalocean:token)
SHARED_REGISTRY=
if [ "$(pulumi config get "${PF[@]:0:2}" registryMode 2>/dev/null)" = existing ]; then
	SHARED_REGISTRY=$(pulumi config get "${PF[@]:0:2}" registryName)
	curl -sf -X POST -H "Authorization: Bearer $DO_TOKEN" -H 'Content-Type: application/json' \
		-d "{\"name\":\"$SHARED_REGISTRY\",\"subscription_tier_slug\":\"basic\",\"region\":\"fra1\"}" "$DO_API/v2/registries" >/dev/null ||
		fail "could not create the shared registry $SHARED_REGISTRY again"
fi

echo "before the move: load balancers: $(lb_names); Namecheap record $(record_ip)"
if [ "$SCENARIO" = two-step ]; then
	pulumi config set "${PF[@]:0:2}" --path ingress.controller gateway && pulumi config set "${PF[@]:0:2}" --path ingress.keepNginx true
	if up step-1; then
		dns_on_gateway "step 1"
		[ "$(lb_names | wc -w)" = 2 ] || fail "after step 1 both paths should have a load balancer: $(lb_names)"
		KC -n django get ingress web >/dev/null 2>&1 || fail "after step 1 the Ingress is gone"
		noop step-1
		pulumi config set "${PF[@]:0:2}" --path ingress.keepNginx false
		if up step-2; then
			dns_on_gateway "step 2"
			[ "$(lb_names | wc -w)" = 1 ] || fail "after step 2 only the Gateway's load balancer should be left: $(lb_names)"
			nginx_lb_gone_after_dns || fail "the old load balancer went before the record moved"
			noop step-2
		fi
	fi
else
	pulumi config set "${PF[@]:0:2}" --path ingress.controller gateway
	if up flip; then
		dns_on_gateway "the flip"
		[ "$(lb_names | wc -w)" = 1 ] || fail "after the flip only the Gateway's load balancer should be left: $(lb_names)"
		nginx_lb_gone_after_dns || fail "the old load balancer went before the record moved"
		noop flip
	fi
fi

say gateway-move "pulumi destroy"
if [ "$(pulumi config get "${PF[@]:0:2}" dbProtect 2>/dev/null)" = true ]; then
	pulumi config set "${PF[@]:0:2}" dbProtect false && up unprotect
fi
timeout 1800 pulumi destroy --yes "${PF[@]}" >"$LOGS/gw-destroy.log" 2>&1 || { tail -n 40 "$LOGS/gw-destroy.log"; fail "pulumi destroy: $(grep -m1 -E '^\s*error: ' "$LOGS/gw-destroy.log" | cut -c1-300)"; }
sleep 4
[ -z "$SHARED_REGISTRY" ] || curl -sf -X DELETE -H "Authorization: Bearer $DO_TOKEN" "$DO_API/v2/registries/$SHARED_REGISTRY" >/dev/null
left=$(curl -sf "$DO_API/_emulator/leftovers" | grep -v '^$' || true)
[ -z "$left" ] || { printf '    left: %s\n' "$left"; fail "destroy left $(echo "$left" | wc -l) resource(s) in the emulator"; }
for ns in django gateway ingress-nginx cert-manager metrics-server; do
	KC get namespace "$ns" >/dev/null 2>&1 && fail "namespace $ns is still there"
done
echo "logs: $LOGS (gw-*.log, cilium-gateway.log, dns.log, do-api.log); harness log: ${GW_HARNESS_LOG:-}"
if [ ${#FAILED[@]} = 0 ]; then echo "gateway move $SCENARIO $STACK: ok"; else echo "gateway move $SCENARIO $STACK: failed ($(IFS=';'; echo "${FAILED[*]}"))"; exit 1; fi
