# kind "nft": one rule of a namespace's nftables table.  nft NS CHAIN ID PROTO FROM TO IIF OIF PORTS ACTION TOADDR TOPORT
# (`-`: none; see lib/kinds/nft.ts)
# Every namespace with rules has one `inet` table of the lab's, named cdktf_netns_<lab>_<deployment>
# and carrying the lab's kernel marker as its comment; tables anyone else made are never touched.
# A change to any rule of a namespace rewrites its whole table in one `nft -f` transaction (add,
# delete, define: atomic, no moment without the rules); the last rule gone deletes the table.
# Base rules in every filter chain: established/related accepted, invalid dropped; on input also
# loopback and IPv6 neighbour discovery, so a drop policy does not break a dual-stack lab; on
# forward what is bridged on one of the lab's bridges in the namespace (br_netfilter shows it there).

function nft_table() { return "cdktf_netns_" LAB "_" DEP }

# a declared rule (the data file, read first): the table is written from these
function nft_decl(line,    g) { split(line, g, " "); nftl[g[2], ++nftn[g[2]]] = line }
# the lab's bridges, by namespace: what is bridged on one is not routed (with br_netfilter loaded,
# bridged IP traffic crosses the forward hook, in and out by the bridge)
function nft_bridge(line,    g) { split(line, g, " "); nftbr[g[2]] = nftbr[g[2]] " " g[3] }

function nft_op(op, f, o, id) {
  nftdirty[f[2]] = 1
  if (op == "C") creating(line)
  say((op == "D" ? "removed " : op == "U" ? "changed " : "added ") "nftables rule " (f[4] == "policy" ? f[3] " policy " f[11] : f[4]) " in " where(f[2]))
}

# 4 or 6 when the rule names an address of one family, else ""
function nft_family(f,    a) {
  a = f[6] != "-" ? f[6] : f[7] != "-" ? f[7] : f[12] != "-" ? f[12] : ""
  return a == "" ? "" : index(a, ":") ? 6 : 4
}

function nft_rule(f,    s, fam, ip) {
  fam = nft_family(f); ip = fam == 6 ? "ip6" : "ip"
  s = f[11] == "dnatok" ? " ct status dnat" : ""
  if (f[8] != "-") s = s " iifname \"" f[8] "\""
  if (f[9] != "-") s = s " oifname \"" f[9] "\""
  if (fam != "" && f[6] == "-" && f[7] == "-") s = s " meta nfproto ipv" fam
  if (f[6] != "-") s = s " " ip " saddr " f[6]
  if (f[7] != "-") s = s " " ip " daddr " f[7]
  if (f[5] == "icmp") s = s (fam == 4 ? " meta l4proto icmp" : fam == 6 ? " meta l4proto ipv6-icmp" : " meta l4proto { icmp, ipv6-icmp }")
  else if (f[5] != "-") s = s (f[10] != "-" ? " " f[5] " dport " f[10] : " meta l4proto " f[5])
  if (f[11] == "masquerade") s = s " masquerade"
  else if (f[11] == "dnat") s = s " dnat " ip " to " (fam == 6 ? "[" f[12] "]" : f[12]) ":" f[13]
  else s = s " accept"
  return substr(s, 2) " comment \"" f[4] "\""
}

function nft_put(ns, text) { emit(ns, 0, "nft", text, "load the lab's nftables table " nft_table() " in " where(ns)) }

