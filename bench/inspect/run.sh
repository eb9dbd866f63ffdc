#!/usr/bin/env bash
# pyward inspect vs GuardDog: recall, false positives, throughput (see bench/inspect/run.ts).
#   bash bench/inspect/fetch-benign.sh && bash bench/inspect/fetch-debian.sh   # the corpus, once
#   bash bench/names/setup-guarddog.sh                                         # GuardDog 3.2.0, once
#   bash bench/inspect/run.sh [--limit N] [--no-guarddog] [--no-per-package] [--check-prefilter]
# Writes bench/out/inspect/results.{json,md}. BENCH_NO_BUILD=1 skips `npm run build`.
#
# Like bench/run.sh, it runs in a network namespace with only loopback when it can, so neither tool
# reaches the network (GuardDog tries to refresh its popular-package lists at start; offline it
# reports that and goes on).
set -euo pipefail
cd "$(dirname "$0")/../.."
node=node_modules/node/bin/node
[ -x "$node" ] || { echo "bench: run \`npm ci\` first (the project's Node 24 is not installed)" >&2; exit 2; }
[ "${BENCH_NO_BUILD:-0}" = 1 ] || npm run --silent build

if [ "${BENCH_NETNS:-}" != 1 ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
  netns=(unshare -n)
  [ "$(id -u)" = 0 ] || netns=(unshare -rn)
  if "${netns[@]}" true 2>/dev/null; then
    exec "${netns[@]}" env BENCH_NETNS=1 bash -c 'ip link set lo up && exec "$0" --import ./bench/ts-imports.mjs bench/inspect/run.ts "$@"' "$node" "$@"
  fi
fi
echo "bench: no network namespace available; running on the host network" >&2
exec "$node" --import ./bench/ts-imports.mjs bench/inspect/run.ts "$@"
