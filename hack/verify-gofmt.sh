#!/usr/bin/env bash
# Fails when a Go file of ours is not gofmt-formatted.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

unformatted="$(git ls-files --cached --others --exclude-standard -- '*.go' ':!vendor/**' ':!staging/**/vendor/**' | xargs gofmt -l)"
if [[ -n "${unformatted}" ]]; then
  echo "gofmt needed (run hack/update-gofmt.sh):" >&2
  echo "${unformatted}" >&2
  exit 1
fi
