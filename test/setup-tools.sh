#!/usr/bin/env bash
# Installs the pinned Python tools that the tests drive (uv, next to the machine's pip) into
# .cache/tools. Idempotent; needs PyPI the first time only.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/tools
if [ ! -x "$venv/bin/uv" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r test/tools-requirements.txt
fi
"$venv/bin/uv" --version
