# kind "ns": a network namespace.  ns NAME MARKER
# The namespace's marker is the alias of its lo. An existing namespace is ours
# when it carries our marker and, if this lab recorded its inode when it made
# it (root-only state), still has that inode: a namespace deleted and replaced
# behind our back is not ours, even if it got the same name and marker.
# (Inode numbers are reused, so the inode alone proves nothing.)
# Deleting a namespace deletes everything in it.

function ns_ours(name, marker, id) {
  if (!(name in gathered) || !owns(name, "lo", marker, id)) return 0
  # the inode is recorded the moment the namespace is made (and with every record):
  # a namespace with another inode was deleted and replaced, whatever its marker says
  return !(name in recino) || recino[name] == nsino[name]
}

# Whether the objects of namespace `n` may be touched: the host, an imported namespace, one that does
# not exist yet (this run makes it) or is going away, or one that is still the namespace this
# deployment made (its marker and recorded inode).
function ns_trusted(n) {
  if (n == "-" || (n in extdecl) || !(n in nsent) || (n in nsgone)) return 1
  if (!(n in trusted)) trusted[n] = (n in nsmark) ? ns_ours(n, nsmark[n], "ns " n) : 1
  return trusted[n]
}

# Whether a namespace to remove exists and is ours (a placeholder counts when
# this lab's unfinished run was making it). gen.awk asks before anything else.
function ns_goes(name, marker, id) {
  if (!(name in nsent)) return 0
  # a placeholder (an `ip netns add` or `ip netns del` cut short): ours to remove when this
  # deployment's journal or record lists the name; it holds no namespace, nobody's network goes with it
  if (nsent[name] != "nsfs") return (id in journal) || (id in oldline)
  return ns_ours(name, marker, id)
}

function ns_op(op, f, o, id,    name, marker) {
  name = f[2]; marker = f[3]
  if (op == "D") {
    if (!(name in nsent)) return
    if (!(name in nsgone)) { say("kept namespace " name ": it does not carry this lab's marker " marker); return }
    rootdel("netns del " name); say("removed namespace " name)
    return
  }
  nsdecl[name] = 1
  if (op == "C" && (name in nsent) && nsent[name] != "nsfs") {
    # a placeholder left by an interrupted `ip netns add`
    if (!(id in journal)) { refuse("/run/netns/" name " exists but is not a network namespace, and this lab did not create it: remove it (ip netns del " name ") and apply again"); return }
    rootdel("netns del " name); delete nsent[name]
  }
  if (op == "C" && !(name in nsent)) {
    root_create("netns add " name, "create namespace " name); print name > (W "/newns"); say("created namespace " name)
  } else if (op == "C" && !ns_ours(name, marker, id)) {
    if ((name " lo") in link && owns(name, "lo", marker, id)) refuse("namespace '" name "' carries this deployment's marker but is not the namespace it made (its inode changed: it was deleted and made again by someone else): remove it by hand (ip netns del " name ") if it is not needed, or give this Namespace another name")
    else if (index(link_alias(name, "lo"), "cdktf-netns:") == 1) refuse("namespace '" name "' already exists and " whose(link_alias(name, "lo")))
    else refuse("namespace '" name "' already exists and was not made by this lab" (link_alias(name, "lo") == "" ? "" : " (its lo's alias: '" link_alias(name, "lo") "')") ". cdktf-netns never adopts or deletes namespaces it did not create: remove it by hand (ip netns del " name "), or give this Namespace another name (or set a cdktf-netns:prefix)")
    return
  } else if (op == "C") {
    if (!((name " lo") in link) || link_alias(name, "lo") != marker) say("adopted namespace " name)
  } else say("updated namespace " name)
  emit(name, 1, "ip", "link set dev lo alias " marker, "mark namespace " name)
  emit(name, 1, "ip", "link set dev lo up", "set lo up in namespace " name)
}