function nft_chain(ns, chain, hook, policy,    i, g, base, n, br) {
  base = hook == "input" || hook == "forward"
  nft_put(ns, "  chain " chain " {")
  nft_put(ns, "    type " (base ? "filter" : "nat") " hook " hook " priority " (base ? "filter" : hook == "prerouting" ? "dstnat" : "srcnat") "; policy " policy ";")
  if (base) {
    nft_put(ns, "    ct state established,related accept comment \"base rule: established\"")
    nft_put(ns, "    ct state invalid drop comment \"base rule: invalid\"")
  }
  if (hook == "forward") {
    n = split(substr(nftbr[ns], 2), br, " ")
    for (i = 1; i <= n; i++) nft_put(ns, "    iifname \"" br[i] "\" oifname \"" br[i] "\" accept comment \"base rule: bridged on " br[i] "\"")
  }
  if (hook == "input") {
    nft_put(ns, "    iifname \"lo\" accept comment \"base rule: loopback\"")
    nft_put(ns, "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, nd-redirect } accept comment \"base rule: nd\"")
  }
  for (i = 1; i <= nftn[ns]; i++) {
    split(nftl[ns, i], g, " ")
    if (g[3] == chain && g[4] != "policy") nft_put(ns, "    " nft_rule(g))
  }
  nft_put(ns, "  }")
}

# The namespace's table, written whole; or deleted when no rule of it is left.
function nft_write(ns,    t, alt, i, g, pol, has, d) {
  if (ns in nsgone) return
  t = nft_table(); d = "nftables table " t " in " where(ns)
  if (((ns " " t) in nfttab) && nfttab[ns " " t] != KOWNER) {
    if (!(ns in nftn)) { say("kept " d ": its comment is '" nfttab[ns " " t] "', not this deployment's marker"); return }
    refuse("an nftables table named " t " already exists in " where(ns) " and was not made by this deployment of the lab (its comment: '" nfttab[ns " " t] "'). " \
      "cdktf-netns never changes tables it did not create: delete it by hand (nft delete table inet " t ") if it is not needed, then apply again")
    return
  }
  # taking over a released deployment: its table goes, ours replaces it
  if (ALTDEP != "") {
    alt = "cdktf_netns_" LAB "_" ALTDEP
    if (((ns " " alt) in nfttab) && nfttab[ns " " alt] == AOWNER) { emit(ns, 0, "nftdel", "delete table inet " alt, "remove " d); say("removed nftables table " alt " in " where(ns)) }
  }
  if (!(ns in nftn)) {
    if (((ns " " t) in nfttab)) { emit(ns, 0, "nftdel", "delete table inet " t, "remove " d); say("removed " d) }
    return
  }
  for (i = 1; i <= nftn[ns]; i++) {
    split(nftl[ns, i], g, " ")
    if (g[4] == "policy") pol[g[3]] = g[11]
    has[g[3]] = 1
  }
  # a table of ours that is there: replaced in the same transaction (add, then delete: the delete
  # never fails on a table that went meanwhile). A deletion costs the kernel a grace period (some
  # 20 ms): where no table is (a new namespace, a first rule), it is only defined.
  if ((ns " " t) in nfttab) {
    nft_put(ns, "add table inet " t " { comment \"" KOWNER "\"; }")
    nft_put(ns, "delete table inet " t)
  }
  nft_put(ns, "table inet " t " {")
  nft_put(ns, "  comment \"" KOWNER "\"")
  if ("input" in pol) nft_chain(ns, "input", "input", pol["input"])
  if ("forward" in pol) nft_chain(ns, "forward", "forward", pol["forward"])
  if ("prerouting" in has) nft_chain(ns, "prerouting", "prerouting", "accept")
  if ("postrouting" in has) nft_chain(ns, "postrouting", "postrouting", "accept")
  nft_put(ns, "}")
  if ((("input" in has) && !("input" in pol)) || (("forward" in has) && !("forward" in pol)))
    refuse("internal: a filter rule in " where(ns) " has no chain policy (the library writes one with every Firewall)")
}

# After every operation: the tables of the namespaces whose rules changed (repair: every
# declared one, and ours where nothing is declared any more).
function nft_flush(    k, g, ns) {
  if (MODE == "repair") {
    for (k in nftn) nftdirty[k] = 1
    for (k in nfttab) { split(k, g, " "); if (nfttab[k] == KOWNER || (AOWNER != "" && nfttab[k] == AOWNER)) nftdirty[g[1]] = 1 }
  }
  for (ns in nftdirty) nft_write(ns)
}
