# cdktf-netns generator: turn the planner's operations into iproute2 batch
# files, after checking every object against the kernel facts (ownership,
# existence). Nothing here touches the kernel; engine.sh runs what it writes.
#
#   awk -F '\t' -v W=WORKDIR -f lib.awk -f kinds/*.awk -f gen.awk KINDS FACTS JOURNAL OLD OPS OPS
#
# FACTS (tab-separated, from engine.sh):
#   N name inode fstype     an entry of /run/netns (fstype nsfs = a real namespace)
#   I name inode            a namespace this lab created (its root-only record)
#   G ns                    a namespace whose links and routes were read
#   L ns ifname alias kind master
#   R ns family dest gateway protocol dev
#   O token owner line      a host object another deployment's record lists
#   F ns table comment      an nftables table named like the lab's (cdktf_netns_*), with its comment
# Every input file starts with a `#` line (awk sees no record of an empty file).
# Written into W: root.ip (namespaces and veth pairs, created from the root
# namespace), root.del, per-namespace lines on stdout
# (`ns<TAB>order<TAB>type<TAB>command<TAB>description`), hostsysctl, newns,
# log, errors. Space-separated fields: the library validated every value
# (no blanks, no quotes, no shell or template characters).

BEGIN {
  nf = 0
  if (DEP !~ /^[0-9a-f]+$/ || (ALTDEP != "" && ALTDEP !~ /^[0-9a-f]+$/)) { refuse("internal: no deployment token"); finish() }
  KOWNER = kmarker(OWNER, DEP); AOWNER = ALTDEP == "" ? "" : kmarker(OWNER, ALTDEP)
}
FNR == 1 { nf++ }
nf == 1 { split($0, kf, " "); if (kf[1] == "kind") { nid[kf[2]] = kf[3]; nsfk[kf[2]] = kf[5] } else if (object($0)) { markers($0); if (kf[1] == "nft") nft_decl($0); else if (kf[1] == "bridge") nft_bridge($0) }; next }
nf == 2 {
  if ($1 == "N") { nsent[$2] = $4; nsino[$2] = $3 }
  else if ($1 == "I") recino[$2] = $3
  else if ($1 == "G") gathered[$2] = 1
  else if ($1 == "L") { lk = $2 " " $3; link[lk] = 1; factlink[lk] = 1; lalias[lk] = $4; lkind[lk] = $5; lmaster[lk] = $6 }
  else if ($1 == "R") { rk = $2 " " $3 " " $4; route[rk] = 1; rgw[rk] = $5; rproto[rk] = $6; rdev[rk] = $7 }
  else if ($1 == "O") { split($4, g, " "); if (g[1] == "route") { oroute[g[2] " " g[3] " " g[4]] = "deployment " $2 " of lab " $3 } }
  else if ($1 == "A") { addrof[$2 " " $4] = addrof[$2 " " $4] " " $3 }
  else if ($1 == "F") nfttab[$2 " " $3] = $4
  next
}
nf == 3 { if (object($0)) journal[ident($0)] = $0; next }
nf == 4 { if (object($0)) { oldline[ident($0)] = $0; markers($0) }; next }
# OPS is read twice: first to learn which namespaces go away (what lives in them goes too)
# (only namespaces that exist and are ours: a namespace we keep keeps what is in it)
nf == 5 { if (substr($0, 1, 5) == "D ns ") { split($0, g, " "); if (ns_goes(g[3], kmarker(g[4], DEP), ident(substr($0, 3)))) nsgone[g[3]] = 1 }; next }
nf == 6 {
  op = substr($0, 1, 1); line = substr($0, 3)
  if (op == "T" || op == "#" || line == "") next
  n = split(line, f, " ")
  for (i = n + 1; i <= 13; i++) f[i] = "-"
  kfields(f, n)
  id = ident(line)
  # (an awk array reference creates the element: ask `in` first, so `id in oldline` stays true only for recorded objects)
  if (id in oldline) m = split(oldline[id], o, " "); else m = split("", o, " ")
  kfields(o, m)
  # an object in one of our namespaces is touched only while that namespace is still the one this
  # deployment made (a namespace deleted and re-published under our name, wearing our marker, is not)
  if (f[1] != "ns" && f[1] != "extns" && !in_trusted_ns(f, op)) next
  dispatch(f[1], op, f, o, id)
}

function in_trusted_ns(f, op,    idx, c, i, n) {
  c = split(nsfk[f[1]], idx, ",")
  for (i = 1; i <= c; i++) {
    if (idx[i] + 0 <= 0) continue
    n = f[1 + idx[i]]
    if (ns_trusted(n)) continue
    if (op == "D") say("kept " f[1] " object " ident(line) ": namespace " n " is not the namespace this deployment made")
    else if (!(n in untrusted_told)) {
      untrusted_told[n] = 1
      refuse("namespace '" n "' carries this deployment's marker but is not the namespace it made (its inode changed: it was deleted and made again by someone else): nothing is changed inside it. Remove it by hand (ip netns del " n ") if it is not needed, then apply again")
    }
    return 0
  }
  return 1
}
END { if (MODE == "repair") undeclared(); nft_flush(); finish() }

# repair: interfaces that carry this lab's marker but are declared by no object
# (in the host namespace only root can set an alias; in our namespaces, we own
# the place); namespaces only when this lab's record says it made them.
function undeclared(    k, g, n) {
  for (k in factlink) {
    split(k, g, " ")
    if (g[2] == "lo" || (k in declared) || (g[1] in nsgone) || (k in deleted)) continue
    if (index(lalias[k], KOWNER) != 1 && (AOWNER == "" || index(lalias[k], AOWNER) != 1)) continue
    if (g[1] in nsdecl) { emit(g[1], 0, "del", "link del dev " g[2], "delete undeclared interface " g[2]); say("removed undeclared interface " at(g[1], g[2])) }
    else if (g[1] == "-") { emit("-", 0, "del", "link del dev " g[2], "delete undeclared interface " g[2]); say("removed undeclared interface " g[2]) }
  }
  for (n in gathered) {
    if (n == "-" || (n in nsdecl) || (n in nsgone) || (index(lalias[n " lo"], KOWNER) != 1 && (AOWNER == "" || index(lalias[n " lo"], AOWNER) != 1))) continue
    if (n in recino) { rootdel("netns del " n); say("removed undeclared namespace " n) }
    else say("kept namespace " n ": it carries this lab's marker, but this lab has no record of making it")
  }
}

# One function per kind (lib/kinds/<kind>.awk); a unit test checks this list against the kinds.
function dispatch(k, op, f, o, id) {
  if (k == "ns") ns_op(op, f, o, id)
  else if (k == "extns") extns_op(op, f, o, id)
  else if (k == "nsysctl") nsysctl_op(op, f, o, id)
  else if (k == "bridge") bridge_op(op, f, o, id)
  else if (k == "veth") veth_op(op, f, o, id)
  else if (k == "vlan") vlan_op(op, f, o, id)
  else if (k == "vxlan") vxlan_op(op, f, o, id)
  else if (k == "port") port_op(op, f, o, id)
  else if (k == "addr") addr_op(op, f, o, id)
  else if (k == "route") route_op(op, f, o, id)
  else if (k == "qdisc") qdisc_op(op, f, o, id)
  else if (k == "nft") nft_op(op, f, o, id)
  else if (k == "hsysctl") hsysctl_op(op, f, o, id)
  else refuse("internal: unknown object kind '" k "' in the plan (engine and library versions differ?)")
}
