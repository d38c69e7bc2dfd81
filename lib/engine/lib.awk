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

# Ours: it carries our marker, or it is unmarked and an interrupted run of this
# lab had journaled it (killed between `ip link add` and setting the alias).
function owns(ns, ifn, marker, id,    a) {
  a = lalias[ns " " ifn]
  if (a == marker) return 1
  return (a == "" && (id in journal))
}

function refuse(msg) { print "cdktf-netns: " msg > (W "/errors"); errors++ }
function foreign(what, ns, ifn, marker) {
  refuse(what " '" ifn "' already exists in " where(ns) " and is not owned by " marker \
    " (its marker: '" link_alias(ns, ifn) "'). cdktf-netns never adopts or deletes objects it did not create: " \
    "remove it by hand, or give this object another name (or set a cdktf-netns:prefix)")
}

# Emit a command into a namespace's batch. order: 1 links and markers,
# 2 attributes (mtu, master, up), 3 addresses, 4 routes; type: ip, br (bridge
# -batch), sys (a sysctl: "path value"), del (ip -force -batch, run before
# everything else).
function emit(ns, order, type, cmd, desc) { print ns "\t" order "\t" type "\t" cmd "\t" desc }
function root(cmd, desc) { print cmd > (W "/root.ip"); print desc > (W "/root.who") }
function rootdel(cmd) { print cmd > (W "/root.del") }
function say(msg) { print msg > (W "/log") }

function sysctl_path(key,    p) { p = key; gsub(/\./, "/", p); return "/proc/sys/" p }

function finish() {
  close(W "/errors"); close(W "/root.ip"); close(W "/root.who"); close(W "/root.del"); close(W "/log")
  close(W "/newns"); close(W "/hostsysctl"); close(W "/creating"); close(W "/waitgone")
  exit (errors > 0)
}

# The markers of the links the lab declares or recorded: what addresses and ports are removed from.
function markers(line,    g, n) {
  n = split(line, g, " ")
  if (g[1] == "veth") { lmark[g[2] " " g[3]] = g[6]; lmark[g[4] " " g[5]] = g[6] }
  else if (g[1] == "bridge") lmark[g[2] " " g[3]] = g[4]
  else if (g[1] == "vlan") lmark[g[2] " " g[3]] = g[6]
}

# Whether the link (ns, ifn) exists and carries the marker the lab gave it.
function ours_link(ns, ifn) { return has_link(ns, ifn) && ((ns " " ifn) in lmark) && lalias[ns " " ifn] == lmark[ns " " ifn] }

# An object this run will create: journaled before the kernel is touched.
function creating(line) { print line > (W "/creating") }

# Links (veth ends, bridges, VLAN interfaces) share their lifecycle.
function made(ns, ifn) { created[ns " " ifn] = 1; link[ns " " ifn] = 1; delete deleted[ns " " ifn] }
function gone(ns, ifn) { deleted[ns " " ifn] = 1; delete link[ns " " ifn] }

function del_link(ns, ifn, marker, id, d) {
  if (!has_link(ns, ifn)) return
  if (!owns(ns, ifn, marker, id)) { say("kept " d ": it does not carry this lab's marker " marker); return }
  emit(ns, 0, "del", "link del dev " ifn, "delete " d); gone(ns, ifn)
  say("removed " d)
}

# Marker, MTU (when declared) and up: after create, adoption or an update.
function link_finish(ns, ifn, marker, mtu, d) {
  declared[ns " " ifn] = 1
  emit(ns, 1, "ip", "link set dev " ifn " alias " marker, "mark " d)
  if (mtu != "-") emit(ns, 2, "ip", "link set dev " ifn " mtu " mtu, "set the MTU of " d)
  emit(ns, 2, "ip", "link set dev " ifn " up", "set " d " up")
}
