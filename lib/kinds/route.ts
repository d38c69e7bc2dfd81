import { Kind, nsLabel, where } from '../engine/kind';

/** Protocol number of the routes cdktf-netns makes (`ip route ... proto 213`): how it tells its routes from others. */
export const ROUTE_PROTO = '213';

/** A static route through a gateway. */
export const ROUTE: Kind = {
  name: 'route',
  module: 'route',
  fields: ['ns', 'family', 'dest', 'via'],
  identity: 3,
  phase: 7,
  namespaceFields: [1],
  key: (v) => `route ${nsLabel(v.ns)} ${v.dest}`,
  home: (v) => v.ns,
  links: () => [],
  labels: (v) => [`route:${nsLabel(v.ns)}/${v.dest}`],
  describe: (v) => `route ${v.dest} via ${v.via} in ${where(v.ns)}`,
  parents: (v) => [{ ns: v.ns }, { gatewayOf: [v.ns, v.via] }],
  reads: (v) => [{ ns: v.ns }],
  verify: (v, facts) => {
    const nf = facts.ns(v.ns);
    if (!nf.exists) return [`${where(v.ns)} is missing`];
    const r = nf.routes.find((x) => x.family === Number(v.family) && x.dst === v.dest);
    if (!r) return [`route to ${v.dest} via ${v.via} is missing from ${where(v.ns)}`];
    if (r.gateway !== v.via || String(r.protocol) !== ROUTE_PROTO) {
      return [`route to ${v.dest} in ${where(v.ns)} goes via ${r.gateway ?? '(no gateway)'} (protocol ${r.protocol}), declared via ${v.via}`];
    }
    return [];
  },
};
