#!/usr/bin/env bash
# Installs pypi-attestations (the peer) and downloads the real distributions whose attestations are in
# ../shared/vectors/provenance/pypi-attestations, into bench/.tools (git-ignored). Needs PyPI once.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x bench/.tools/pa/bin/pypi-attestations ] || { python3 -m venv bench/.tools/pa && bench/.tools/pa/bin/pip install -q pypi-attestations; }
mkdir -p bench/.tools/verify-dists && cd bench/.tools/verify-dists
pip download -q --no-deps --no-binary :all: pypi-attestations==0.0.19
pip download -q --no-deps --no-binary :all: pypi-attestation-models==0.0.4a2
pip download -q --no-deps --only-binary :all: rfc8785==0.1.2
sha256sum ./*
