#!/bin/sh
# Deploy the tutorial's workshop lab (sales / router / dev) with the real cdktf CLI,
# show it working (ping, traceroute), then destroy it.
#
# Safety: everything runs inside a private sandbox (a new network and mount
# namespace made by `unshare`, with a tmpfs on /run), never in this machine's
# own network namespace: the sandbox's root namespace plays the tutorial's
# "host", and the kernel frees whatever is left when the sandbox exits.
# To deploy for real on a lab VM, run `npx cdktf deploy` yourself (see README).
#
#   WORKSHOP_SHELL=1 npm run workshop   # open a shell inside the sandbox before destroying
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "workshop: needs root (it creates network namespaces inside a private sandbox)" >&2; exit 1; }
for bin in unshare ip terraform ping traceroute; do
  command -v "$bin" >/dev/null 2>&1 || { echo "workshop: '$bin' is missing (install iproute2, iputils-ping, traceroute, util-linux and Terraform >= 1.4)" >&2; exit 1; }
done
[ -x "$root/node_modules/.bin/cdktf" ] || { echo "workshop: run 'npm ci' first" >&2; exit 1; }

# a throw-away cdktf project whose app is the workshop example: state and cdktf.out live
# there, so an interrupted run never leaves a stale state file in the repository
work=$(mktemp -d /tmp/cdktf-netns-workshop.XXXXXX)
[ -n "${WORKSHOP_KEEP_LOGS:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM
cat > "$work/cdktf.json" <<JSON
{
  "language": "typescript",
  "app": "$root/node_modules/.bin/ts-node --project $root/tsconfig.json $root/examples/workshop/main.ts",
  "projectId": "cdktf-netns-workshop",
  "sendCrashReports": "false",
  "context": { "cdktf-netns:backend": "terraform_data" }
}
JSON
: > "$work/terraformrc"
export CHECKPOINT_DISABLE=1 CDKTF_DISABLE_PLUGIN_CACHE_ENV=1 TF_IN_AUTOMATION=1 CI="${CI:-1}" TF_CLI_CONFIG_FILE="$work/terraformrc"
rc=0
unshare --net --mount --propagation private -- sh "$root/scripts/workshop-inner.sh" "$root" "$work" || rc=$?
exit "$rc"
