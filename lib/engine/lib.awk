# Shared helpers of the generator (gen.awk) and the kind modules (lib/kinds/*.awk).
# Namespace "-" is the host's own (root) namespace.

function ident(line,    g, n, i, id) {
  n = split(line, g, " ")
  id = g[1]
  for (i = 2; i <= 1 + nid[g[1]] && i <= n; i++) id = id " " g[i]
  return id
}

# An object line (not a comment, not the kinds table).
function object(line) { return line != "" && substr(line, 1, 1) != "#" && substr(line, 1, 5) != "kind " }

function where(ns) { return ns == "-" ? "the host namespace" : "namespace '" ns "'" }
function at(ns, ifn) { return ns == "-" ? ifn : ifn " (" ns ")" }

# A namespace this run creates (nothing in it can exist yet).
function fresh(ns) { return ns != "-" && !(ns in nsent) }

# Whether interface `ifn` exists in `ns`. For namespaces that were not read,
# only a fresh namespace is known to hold nothing.
function has_link(ns, ifn) { return (ns " " ifn) in link }
function link_alias(ns, ifn) { return lalias[ns " " ifn] }

# The marker as the kernel carries it for this deployment: `cdktf-netns:<stack>@<DEP>/<path>`
# (lib/core/settings.ts: kernelMarker writes the same). Data lines carry it without the
# deployment (synthesis is deterministic; the deployment is born at apply time).
function kmarker(m, dep,    i) { i = index(m, "/"); return i ? substr(m, 1, i - 1) "@" dep substr(m, i) : m }
# The fields of a data line that are markers, as the kernel carries them.
function kfields(a, n,    i) {
  for (i = 2; i <= n; i++) if (index(a[i], "cdktf-netns:") == 1) {
    a[i] = kmarker(a[i], DEP)
    if (length(a[i]) > 255) refuse("marker '" a[i] "' is longer than the 255 bytes the kernel keeps of an alias: synthesize the lab with this version of cdktf-netns")
  }
}

# Ours: it carries our marker (or, while this deployment takes over one the operator released
# with `cdktf-netns adopt`, that one's), or it is unmarked and an interrupted run of this
# deployment journaled it (killed between `ip link add` and setting the alias) and it is
# of the journaled kind.
function owns(ns, ifn, marker, id,    a, k) {
  a = lalias[ns " " ifn]
  if (a == marker) return 1
  if (ALTDEP != "" && a == altmarker(marker)) return 1
  if (a != "" || !(id in journal)) return 0
  k = substr(id, 1, index(id, " ") - 1)
  return lkind[ns " " ifn] == (k == "ns" ? "" : k)
}
function altmarker(m,    i) { i = index(m, "@" DEP "/"); return i ? substr(m, 1, i) ALTDEP substr(m, i + 1 + length(DEP)) : m }

function refuse(msg) { print "cdktf-netns: " msg > (W "/errors"); errors++ }
function foreign(what, ns, ifn, marker) { refuse(what " '" ifn "' already exists in " where(ns) " and " whose(link_alias(ns, ifn))) }

# Whose an object is, from its marker, and the way out, for refusals.
function whose(a,    base, dep) {
  base = substr(OWNER, 1, length(OWNER) - 1) "@"
  if (index(a, base) == 1) {
    dep = substr(a, length(base) + 1); sub(/\/.*/, "", dep)
    if (dep in told) return "belongs to deployment " dep " of this lab too (marker '" a "')"
    told[dep] = 1
    return "belongs to another deployment of this lab (deployment " dep ", marker '" a "'): two deployments of one lab cannot share names. " \
      "Destroy that deployment from its own Terraform state, or deploy this one with another cdktf-netns:prefix; if that deployment's Terraform state is lost, " \
      "'cdktf-netns release " dep "' removes its objects and 'cdktf-netns adopt " dep "' lets this deployment take them over on its next apply (see 'cdktf-netns deployments')"
  }
  if (index(a, "cdktf-netns:") == 1) return "belongs to another cdktf-netns lab (marker '" a "'): give this object another name, or set a cdktf-netns:prefix"
  return "was not made by this lab" (a == "" ? " (it has no marker)" : " (its alias: '" a "')") ". cdktf-netns never adopts or deletes objects it did not create: " \
    "remove it by hand, or give this object another name (or set a cdktf-netns:prefix)"
}

