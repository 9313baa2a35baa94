#!/usr/bin/env bash
# Regenerates the generated code:
#   - deepcopy and the typed client of the 1.16 API in staging/,
#   - pkg/generated/openapi from every API type we serve.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out_root="${REPO_ROOT}"
api_mod="github.com/ephemeral-apiserver/api"
api_dir="staging/src/${api_mod}"

rm -rf "${api_dir}/client/clientset"

go tool deepcopy-gen \
  --go-header-file "${BOILERPLATE}" \
  --output-file zz_generated.deepcopy.go \
  "${api_mod}/core/v1"
go tool client-gen \
  --go-header-file "${BOILERPLATE}" \
  --clientset-name versioned \
  --input-base "" \
  --input "${api_mod}/core/v1" \
  --output-dir "${out_root}/${api_dir}/client/clientset" \
  --output-pkg "${api_mod}/client/clientset"

mkdir -p "${out_root}/pkg/generated/openapi" "${out_root}/api/api-rules"
# The types every served object refers to; the core/v1 API comes from k8s.io/api.
packages=(
  "${api_mod}/core/v1"
  k8s.io/api/authentication/v1
  k8s.io/api/authorization/v1
  k8s.io/api/rbac/v1
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
  --output-model-name-file zz_generated.model_name.go \
  --readonly-pkg k8s.io/api/authentication/v1 \
  --readonly-pkg k8s.io/api/authorization/v1 \
  --readonly-pkg k8s.io/api/rbac/v1 \
  --readonly-pkg k8s.io/api/core/v1 \
  --readonly-pkg k8s.io/apimachinery/pkg/apis/meta/v1 \
  --readonly-pkg k8s.io/apimachinery/pkg/runtime \
  --readonly-pkg k8s.io/apimachinery/pkg/version \
  --readonly-pkg k8s.io/apimachinery/pkg/api/resource \
  --readonly-pkg k8s.io/apimachinery/pkg/util/intstr \
  --report-filename "${out_root}/api/api-rules/violation_exceptions.list" \
  "${packages[@]}"
