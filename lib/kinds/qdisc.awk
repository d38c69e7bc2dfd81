# kind "qdisc": a link impairment, the root qdisc of one of the lab's interfaces.  qdisc NS IF DELAY_US JITTER_US LOSS_MPCT RATE_KBIT
# (`-`: none; whole numbers: microseconds, thousandths of a percent, kbit/s)
# netem for a delay, jitter or loss (its own rate limit with them), tbf for a rate alone.
# It lives on our interface: replaced with it, gone with it.

function qdisc_spec(f,    s, l) {
  if (f[4] == "-" && f[5] == "-" && f[6] == "-") {
    # tbf: a bucket of 10 ms of traffic (at least 3200 bytes), 50 ms of queue
    l = int(f[7] * 1000 / 8 / 100); if (l < 3200) l = 3200
    return "tbf rate " f[7] "kbit burst " l " latency 50ms"
  }
  s = "netem"
  if (f[4] != "-") s = s " delay " f[4] "us" (f[5] != "-" ? " " f[5] "us" : "")
  if (f[6] != "-") s = s " loss " sprintf("%.3f", f[6] / 1000) "%"
  if (f[7] != "-") s = s " rate " f[7] "kbit"
  return s
}

function qdisc_op(op, f, o, id,    ns, ifn, d) {
  ns = f[2]; ifn = f[3]
  d = "impairment of " at(ns, ifn)
  if (op == "D") {
    # only on our interface while it stays (a deleted interface took its qdisc with it)
    if ((ns in nsgone) || ((ns " " ifn) in deleted) || !has_link(ns, ifn) || !ours_link(ns, ifn)) return
    emit(ns, 0, "tcdel", "qdisc del dev " ifn " root", "remove " d); say("removed " d)
    return
  }
  emit(ns, 5, "tc", "qdisc replace dev " ifn " root " qdisc_spec(f), "set " d " (" qdisc_spec(f) ")")
  say((op == "U" ? "changed " : "set ") d ": " qdisc_spec(f))
}
