#!/bin/sh
# Deploy the tutorial's workshop lab (sales / router / dev) with the real cdktf CLI,
# show it working (ping, traceroute), then destroy it.
# WORKSHOP_CDK=cdktn (npm run workshop:cdktn) does the same with CDK Terrain: the
# cdktn CLI deploying examples/cdktn-workshop, a cdktn app using cdktf-netns/cdktn.
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
cdk=${WORKSHOP_CDK:-cdktf}
case $cdk in
  cdktf) app="$root/node_modules/.bin/ts-node --project $root/tsconfig.json $root/examples/workshop/main.ts" ;;
  # the app imports cdktf-netns/cdktn by the package's own name (Node resolves it to
  # dist/cdktn through package.json's exports; its types are checked by test/e2e/pack.test.ts)
  cdktn) app="$root/node_modules/.bin/ts-node --transpile-only --project $root/tsconfig.json $root/examples/cdktn-workshop/main.ts"
    [ -f "$root/dist/cdktn/index.js" ] || { echo "workshop: the cdktn entry point is not built: run 'npm ci' (or 'npm run build') first" >&2; exit 1; } ;;
  *) echo "workshop: WORKSHOP_CDK is '$cdk'; set it to cdktf (the default) or cdktn" >&2; exit 1 ;;
esac
[ -x "$root/node_modules/.bin/$cdk" ] || { echo "workshop: run 'npm ci' first (no $cdk CLI in node_modules/.bin)" >&2; exit 1; }
# the cdktn CLI needs Node >= 22.19 (fetched from the npm registry when this one is older,
# before the sandbox: it has no network); the app it starts runs on that Node too
if [ "$cdk" = cdktn ]; then node_dir=$(sh "$root/scripts/cdktn-node.sh"); PATH="$node_dir:$PATH"; export PATH; fi

# a throw-away cdktf project whose app is the workshop example: state and cdktf.out live
# there, so an interrupted run never leaves a stale state file in the repository
work=$(mktemp -d /tmp/cdktf-netns-workshop.XXXXXX)
[ -n "${WORKSHOP_KEEP_LOGS:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM
cat > "$work/cdktf.json" <<JSON
{
  "language": "typescript",
  "app": "$app",
  "projectId": "cdktf-netns-workshop",
  "sendCrashReports": "false",
  "context": { "cdktf-netns:backend": "terraform_data" }
}
JSON
: > "$work/terraformrc"
export CHECKPOINT_DISABLE=1 CDKTF_DISABLE_PLUGIN_CACHE_ENV=1 TF_IN_AUTOMATION=1 CI="${CI:-1}" TF_CLI_CONFIG_FILE="$work/terraformrc"
rc=0
unshare --net --mount --propagation private -- sh "$root/scripts/workshop-inner.sh" "$root" "$work" "$cdk" || rc=$?
exit "$rc"
