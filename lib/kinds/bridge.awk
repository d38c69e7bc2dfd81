# kind "bridge": a Linux bridge.  bridge NS IF MARKER MTU VLAN_FILTERING(0|1) MAC

function bridge_op(op, f, o, id,    ns, ifn, marker, d) {
  ns = f[2]; ifn = f[3]; marker = f[4]
  d = "bridge " at(ns, ifn)
  if (op == "D") { if (!(ns in nsgone)) del_link(ns, ifn, marker, id, d); return }
  if (op == "C") { if (!link_ensure(ns, ifn, marker, id, "link add name " ifn mac_arg(f[7]) " type bridge", d)) return }
  else { set_mac(ns, ifn, f[7], o[7]); say("updated " d) }
  if (f[6] == "1" || o[6] == "1") emit(ns, 1, "ip", "link set dev " ifn " type bridge vlan_filtering " f[6], "vlan_filtering " d)
  link_finish(ns, ifn, marker, f[5], d)
}
