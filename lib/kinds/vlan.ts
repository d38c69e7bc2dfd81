import { at, Kind, nsLabel, verifyLink } from '../engine/kind';

/** An 802.1Q VLAN sub-interface of a parent interface. */
export const VLAN: Kind = {
  name: 'vlan',
  module: 'vlan',
  fields: ['ns', 'if', 'parent', 'vid', 'marker', 'mtu'],
  identity: 4,
  phase: 4,
  namespaceFields: [1],
  key: (v) => `vlan ${nsLabel(v.ns)}/${v.if}`,
  home: (v, linkHome) => linkHome(v.ns, v.parent) ?? v.ns,
  links: (v) => [[v.ns, v.if]],
  labels: (v) => [`vlan:${v.if}`, `interface:${v.if}`, `interface:${nsLabel(v.ns)}/${v.if}`],
  describe: (v) => `VLAN interface ${at(v.ns, v.if)} (id ${v.vid} on ${v.parent})`,
  parents: (v) => [{ ns: v.ns }, { iface: [v.ns, v.parent] }],
  reads: (v) => [{ ns: v.ns }],
  verify: (v, facts) => {
    const r = verifyLink(facts, v.ns, v.if, v.marker, v.mtu);
    if (r.link && (r.link.linkinfo?.info_kind !== 'vlan' || String(r.link.linkinfo?.info_data?.id) !== v.vid)) {
      r.drift.push(`interface '${v.if}' is not VLAN ${v.vid}`);
    }
    return r.drift;
  },
};
