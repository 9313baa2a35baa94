#!/usr/bin/env bash
# Fails when go.mod, go.sum or vendor/ are not what update-vendor.sh makes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
# Run update-vendor.sh on a copy, so a stale tree is reported, not silently
# fixed here.
git ls-files -z --cached --others --exclude-standard | grep -zv '^vendor/' | xargs -0 cp -P --parents -t "${tmp}"
bash "${tmp}/hack/update-vendor.sh" >/dev/null
status=0
for f in go.mod go.sum test/consumer/go.{mod,sum} staging/src/github.com/ephemeral-apiserver/*/go.{mod,sum}; do
  diff -u "${f}" "${tmp}/${f}" || status=1
done
diff -Nqr vendor "${tmp}/vendor" || status=1
if [[ ${status} -ne 0 ]]; then
  echo "go.mod, go.sum or vendor/ is stale: run hack/update-vendor.sh" >&2
fi
exit ${status}
