import { at, Kind, nsLabel, verifyLink } from '../engine/kind';

/**
 * One end of a VXLAN tunnel: a `vxlan` device (its VNI, the local and remote addresses of the
 * underlay, the UDP port) that is a port of a bridge (a `port` line of its own). Its VNI,
 * addresses and port are its identity: a change re-creates it.
 */
export const VXLAN: Kind = {
  name: 'vxlan',
  module: 'vxlan',
  fields: ['ns', 'if', 'vni', 'local', 'remote', 'port', 'marker', 'mtu', 'mac'],
  identity: 6,
  phase: 4,
  namespaceFields: [1],
  key: (v) => `vxlan ${nsLabel(v.ns)}/${v.if}`,
  home: (v) => v.ns,
  links: (v) => [[v.ns, v.if]],
  labels: (v) => [`vxlan:${v.if}`, `vxlan:${nsLabel(v.ns)}/${v.if}`, `interface:${v.if}`, `interface:${nsLabel(v.ns)}/${v.if}`],
  describe: (v) => `VXLAN interface ${at(v.ns, v.if)} (VNI ${v.vni}, ${v.local} -> ${v.remote} port ${v.port})`,
  parents: (v) => [{ ns: v.ns }],
  reads: (v) => [{ ns: v.ns }],
  verify: (v, facts) => {
    const r = verifyLink(facts, v.ns, v.if, v.marker, v.mtu);
    if (r.link && (r.link.linkinfo?.info_kind !== 'vxlan' || String(r.link.linkinfo?.info_data?.id) !== v.vni)) {
      r.drift.push(`interface '${v.if}' in ${v.ns === '-' ? 'the host namespace' : `namespace '${v.ns}'`} is not VXLAN ${v.vni}`);
    }
    return r.drift;
  },
};
