#!/usr/bin/env bash
# Formats every Go file of ours with gofmt.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

git ls-files --cached --others --exclude-standard -- '*.go' ':!vendor/**' | xargs gofmt -w
