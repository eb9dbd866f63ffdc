#!/usr/bin/env bash
# Regenerates the real lockfile input, bench/inputs/webapp/uv.lock, with the real uv (the version
# bench/setup.sh pins) resolving against PyPI, and its pylock.toml export (the same packages, for
# pip-audit, which cannot read uv.lock). pyproject.toml's `exclude-newer` freezes the resolution at
# a date, so a rerun produces the same files. Needs PyPI; the benchmark itself does not.
set -euo pipefail
cd "$(dirname "$0")/inputs/webapp"
uv=../../.tools/venv/bin/uv
[ -x "$uv" ] || { echo "run bash bench/setup.sh first" >&2; exit 2; }
rm -f uv.lock pylock.toml
"$uv" lock --python 3.11
"$uv" export --frozen --all-groups --format pylock.toml -o pylock.toml >/dev/null
echo "$(grep -c '^\[\[package\]\]' uv.lock) packages in uv.lock (with the project itself), $(grep -c '^\[\[packages\]\]' pylock.toml) in pylock.toml"
