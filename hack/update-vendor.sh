#!/usr/bin/env bash
# Tidies go.mod/go.sum (ours and the staging modules') and rewrites vendor/
# to match them exactly. Staging modules are vendored as symlinks, so there
# is one copy of their source.
GOFLAGS_MOD=-mod=mod source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for mod in staging/src/github.com/ephemeral-apiserver/*/; do
  (cd "${mod}" && go mod tidy)
done
go mod tidy
go mod vendor
for mod in staging/src/github.com/ephemeral-apiserver/*/; do
  name="$(basename "${mod}")"
  rm -rf "vendor/github.com/ephemeral-apiserver/${name}"
  ln -s "../../../${mod%/}" "vendor/github.com/ephemeral-apiserver/${name}"
done
