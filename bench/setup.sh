#!/usr/bin/env bash
# Installs the peers that bench/run.mjs compares pyward with, the ordinary way, into bench/.tools/
# (git-ignored). Idempotent: a second run checks the versions and does nothing else.
#
#   bench/.tools/venv/         python3 -m venv with pip-audit and uv (PyPI, pinned below)
#   bench/.tools/bin/osv-scanner  `go install` from the Go module proxy (pinned below)
#
# Needs PyPI and the Go module proxy the first time only; the benchmark itself runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."

PIP_AUDIT_VERSION=2.10.1
UV_VERSION=0.13.9            # the uv the tests pin (test/tools-requirements.txt)
# The newest osv-scanner that builds with this machine's Go (1.26, GOTOOLCHAIN=local):
# v2.6.0 needs go >= 1.27; v2.5.2 and v2.5.3 are not served by the module proxy here.
OSV_SCANNER_VERSION=v2.5.1

tools=bench/.tools
venv=$tools/venv
mkdir -p "$tools/bin"

have_py() { [ -x "$venv/bin/$1" ] && "$venv/bin/pip" show "$1" 2>/dev/null | grep -qx "Version: $2"; }

if ! have_py pip-audit "$PIP_AUDIT_VERSION" || ! have_py uv "$UV_VERSION"; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "pip-audit==$PIP_AUDIT_VERSION" "uv==$UV_VERSION"
fi

osv="$tools/bin/osv-scanner"
if ! { [ -x "$osv" ] && "$osv" --version 2>/dev/null | grep -q "osv-scanner version: ${OSV_SCANNER_VERSION#v}$"; }; then
  GOBIN="$PWD/$tools/bin" GOTOOLCHAIN=local \
    go install "github.com/google/osv-scanner/v2/cmd/osv-scanner@$OSV_SCANNER_VERSION"
fi

"$venv/bin/pip-audit" --version
"$venv/bin/uv" --version
"$osv" --version | head -1
