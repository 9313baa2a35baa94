#!/usr/bin/env bash
# Fails when go.mod, go.sum or vendor/ are not what update-vendor.sh makes.
# Works offline when the module cache holds the modules, as after a build.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
# Work on a copy, so a stale tree is reported, not silently fixed.
git ls-files -z --cached --others --exclude-standard | grep -zv '^vendor/' | xargs -0 cp --parents -t "${tmp}"
(
  cd "${tmp}"
  GOFLAGS="${GOFLAGS/-mod=vendor/-mod=mod}" go mod tidy
  GOFLAGS="${GOFLAGS/-mod=vendor/-mod=mod}" go mod vendor
)
status=0
diff -u go.mod "${tmp}/go.mod" || status=1
diff -u go.sum "${tmp}/go.sum" || status=1
diff -Nqr vendor "${tmp}/vendor" || status=1
if [[ ${status} -ne 0 ]]; then
  echo "go.mod, go.sum or vendor/ is stale: run hack/update-vendor.sh" >&2
fi
exit ${status}
