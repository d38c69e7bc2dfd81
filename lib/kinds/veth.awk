# kind "veth": a veth pair.  veth NS_A IF_A NS_B IF_B MARKER MTU_A MTU_B MAC_A MAC_B
# Created from the root namespace in one batch (`link add ... netns A type veth
# peer name ... netns B`); deleting one end deletes the pair.

function veth_op(op, f, o, id,    nsa, ifa, nsb, ifb, marker, ea, eb, cmd, d) {
  nsa = f[2]; ifa = f[3]; nsb = f[4]; ifb = f[5]; marker = f[6]
  d = "veth " at(nsa, ifa) " <-> " at(nsb, ifb)
  if (op == "D") {
    # a namespace going away takes the pair with it (in bulk: deleting veths one by one is slow);
    # the kernel does that in the background, so the engine waits for an end that stays behind
    if ((nsa in nsgone) || (nsb in nsgone)) {
      if (!(nsa in nsgone) && has_link(nsa, ifa) && owns(nsa, ifa, marker, id)) print nsa " " ifa > (W "/waitgone")
      if (!(nsb in nsgone) && has_link(nsb, ifb) && owns(nsb, ifb, marker, id)) print nsb " " ifb > (W "/waitgone")
      say("removed " d); return
    }
    if (!(nsa in nsgone)) del_link(nsa, ifa, marker, id, d)
    else del_link(nsb, ifb, marker, id, d)
    return
  }
  if (op == "C") {
    ea = has_link(nsa, ifa); eb = has_link(nsb, ifb)
    if (ea && !owns(nsa, ifa, marker, id)) { foreign("interface", nsa, ifa, marker); return }
    if (eb && !owns(nsb, ifb, marker, id)) { foreign("interface", nsb, ifb, marker); return }
    if (ea && eb) say("adopted " d)
    else {
      # half a pair (an end moved or a killed create): start again
      if (ea) { emit(nsa, 0, "del", "link del dev " ifa, "delete " ifa); gone(nsa, ifa) }
      if (eb) { emit(nsb, 0, "del", "link del dev " ifb, "delete " ifb); gone(nsb, ifb) }
      cmd = "link add name " ifa mac_arg(f[9]) (nsa == "-" ? "" : " netns " nsa) " type veth peer name " ifb mac_arg(f[10]) (nsb == "-" ? "" : " netns " nsb)
      root_create(cmd, "create " d); made(nsa, ifa); made(nsb, ifb)
      say("created " d)
    }
  } else {
    set_mac(nsa, ifa, f[9], o[9]); set_mac(nsb, ifb, f[10], o[10])
    say("updated " d)
  }
  link_finish(nsa, ifa, marker, f[7], "veth end " at(nsa, ifa))
  link_finish(nsb, ifb, marker, f[8], "veth end " at(nsb, ifb))
}
