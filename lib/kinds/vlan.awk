# kind "vlan": an 802.1Q sub-interface.  vlan NS IF PARENT VID MARKER MTU

function vlan_op(op, f, o, id,    ns, ifn, parent, marker, d) {
  ns = f[2]; ifn = f[3]; parent = f[4]; marker = f[6]
  d = "VLAN interface " at(ns, ifn) " (id " f[5] " on " parent ")"
  if (op == "D") { if (!(ns in nsgone)) del_link(ns, ifn, marker, id, d); return }
  if (op == "C") {
    if (!has_link(ns, parent) && !((ns " " parent) in created)) {
      refuse("parent interface '" parent "' of VLAN interface '" ifn "' does not exist in " where(ns) ": create it first, or fix the parent's name"); return
    }
    if (!link_ensure(ns, ifn, marker, id, "link add link " parent " name " ifn " type vlan id " f[5], d)) return
  } else say("updated " d)
  link_finish(ns, ifn, marker, f[7], d)
}
