import { Kind, where } from '../engine/kind';

/** A network namespace (`ip netns add`), marked by the alias of its `lo`. */
export const NAMESPACE: Kind = {
  name: 'ns',
  module: 'namespace',
  fields: ['name', 'marker'],
  identity: 1,
  phase: 1,
  namespaceFields: [1],
  key: (v) => `namespace ${v.name}`,
  home: (v) => v.name,
  links: () => [],
  labels: (v) => [`namespace:${v.name}`],
  describe: (v) => `namespace ${v.name}`,
  parents: () => [],
  reads: (v) => [{ ns: v.name }],
  verify: (v, facts) => {
    const nf = facts.ns(v.name);
    if (!nf.exists) return [`namespace '${v.name}' is missing`];
    const lo = nf.links.find((l) => l.ifname === 'lo');
    const drift: string[] = [];
    if (lo?.ifalias !== v.marker) drift.push(`${where(v.name)} does not carry the marker ${v.marker}`);
    if (!(lo?.flags ?? []).includes('UP')) drift.push(`lo is down in ${where(v.name)}`);
    return drift;
  },
};
