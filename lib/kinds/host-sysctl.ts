import { Kind } from '../engine/kind';

/** A host-level sysctl: saved before the first lab changes it, restored when the last one lets go. */
export const HOST_SYSCTL: Kind = {
  name: 'hsysctl',
  module: 'host-sysctl',
  fields: ['key', 'value'],
  identity: 1,
  phase: 8,
  namespaceFields: [],
  key: (v) => `host sysctl ${v.key}`,
  home: () => '-',
  links: () => [],
  labels: (v) => [`sysctl:${v.key}`, `sysctl:host/${v.key}`],
  describe: (v) => `host sysctl ${v.key}=${v.value}`,
  parents: () => [],
  reads: (v) => [{ ns: '-', sysctl: v.key }],
  verify: (v, facts) => {
    const have = facts.hostSysctls[v.key];
    return have === v.value ? [] : [`host sysctl ${v.key} is ${have ?? '?'}, declared ${v.value}`];
  },
};
