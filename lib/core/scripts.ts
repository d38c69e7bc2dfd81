/**
 * The shell side of the library: one shared prelude of POSIX sh functions and
 * one constant script per object kind and action. Scripts never contain user
 * data: every value arrives in an environment variable that Terraform fills
 * from the resource's own triggers (`self.*`), so nothing a user wrote is ever
 * parsed by the shell, and destroy-time provisioners only reference `self`.
 *
 * Scripts avoid `${` and `%{` entirely (Terraform would interpolate them);
 * `terraformEscape` is still applied to everything written into the plan.
 *
 * Conventions: NS is a namespace name, "" meaning the host (root) namespace.
 * MARKER is the owning construct's marker; CLAIM names a claim file written
 * before an object is created and removed once it carries its marker, so an
 * apply killed in between can adopt the unmarked object on the next run.
 */

/** Routes created by cdktf-netns carry this protocol number (see `ip route ... proto`). */
export const ROUTE_PROTO = 213;

export const PRELUDE = String.raw`set -eu
die() { printf 'cdktf-netns: %s\n' "$*" >&2; exit 1; }
warn() { printf 'cdktf-netns: %s\n' "$*" >&2; }
ipn() { _n=$1; shift; if [ -n "$_n" ]; then ip -n "$_n" "$@"; else ip "$@"; fi; }
where() { if [ -n "$1" ]; then printf "namespace '%s'" "$1"; else printf 'the host namespace'; fi; }
ns_present() { [ -z "$1" ] || [ -e "/run/netns/$1" ]; }
need_ns() { ns_present "$1" || die "namespace '$1' does not exist (its Namespace resource has not been created, or was deleted by hand: run the apply again to repair)"; }
link_present() { ns_present "$1" && ipn "$1" link show dev "$2" >/dev/null 2>&1; }
link_alias() { ipn "$1" -o link show dev "$2" 2>/dev/null | sed -n 's/.*\\ *alias \(.*\)$/\1/p'; }
claim() { mkdir -p "$STATE_DIR/claims"; printf '%s\n' "$MARKER" > "$STATE_DIR/claims/$CLAIM"; }
unclaim() { rm -f "$STATE_DIR/claims/$CLAIM" "$STATE_DIR/claims/$CLAIM.ns"; }
claimed() { [ -f "$STATE_DIR/claims/$CLAIM" ] && [ "$(cat "$STATE_DIR/claims/$CLAIM")" = "$MARKER" ]; }
owned() { _a=$(link_alias "$1" "$2"); [ "$_a" = "$MARKER" ] || { [ -z "$_a" ] && claimed; }; }
foreign() { die "$3 '$2' already exists in $(where "$1") and is not owned by $MARKER (its marker: '$(link_alias "$1" "$2")'). cdktf-netns never adopts or deletes objects it did not create: remove it by hand, or give this object another name (or set a cdktf-netns:prefix)"; }
ensure_link() { _ns=$1; _if=$2; shift 2
  if link_present "$_ns" "$_if"; then owned "$_ns" "$_if" || foreign "$_ns" "$_if" interface
  else claim; "$@"; fi
  ipn "$_ns" link set dev "$_if" alias "$MARKER"; }
bn() { _n=$1; shift; if [ -n "$_n" ]; then bridge -n "$_n" "$@"; else bridge "$@"; fi; }
port_vlans() { _ns=$1; _if=$2; shift 2; [ $# -gt 0 ] || return 0
  bn "$_ns" vlan del dev "$_if" vid 1 2>/dev/null || true
  for _v in "$@"; do
    _id=$(printf %s "$_v" | tr -d ptu)
    case "$_v" in
      p*u) bn "$_ns" vlan add dev "$_if" vid "$_id" pvid untagged ;;
      p*) bn "$_ns" vlan add dev "$_if" vid "$_id" pvid ;;
      t*) bn "$_ns" vlan add dev "$_if" vid "$_id" ;;
    esac || die "cannot set VLAN $_id on bridge port '$_if' in $(where "$_ns")"
  done; }
finish_link() { _ns=$1; _if=$2
  if [ -n "$3" ]; then ipn "$_ns" link set dev "$_if" mtu "$3"; fi
  if [ -n "$4" ]; then link_present "$_ns" "$4" || die "bridge '$4' does not exist in $(where "$_ns")"; ipn "$_ns" link set dev "$_if" master "$4"; fi
  port_vlans "$_ns" "$_if" $5
  ipn "$_ns" link set dev "$_if" up; }
del_link() { link_present "$1" "$2" || return 0
  if owned "$1" "$2"; then ipn "$1" link del dev "$2" 2>/dev/null || ! link_present "$1" "$2" || die "cannot delete interface '$2' in $(where "$1")"
  else warn "interface '$2' in $(where "$1") is not owned by $MARKER: left in place"; fi; }
sysctl_path() { printf '/proc/sys/%s' "$(printf '%s' "$1" | tr . /)"; }
kv_key() { printf %s "$1" | cut -d= -f1; }
kv_value() { printf %s "$1" | cut -d= -f2-; }
release_sysctl() { _d="$STATE_DIR/sysctl/$1"; rm -f "$_d/owner.$2"
  set -- "$_d"/owner.*
  if [ ! -e "$1" ]; then
    if [ -f "$_d/orig" ]; then cat "$_d/orig" > "$(sysctl_path "$(basename "$_d")")"; fi
    rm -rf "$_d"
  fi; }
`;

