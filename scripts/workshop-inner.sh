#!/bin/sh
# Runs inside the sandbox made by workshop.sh. $1 = repository, $2 = throw-away project dir,
# $3 = the CDK's CLI (cdktf or cdktn).
set -eu
root=$1; work=$2; cdk=$3
mount -t tmpfs -o mode=0755 cdktf-netns-sandbox /run
mkdir -p /run/netns /run/cdktf-netns
ip link set lo up
cd "$work"
cli="$root/node_modules/.bin/$cdk"
step() { printf '\n== %s\n' "$*"; }
# run a deploy or destroy with the CDK's CLI; show its summary (or all of it when it fails)
run_cli() {
  if ! "$cli" "$1" --auto-approve workshop > "$work/$1.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$work/$1.log"; echo "workshop: $cdk $1 failed" >&2; exit 1
  fi
  n=$(cd "$work/cdktf.out/stacks/workshop" && terraform state list | wc -l)
  echo "$cdk $1: done, $n resource(s) in the Terraform state"
}

step "$cdk deploy (terraform_data backend)"
run_cli deploy
step "intents, probed at the end of the deploy"
sed 's/\x1b\[[0-9;]*m//g' "$work/deploy.log" | grep -o 'cdktf-netns: intent.*' || { echo "workshop: the deploy ran no intents" >&2; exit 1; }
echo "the plan was synthesized by $cdk $(jq -r '."//".metadata.version' "$work/cdktf.out/stacks/workshop/cdk.tf.json") on Node $(node --version)"
step "namespaces"; ip netns list
for ns in sales router dev; do step "$ns"; ip -n "$ns" -br addr; ip -n "$ns" route; done
step "router forwarding: $(ip netns exec router cat /proc/sys/net/ipv4/ip_forward)"
step "ping sales -> dev"; ip netns exec sales ping -c 3 -W 2 172.16.20.10
step "ping dev -> sales"; ip netns exec dev ping -c 3 -W 2 172.16.10.10
step "traceroute sales -> dev"; ip netns exec sales traceroute -n -w 1 -q 1 -m 5 172.16.20.10 | tee "$work/trace"
hop1=$(awk '$1 == 1 { print $2 }' "$work/trace")
[ "$hop1" = 172.16.10.1 ] || { echo "workshop: first hop is '$hop1', expected the router 172.16.10.1" >&2; exit 1; }
if [ "${WORKSHOP_SHELL:-}" = 1 ] && [ -t 0 ]; then
  step "a shell inside the sandbox (exit to destroy)"; sh -i || true
fi
step "$cdk destroy"
run_cli destroy
left=$(ip netns list; ip -o link show | grep -v ': lo:' || true)
[ -z "$left" ] || { echo "workshop: left behind after destroy:"; echo "$left"; exit 1; }
step "workshop OK: deployed, sales reached dev through the router (first hop 172.16.10.1), destroyed, nothing left"
