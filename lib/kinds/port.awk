# kind "port": an interface's membership of a bridge.  port NS IF MASTER VLANS
# VLANS: `-`, or comma-separated tokens p<ID>u (PVID, untagged), p<ID> (PVID,
# tagged), t<ID> (tagged) for a port of a VLAN-filtering bridge.

function port_op(op, f, o, id,    ns, ifn, n, i, t, v, vid, d) {
  ns = f[2]; ifn = f[3]
  d = "port " at(ns, ifn) " of bridge " f[4]
  if (op == "D") {
    # only from an interface that is still there and still a port of that bridge, the bridge being
    # ours (the port may be an existing interface of someone else's: Interface.fromName)
    if ((ns in nsgone) || ((ns " " ifn) in deleted) || ((ns " " f[4]) in deleted) || !has_link(ns, ifn) || !ours_link(ns, f[4]) || lmaster[ns " " ifn] != f[4]) return
    emit(ns, 0, "del", "link set dev " ifn " nomaster", "release " d); say("released " d)
    return
  }
  emit(ns, 2, "ip", "link set dev " ifn " master " f[4], "attach " d)
  if (op == "U" && o[5] != "-") {
    n = split(o[5], v, ",")
    for (i = 1; i <= n; i++) { vid = v[i]; gsub(/[ptu]/, "", vid); emit(ns, 0, "brdel", "vlan del dev " ifn " vid " vid, "") }
  }
  if (f[5] != "-") {
    emit(ns, 5, "br", "vlan del dev " ifn " vid 1", "drop default VLAN 1 of " d)
    n = split(f[5], v, ",")
    for (i = 1; i <= n; i++) {
      t = v[i]; vid = t; gsub(/[ptu]/, "", vid)
      if (t ~ /^p.*u$/) emit(ns, 5, "br", "vlan add dev " ifn " vid " vid " pvid untagged", "VLAN " vid " on " d)
      else if (t ~ /^p/) emit(ns, 5, "br", "vlan add dev " ifn " vid " vid " pvid", "VLAN " vid " on " d)
      else emit(ns, 5, "br", "vlan add dev " ifn " vid " vid, "VLAN " vid " on " d)
    }
  }
  say((op == "U" ? "updated " : "attached ") d)
}
