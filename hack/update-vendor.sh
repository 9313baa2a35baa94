#!/usr/bin/env bash
# Tidies go.mod/go.sum and rewrites vendor/ to match them exactly.
GOFLAGS_MOD=-mod=mod source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

go mod tidy
go mod vendor
