import { at, Kind, nsLabel, where } from '../engine/kind';

/** One address of an interface. */
export const ADDRESS: Kind = {
  name: 'addr',
  module: 'address',
  fields: ['ns', 'if', 'cidr'],
  identity: 3,
  phase: 6,
  namespaceFields: [1],
  key: (v) => `address ${nsLabel(v.ns)}/${v.if} ${v.cidr}`,
  home: (v, linkHome) => linkHome(v.ns, v.if) ?? v.ns,
  links: () => [],
  labels: (v) => [`addresses:${v.if}`, `addresses:${nsLabel(v.ns)}/${v.if}`, `address:${nsLabel(v.ns)}/${v.cidr}`],
  describe: (v) => `address ${v.cidr} of ${at(v.ns, v.if)}`,
  parents: (v) => [{ iface: [v.ns, v.if] }],
  reads: (v) => [{ ns: v.ns }],
  verify: (v, facts) => {
    const nf = facts.ns(v.ns);
    const link = nf.links.find((l) => l.ifname === v.if);
    if (!nf.exists || !link) return []; // reported by the link's own check
    const have = (link.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
    return have.includes(v.cidr) ? [] : [`address ${v.cidr} is missing from '${v.if}' in ${where(v.ns)}`];
  },
};
