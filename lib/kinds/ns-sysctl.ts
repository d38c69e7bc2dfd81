import { Kind, where } from '../engine/kind';

/** A sysctl of a namespace's own network stack; the previous value returns when it is dropped from the code. */
export const NS_SYSCTL: Kind = {
  name: 'nsysctl',
  module: 'ns-sysctl',
  fields: ['ns', 'key', 'value'],
  identity: 2,
  phase: 2,
  namespaceFields: [1],
  key: (v) => `sysctl ${v.ns} ${v.key}`,
  home: (v) => v.ns,
  links: () => [],
  labels: (v) => [`sysctl:${v.ns}/${v.key}`],
  describe: (v) => `sysctl ${v.key}=${v.value} in ${where(v.ns)}`,
  parents: (v) => [{ ns: v.ns }],
  reads: (v) => [{ ns: v.ns, sysctl: v.key }],
  verify: (v, facts) => {
    const nf = facts.ns(v.ns);
    if (!nf.exists) return [`${where(v.ns)} is missing`];
    const have = nf.sysctls[v.key];
    return have === v.value ? [] : [`sysctl ${v.key} in ${where(v.ns)} is ${have ?? '?'}, declared ${v.value}`];
  },
};
