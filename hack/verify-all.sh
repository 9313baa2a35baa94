#!/usr/bin/env bash
# Runs every hack/verify-*.sh and reports all failures, not just the first.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

failed=()
for script in "${REPO_ROOT}"/hack/verify-*.sh; do
  name="$(basename "${script}")"
  [[ "${name}" == "verify-all.sh" ]] && continue
  echo "=== ${name}"
  if ! bash "${script}"; then
    failed+=("${name}")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all verify scripts passed"