export const NAMESPACE_CREATE = String.raw`
if [ -e "/run/netns/$NS" ] && ! ip -n "$NS" link show dev lo >/dev/null 2>&1; then
  # a placeholder left by an interrupted 'ip netns add': remove it if it was ours
  claimed || die "/run/netns/$NS exists but is not a usable network namespace, and cdktf-netns did not create it: remove it (ip netns del $NS) and apply again"
  ip netns del "$NS" 2>/dev/null || rm -f "/run/netns/$NS"
fi
if [ -e "/run/netns/$NS" ]; then
  owned "$NS" lo || foreign "$NS" lo "namespace (its lo)"
else
  claim
  printf '%s\n' "$NS" > "$STATE_DIR/claims/$CLAIM.ns"
  ip netns add "$NS"
fi
ip -n "$NS" link set dev lo alias "$MARKER"
unclaim
ip -n "$NS" link set dev lo up
for kv in $SYSCTLS; do
  ip netns exec "$NS" sh -c 'printf %s "$2" > "$1"' sh "$(sysctl_path "$(kv_key "$kv")")" "$(kv_value "$kv")" ||
    die "cannot set sysctl $kv in namespace '$NS'"
done
`;

export const NAMESPACE_DESTROY = String.raw`
if [ -e "/run/netns/$NS" ]; then
  if owned "$NS" lo; then ip netns del "$NS"; else warn "namespace '$NS' is not owned by $MARKER: left in place"; fi
fi
unclaim
`;

export const VETH_CREATE = String.raw`
need_ns "$NS_A"; need_ns "$NS_B"
if link_present "$NS_A" "$IF_A" && ! link_present "$NS_B" "$IF_B"; then
  owned "$NS_A" "$IF_A" || foreign "$NS_A" "$IF_A" interface
  ipn "$NS_A" link del dev "$IF_A"
fi
if link_present "$NS_B" "$IF_B" && ! link_present "$NS_A" "$IF_A"; then
  owned "$NS_B" "$IF_B" || foreign "$NS_B" "$IF_B" interface
  ipn "$NS_B" link del dev "$IF_B"
fi
if link_present "$NS_A" "$IF_A"; then
  owned "$NS_A" "$IF_A" || foreign "$NS_A" "$IF_A" interface
  owned "$NS_B" "$IF_B" || foreign "$NS_B" "$IF_B" interface
else
  claim
  if [ -n "$NS_B" ]; then ipn "$NS_A" link add "$IF_A" type veth peer name "$IF_B" netns "$NS_B"
  elif [ -n "$NS_A" ]; then ip link add "$IF_B" type veth peer name "$IF_A" netns "$NS_A"
  else ip link add "$IF_A" type veth peer name "$IF_B"; fi
fi
ipn "$NS_A" link set dev "$IF_A" alias "$MARKER"
ipn "$NS_B" link set dev "$IF_B" alias "$MARKER"
unclaim
finish_link "$NS_A" "$IF_A" "$MTU_A" "$MASTER_A" "$MASTER_A_VLANS"
finish_link "$NS_B" "$IF_B" "$MTU_B" "$MASTER_B" "$MASTER_B_VLANS"
`;

