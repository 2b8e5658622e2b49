#!/usr/bin/env bash
# Provisions the browser suites, idempotent and cached outside the repo:
#   setup-vscode-web.sh chromium   Chromium only (the webview suite)
#   setup-vscode-web.sh            Chromium and code-server (VS Code's own workbench and Node
#                                  extension host, from npm): the end-to-end suite and `npm start`
# Chromium is TORBIT_CHROMIUM when set (it must exist), else Debian's, installed when missing.
# Prints KEY=VALUE lines: CHROMIUM, and without `chromium` also NODE24 and CODE_SERVER_ENTRY.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
what="${1:-all}"
case "$what" in chromium|all) ;; *) echo "usage: setup-vscode-web.sh [chromium|all]" >&2; exit 2 ;; esac
CACHE="${TORBIT_CACHE:-$HOME/.cache/torbit}"
CS_VERSION="${TORBIT_CODE_SERVER_VERSION:-4.139.1}"   # bundles VS Code 1.139.1; runs on Node 24

# The Debian packages this run needs and lacks: chromium (unless TORBIT_CHROMIUM names one), and
# for code-server the Kerberos headers its native addon builds against.
packages=()
if [ -n "${TORBIT_CHROMIUM:-}" ]; then
  if ! [ -x "$TORBIT_CHROMIUM" ]; then echo "setup-vscode-web: TORBIT_CHROMIUM=$TORBIT_CHROMIUM is not an executable file" >&2; exit 1; fi
elif ! command -v chromium >/dev/null; then packages+=(chromium); fi
if [ "$what" = all ] && ! [ -e /usr/include/gssapi/gssapi.h ]; then packages+=(libkrb5-dev); fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "setup-vscode-web: installing ${packages[*]} (Debian)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >&2
fi
echo "CHROMIUM=${TORBIT_CHROMIUM:-$(command -v chromium)}"
[ "$what" = chromium ] && exit 0

NODE_BIN="$(TORBIT_FORCE_NODE_DOWNLOAD=1 bash "$here/ensure-node.sh")"   # code-server wants exactly 24
NODE_DIR="$(dirname "$NODE_BIN")"
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
