#!/usr/bin/env bash
# Tidies go.mod/go.sum (ours, the staging modules' and test/consumer's) and
# rewrites vendor/ to match them exactly. Staging modules are vendored as
# symlinks, so there is one copy of their source.
GOFLAGS_MOD=-mod=mod source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for mod in staging/src/github.com/ephemeral-apiserver/*/; do
  (cd "${mod}" && go mod tidy)
done
go mod tidy
go mod vendor
# test/consumer imports us as a user's module does, so each dependency we add
# needs a go.sum line there too.
(cd test/consumer && go mod tidy)
for mod in staging/src/github.com/ephemeral-apiserver/*/; do
  name="$(basename "${mod}")"
  rm -rf "vendor/github.com/ephemeral-apiserver/${name}"
  ln -s "../../../${mod%/}" "vendor/github.com/ephemeral-apiserver/${name}"
done
