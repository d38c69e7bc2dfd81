# kind "extns": a namespace that exists already (Namespace.fromName).  extns NAME
# Never created, marked or deleted: it must be there before the lab puts objects in it.

function extns_op(op, f, o, id) {
  if (op == "D") return
  if (!(f[2] in nsent) || nsent[f[2]] != "nsfs")
    refuse("namespace '" f[2] "' (imported with Namespace.fromName) does not exist: create it first (ip netns add " f[2] "), or drop the import")
}
