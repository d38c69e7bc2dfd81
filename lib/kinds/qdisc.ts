import { Kind, nsLabel, Values, where } from '../engine/kind';

/**
 * A link impairment: the root queueing discipline of one of the lab's interfaces, shaping what
 * leaves it. netem when a delay, jitter or loss is asked for (with its own rate limit), tbf for a
 * rate alone. Values: `-` for none; delay and jitter in microseconds, loss in thousandths of a
 * percent, rate in kbit/s (all whole numbers: validated by LinkImpairment).
 */
export const QDISC: Kind = {
  name: 'qdisc',
  module: 'qdisc',
  fields: ['ns', 'if', 'delay_us', 'jitter_us', 'loss_mpct', 'rate_kbit'],
  identity: 2,
  phase: 8,
  namespaceFields: [1],
  key: (v) => `qdisc ${nsLabel(v.ns)}/${v.if}`,
  home: (v, linkHome) => linkHome(v.ns, v.if) ?? v.ns,
  links: () => [],
  labels: (v) => [`qdisc:${v.if}`, `qdisc:${nsLabel(v.ns)}/${v.if}`],
  describe: (v) => `impairment of ${v.if} in ${where(v.ns)} (${impairmentText(v)})`,
  parents: (v) => [{ ns: v.ns }, { iface: [v.ns, v.if] }],
  reads: (v) => [{ ns: v.ns, qdiscs: true }],
  verify: (v, facts) => {
    const nf = facts.ns(v.ns);
    if (!nf.exists) return [`${where(v.ns)} is missing`];
    const want = qdiscKind(v);
    const q = (nf.qdiscs ?? []).find((x) => x.dev === v.if && x.root);
    if (!q) return [`the impairment of ${v.if} in ${where(v.ns)} is missing (no root qdisc)`];
    return q.kind === want ? [] : [`the root qdisc of ${v.if} in ${where(v.ns)} is ${q.kind}, declared ${want} (${impairmentText(v)})`];
  },
};

/** netem for a delay, jitter or loss; tbf for a rate alone. */
export function qdiscKind(v: Values): 'netem' | 'tbf' {
  return v.delay_us !== '-' || v.jitter_us !== '-' || v.loss_mpct !== '-' ? 'netem' : 'tbf';
}

/** `delay 20 ms ± 5 ms, loss 1%, rate 10 Mbit/s`, as the logs and verify say it. */
export function impairmentText(v: Values): string {
  const parts: string[] = [];
  if (v.delay_us !== '-') parts.push(`delay ${Number(v.delay_us) / 1000} ms${v.jitter_us !== '-' ? ` ± ${Number(v.jitter_us) / 1000} ms` : ''}`);
  if (v.loss_mpct !== '-') parts.push(`loss ${Number(v.loss_mpct) / 1000}%`);
  if (v.rate_kbit !== '-') parts.push(`rate ${Number(v.rate_kbit) / 1000} Mbit/s`);
  return parts.join(', ');
}
