# kind "hsysctl": a host-level sysctl the lab needs.  hsysctl KEY VALUE
# (one per key in a lab: two constructs asking the same value are one object)
# engine.sh saves the original value before the first lab changes it and
# restores it when the last lab that set it lets go.

function hsysctl_op(op, f, o, id) {
  # (the key names the record's directory $STATE/sysctl/KEY: no `/` in it)
  if (index(f[2], "/")) { refuse("host sysctl key '" f[2] "' has a '/': refusing it (it would name a directory of the record)"); return }
  if (op != "D") creating(line)
  print op " " f[2] " " sysctl_path(f[2]) " " f[3] > (W "/hostsysctl")
  say((op == "D" ? "released host sysctl " f[2] : "set host sysctl " f[2] "=" f[3]))
}
