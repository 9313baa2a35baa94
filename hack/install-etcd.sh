#!/usr/bin/env bash
# Provides the etcd binary the integration tests start: the etcd version
# pinned in go.mod, built from vendor/. An etcd of the same minor version
# named by ETCD_BIN or found in KUBEBUILDER_ASSETS is used instead when given.
# Prints the path of the binary.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want="$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"   # e.g. v3.7.3
want_minor="$(echo "${want#v}" | cut -d. -f1,2)"

minor_of() { "$1" --version 2>/dev/null | sed -n 's/^etcd Version: \([0-9]*\.[0-9]*\).*/\1/p'; }

for candidate in "${ETCD_BIN:-}" "${KUBEBUILDER_ASSETS:+${KUBEBUILDER_ASSETS}/etcd}"; do
  if [[ -n "${candidate}" && -x "${candidate}" && "$(minor_of "${candidate}")" == "${want_minor}" ]]; then
    echo "${candidate}"
    exit 0
  fi
done

out="${REPO_ROOT}/_output/bin/etcd"
if [[ -x "${out}" && "$("${out}" --version 2>/dev/null | sed -n 's/^etcd Version: //p')" == "${want#v}" ]]; then
  echo "${out}"
  exit 0
fi
mkdir -p "$(dirname "${out}")"
go build -o "${out}" go.etcd.io/etcd/server/v3 >&2
echo "${out}"
