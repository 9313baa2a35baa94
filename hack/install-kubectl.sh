#!/usr/bin/env bash

# Copyright The ephemeral-apiserver Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# Provides kubectl 1.20, the last minor Debian packages (kubernetes-client,
# bookworm), for the e2e specs of the Kubernetes 1.16 form of
# pods/ephemeralcontainers (test/e2e/legacy_kubectl_test.go). The package is
# downloaded and unpacked, never installed, so /usr/bin/kubectl stays the
# current kubectl. Idempotent: an _output/bin/kubectl-1.20 that reports 1.20
# is kept. Prints the path of the binary.
set -o errexit -o nounset -o pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${REPO_ROOT}/_output/bin/kubectl-1.20"
want_minor="1.20"

minor_of() {
  "$1" version --client 2>/dev/null | sed -n 's/^Client Version: .*GitVersion:"v\([0-9]*\.[0-9]*\).*/\1/p; s/^Client Version: v\([0-9]*\.[0-9]*\).*/\1/p' | head -n1
}

if [[ -x "${out}" && "$(minor_of "${out}")" == "${want_minor}" ]]; then
  echo "${out}"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
chmod 0755 "${tmp}" # lets apt's sandbox user write the download

# apt-get download needs the package lists; fetch them once if the package
# is unknown.
if ! apt-cache show kubernetes-client >/dev/null 2>&1; then
  apt-get update >&2
fi
(cd "${tmp}" && apt-get download kubernetes-client >&2)
deb="$(ls "${tmp}"/kubernetes-client_*.deb)"
dpkg-deb -x "${deb}" "${tmp}/unpacked"

got="$(minor_of "${tmp}/unpacked/usr/bin/kubectl")"
if [[ "${got}" != "${want_minor}" ]]; then
  echo "$(basename "${deb}") has kubectl ${got:-of unknown version}, want ${want_minor}" >&2
  exit 1
fi
mkdir -p "$(dirname "${out}")"
install -m 0755 "${tmp}/unpacked/usr/bin/kubectl" "${out}"
echo "${out}"
