#!/bin/sh
# Prints the directory of a Node.js that can run the cdktn CLI (cdktn-cli 0.24 needs
# Node >= 22.19: on Node 20 it crashes on a missing markAsUncloneable). The machine's
# own node when it is new enough; otherwise Node 22 from the npm registry (the
# node-linux-<arch> package), installed once into node_modules/.cache of this repository.
# The cdktf-netns library itself runs on Node >= 18: only the cdktn CLI needs this.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
NODE22=22.23.5
if node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)' 2>/dev/null; then
  dirname "$(command -v node)"; exit 0
fi
case $(uname -m) in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "cdktn-node: no Node 22 package for $(uname -m) on npm; install Node >= 22.19 to use the cdktn CLI" >&2; exit 1 ;;
esac
dir="$root/node_modules/.cache/cdktf-netns-node$NODE22"
if [ ! -x "$dir/node_modules/node-linux-$arch/bin/node" ]; then
  echo "cdktn-node: Node $(node --version) is too old for the cdktn CLI; installing Node $NODE22 (npm package node-linux-$arch) into $dir" >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --silent "node-linux-$arch@$NODE22" >&2
fi
echo "$dir/node_modules/node-linux-$arch/bin"