# Emit a command into a namespace's batch. order: 1 links and markers,
# 2 attributes (mtu, master, up), 3 addresses, 4 routes; type: ip, br (bridge
# -batch), sys (a sysctl: "path value"), del (ip -force -batch, run before
# everything else).
function emit(ns, order, type, cmd, desc) { print ns "\t" order "\t" type "\t" cmd "\t" desc "\t" }
function root(cmd, desc) { print cmd > (W "/root.ip"); print desc > (W "/root.who"); print "" > (W "/root.jl") }
# The command that creates the object of the current plan line: journaled before the kernel
# is touched, and tied to its batch line (after a failed batch, only what ran stays journaled).
function emit_create(ns, order, cmd, desc) { print ns "\t" order "\tip\t" cmd "\t" desc "\t" line; creating(line) }
function root_create(cmd, desc) { print cmd > (W "/root.ip"); print desc > (W "/root.who"); print line > (W "/root.jl"); creating(line) }
function rootdel(cmd) { print cmd > (W "/root.del") }
function say(msg) { print msg > (W "/log") }

function sysctl_path(key,    p) {
  # (sysctl(8)'s dotted form: `/` stands for a dot inside an interface name; a segment starts with
  # a letter, digit or _, so no path component can be . or ..)
  if (key !~ /^net(\.[A-Za-z0-9_][A-Za-z0-9_\/-]*)+$/) { refuse("sysctl key '" key "' is not a dotted net.* key: refusing it"); return "/nonexistent" }
  p = key; gsub(/\./, "\001", p); gsub(/\//, ".", p); gsub(/\001/, "/", p); return "/proc/sys/" p
}

function finish() {
  close(W "/errors"); close(W "/root.ip"); close(W "/root.who"); close(W "/root.jl"); close(W "/root.del"); close(W "/log")
  close(W "/newns"); close(W "/hostsysctl"); close(W "/creating"); close(W "/waitgone")
  exit (errors > 0)
}

# The markers of the links the lab declares or recorded: what addresses and ports are removed from.
function markers(line,    g, n) {
  n = split(line, g, " ")
  kfields(g, n)
  if (g[1] == "ns") nsmark[g[2]] = g[3]
  else if (g[1] == "extns") extdecl[g[2]] = 1
  if (g[1] == "veth") { lmark[g[2] " " g[3]] = g[6]; lmark[g[4] " " g[5]] = g[6] }
  else if (g[1] == "bridge") lmark[g[2] " " g[3]] = g[4]
  else if (g[1] == "vlan") lmark[g[2] " " g[3]] = g[6]
  else if (g[1] == "vxlan") lmark[g[2] " " g[3]] = g[8]
}

# Whether the link (ns, ifn) exists and carries the marker the lab gave it.
function ours_link(ns, ifn,    a) {
  if (!has_link(ns, ifn) || !((ns " " ifn) in lmark)) return 0
  a = lalias[ns " " ifn]
  return a == lmark[ns " " ifn] || (ALTDEP != "" && a == altmarker(lmark[ns " " ifn]))
}

# An object this run will create: journaled before the kernel is touched.
function creating(line) { print line > (W "/creating") }

# Links (veth ends, bridges, VLAN interfaces) share their lifecycle.
function made(ns, ifn) { created[ns " " ifn] = 1; link[ns " " ifn] = 1; delete deleted[ns " " ifn] }
function gone(ns, ifn) { deleted[ns " " ifn] = 1; delete link[ns " " ifn] }

# Create a link of one interface (a bridge, a VLAN or VXLAN interface) with `cmd`, or adopt it when
# it is ours already; 0 when it is someone else's (refused).
function link_ensure(ns, ifn, marker, id, cmd, d) {
  if (has_link(ns, ifn)) {
    if (!owns(ns, ifn, marker, id)) { foreign("interface", ns, ifn, marker); return 0 }
    say("adopted " d)
  } else {
    emit_create(ns, 1, cmd, "create " d); made(ns, ifn)
    say("created " d)
  }
  return 1
}

function del_link(ns, ifn, marker, id, d) {
  if (!has_link(ns, ifn)) return
  if (!owns(ns, ifn, marker, id)) { say("kept " d ": it does not carry this lab's marker " marker); return }
  emit(ns, 0, "del", "link del dev " ifn, "delete " d); gone(ns, ifn)
  say("removed " d)
}

# A fixed MAC address (derived from the construct at synth: a re-created
# interface keeps it, so neighbours' ARP caches stay right); `-` = the kernel's.
function mac_arg(mac) { return (mac == "-" || mac == "") ? "" : " address " mac }
function set_mac(ns, ifn, mac, was) {
  if (mac != "-" && mac != "" && mac != was) emit(ns, 1, "ip", "link set dev " ifn " address " mac, "set the MAC address of " at(ns, ifn))
}

# Marker, MTU (when declared) and up: after create, adoption or an update.
function link_finish(ns, ifn, marker, mtu, d) {
  declared[ns " " ifn] = 1
  emit(ns, 1, "ip", "link set dev " ifn " alias " marker, "mark " d)
  if (mtu != "-") emit(ns, 2, "ip", "link set dev " ifn " mtu " mtu, "set the MTU of " d)
  emit(ns, 2, "ip", "link set dev " ifn " up", "set " d " up")
}
