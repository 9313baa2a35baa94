#!/usr/bin/env bash
# Fails when the generated code differs from what update-codegen.sh writes.
# The generators write beside the types, so this regenerates in place and
# puts the previous files back afterwards.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

generated=(
  pkg/generated/openapi
  api/api-rules
  staging/src/github.com/ephemeral-apiserver/api/client/clientset
  staging/src/github.com/ephemeral-apiserver/api/core/v1/zz_generated.deepcopy.go
  staging/src/github.com/ephemeral-apiserver/api/core/v1/zz_generated.model_name.go
)
before="$(mktemp -d)"
after="$(mktemp -d)"
trap 'rm -rf "${before}" "${after}"' EXIT
for path in "${generated[@]}"; do
  [[ -e "${path}" ]] && cp -a --parents "${path}" "${before}/"
done
restore() {
  for path in "${generated[@]}"; do
    rm -rf "${path}"
    [[ -e "${before}/${path}" ]] && cp -a "${before}/${path}" "${path}"
  done
  return 0
}
trap 'restore; rm -rf "${before}" "${after}"' EXIT

"${REPO_ROOT}/hack/update-codegen.sh"
for path in "${generated[@]}"; do
  [[ -e "${path}" ]] && cp -a --parents "${path}" "${after}/"
done
if ! diff -Nru "${before}" "${after}"; then
  echo "Generated code is stale: run hack/update-codegen.sh" >&2
  exit 1
fi
