# kind "nsysctl": a sysctl of a namespace's own network stack.  nsysctl NS KEY VALUE
# The value it had before is saved in the lab's record and written back when
# the sysctl is dropped from the code (the namespace itself staying).

function nsysctl_op(op, f, o, id,    ns, key, sid) {
  ns = f[2]; key = f[3]
  # the saved original's file name in the record (a `/` of the key would be a directory)
  sid = ns "@" key; gsub(/\//, "%", sid)
  if (op == "D") {
    # (a namespace already gone took its settings with it: an interrupted destroy, a namespace deleted by hand)
    if ((ns in nsgone) || (ns != "-" && !(ns in nsent))) return
    emit(ns, 9, "sys", "restore " sysctl_path(key) " " sid, "restore sysctl " key " in " where(ns))
    say("restored sysctl " key " in " where(ns))
    return
  }
  emit(ns, 9, "sys", "set " sysctl_path(key) " " sid " " f[4], "set sysctl " key "=" f[4] " in " where(ns))
  say("set sysctl " key "=" f[4] " in " where(ns))
}
