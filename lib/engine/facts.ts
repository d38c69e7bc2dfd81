import { existsSync, readdirSync } from 'fs';
import { LOCAL, Machine } from './machine';
import { nftTableName } from '../kinds/nft';
import { FactRead, Facts, LinkFact, NamespaceFacts, NftTableFact } from './kind';

/**
 * Kernel facts for `cdktf-netns verify`: each namespace read once (`ip -j`,
 * entered with nsenter), parsed with a real JSON parser.
 */

const SEP = '@@cdktf-netns@@';
const READ =
  `ip -j -d addr show; echo '${SEP}'; ip -j -4 route show table main; echo '${SEP}'; ip -j -6 route show table main; echo '${SEP}'; ` +
  // $1: whether to read the qdiscs (a tc per namespace only where an impairment is declared)
  `if [ "$1" = 1 ]; then tc -j qdisc show 2>/dev/null || echo '[]'; else echo '[]'; fi; echo '${SEP}'; ` +
  // $2: the lab's nftables table to read ('-': none), as JSON (chains, policies, rule comments), then its
  // own comment (nft 1.0 lists that in text only); `none` when there is no such table
  `if [ "$2" = - ]; then echo none; echo '${SEP}'; elif nft -j list table inet "$2" 2>/dev/null; then echo '${SEP}'; ` +
  `nft list table inet "$2" | sed -n 's/^\tcomment "\\(.*\\)"$/\\1/p' | head -n 1; else echo none; echo '${SEP}'; fi; echo '${SEP}'; shift 2; ` +
  'for p in "$@"; do cat "$p" 2>/dev/null || echo "?"; done';

/** The /proc/sys path of a dotted key (a `/` in the key is a dot of an interface name); lib.awk's sysctl_path does the same. */
export const sysctlPath = (key: string): string => `/proc/sys/${key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'))}`;

function parseJson<T>(text: string, fallback: T): T {
  const t = text.trim();
  if (!t) return fallback;
  return JSON.parse(t) as T;
}

/** The lab's nftables table of one namespace (with the marker it should carry), as verify asks for it. */
export interface NftRead {
  readonly name: string;
  readonly marker: string;
}

/**
 * Read one namespace ("-" = the namespace this process runs in) in one process: links, routes,
 * the sysctls asked for, its qdiscs and the lab's nftables table if asked.
 */
export function readNamespace(ns: string, sysctls: string[] = [], qdiscs = false, nft?: NftRead, machine: Machine = LOCAL): NamespaceFacts {
  if (machine === LOCAL && ns !== '-' && !existsSync(`/run/netns/${ns}`)) return { exists: false, links: [], routes: [], sysctls: {} };
  const cmd = ['sh', '-c', READ, 'sh', qdiscs ? '1' : '0', nft?.name ?? '-', ...sysctls.map(sysctlPath)];
  // (on a Host, a namespace that does not exist fails nsenter: read as not existing)
  const r = machine.run(ns === '-' ? cmd : ['nsenter', `--net=/run/netns/${ns}`, ...cmd]);
  if (r.status !== 0) return { exists: false, links: [], routes: [], sysctls: {} };
  const [links, r4, r6, tcJson, nftJson, nftComment, values] = r.stdout.split(`${SEP}\n`);
  const vals = (values ?? '').split('\n');
  const out: Record<string, string> = {};
  sysctls.forEach((k, i) => {
    out[k] = vals[i];
  });
  type Route = { dst: string; gateway?: string; protocol?: string | number };
  return {
    exists: true,
    links: parseJson<LinkFact[]>(links, []),
    routes: [
      ...parseJson<Route[]>(r4, []).map((x) => ({ ...x, family: 4 as const })),
      ...parseJson<Route[]>(r6, []).map((x) => ({ ...x, family: 6 as const })),
    ],
    sysctls: out,
    qdiscs: parseJson<Array<{ dev: string; kind: string; root?: boolean }>>(tcJson, []).map((q) => ({ dev: q.dev, kind: q.kind, root: q.root === true })),
    nft: nft && (nftJson ?? 'none').trim() !== 'none' ? nftTable(nft, nftJson, nftComment ?? '') : undefined,
  };
}

/** The table's chains (policies, rule comments in order) from `nft -j list table`. */
function nftTable(read: NftRead, json: string, comment: string): NftTableFact {
  type Item = { chain?: { name: string; policy?: string }; rule?: { chain: string; comment?: string } };
  const items = parseJson<{ nftables?: Item[] }>(json, {}).nftables ?? [];
  const chains = items.filter((i) => i.chain).map((i) => ({ name: i.chain!.name, policy: i.chain!.policy, rules: [] as string[] }));
  for (const i of items) if (i.rule) chains.find((c) => c.name === i.rule!.chain)?.rules.push(i.rule.comment ?? '');
  return { name: read.name, comment: comment.trim(), marker: read.marker, chains };
}

/** Who the facts are read for: the lab's id, the deployment and its kernel owner marker (for the nftables table). */
export interface FactsFor {
  readonly lab: string;
  readonly deployment: string;
  readonly owner: string;
}

/** Facts for a set of namespaces (and the sysctls, qdiscs and nftables tables asked for in them), read lazily and once each. */
export function collectFacts(wanted: ReadonlyArray<FactRead>, who?: FactsFor, machine: Machine = LOCAL): Facts {
  const sysctls = new Map<string, Set<string>>();
  const qdiscs = new Set<string>();
  // the lab's table is read where a rule is declared, and in the host namespace (for the tables of ours nothing declares)
  const tables = new Set<string>(who ? ['-'] : []);
  for (const w of wanted) {
    if (!sysctls.has(w.ns)) sysctls.set(w.ns, new Set());
    if (w.sysctl) sysctls.get(w.ns)!.add(w.sysctl);
    if (w.qdiscs) qdiscs.add(w.ns);
    if (w.nft && who) tables.add(w.ns);
  }
  const table = who ? { name: nftTableName(who.lab, who.deployment), marker: who.owner } : undefined;
  const cache = new Map<string, NamespaceFacts>();
  const ns = (name: string): NamespaceFacts => {
    if (!cache.has(name)) cache.set(name, readNamespace(name, [...(sysctls.get(name) ?? [])], qdiscs.has(name), tables.has(name) ? table : undefined, machine));
    return cache.get(name)!;
  };
  return {
    ns,
    nft: (name) => (tables.has(name) ? ns(name).nft : undefined),
    get hostSysctls() {
      return ns('-').sysctls;
    },
  };
}

/** Names under /run/netns (of this machine, or of a Host) that look like namespace names. */
export function listNamespaces(machine: Machine = LOCAL): string[] {
  let names: string[];
  if (machine === LOCAL) names = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  else names = (machine.run(['ls', '-1A', '/run/netns']).stdout ?? '').split('\n');
  return names.filter((n) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(n)).sort();
}
