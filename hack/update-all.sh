#!/usr/bin/env bash
# Runs every hack/update-*.sh, in an order where later steps see earlier output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for name in update-vendor.sh update-codegen.sh update-gofmt.sh update-openapi-spec.sh; do
  echo "=== ${name}"
  bash "${REPO_ROOT}/hack/${name}"
done
