# kind "addr": one address of an interface.  addr NS IF CIDR

function addr_op(op, f, o, id,    ns, ifn, cidr) {
  ns = f[2]; ifn = f[3]; cidr = f[4]
  if (op == "D") {
    if ((ns in nsgone) || ((ns " " ifn) in deleted)) return
    emit(ns, 0, "del", "addr del " cidr " dev " ifn, "remove address " cidr " from " at(ns, ifn)); say("removed address " cidr " from " at(ns, ifn))
    return
  }
  emit(ns, 3, "ip", "addr replace " cidr " dev " ifn (cidr ~ /:/ ? " nodad" : ""), "add address " cidr " to " at(ns, ifn))
  say("added address " cidr " to " at(ns, ifn))
}
