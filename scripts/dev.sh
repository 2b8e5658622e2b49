#!/usr/bin/env bash
# The two commands for a fresh machine (README):
#   bash scripts/dev.sh start   set up, build, and open Torbit in VS Code on a sample workspace
#   bash scripts/dev.sh test    set up, then type-check, lint and run every test suite
# Brings Node >= 22 when the machine's is older, installs the project's dependencies from its
# lockfile (sqlite3 builds from source), and, for the end-to-end suite, code-server and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-}"; shift || true
case "$what" in start|test|setup) ;; *) echo "usage: bash scripts/dev.sh start|test|setup [args]" >&2; exit 2 ;; esac

NODE_BIN="$(bash scripts/ensure-node.sh)"
export PATH="$NODE_BIN:$PATH"
# Native addons build against the headers of the Node that runs them, which the downloaded Node ships.
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$NODE_BIN/../include/node/node_api.h" ]; then
  npm_config_nodedir="$(cd "$NODE_BIN/.." && pwd)"; export npm_config_nodedir
fi
echo "dev.sh: node $(node --version), npm $(npm --version)"

stamp=node_modules/.torbit-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ] || [ ! -f node_modules/sqlite3/build/Release/node_sqlite3.node ]; then
  echo "dev.sh: installing dependencies (npm ci; sqlite3 compiles, about a minute)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

case "$what" in
  setup) echo "dev.sh: ready" ;;
  # Not through npm: its pid is then start.ts's own, and a SIGTERM to it stops all start.ts started.
  start) exec node --import tsx scripts/start.ts "$@" ;;
  test)
    npm run --silent typecheck
    npm run --silent lint
    exec npm test -- "$@"
    ;;
esac
