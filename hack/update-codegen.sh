#!/usr/bin/env bash
# Regenerates the generated code: pkg/generated/openapi from the API types
# we serve. Pass an output root as $1 to write elsewhere (verify-codegen.sh
# generates into a temp dir and compares).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out_root="${1:-${REPO_ROOT}}"
mkdir -p "${out_root}/pkg/generated/openapi" "${out_root}/api/api-rules"

# The types every served object refers to; the core/v1 API comes from k8s.io/api.
packages=(
  k8s.io/api/core/v1
  k8s.io/apimachinery/pkg/apis/meta/v1
  k8s.io/apimachinery/pkg/runtime
  k8s.io/apimachinery/pkg/version
  k8s.io/apimachinery/pkg/api/resource
  k8s.io/apimachinery/pkg/util/intstr
)

go tool openapi-gen \
  --go-header-file "${BOILERPLATE}" \
  --output-dir "${out_root}/pkg/generated/openapi" \
  --output-pkg "${MODULE}/pkg/generated/openapi" \
  --output-file zz_generated.openapi.go \
  --readonly-pkg k8s.io/api/core/v1 \
  --readonly-pkg k8s.io/apimachinery/pkg/apis/meta/v1 \
  --report-filename "${out_root}/api/api-rules/violation_exceptions.list" \
  "${packages[@]}"
