#!/usr/bin/env bash
# Benchmarks pyward against osv-scanner and pip-audit on the same inputs and advisories.
#   bash bench/setup.sh && bash bench/run.sh [--runs N] [--pip-audit-runs N]
# Writes bench/out/results.json and bench/out/results.md. BENCH_NO_BUILD=1 skips `npm run build`.
#
# When it can (root, or unprivileged user namespaces), the whole run happens in a fresh network
# namespace whose only interface is loopback: no tool can reach anything but 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
node=node_modules/node/bin/node
[ -x "$node" ] || { echo "bench: run \`npm ci\` first (the project's Node 24 is not installed)" >&2; exit 2; }

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  npm run --silent build
fi

if [ "${BENCH_NETNS:-}" != 1 ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
  netns=(unshare -n)
  [ "$(id -u)" = 0 ] || netns=(unshare -rn)
  if "${netns[@]}" true 2>/dev/null; then
    exec "${netns[@]}" env BENCH_NETNS=1 bash -c 'ip link set lo up && exec "$0" bench/run.mjs "$@"' "$node" "$@"
  fi
fi
echo "bench: no network namespace available; running on the host network (all tools run offline or against 127.0.0.1)" >&2
exec "$node" bench/run.mjs "$@"
