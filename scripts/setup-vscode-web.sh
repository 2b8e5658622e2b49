#!/usr/bin/env bash
# Installs what the end-to-end suite needs to run Torbit in a real VS Code: code-server (VS Code's
# own workbench and Node extension host, from npm) and Debian's Chromium. Idempotent, cached
# outside the repo. Prints KEY=VALUE lines: NODE24, CODE_SERVER_ENTRY, CHROMIUM.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CACHE="${TORBIT_CACHE:-$HOME/.cache/torbit}"
CS_VERSION="${TORBIT_CODE_SERVER_VERSION:-4.139.1}"   # bundles VS Code 1.139.1; runs on Node 24
NODE_BIN="$(TORBIT_FORCE_NODE_DOWNLOAD=1 bash "$here/ensure-node.sh")"   # code-server wants exactly 24
NODE_DIR="$(dirname "$NODE_BIN")"

if ! command -v chromium >/dev/null || ! [ -e /usr/include/gssapi/gssapi.h ]; then
  echo "setup-vscode-web: installing chromium and libkrb5-dev (Debian)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium libkrb5-dev >&2
fi

CS_DIR="$CACHE/code-server-$CS_VERSION"
ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if ! [ -f "$ENTRY" ] || ! [ -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules/kerberos/build" ]; then
  echo "setup-vscode-web: installing code-server $CS_VERSION into $CS_DIR (a few minutes)" >&2
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  # npm 11 runs install scripts only for packages named here; native addons build against Node 24.
  echo '{"private":true,"allowScripts":{"code-server":true,"argon2":true}}' > "$CS_DIR/package.json"
  (cd "$CS_DIR" && PATH="$NODE_BIN:$PATH" npm_config_nodedir="$NODE_DIR" \
    npm install --no-audit --no-fund "code-server@$CS_VERSION" >&2)
fi
echo "NODE24=$NODE_BIN/node"
echo "CODE_SERVER_ENTRY=$ENTRY"
echo "CHROMIUM=$(command -v chromium)"
