import { Facts, Kind, nsLabel, Values, where } from '../engine/kind';

/**
 * One rule of a namespace's nftables table (Firewall, Masquerade, PortForward). Every namespace
 * with rules gets one `inet` table of its own, written whole by `nft -f` in one transaction
 * (lib/kinds/nft.awk): named `cdktf_netns_<lab id>_<deployment>`, with the lab's kernel marker
 * as its comment, so tables others made are never touched. Each rule carries its id as its
 * comment (what verify looks for). Values `-` for none:
 *  - chain: `input`, `forward` (filter), `prerouting` (dnat), `postrouting` (masquerade);
 *  - id: `policy` for a chain's policy line (action `accept` or `drop`), else the rule's id;
 *  - action: `accept`, `masquerade`, `dnat` (to toaddr:toport);
 *  - from, to: CIDRs; iif, oif: interface names; ports: `80` or `1000-2000`.
 */
export const NFT: Kind = {
  name: 'nft',
  module: 'nft',
  fields: ['ns', 'chain', 'id', 'proto', 'from', 'to', 'iif', 'oif', 'ports', 'action', 'toaddr', 'toport'],
  identity: 3,
  phase: 9,
  namespaceFields: [1],
  key: (v) => `nft ${nsLabel(v.ns)} ${v.chain} ${v.id}`,
  home: (v) => v.ns,
  links: () => [],
  labels: (v) => [`nft:${nsLabel(v.ns)}/${v.chain}/${v.id}`, ...(v.id === 'policy' ? [`nft:${nsLabel(v.ns)}/${v.chain}`] : [])],
  describe: (v) => `${ruleText(v)} in ${where(v.ns)}`,
  parents: (v) => [{ ns: v.ns }],
  reads: (v) => [{ ns: v.ns, nft: true }],
  verify: (v, facts) => verifyRule(v, facts),
};

/** The comment prefix of the rules every table has (established, loopback, neighbour discovery): not declared one by one. */
export const NFT_BASE_PREFIX = 'base rule: ';

/** The table's name for one deployment of a lab (lib/kinds/nft.awk: nft_table() writes the same). */
export const nftTableName = (lab: string, deployment: string): string => `cdktf_netns_${lab}_${deployment}`;

/** `forward policy drop`, `input: allow tcp 22 from 10.0.0.0/24`, `masquerade out wan`, ... */
export function ruleText(v: Values): string {
  if (v.id === 'policy') return `${v.chain} policy ${v.action}`;
  const m: string[] = [];
  if (v.proto !== '-') m.push(v.proto);
  if (v.ports !== '-') m.push(`port ${v.ports}`);
  if (v.from !== '-') m.push(`from ${v.from}`);
  if (v.to !== '-') m.push(`to ${v.to}`);
  if (v.iif !== '-') m.push(`in ${v.iif}`);
  if (v.oif !== '-') m.push(`out ${v.oif}`);
  if (v.action === 'masquerade') return `masquerade${m.length ? ` ${m.join(' ')}` : ''}`;
  if (v.action === 'dnat') {
    const at = [v.iif !== '-' ? ` in ${v.iif}` : '', v.to !== '-' ? ` at ${v.to}` : ''].join('');
    return `port forward ${v.proto} ${v.ports}${at} to ${v.toaddr.includes(':') ? `[${v.toaddr}]` : v.toaddr}:${v.toport}`;
  }
  return `${v.chain}: allow ${m.length ? m.join(' ') : 'everything'}`;
}

function verifyRule(v: Values, facts: Facts): string[] {
  const nf = facts.ns(v.ns);
  if (!nf.exists) return [`${where(v.ns)} is missing`];
  const t = facts.nft?.(v.ns);
  if (!t) return [`the lab's nftables table is missing from ${where(v.ns)} (${ruleText(v)})`];
  if (t.comment !== t.marker) return [`the nftables table ${t.name} in ${where(v.ns)} does not carry the marker ${t.marker}`];
  const chain = t.chains.find((c) => c.name === v.chain);
  if (!chain) return [`chain ${v.chain} of the lab's nftables table is missing from ${where(v.ns)} (${ruleText(v)})`];
  if (v.id === 'policy')
    return chain.policy === v.action ? [] : [`chain ${v.chain} in ${where(v.ns)} has policy ${chain.policy ?? '(none)'}, declared ${v.action}`];
  return chain.rules.includes(v.id) ? [] : [`the rule "${ruleText(v)}" (comment ${v.id}) is missing from chain ${v.chain} in ${where(v.ns)}`];
}
