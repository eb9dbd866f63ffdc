#!/usr/bin/env bash
# Installs GuardDog, the baseline of bench/names/run.ts, into bench/.tools/guarddog (a throwaway venv,
# git-ignored with the rest of bench/.tools). Idempotent. Needs PyPI the first time only; the benchmark
# runs GuardDog offline (see guarddog_typos.py).
set -euo pipefail
cd "$(dirname "$0")/../.."

GUARDDOG_VERSION=3.2.0
venv=bench/.tools/guarddog

if ! { [ -x "$venv/bin/pip" ] && "$venv/bin/pip" show guarddog 2>/dev/null | grep -qx "Version: $GUARDDOG_VERSION"; }; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "guarddog==$GUARDDOG_VERSION"
fi
"$venv/bin/pip" show guarddog | grep -E '^(Name|Version):'
