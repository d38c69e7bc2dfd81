# kind "route": a static route, marked with protocol 213 (ours).  route NS FAMILY DEST VIA

function route_op(op, f, o, id,    ns, k, d) {
  ns = f[2]; k = ns " " f[3] " " f[4]
  d = "route " f[4] " via " f[5] " in " where(ns)
  if (op == "D") {
    # only our exact route (protocol 213, same gateway), and only if it is there
    if ((ns in nsgone) || !(k in route) || rproto[k] != "213" || rgw[k] != f[5]) return
    emit(ns, 0, "del", "route del " f[4] " via " f[5] " proto 213", "remove " d); say("removed " d)
    return
  }
  if ((k in route) && rproto[k] != "213") {
    refuse("a route to " f[4] " already exists in " where(ns) " and was not made by cdktf-netns (via '" rgw[k] "', protocol " rproto[k] "): delete it (ip route del " f[4] ") or drop this Route")
    return
  }
  if (!(id in oldline)) creating(line)
  emit(ns, 4, "ip", "route replace " f[4] " via " f[5] " proto 213", "add " d)
  say((op == "U" ? "changed " : "added ") d)
}
