#!/usr/bin/env bash
# Runs go vet over every package of ours, tests included.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

go vet ./...
