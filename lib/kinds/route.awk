# kind "route": a static route, marked with protocol 213 (ours).  route NS FAMILY DEST VIA

# The protocol number that marks our routes: the one place the engine names it (ROUTE_PROTO in route.ts
# is the same number, for the drift check; a unit test holds the two equal).
function route_proto() { return "213" }

function route_op(op, f, o, id,    ns, k, d) {
  ns = f[2]; k = ns " " f[3] " " f[4]
  d = "route " f[4] " via " f[5] " in " where(ns)
  if (op == "D") {
    # only our exact route (protocol 213, same gateway), and only if it is there
    # (in the host namespace also only one this deployment made: its record lists it, no other does)
    if ((ns in nsgone) || !(k in route) || rproto[k] != route_proto() || rgw[k] != f[5]) return
    if (ns == "-" && (k in oroute)) { say("kept " d ": " oroute[k] " routes it now"); return }
    emit(ns, 0, "del", "route del " f[4] " via " f[5] (rdev[k] == "" ? "" : " dev " rdev[k]) " proto " route_proto(), "remove " d); say("removed " d)
    return
  }
  if ((k in route) && rproto[k] != route_proto()) {
    refuse("a route to " f[4] " already exists in " where(ns) " and was not made by cdktf-netns (via '" rgw[k] "', protocol " rproto[k] "): delete it (ip route del " f[4] ") or drop this Route")
    return
  }
  # the host's routing table is shared by every lab: a route to this prefix that this deployment
  # did not make (its record does not list it) is someone else's, even with our protocol
  if (ns == "-" && (k in route) && !(id in oldline) && !(id in journal)) {
    refuse("a route to " f[4] " already exists in the host namespace (via '" rgw[k] "', protocol " route_proto() "), made by " ((k in oroute) ? oroute[k] : "another cdktf-netns lab that has no record on this machine") \
      ": two labs cannot route one prefix of the host; drop this Route, choose another prefix, or destroy the other lab first")
    return
  }
  if (ns == "-" && (k in oroute) && !(id in oldline)) {
    refuse("a route to " f[4] " in the host namespace is also declared by " oroute[k] ": two labs cannot route one prefix of the host; drop this Route, choose another prefix, or destroy the other lab first")
    return
  }
  if (!(id in oldline)) emit_create(ns, 4, "route replace " f[4] " via " f[5] " proto " route_proto(), "add " d)
  else emit(ns, 4, "ip", "route replace " f[4] " via " f[5] " proto " route_proto(), "add " d)
  say((op == "U" ? "changed " : "added ") d)
}
