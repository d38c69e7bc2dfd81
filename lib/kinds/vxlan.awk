# kind "vxlan": one end of a VXLAN tunnel, a port of a bridge (its own port line).  vxlan NS IF VNI LOCAL REMOTE PORT MARKER MTU MAC
# Unicast, point to point: the remote end's address is fixed (no multicast group, no flooding list).

function vxlan_op(op, f, o, id,    ns, ifn, marker, d) {
  ns = f[2]; ifn = f[3]; marker = f[8]
  d = "VXLAN interface " at(ns, ifn) " (VNI " f[4] ", " f[5] " -> " f[6] " port " f[7] ")"
  if (op == "D") { if (!(ns in nsgone)) del_link(ns, ifn, marker, id, d); return }
  if (op == "C") { if (!link_ensure(ns, ifn, marker, id, "link add name " ifn mac_arg(f[10]) " type vxlan id " f[4] " local " f[5] " remote " f[6] " dstport " f[7], d)) return }
  else { set_mac(ns, ifn, f[10], o[10]); say("updated " d) }
  link_finish(ns, ifn, marker, f[9], d)
}
