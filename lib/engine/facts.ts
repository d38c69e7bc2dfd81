import { spawnSync } from 'child_process';
import { existsSync, readdirSync } from 'fs';
import { Facts, LinkFact, NamespaceFacts } from './kind';

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

/** Facts for a set of namespaces (and the sysctls and qdiscs asked for in them), read lazily and once each. */
export function collectFacts(wanted: Array<{ ns: string; sysctl?: string; qdiscs?: boolean }>): Facts {
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
  return {
    ns,
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
