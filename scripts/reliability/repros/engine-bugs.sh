#!/bin/sh
# Minimal repros of engine bugs found by the reliability matrix (rows 2, 3, 5,
# 8, 10), at engine level (no Terraform, no synth: hand-written data files),
# each in a private sandbox (own net + mount namespaces, tmpfs on /run; nothing
# is created in this machine's own network namespace). Needs root.
#   sh scripts/reliability/repros/engine-bugs.sh [REPO_ROOT]
# Each case prints what the engine did; the last line of a case shows the bug.
ROOT=${1:-$(cd "$(dirname "$0")/../../.." && pwd)}
T=$(mktemp -d)
mkdir -p "$T/cdktf-netns/engine" "$T/cdktf-netns/kinds"
cp "$ROOT"/lib/engine/*.sh "$ROOT"/lib/engine/*.awk "$T/cdktf-netns/engine/"
cp "$ROOT"/lib/kinds/*.awk "$T/cdktf-netns/kinds/"
# data file: header, kinds table (as the library writes it), objects from stdin
data() {
  { printf '# cdktf-netns lab data v1\n#owner cdktf-netns:r/\n#lab 0123456789abcdef\n#state /run/cdktf-netns\n'
    printf 'kind ns 1 1 1\nkind nsysctl 2 2 1\nkind bridge 2 3 1\nkind veth 4 3 1,3\nkind vlan 4 4 1\nkind port 2 5 1\nkind addr 3 6 1\nkind route 3 7 1\nkind hsysctl 1 8 0\n'
    cat; } > "$T/cdktf-netns/lab.data"
}
sandbox() { # SCRIPT
  H=$(sha256sum "$T/cdktf-netns/lab.data" | cut -d' ' -f1)
  unshare --net --mount --propagation private -- sh -c 'mount -t tmpfs -o mode=0755 sb /run && mkdir -p /run/netns && cd "$1" && H=$2 &&
    apply() { sh cdktf-netns/engine/engine.sh apply cdktf-netns/lab.data "$H"; echo "  -> apply exit $?"; }
    destroy() { sh cdktf-netns/engine/engine.sh destroy /run/cdktf-netns 0123456789abcdef; echo "  -> destroy exit $?"; }
    eval "$3"' sh "$T" "$H" "$1" 2>&1 | sed 's/^/  /'
}

echo "== 1. a foreign (unmarked) namespace is adopted when a refused apply is retried, and deleted by destroy"
printf 'ns dev cdktf-netns:r/dev\n' | data
sandbox 'ip netns add dev; ip -n dev link add keepme type bridge
apply; apply; ip -n dev -o link show dev lo | grep -o "alias.*"
destroy; echo "/run/netns after destroy: [$(ls /run/netns)]"'

echo "== 1b. same for a foreign host interface: the retry deletes it ('half a pair') and makes a veth"
printf 'ns n1 cdktf-netns:r/n1\nveth n1 v1 - v1-host cdktf-netns:r/v - -\n' | data
sandbox 'ip link add v1-host type bridge; ip link show v1-host | head -1
apply; apply; echo "v1-host is now a $(ip -d -o link show v1-host | grep -o "veth\|bridge" | head -1)"'

echo "== 2. destroy after a refused apply removes the declared address from a foreign interface"
printf 'bridge - br0 cdktf-netns:r/br0 - 0\naddr - br0 192.168.100.1/24\n' | data
sandbox 'ip link add br0 type bridge; ip link set br0 alias someone-else; ip addr add 192.168.100.1/24 dev br0
apply; destroy; echo "br0 after destroy: $(ip -4 -o addr show dev br0 | grep -o "inet [^ ]*" || echo no IPv4 address)"'

echo "== 3. an address already on a foreign interface of the same namespace is assigned again (no refusal)"
printf 'bridge - br1 cdktf-netns:r/br1 - 0\naddr - br1 10.9.9.1/24\n' | data
sandbox 'ip link add conflict type bridge; ip addr add 10.9.9.1/24 dev conflict
apply; ip -4 -o addr show | grep 10.9.9.1'

echo "== 4. a killed engine run leaves its work directory in the state directory; destroy does not remove it"
printf 'ns dev cdktf-netns:r/dev\n' | data
sandbox 'mkdir -p /run/cdktf-netns/labs/0123456789abcdef
flock /run/cdktf-netns/labs/0123456789abcdef sleep 1 &
sleep 0.2; sh cdktf-netns/engine/engine.sh apply cdktf-netns/lab.data "$H" & e=$!; sleep 0.3; kill -9 $e; wait
apply >/dev/null; destroy >/dev/null; echo "after apply + destroy:"; find /run/cdktf-netns -path "*work*"'

echo "== 5. a placeholder left by a killed 'ip netns add' (a plain file under /run/netns) blocks apply, repair and destroy"
printf 'ns router cdktf-netns:r/router\nns sales cdktf-netns:r/sales\n' | data
sandbox 'mkdir -p /run/cdktf-netns/labs/0123456789abcdef && cp cdktf-netns/lab.data /run/cdktf-netns/labs/0123456789abcdef/journal
ip netns add sales; touch /run/netns/router   # what a run SIGKILLed inside its root batch leaves
apply; sh cdktf-netns/engine/engine.sh repair cdktf-netns/lab.data; echo "  -> repair exit $?"
destroy; echo "/run/netns after destroy: [$(ls /run/netns | tr "\n" " ")], lab record: [$(ls /run/cdktf-netns/labs)]"'
rm -rf "$T"
