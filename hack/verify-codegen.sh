#!/usr/bin/env bash
# Fails when the generated code differs from what update-codegen.sh writes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
"${REPO_ROOT}/hack/update-codegen.sh" "${tmp}"
status=0
for path in pkg/generated/openapi api/api-rules; do
  if ! diff -Nru "${REPO_ROOT}/${path}" "${tmp}/${path}"; then
    status=1
  fi
done
if [[ ${status} -ne 0 ]]; then
  echo "Generated code is stale: run hack/update-codegen.sh" >&2
fi
exit ${status}