export const VETH_DESTROY = String.raw`
del_link "$NS_A" "$IF_A"
del_link "$NS_B" "$IF_B"
unclaim
`;

export const BRIDGE_CREATE = String.raw`
need_ns "$NS"
ensure_link "$NS" "$IF" ipn "$NS" link add name "$IF" type bridge
unclaim
if [ "$VLAN_FILTERING" = 1 ]; then
  if ! out=$(ipn "$NS" link set dev "$IF" type bridge vlan_filtering 1 2>&1); then
    die "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), so bridge '$IF' cannot filter VLANs. Kernel said: $out"
  fi
fi
finish_link "$NS" "$IF" "$MTU" "" ""
`;

export const LINK_DESTROY = String.raw`
del_link "$NS" "$IF"
unclaim
`;

export const VLAN_CREATE = String.raw`
need_ns "$NS"
link_present "$NS" "$PARENT" || die "parent interface '$PARENT' of VLAN interface '$IF' does not exist in $(where "$NS")"
add_vlan() {
  if ! out=$(ipn "$NS" link add link "$PARENT" name "$IF" type vlan id "$VID" 2>&1); then
    case "$out" in
      *"Unknown device type"*|*"not supported"*|*"Not supported"*)
        die "this kernel has no 802.1Q VLAN support (module 8021q missing or not loadable: try 'modprobe 8021q'), so VLAN interface '$IF' (id $VID on '$PARENT') cannot be created. Kernel said: $out" ;;
      *) die "cannot create VLAN interface '$IF': $out" ;;
    esac
  fi
}
ensure_link "$NS" "$IF" add_vlan
unclaim
finish_link "$NS" "$IF" "$MTU" "$MASTER" "$MASTER_VLANS"
`;

export const ADDR_CREATE = String.raw`
need_ns "$NS"
link_present "$NS" "$IF" || die "interface '$IF' does not exist in $(where "$NS")"
[ "$(link_alias "$NS" "$IF")" = "$MARKER" ] || die "interface '$IF' in $(where "$NS") is not owned by $MARKER: refusing to change its addresses"
for a in $ADDRS; do
  ip=$(printf %s "$a" | cut -d/ -f1)
  other=$(ipn "$NS" -o addr show | awk -v ip="$ip/" -v dev="$IF" 'index($4, ip) == 1 && $2 != dev { print $2 }')
  [ -z "$other" ] || die "address $ip is already assigned to interface '$other' in $(where "$NS"); remove it there or choose another address for '$IF'"
  case "$a" in *:*) ipn "$NS" addr replace "$a" dev "$IF" nodad ;; *) ipn "$NS" addr replace "$a" dev "$IF" ;; esac
done
`;

export const ADDR_DESTROY = String.raw`
if link_present "$NS" "$IF" && [ "$(link_alias "$NS" "$IF")" = "$MARKER" ]; then
  for a in $ADDRS; do ipn "$NS" addr del "$a" dev "$IF" 2>/dev/null || true; done
fi
`;

