# kind "hsysctl": a host-level sysctl the lab needs.  hsysctl KEY VALUE
# (one per key in a lab: two constructs asking the same value are one object)
# engine.sh saves the original value before the first lab changes it and
# restores it when the last lab that set it lets go.

function hsysctl_op(op, f, o, id) {
  if (op != "D") creating(line)
  print op " " f[2] " " sysctl_path(f[2]) " " f[3] > (W "/hostsysctl")
  say((op == "D" ? "released host sysctl " f[2] : "set host sysctl " f[2] "=" f[3]))
}
