# kind "addr": one address of an interface.  addr NS IF CIDR

function addr_op(op, f, o, id,    ns, ifn, cidr, ip, others, n, i, g) {
  ns = f[2]; ifn = f[3]; cidr = f[4]; ip = cidr; sub(/\/.*/, "", ip)
  if (op == "D") {
    # only from an interface that is still there and ours (an address on someone else's interface is theirs)
    if ((ns in nsgone) || ((ns " " ifn) in deleted) || !ours_link(ns, ifn)) return
    if (index(addrof[ns " " ip] " ", " " ifn " ") == 0) return
    emit(ns, 0, "del", "addr del " cidr " dev " ifn, "remove address " cidr " from " at(ns, ifn)); say("removed address " cidr " from " at(ns, ifn))
    return
  }
  # the kernel takes one address on two interfaces of a namespace; a lab never wants that
  n = split(addrof[ns " " ip], g, " ")
  for (i = 1; i <= n; i++) if (g[i] != ifn && !((ns " " g[i]) in deleted)) others = g[i]
  if (others != "") {
    refuse("address " ip " is already assigned to interface '" others "' in " where(ns) ": remove it there, or choose another address for '" ifn "'")
    return
  }
  emit(ns, 3, "ip", "addr replace " cidr " dev " ifn (cidr ~ /:/ ? " nodad" : ""), "add address " cidr " to " at(ns, ifn))
  say("added address " cidr " to " at(ns, ifn))
}
