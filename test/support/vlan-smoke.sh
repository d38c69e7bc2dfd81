#!/usr/bin/env bash
# test/support/vlan-smoke.sh — proves the UML guest has what cdktf-netns needs.
# Run it INSIDE the guest only (it refuses to run anywhere else):
#   scripts/uml-run.sh --workdir "$(mktemp -d)" -- bash "$PWD/test/support/vlan-smoke.sh"
# Checks: netns + veth + 802.1Q sub-interfaces + ping across VLAN 10;
# a vlan_filtering bridge with `bridge vlan add`; terraform init/apply of a
# trivial terraform_data + local-exec config (timed).
set -euo pipefail
[ "${UML_RUN:-}" = 1 ] && [ "$(hostname)" = uml ] || { echo "vlan-smoke: refusing to run outside the UML guest" >&2; exit 2; }
t() { local s=$EPOCHREALTIME; "$@"; local e=$EPOCHREALTIME; printf 'TIME %-40s %6d ms\n' "$*" $(( (${e/./} - ${s/./}) / 1000 )) | cut -c1-80 >&2; }

echo "== kernel $(uname -r)"
# --- two namespaces, veth pair, VLAN 10 on both ends, ping --------------------
ip netns add ns-a
ip netns add ns-b
ip link add veth-a type veth peer name veth-b
ip link set veth-a netns ns-a
ip link set veth-b netns ns-b
ip -n ns-a link add link veth-a name veth-a.10 type vlan id 10
ip -n ns-b link add link veth-b name veth-b.10 type vlan id 10
ip -n ns-a addr add 10.0.10.1/24 dev veth-a.10
ip -n ns-b addr add 10.0.10.2/24 dev veth-b.10
for ns in ns-a ns-b; do ip -n $ns link set lo up; done
ip -n ns-a link set veth-a up; ip -n ns-a link set veth-a.10 up
ip -n ns-b link set veth-b up; ip -n ns-b link set veth-b.10 up
ip -n ns-a -d link show veth-a.10 | grep -o 'vlan protocol 802.1Q id 10'
t ip netns exec ns-a ping -c 3 -i 0.2 -W 2 10.0.10.2
# --- bridge with VLAN filtering --------------------------------------------------
ip link add br0 type bridge vlan_filtering 1
ip link add d0 type dummy
ip link set d0 master br0
bridge vlan add dev d0 vid 10 pvid untagged
bridge vlan add dev d0 vid 20
echo "vlan_filtering=$(cat /sys/class/net/br0/bridge/vlan_filtering)"
bridge vlan show dev d0
# --- terraform ---------------------------------------------------------------------
t terraform version
mkdir -p tf && cd tf
cat > main.tf <<'TF'
resource "terraform_data" "hello" {
  input = "vlan"
  provisioner "local-exec" {
    command = "ip netns list > provisioner-saw.txt 2>&1; echo hello-from-local-exec"
  }
}
TF
t terraform init -input=false -no-color
t terraform apply -auto-approve -input=false -no-color
echo "provisioner saw netns: $(tr "\n" " " < provisioner-saw.txt)"
t terraform destroy -auto-approve -input=false -no-color
echo "SMOKE OK"