export const ROUTE_CREATE = String.raw`
need_ns "$NS"
cur=$(ipn "$NS" "-$FAMILY" route show exact "$DEST")
if [ -n "$cur" ]; then
  case "$cur" in
    *"proto 213"*) ipn "$NS" "-$FAMILY" route replace "$DEST" via "$VIA" proto 213 ;;
    *) die "a route to $DEST already exists in $(where "$NS") and was not made by cdktf-netns: $cur. Delete it (ip route del $DEST) or drop this Route" ;;
  esac
else
  ipn "$NS" "-$FAMILY" route add "$DEST" via "$VIA" proto 213 ||
    die "cannot add route to $DEST via $VIA in $(where "$NS"): is $VIA on a connected subnet with its interface up?"
fi
if [ -z "$NS" ]; then mkdir -p "$STATE_DIR/host-routes"; printf '%s %s %s\n' "$MARKER" "$FAMILY" "$DEST" > "$STATE_DIR/host-routes/$CLAIM"; fi
`;

export const ROUTE_DESTROY = String.raw`
if ns_present "$NS"; then
  case "$(ipn "$NS" "-$FAMILY" route show exact "$DEST")" in
    *"proto 213"*) ipn "$NS" "-$FAMILY" route del "$DEST" proto 213 2>/dev/null || true ;;
  esac
fi
rm -f "$STATE_DIR/host-routes/$CLAIM"
`;

export const HOST_SYSCTL_CREATE = String.raw`
d="$STATE_DIR/sysctl/$KEY"
p=$(sysctl_path "$KEY")
[ -w "$p" ] || die "host sysctl $KEY ($p) does not exist or is not writable"
mkdir -p "$d"
if [ ! -f "$d/orig" ]; then cat "$p" > "$d/orig.tmp"; mv "$d/orig.tmp" "$d/orig"; fi
printf '%s\n' "$MARKER" > "$d/owner.$CLAIM"
printf '%s\n' "$VALUE" > "$p"
`;

export const HOST_SYSCTL_DESTROY = String.raw`
release_sysctl "$KEY" "$CLAIM"
`;

/**
 * The sweep: remove every object that carries this stack's OWNER prefix but is
 * not in INVENTORY. With the full inventory it prunes what was removed from the
 * code; with an empty inventory it tears down whatever the stack still owns.
 * Inventory lines: `ns NAME MARKER`, `link NS IF MARKER`, `addr NS IF CIDR`,
 * `route NS FAMILY DEST`, `sysctl KEY ID`, `hostroute ID` (NS "-" = host).
 */
