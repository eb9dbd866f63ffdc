#!/usr/bin/env bash
# Downloads the benign corpus of the inspect benchmark with pip: for every project of
# bench/inspect/benign-projects.txt its wheel (`--only-binary :all:`, the one pip picks for this
# machine) and its sdist (`--no-binary :all:`), into bench/.tools/corpus/{wheels,sdists}
# (git-ignored). Then Debian's python3-* binary packages, unpacked with dpkg-deb (see
# fetch-debian.sh). Idempotent: a project already fetched is skipped. Needs PyPI; nothing here
# installs or imports what it downloads.
#
# `pip download` of an sdist also prepares its metadata, which for a Rust or C++ project means
# building the backend first (pydantic-core took 9 minutes). With --no-build-isolation pip fails fast
# instead when the backend is missing, and the file pip chose is then fetched from the URL in pip's
# own log (files.pythonhosted.org over HTTPS). The file is pip's choice either way.
#
# Usage: bash bench/inspect/fetch-benign.sh [--jobs N] [--limit N]
set -euo pipefail
cd "$(dirname "$0")/../.."

jobs=3
limit=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

root=bench/.tools/corpus
mkdir -p "$root/wheels" "$root/sdists" "$root/logs" "$root/done"

fetch_one() {
  local spec=$1 root=bench/.tools/corpus
  local name=${spec%%==*}
  local tmp
  tmp=$(mktemp -d)
  # Wheel: no build step, pip only downloads.
  if [ ! -e "$root/done/$name.wheel" ]; then
    if timeout 600 pip download --quiet --no-deps --only-binary :all: --disable-pip-version-check "$spec" -d "$tmp/w" \
      >"$root/logs/$name.wheel.log" 2>&1; then
      mv "$tmp"/w/* "$root/wheels/" 2>/dev/null || true
      echo ok >"$root/done/$name.wheel"
    else
      echo none >"$root/done/$name.wheel"
    fi
  fi
  if [ ! -e "$root/done/$name.sdist" ]; then
    timeout 300 pip download --no-deps --no-binary :all: --no-build-isolation --disable-pip-version-check \
      --log "$tmp/pip.log" "$spec" -d "$tmp/s" >"$root/logs/$name.sdist.log" 2>&1 || true
    if compgen -G "$tmp/s/*" >/dev/null; then
      mv "$tmp"/s/* "$root/sdists/"
      echo ok >"$root/done/$name.sdist"
    else
      # pip chose a file, then failed to prepare its metadata: fetch that same file.
      local file url
      file=$(grep -oE 'Downloading [^ ]+\.(tar\.gz|zip|tgz|tar\.bz2)' "$root/logs/$name.sdist.log" | head -1 | cut -d' ' -f2 || true)
      if [ -n "$file" ]; then
        url=$(grep -oE "https://files\.pythonhosted\.org/[^ \"'<>#]*/$file" "$tmp/pip.log" | head -1 || true)
        if [ -n "$url" ]; then
          if curl -sSfL --max-time 300 -o "$tmp/$file" "$url"; then
            mv "$tmp/$file" "$root/sdists/"
            echo fallback >"$root/done/$name.sdist"
          fi
        fi
      fi
      [ -e "$root/done/$name.sdist" ] || echo none >"$root/done/$name.sdist"
    fi
  fi
  rm -rf "$tmp"
  echo "$spec wheel=$(cat "$root/done/$name.wheel") sdist=$(cat "$root/done/$name.sdist")"
}
export -f fetch_one

grep -v '^#' bench/inspect/benign-projects.txt | head -n "$limit" | xargs -P "$jobs" -I{} bash -c 'fetch_one "$@"' _ {}

echo "wheels: $(ls "$root/wheels" | wc -l), sdists: $(ls "$root/sdists" | wc -l)"
echo "sdists fetched from pip's URL after a failed metadata step: $(grep -l fallback "$root"/done/*.sdist 2>/dev/null | wc -l)"
