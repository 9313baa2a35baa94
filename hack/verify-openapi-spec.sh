#!/usr/bin/env bash
# Fails when api/openapi-spec differs from what the server publishes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
"${REPO_ROOT}/hack/update-openapi-spec.sh" "${tmp}"
if ! diff -Nru "${REPO_ROOT}/api/openapi-spec" "${tmp}/api/openapi-spec" >"${tmp}/diff"; then
  head -50 "${tmp}/diff" >&2
  echo "api/openapi-spec is stale: run hack/update-openapi-spec.sh" >&2
  exit 1
fi
