import { at, Kind, nsLabel, verifyLink } from '../engine/kind';

/** A veth pair; created from the root namespace with both ends placed at once. */
export const VETH: Kind = {
  name: 'veth',
  module: 'veth',
  fields: ['ns_a', 'if_a', 'ns_b', 'if_b', 'marker', 'mtu_a', 'mtu_b', 'mac_a', 'mac_b'],
  identity: 4,
  phase: 3,
  namespaceFields: [1, 3],
  key: (v) => `veth ${nsLabel(v.ns_a)}/${v.if_a} ${nsLabel(v.ns_b)}/${v.if_b}`,
  home: (v) => (v.ns_a !== '-' ? v.ns_a : v.ns_b),
  links: (v) => [
    [v.ns_a, v.if_a],
    [v.ns_b, v.if_b],
  ],
  labels: (v) => [
    `veth:${v.if_a}`,
    `veth:${v.if_b}`,
    `interface:${v.if_a}`,
    `interface:${nsLabel(v.ns_a)}/${v.if_a}`,
    `interface:${v.if_b}`,
    `interface:${nsLabel(v.ns_b)}/${v.if_b}`,
  ],
  describe: (v) => `veth ${at(v.ns_a, v.if_a)} <-> ${at(v.ns_b, v.if_b)}`,
  parents: (v) => [{ ns: v.ns_a }, { ns: v.ns_b }],
  reads: (v) => [{ ns: v.ns_a }, { ns: v.ns_b }],
  verify: (v, facts) => {
    const drift: string[] = [];
    for (const [ns, ifname, mtu, mac] of [
      [v.ns_a, v.if_a, v.mtu_a, v.mac_a],
      [v.ns_b, v.if_b, v.mtu_b, v.mac_b],
    ]) {
      const r = verifyLink(facts, ns, ifname, v.marker, mtu);
      drift.push(...r.drift);
      if (r.link && mac && r.link.address !== mac) drift.push(`interface '${ifname}' has MAC ${r.link.address ?? '?'}, declared ${mac}`);
      if (r.link && r.link.linkinfo?.info_kind !== 'veth') drift.push(`interface '${ifname}' is a ${r.link.linkinfo?.info_kind ?? 'device'}, not a veth end`);
    }
    return drift;
  },
};
