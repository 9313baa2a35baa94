#!/usr/bin/env bash
# Shared settings for the hack/ scripts: run from the repository root with the
# local Go toolchain and the committed vendor/ tree.
set -o errexit -o nounset -o pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:-} ${GOFLAGS_MOD:--mod=vendor}"
MODULE="$(go list -m)"
BOILERPLATE="${REPO_ROOT}/hack/boilerplate.go.txt"
