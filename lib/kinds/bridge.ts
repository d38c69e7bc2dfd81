import { at, Kind, nsLabel, verifyLink } from '../engine/kind';

/** A Linux bridge, optionally VLAN-filtering. */
export const BRIDGE: Kind = {
  name: 'bridge',
  module: 'bridge',
  fields: ['ns', 'if', 'marker', 'mtu', 'vlan_filtering', 'mac'],
  identity: 2,
  phase: 3,
  namespaceFields: [1],
  key: (v) => `bridge ${nsLabel(v.ns)}/${v.if}`,
  home: (v) => v.ns,
  links: (v) => [[v.ns, v.if]],
  labels: (v) => [`bridge:${v.if}`, `interface:${v.if}`, `interface:${nsLabel(v.ns)}/${v.if}`],
  describe: (v) => `bridge ${at(v.ns, v.if)}`,
  parents: (v) => [{ ns: v.ns }],
  reads: (v) => [{ ns: v.ns }],
  verify: (v, facts) => {
    const r = verifyLink(facts, v.ns, v.if, v.marker, v.mtu);
    if (!r.link) return r.drift;
    if (r.link.linkinfo?.info_kind !== 'bridge') r.drift.push(`interface '${v.if}' is not a bridge`);
    if (v.mac && r.link.address !== v.mac) r.drift.push(`bridge '${v.if}' has MAC ${r.link.address ?? '?'}, declared ${v.mac}`);
    if (v.vlan_filtering === '1' && r.link.linkinfo?.info_data?.vlan_filtering !== 1) r.drift.push(`bridge '${v.if}' does not filter VLANs`);
    return r.drift;
  },
};
