#!/usr/bin/env bash
# Checks a render (npm run render -- STACK) against a real kube-apiserver with the CRDs of the
# objects it holds installed for real: the Gateway API standard channel and cert-manager's CRDs,
# both from their Go modules. Not part of npm test: it needs the one-time build of
# ../shared/tools/apiserver.sh (CONTRIBUTING.md, "The real kube-apiserver").
#
#   scripts/apiserver-check.sh [STACK|DIR]    default dev: out/dev/kubernetes
#
# Environment: GATEWAY_API_VERSION (default below), CERT_MANAGER_VERSION (default: the chart the
# program pins, components/config/versions.ts), APISERVER_SH, APISERVER_RUN and the APISERVER_*
# ports of apiserver.sh. Last line: apiserver.sh's "apiserver DIR: N/M objects accepted, W warnings";
# exit 1 if an object or a CRD was rejected.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/system-tools.sh
source scripts/system-tools.sh

# The standard channel's CRD YAML is in the module under config/crd/standard. v1.4.1 is the
# oldest release the module proxy serves here and the one cert-manager's Gateway docs install
# (cert-manager/website content/docs/usage/gateway.md); DOKS installs its own (use-gateway-api).
GATEWAY_API_VERSION=${GATEWAY_API_VERSION:-v1.4.1}
CERT_MANAGER_VERSION=${CERT_MANAGER_VERSION:-$(sed -n 's/^ *certManager: "\(v[0-9][0-9.]*\)",$/\1/p' components/config/versions.ts)}
APISERVER_SH=${APISERVER_SH:-$(cd .. && pwd)/shared/tools/apiserver.sh}
# A run directory of this checkout's own, so that the stop below ends only the server started here.
export APISERVER_RUN=${APISERVER_RUN:-/tmp/apiserver-check-$(printf '%s' "$PWD" | md5sum | cut -c1-8)}

target=${1:-dev}
if [ -d "$target" ]; then dir=$target; else dir=out/$target/kubernetes; fi
[ -d "$dir" ] || { say apiserver-check "$dir does not exist: run npm run render -- $target first"; exit 1; }
[ -x "$APISERVER_SH" ] || { say apiserver-check "$APISERVER_SH not found (set APISERVER_SH)"; exit 1; }
[ -n "$CERT_MANAGER_VERSION" ] || { say apiserver-check "no cert-manager version in components/config/versions.ts (set CERT_MANAGER_VERSION)"; exit 1; }
command -v go >/dev/null || { say apiserver-check "go is needed to fetch the CRDs from the Go module proxy"; exit 1; }

# apiserver.sh keeps kubectl beside kube-apiserver, in a cache named after its pinned release.
k8s_version=$(sed -n 's/^K8S_VERSION=\(v[0-9.]*\).*/\1/p' "$APISERVER_SH")
KUBECTL=${APISERVER_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/kube-apiserver-$k8s_version}/kubectl
[ -x "$KUBECTL" ] || { say apiserver-check "$KUBECTL missing: run $APISERVER_SH build once (about 15 minutes)"; exit 1; }

say apiserver-check "fetching the CRDs: sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION (standard channel), github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION"
crds=()
gw_dir=$(module_dir apiserver-check "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")
cm_dir=$(module_dir apiserver-check "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION")
for f in "$gw_dir"/config/crd/standard/gateway.networking.k8s.io_*.yaml "$cm_dir"/deploy/crds/*.yaml; do
  [ -f "$f" ] && crds+=("$f")
done
[ "${#crds[@]}" -gt 0 ] || { say apiserver-check "no CRD YAML found in $gw_dir or $cm_dir"; exit 1; }

if "$APISERVER_SH" status >/dev/null 2>&1; then
  say apiserver-check "a server is already running in $APISERVER_RUN: stop it ($APISERVER_SH stop with APISERVER_RUN=$APISERVER_RUN) or set APISERVER_RUN"
  exit 1
fi
trap '"$APISERVER_SH" stop' EXIT
"$APISERVER_SH" start
kc=(--kubeconfig "$APISERVER_RUN/kubeconfig")

say apiserver-check "installing ${#crds[@]} CRDs for real"
crd_args=()
for f in "${crds[@]}"; do crd_args+=(-f "$f"); done
"$KUBECTL" "${kc[@]}" apply --server-side --field-manager=apiserver-check "${crd_args[@]}"
"$KUBECTL" "${kc[@]}" wait --for condition=Established --timeout=120s "${crd_args[@]}"
# Discovery of the new groups can lag behind Established; apply must see them as served.
for _ in $(seq 1 30); do
  served=$("$KUBECTL" "${kc[@]}" api-versions)
  if grep -qx 'gateway.networking.k8s.io/v1' <<<"$served" && grep -qx 'cert-manager.io/v1' <<<"$served"; then break; fi
  sleep 1
done

"$APISERVER_SH" apply "$dir"