export const SWEEP = String.raw`
DRY_RUN=$(printenv DRY_RUN || echo 0)
act() { if [ "$DRY_RUN" = 1 ]; then return 0; fi; "$@"; }
inv=$(mktemp)
trap 'rm -f "$inv"' EXIT
printf '%s\n' "$INVENTORY" > "$inv"
declared() { grep -qxF -- "$*" "$inv"; }
mine() { case "$1" in "$OWNER"*) return 0 ;; esac; return 1; }
removed=0
gone() { removed=$((removed + 1))
  if [ "$DRY_RUN" = 1 ]; then printf 'drift: not declared but owned by this stack: %s\n' "$*"; else printf 'cdktf-netns: sweep: removed %s\n' "$*" >&2; fi; }
# 1. namespaces
ours=""
for n in $(ls /run/netns 2>/dev/null); do
  a=$(link_alias "$n" lo)
  mine "$a" || continue
  if declared "ns $n $a"; then ours="$ours $n"; else act ip netns del "$n" && gone "namespace $n"; fi
done
# 2. links (host namespace and our namespaces), 3. their stray addresses, 4. our routes
for n in - $ours; do
  ns=$n; [ "$ns" != - ] || ns=""
  ipn "$ns" -o link show 2>/dev/null | sed -n 's/^[0-9]*: \([^:@]*\)[:@].*\\ *alias \(.*\)$/\1 \2/p' > "$inv.links" || true
  while read -r ifn a; do
    [ "$ifn" != lo ] || continue # a namespace's lo carries the namespace's marker
    mine "$a" || continue
    if declared "link $n $ifn $a"; then
      ipn "$ns" -o addr show dev "$ifn" scope global 2>/dev/null | awk '{print $4}' > "$inv.addrs" || true
      while read -r cidr; do
        declared "addr $n $ifn $cidr" || { act ipn "$ns" addr del "$cidr" dev "$ifn" 2>/dev/null && gone "address $cidr on $ifn"; } || true
      done < "$inv.addrs"
    else
      act ipn "$ns" link del dev "$ifn" 2>/dev/null && gone "interface $ifn" || true
    fi
  done < "$inv.links"
  if [ -n "$ns" ]; then
    for fam in 4 6; do
      ipn "$ns" "-$fam" route show proto 213 2>/dev/null | awk '{print $1}' > "$inv.routes" || true
      while read -r dest; do
        declared "route $n $fam $dest" || { act ipn "$ns" "-$fam" route del "$dest" proto 213 2>/dev/null && gone "route $dest in $n"; } || true
      done < "$inv.routes"
    done
  fi
done
rm -f "$inv.links" "$inv.addrs" "$inv.routes"
# 5. host routes and host sysctls are recorded in the state directory
for f in "$STATE_DIR"/host-routes/*; do
  [ -f "$f" ] || continue
  read -r m fam dest < "$f" || true
  mine "$m" || continue
  id=$(basename "$f")
  declared "hostroute $id" && continue
  case "$(ip "-$fam" route show exact "$dest")" in *"proto 213"*) act ip "-$fam" route del "$dest" proto 213 2>/dev/null && gone "host route $dest" || true ;; esac
  act rm -f "$f"
done
for f in "$STATE_DIR"/sysctl/*/owner.*; do
  [ -f "$f" ] || continue
  mine "$(cat "$f")" || continue
  key=$(basename "$(dirname "$f")"); id=$(basename "$f" | cut -d. -f2-)
  declared "sysctl $key $id" && continue
  act release_sysctl "$key" "$id"; gone "host setting $key (restored)"
done
for f in "$STATE_DIR"/claims/*; do
  case "$f" in *.ns) continue ;; esac
  [ -f "$f" ] || continue
  m=$(cat "$f"); mine "$m" || continue
  grep -q -- " $m\$" "$inv" && continue
  # an interrupted namespace create may have left a placeholder under /run/netns
  if [ -f "$f.ns" ]; then
    n=$(cat "$f.ns")
    if [ -e "/run/netns/$n" ] && ! ip -n "$n" link show dev lo >/dev/null 2>&1; then act ip netns del "$n" 2>/dev/null && gone "namespace placeholder $n" || true; fi
  fi
  act rm -f "$f" "$f.ns"
done
if [ "$DRY_RUN" = 1 ]; then [ "$removed" = 0 ]; else printf 'cdktf-netns: sweep of %s: %s object(s) removed\n' "$OWNER" "$removed" >&2; fi
`;

/**
 * Drift checks, one per kind, run by `cdktf-netns verify` with the same
 * environment as the create script. Each prints `drift: ...` lines and exits
 * non-zero when the kernel differs from the declared object.
 */
const VERIFY_LIB = String.raw`
drifted=0
drift() { printf 'drift: %s
' "$*"; drifted=1; }
check_link() { _ns=$1; _if=$2; _master=$3
  if ! ns_present "$_ns"; then drift "$(where "$_ns") is missing"; return 1; fi
  if ! link_present "$_ns" "$_if"; then drift "interface '$_if' is missing from $(where "$_ns")"; return 1; fi
  _l=$(ipn "$_ns" -o link show dev "$_if")
  [ "$(link_alias "$_ns" "$_if")" = "$MARKER" ] || drift "interface '$_if' in $(where "$_ns") does not carry the marker $MARKER"
  case "$_l" in *"<UP,"*|*",UP,"*|*",UP>"*|*"<UP>"*) ;; *) drift "interface '$_if' in $(where "$_ns") is down" ;; esac
  if [ -n "$_master" ]; then case "$_l" in *" master $_master "*) ;; *) drift "interface '$_if' in $(where "$_ns") is not a port of bridge '$_master'" ;; esac; fi
  return 0; }
`;

