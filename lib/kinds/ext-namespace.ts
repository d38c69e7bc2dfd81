import { Kind } from '../engine/kind';

/**
 * A namespace that exists already (`Namespace.fromName`): never created, marked
 * or deleted. The lab checks it is there before it puts objects in it.
 */
export const EXT_NAMESPACE: Kind = {
  name: 'extns',
  module: 'ext-namespace',
  fields: ['name'],
  identity: 1,
  phase: 0,
  namespaceFields: [1],
  key: (v) => `imported namespace ${v.name}`,
  home: (v) => v.name,
  links: () => [],
  labels: (v) => [`namespace:${v.name}`],
  describe: (v) => `imported namespace ${v.name}`,
  parents: () => [],
  reads: (v) => [{ ns: v.name }],
  verify: (v, facts) => (facts.ns(v.name).exists ? [] : [`imported namespace '${v.name}' is missing`]),
};
