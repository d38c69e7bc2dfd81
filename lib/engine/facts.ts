import { spawnSync } from 'child_process';
import { existsSync, readdirSync } from 'fs';
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
  `if [ "$1" = 1 ]; then tc -j qdisc show 2>/dev/null || echo '[]'; else echo '[]'; fi; echo '${SEP}'; shift; ` +
  'for p in "$@"; do cat "$p" 2>/dev/null || echo "?"; done';

/** The /proc/sys path of a dotted key (a `/` in the key is a dot of an interface name); lib.awk's sysctl_path does the same. */
export const sysctlPath = (key: string): string => `/proc/sys/${key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'))}`;

function parseJson<T>(text: string, fallback: T): T {
  const t = text.trim();
  if (!t) return fallback;
  return JSON.parse(t) as T;
}

/** Read one namespace ("-" = the namespace this process runs in), its qdiscs too if asked. */
export function readNamespace(ns: string, sysctls: string[] = [], qdiscs = false): NamespaceFacts {
  if (ns !== '-' && !existsSync(`/run/netns/${ns}`)) return { exists: false, links: [], routes: [], sysctls: {} };
  const args =
    ns === '-'
      ? ['sh', '-c', READ, 'sh', qdiscs ? '1' : '0', ...sysctls.map(sysctlPath)]
      : ['nsenter', `--net=/run/netns/${ns}`, 'sh', '-c', READ, 'sh', qdiscs ? '1' : '0', ...sysctls.map(sysctlPath)];
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) return { exists: false, links: [], routes: [], sysctls: {} };
  const [links, r4, r6, tcJson, values] = r.stdout.split(`${SEP}\n`);
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
  };
}

// the table as JSON (chains, policies, rule comments), then its own comment (nft 1.0 lists it in text only)
const NFT_READ = `nft -j list table inet "$1" 2>/dev/null || exit 3; echo '${SEP}'; nft list table inet "$1" | sed -n 's/^\tcomment "\\(.*\\)"$/\\1/p' | head -n 1`;

/** The lab's nftables table in a namespace ("-" = this process's), or undefined when it has none. */
export function readNftTable(ns: string, name: string, marker: string): NftTableFact | undefined {
  if (ns !== '-' && !existsSync(`/run/netns/${ns}`)) return undefined;
  const cmd = ['sh', '-c', NFT_READ, 'sh', name];
  const args = ns === '-' ? cmd : ['nsenter', `--net=/run/netns/${ns}`, ...cmd];
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return undefined;
  const cut = r.stdout.indexOf(`${SEP}\n`);
  if (cut < 0) return undefined;
  type Item = { chain?: { name: string; policy?: string }; rule?: { chain: string; comment?: string } };
  const items = parseJson<{ nftables?: Item[] }>(r.stdout.slice(0, cut), {}).nftables ?? [];
  const chains = items.filter((i) => i.chain).map((i) => ({ name: i.chain!.name, policy: i.chain!.policy, rules: [] as string[] }));
  for (const i of items) if (i.rule) chains.find((c) => c.name === i.rule!.chain)?.rules.push(i.rule.comment ?? '');
  return { name, comment: r.stdout.slice(cut + SEP.length + 1).trim(), marker, chains };
}

/** Who the facts are read for: the lab's id, the deployment and its kernel owner marker (for the nftables table). */
export interface FactsFor {
  readonly lab: string;
  readonly deployment: string;
  readonly owner: string;
}

/** Facts for a set of namespaces (and the sysctls, qdiscs and nftables tables asked for in them), read lazily and once each. */
export function collectFacts(wanted: ReadonlyArray<FactRead>, who?: FactsFor): Facts {
  const sysctls = new Map<string, Set<string>>();
  const qdiscs = new Set<string>();
  for (const w of wanted) {
    if (!sysctls.has(w.ns)) sysctls.set(w.ns, new Set());
    if (w.sysctl) sysctls.get(w.ns)!.add(w.sysctl);
    if (w.qdiscs) qdiscs.add(w.ns);
  }
  const cache = new Map<string, NamespaceFacts>();
  const ns = (name: string): NamespaceFacts => {
    if (!cache.has(name)) cache.set(name, readNamespace(name, [...(sysctls.get(name) ?? [])], qdiscs.has(name)));
    return cache.get(name)!;
  };
  const tables = new Map<string, NftTableFact | undefined>();
  const nft = (name: string): NftTableFact | undefined => {
    if (!who) return undefined;
    if (!tables.has(name)) tables.set(name, readNftTable(name, nftTableName(who.lab, who.deployment), who.owner));
    return tables.get(name);
  };
  return {
    ns,
    nft,
    get hostSysctls() {
      return ns('-').sysctls;
    },
  };
}

/** Names under /run/netns that look like namespace names. */
export function listNamespaces(): string[] {
  if (!existsSync('/run/netns')) return [];
  return readdirSync('/run/netns')
    .filter((n) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(n))
    .sort();
}
