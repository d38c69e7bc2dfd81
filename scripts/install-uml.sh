#!/usr/bin/env bash
# scripts/install-uml.sh — idempotently install what scripts/uml-run.sh (the
# VLAN-capable User-Mode Linux test kernel) needs, on Debian 12 as root.
#
#   user-mode-linux  /usr/bin/linux.uml (Linux 6.1) + its modules in
#                    /usr/lib/uml/modules/<ver>: 8021q, bridge, veth, dummy,
#                    vxlan, overlay ...
#   kmod             insmod/modprobe, used inside the guest
#   iproute2         ip, bridge  (run inside the guest from the host's /)
#   iputils-ping     ping        (ditto; used by e2e checks)
#   procps           ps (the harness waits for UML's process group to vanish)
#   coreutils/util-linux (timeout, chroot, setsid, mount) are essential in
#   Debian and always present.
#
# Runs `apt-get update` only when a package is missing and cannot be found in
# the current package lists. Exits 0 when everything is present. Safe to run
# repeatedly; does nothing (and needs no network) when all is installed.
set -euo pipefail

pkgs=(user-mode-linux kmod iproute2 iputils-ping procps)

missing=()
for p in "${pkgs[@]}"; do
  # dpkg-query prints "install ok installed" for an installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-uml: all present (${pkgs[*]})"
else
  echo "install-uml: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then echo "install-uml: must run as root" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  # Update the lists only if some missing package has no install candidate.
  need_update=0
  for p in "${missing[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; fi
  done
  if [ "$need_update" = 1 ]; then apt-get update -q; fi
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Sanity: the pieces uml-run.sh relies on.
[ -x /usr/bin/linux.uml ] || { echo "install-uml: /usr/bin/linux.uml missing after install" >&2; exit 1; }
ver=$(ls -1 /usr/lib/uml/modules | head -n1)
for m in net/8021q/8021q.ko net/bridge/bridge.ko drivers/net/veth.ko drivers/net/dummy.ko fs/overlayfs/overlay.ko; do
  [ -f "/usr/lib/uml/modules/$ver/kernel/$m" ] || { echo "install-uml: UML module $m missing" >&2; exit 1; }
done
echo "install-uml: ok (UML kernel $ver)"
