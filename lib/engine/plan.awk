# cdktf-netns planner: compare what was applied last (OLD) with what is declared
# (NEW) and print the operations that bring the kernel from one to the other.
#
#   awk -v MODE=apply|repair|destroy -f lib.awk -f plan.awk KINDS OLD NEW JOURNAL
#
# KINDS lines: `kind <name> <identity fields> <phase> <namespace fields, comma-separated>`
# (written by the library from its kind modules). OLD/NEW lines: `<kind> <field>...`.
# An object's identity is its kind plus its first <identity fields> fields.
# JOURNAL: what an unfinished earlier run set out to apply (empty when the last
# run completed): its objects may exist or not, so the declared ones among them
# are created or adopted again, and the others removed.
# Every input file starts with a `#` line (awk sees no record of an empty file).
#
# Output, one operation a line, deletions first (reverse phase order), then
# creations and updates (phase order):
#   D <old line>      remove the object
#   C <new line>      create (or adopt) the object
#   U <new line>      same identity, other attributes: change it in place
#   T <namespace>     a namespace whose kernel state the generator must read
# In repair mode every declared object is C (create what is missing, adopt the rest).
# Cascade: the kernel drops what hangs off a deleted link (addresses, ports,
# VLANs, routes), so re-creating a link re-creates those even when their own
# lines did not change; changing an address re-ensures the namespace's routes.

function touch_links(line, op,    f, k) {
  split(line, f, " "); k = f[1]
  if (k == "veth") { touched[f[2] " " f[3]] = 1; touched[f[4] " " f[5]] = 1; nsdirty[f[2]] = 1; nsdirty[f[4]] = 1 }
  else if (k == "bridge" || k == "vlan" || k == "vxlan") { touched[f[2] " " f[3]] = 1; nsdirty[f[2]] = 1 }
  else if (k == "addr") nsdirty[f[2]] = 1
  else if (k == "ns" && op == "C") nsmade[f[2]] = 1
}

# Does NEW object `id` hang off a touched link (or sit in a namespace whose routes need re-ensuring)?
function hangs(id,    f, k) {
  split(new[id], f, " "); k = f[1]
  if (k == "addr") return ((f[2] " " f[3]) in touched)
  if (k == "port") return ((f[2] " " f[3]) in touched) || ((f[2] " " f[4]) in touched)
  if (k == "vlan") return ((f[2] " " f[4]) in touched)
  if (k == "qdisc") return ((f[2] " " f[3]) in touched)
  if (k == "route") return (f[2] in nsdirty)
  if (k == "nft") return (f[2] in nsmade)
  return 0
}

function mark(id, op) {
  if (id in opof) return 0
  opof[id] = op
  if (op == "C" || op == "U") touch_links(new[id], op)
  return 1
}

BEGIN { FS = " "; nf = 0 }
FNR == 1 { nf++ }
/^#/ || NF == 0 { next }
nf == 1 && $1 == "kind" { nid[$2] = $3; phase[$2] = $4; nsf[$2] = $5; next }
nf == 1 { next }
$1 == "kind" { next }
# every line read back (the record, the journal) or given (the data) is checked again: only the
# characters the library writes, known kinds, and namespace fields that are names
nf >= 2 && !sane($0) { printf "cdktf-netns: %s line %d is not a line this library writes: %s\n", (nf == 3 ? "the data file" : nf == 2 ? "the record (applied)" : "the journal"), FNR, substr($0, 1, 120) > "/dev/stderr"; bad = 1; exit 2 }
nf == 2 { id = ident($0); if (!(id in old)) oorder[++no] = id; old[id] = $0; next }
nf == 3 { id = ident($0); if (!(id in new)) norder[++nn] = id; new[id] = $0; next }
nf == 4 { id = ident($0); pending[id] = 1; if (!(id in old)) { oorder[++no] = id; old[id] = $0 }; next }

function sane(line,    g, n, idx, i, m, v) {
  if (line ~ /[^A-Za-z0-9_.:\/@,~+ -]/ || !($1 in phase)) return 0
  n = split(line, g, " ")
  m = split(nsf[$1], idx, ",")
  for (i = 1; i <= m; i++) if (idx[i] + 0 > 0) { v = g[1 + idx[i]]; if (v != "-" && v !~ /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/) return 0 }
  return 1
}

END {
  if (bad) exit 2
  # deletions: identities no longer declared
  for (i = 1; i <= no; i++) {
    id = oorder[i]
    if (!(id in new) || MODE == "destroy") { dels[id] = 1; touch_links(old[id], "D") }
  }
  if (MODE != "destroy") {
    for (i = 1; i <= nn; i++) {
      id = norder[i]
      if (MODE == "repair" || !(id in old) || (id in pending)) mark(id, "C")
      else if (old[id] != new[id]) mark(id, "U")
    }
    # cascade until nothing new hangs off what changed (VLANs on VLANs need several rounds)
    do {
      grew = 0
      for (i = 1; i <= nn; i++) { id = norder[i]; if (!(id in opof) && hangs(id)) grew += mark(id, "C") }
    } while (grew)
  }
  # print, deletions in reverse phase order, then the rest in phase order
  maxp = 0
  for (k in phase) if (phase[k] + 0 > maxp) maxp = phase[k] + 0
  for (p = maxp; p >= 0; p--)
    for (i = no; i >= 1; i--) { id = oorder[i]; split(id, f, " "); if ((id in dels) && phase[f[1]] + 0 == p) { print "D " old[id]; nsof(old[id]) } }
  for (p = 0; p <= maxp; p++)
    for (i = 1; i <= nn; i++) { id = norder[i]; split(id, f, " "); if ((id in opof) && phase[f[1]] + 0 == p) { print opof[id] " " new[id]; nsof(new[id]) } }
  for (n in tns) print "T " n
}

# remember the namespaces an operation touches (whose links the generator reads; an nftables rule
# needs only the namespace's tables, which the engine reads where rules change)
function nsof(line,    f, k, idx, n, i) {
  split(line, f, " "); k = f[1]
  if (k == "nft") return
  n = split(nsf[k], idx, ",")
  for (i = 1; i <= n; i++) if (idx[i] + 0 > 0 && f[1 + idx[i]] != "-") tns[f[1 + idx[i]]] = 1
}