export const VERIFY: Record<string, string> = {
  'namespace': VERIFY_LIB + String.raw`
if [ ! -e "/run/netns/$NS" ]; then drift "namespace '$NS' is missing"; exit 1; fi
[ "$(link_alias "$NS" lo)" = "$MARKER" ] || drift "namespace '$NS' does not carry the marker $MARKER"
for kv in $SYSCTLS; do
  k=$(kv_key "$kv"); want=$(kv_value "$kv")
  have=$(ip netns exec "$NS" cat "$(sysctl_path "$k")" 2>/dev/null || echo '?')
  [ "$have" = "$want" ] || drift "sysctl $k in namespace '$NS' is $have, declared $want"
done
exit $drifted`,
  'veth': VERIFY_LIB + String.raw`
check_link "$NS_A" "$IF_A" "$MASTER_A" || true
check_link "$NS_B" "$IF_B" "$MASTER_B" || true
exit $drifted`,
  'bridge': VERIFY_LIB + String.raw`
if check_link "$NS" "$IF" "" && [ "$VLAN_FILTERING" = 1 ]; then
  ipn "$NS" -d link show dev "$IF" | grep -q 'vlan_filtering 1' || drift "bridge '$IF' does not filter VLANs"
fi
exit $drifted`,
  'vlan': VERIFY_LIB + String.raw`
if check_link "$NS" "$IF" "$MASTER"; then
  ipn "$NS" -d link show dev "$IF" | grep -q "vlan protocol 802.1Q id $VID " || drift "interface '$IF' is not VLAN $VID"
fi
exit $drifted`,
  'addresses': VERIFY_LIB + String.raw`
if ! link_present "$NS" "$IF"; then drift "interface '$IF' is missing from $(where "$NS")"; exit 1; fi
have=$(ipn "$NS" -o addr show dev "$IF" | awk '{print $4}')
for a in $ADDRS; do
  printf '%s
' "$have" | grep -qxF -- "$a" || drift "address $a is missing from '$IF' in $(where "$NS")"
done
exit $drifted`,
  'route': VERIFY_LIB + String.raw`
if ! ns_present "$NS"; then drift "$(where "$NS") is missing"; exit 1; fi
cur=$(ipn "$NS" "-$FAMILY" route show exact "$DEST")
case "$cur" in
  *"via $VIA "*"proto 213"*) ;;
  "") drift "route to $DEST via $VIA is missing from $(where "$NS")" ;;
  *) drift "route to $DEST in $(where "$NS") is '$cur', declared via $VIA" ;;
esac
exit $drifted`,
  'host-sysctl': VERIFY_LIB + String.raw`
have=$(cat "$(sysctl_path "$KEY")")
[ "$have" = "$VALUE" ] || drift "host sysctl $KEY is $have, declared $VALUE"
exit $drifted`,
  // with DRY_RUN=1 the sweep only reports what it would remove: objects owned by this stack that the code does not declare
  'sweep': SWEEP,
};

/** Replace Terraform template sequences so the text reaches the shell verbatim. */
export function terraformEscape(s: string): string {
  // a function replacement: in a replacement string, '$$' would mean a single '$'
  return s.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** The inverse of terraformEscape: the text the shell receives from a plan string. */
export function terraformUnescape(s: string): string {
  return s.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

/** A complete script as the shell runs it: the prelude plus the body. */
export function rawScript(...parts: string[]): string {
  return [PRELUDE, ...parts].join('\n');
}

/** A complete script as written into the plan (Terraform template sequences escaped). */
export function script(...parts: string[]): string {
  return terraformEscape(rawScript(...parts));
}
