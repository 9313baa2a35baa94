#!/usr/bin/env bash
# Writes the OpenAPI documents the server publishes (v2 and v3 of /api/v1)
# to api/openapi-spec, from a real server started with every feature gate
# of ours on. Pass an output root as $1 to write elsewhere.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out_root="${1:-${REPO_ROOT}}"
make -s -C "${REPO_ROOT}" build >&2
bin="${REPO_ROOT}/_output/bin/ephemeral-apiserver"

tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"${bin}" --data-dir="${tmp}" --secure-port="${port}" --feature-gates=EphemeralContainers=true >"${tmp}/server.log" 2>&1 &
pid=$!
trap 'kill ${pid} 2>/dev/null; wait ${pid} 2>/dev/null; rm -rf "${tmp}"' EXIT

curl_admin() {
  curl -sSf --cacert "${tmp}/pki/ca.crt" --cert "${tmp}/pki/admin.crt" --key "${tmp}/pki/admin.key" \
    "https://127.0.0.1:${port}$1"
}
for _ in $(seq 1 300); do
  if [[ -f "${tmp}/admin.kubeconfig" ]] && curl_admin /readyz >/dev/null 2>&1; then
    break
  fi
  sleep 0.1
done
curl_admin /readyz >/dev/null || { cat "${tmp}/server.log" >&2; exit 1; }

mkdir -p "${out_root}/api/openapi-spec/v3"
# Sorted and indented, so changes review well; the version line varies by build.
normalise='import json,sys; d=json.load(sys.stdin); d.get("info",{}).pop("version",None); print(json.dumps(d, indent=2, sort_keys=True))'
curl_admin /openapi/v2 | python3 -c "${normalise}" >"${out_root}/api/openapi-spec/swagger.json"
# One v3 document per group version, named as upstream names them.
for gv in api/v1 apis/authentication.k8s.io/v1 apis/authorization.k8s.io/v1 apis/rbac.authorization.k8s.io/v1; do
  curl_admin "/openapi/v3/${gv}" | python3 -c "${normalise}" >"${out_root}/api/openapi-spec/v3/${gv//\//__}_openapi.json"
done
