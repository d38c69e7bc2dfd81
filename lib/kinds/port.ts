import { at, Kind, nsLabel, where } from '../engine/kind';

/** Membership of an interface in a bridge, with its VLANs on a VLAN-filtering bridge. */
export const PORT: Kind = {
  name: 'port',
  module: 'port',
  fields: ['ns', 'if', 'master', 'vlans'],
  identity: 2,
  phase: 5,
  namespaceFields: [1],
  key: (v) => `port ${nsLabel(v.ns)}/${v.if}`,
  home: (v, linkHome) => linkHome(v.ns, v.if) ?? v.ns,
  links: () => [],
  labels: (v) => [`port:${v.if}`, `port:${nsLabel(v.ns)}/${v.if}`],
  describe: (v) => `port ${at(v.ns, v.if)} of bridge ${v.master}`,
  parents: (v) => [{ iface: [v.ns, v.if] }, { iface: [v.ns, v.master] }],
  reads: (v) => [{ ns: v.ns }],
  verify: (v, facts) => {
    const nf = facts.ns(v.ns);
    const link = nf.links.find((l) => l.ifname === v.if);
    if (!nf.exists || !link) return []; // reported by the link's own check
    return link.master === v.master ? [] : [`interface '${v.if}' in ${where(v.ns)} is not a port of bridge '${v.master}'`];
  },
};
