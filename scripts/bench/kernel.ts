/**
 * What the kernel of a sandbox holds after an apply, read with `ip -j`
 * (outside every timed part), and the checks the bench makes on it:
 *
 * - completeness: the lab is exactly the StarSpec (namespaces, bridge ports,
 *   eth0 addresses, default routes, bridge addresses) and a sample pings;
 * - identity: the inode of every /run/netns/X and the ifindex of every
 *   interface, to prove an incremental apply re-created nothing it should not.
 */
import { BenchSandbox } from './sandbox-run';
import { shellQuote } from '../../test/support/sandbox';
import { StarSpec } from './star';

export interface RootLink {
  ifindex: number;
  master?: string;
  up: boolean;
  /** Global addresses, `a.b.c.d/p`, sorted. */
  addrs: string[];
  kind?: 'veth' | 'bridge';
}

export interface NsEth0 {
  ifindex: number;
  up: boolean;
  addrs: string[];
  /** Gateways of the namespace's default routes. */
  defaultVia: string[];
}

export interface LabObservation {
  /** Namespace name -> inode of /run/netns/NAME. */
  namespaces: Map<string, number>;
  /** Interfaces of the sandbox's root namespace other than lo. */
  rootLinks: Map<string, RootLink>;
  /** eth0 of each namespace that has one. */
  eth0: Map<string, NsEth0>;
}

interface IpAddrEntry {
  ifindex: number;
  ifname: string;
  master?: string;
  flags?: string[];
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope: string }>;
}

interface IpRouteEntry {
  dst: string;
  gateway?: string;
}

function globalAddrs(e: IpAddrEntry): string[] {
  return (e.addr_info ?? [])
    .filter((a) => a.scope === 'global')
    .map((a) => `${a.local}/${a.prefixlen}`)
    .sort();
}

function isUp(e: IpAddrEntry): boolean {
  return (e.flags ?? []).includes('UP');
}

const SECTION = '@@section';

/** The sandbox's root namespace: addresses of every interface, and which are veths and bridges. */
async function observeRoot(box: BenchSandbox): Promise<Map<string, RootLink>> {
  const out = await box.ok(['ip -j addr show', `echo ${SECTION}`, 'ip -j link show type veth', `echo ${SECTION}`, 'ip -j link show type bridge'].join('; '));
  const [addrs, veths, bridges] = out.split(`${SECTION}\n`).map((s) => (s.trim() ? (JSON.parse(s) as IpAddrEntry[]) : []));
  const kinds = new Map<string, 'veth' | 'bridge'>([
    ...veths.map((e): [string, 'veth'] => [e.ifname, 'veth']),
    ...bridges.map((e): [string, 'bridge'] => [e.ifname, 'bridge']),
  ]);
  const links = new Map<string, RootLink>();
  for (const e of addrs) {
    if (e.ifname === 'lo') continue;
    links.set(e.ifname, { ifindex: e.ifindex, master: e.master, up: isUp(e), addrs: globalAddrs(e), kind: kinds.get(e.ifname) });
  }
  return links;
}

/**
 * Every namespace under /run/netns: its inode (one `stat` for all), and eth0
 * and the default routes (one `nsenter --net ip -batch` per namespace:
 * `ip -n` would copy the sandbox's mount table, a thousand netns mounts,
 * for every call).
 */
async function observeNamespaces(box: BenchSandbox): Promise<{ namespaces: Map<string, number>; eth0: Map<string, NsEth0> }> {
  const batch = '/run/.bench-observe.batch'; // the sandbox's own tmpfs
  const out = await box.ok(
    `printf 'addr show dev eth0\\nroute show default\\n' > ${batch}
set -- /run/netns/*
[ -e "$1" ] || exit 0
stat -L -c '# %n %i' "$@"
for f in "$@"; do
  echo "@ \${f##*/}"
  nsenter --net="$f" ip -j -force -batch ${batch} 2>/dev/null || true
done`,
    { timeoutMs: 30 * 60_000 },
  );
  const namespaces = new Map<string, number>();
  const eth0 = new Map<string, NsEth0>();
  let current = '';
  for (const line of out.split('\n')) {
    if (line.startsWith('# /run/netns/')) {
      const [, path, inode] = line.split(' ');
      namespaces.set(path.slice('/run/netns/'.length), Number(inode));
    } else if (line.startsWith('@ ')) {
      current = line.slice(2);
    } else if (line.startsWith('[') && current) {
      // a missing eth0 prints no array, an empty table prints []: tell the two apart by content
      const entries = JSON.parse(line) as Array<IpAddrEntry | IpRouteEntry>;
      const first = entries[0];
      if (first && 'ifname' in first) {
        eth0.set(current, { ifindex: first.ifindex, up: isUp(first), addrs: globalAddrs(first), defaultVia: [] });
      } else if (first && 'dst' in first) {
        const e = eth0.get(current);
        if (e) e.defaultVia = (entries as IpRouteEntry[]).map((r) => r.gateway ?? '-').sort();
      }
    }
  }
  return { namespaces, eth0 };
}

export async function observeLab(box: BenchSandbox): Promise<LabObservation> {
  const rootLinks = await observeRoot(box);
  return { rootLinks, ...(await observeNamespaces(box)) };
}

/** Counts of a complete lab, for the progress line. */
export interface LabCounts {
  namespaces: number;
  ports: number;
  addresses: number;
  routes: number;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Differences between the observed lab and `spec`, as readable lines ([]
 * when the lab is exactly the spec), and the counts the brief asks for.
 */
export function checkLab(obs: LabObservation, spec: StarSpec): { problems: string[]; counts: LabCounts } {
  const problems: string[] = [];
  const wanted = new Set(spec.members.map((m) => m.ns));
  for (const ns of obs.namespaces.keys()) if (!wanted.has(ns)) problems.push(`unexpected namespace ${ns}`);
  const bridgeNames = new Set(spec.bridges.map((b) => b.name));
  for (const b of spec.bridges) {
    const l = obs.rootLinks.get(b.name);
    if (!l || l.kind !== 'bridge') problems.push(`bridge ${b.name} missing`);
    else if (!l.up || !sameList(l.addrs, [...b.addresses].sort()))
      problems.push(`bridge ${b.name}: ${l.up ? 'up' : 'down'} ${l.addrs.join(',')}, expected up ${[...b.addresses].sort().join(',')}`);
  }
  const veths = new Set(spec.members.map((m) => m.veth));
  for (const [name, l] of obs.rootLinks) {
    if (l.kind === 'veth' && !veths.has(name)) problems.push(`unexpected veth ${name}`);
    if (l.kind !== 'veth' && !bridgeNames.has(name)) problems.push(`unexpected interface ${name}`);
  }
  for (const m of spec.members) problems.push(...checkMember(obs, spec, m));
  const counts: LabCounts = {
    namespaces: obs.namespaces.size,
    ports: [...obs.rootLinks.values()].filter((l) => l.kind === 'veth' && l.master?.startsWith('br')).length,
    addresses: [...obs.eth0.values()].reduce((n, e) => n + e.addrs.length, 0),
    routes: [...obs.eth0.values()].reduce((n, e) => n + e.defaultVia.length, 0),
  };
  const n = spec.members.length;
  if (counts.namespaces !== n || counts.ports !== n || counts.addresses !== n || counts.routes !== n) {
    problems.unshift(
      `expected ${n} of each, found ${counts.namespaces} namespaces, ${counts.ports} bridge ports, ${counts.addresses} eth0 addresses, ${counts.routes} default routes`,
    );
  }
  return { problems, counts };
}

function checkMember(obs: LabObservation, spec: StarSpec, m: StarSpec['members'][number]): string[] {
  const out: string[] = [];
  if (!obs.namespaces.has(m.ns)) return [`namespace ${m.ns} missing`];
  const port = obs.rootLinks.get(m.veth);
  const bridge = spec.bridges[m.bridge].name;
  if (!port || port.kind !== 'veth') out.push(`veth ${m.veth} missing`);
  else if (port.master !== bridge || !port.up)
    out.push(`veth ${m.veth}: master ${port.master ?? '-'} ${port.up ? 'up' : 'down'}, expected master ${bridge} up`);
  const e = obs.eth0.get(m.ns);
  if (!e) return [...out, `${m.ns}: eth0 missing`];
  if (!e.up || !sameList(e.addrs, [m.address]))
    out.push(`${m.ns}: eth0 ${e.up ? 'up' : 'down'} ${e.addrs.join(',') || 'no address'}, expected up ${m.address}`);
  if (!sameList(e.defaultVia, [m.gateway])) out.push(`${m.ns}: default via ${e.defaultVia.join(',') || 'none'}, expected via ${m.gateway}`);
  return out;
}

/**
 * Ping each bridge's gateway from its first and last namespace (one packet,
 * up to three tries: the first ARP exchange can lose a packet). Targets are
 * addresses inside this sandbox only.
 */
export async function pingSample(box: BenchSandbox, spec: StarSpec): Promise<string[]> {
  const problems: string[] = [];
  const samples = new Map<string, StarSpec['members'][number]>();
  for (const m of spec.members) {
    if (!samples.has(`first${m.bridge}`)) samples.set(`first${m.bridge}`, m);
    samples.set(`last${m.bridge}`, m);
  }
  for (const m of new Set(samples.values())) {
    const r = await box.sh(
      `for i in 1 2 3; do nsenter --net=/run/netns/${shellQuote(m.ns)} ping -c 1 -W 2 -q ${shellQuote(m.gateway)} >/dev/null && exit 0; done; exit 1`,
      { timeoutMs: 30_000 },
    );
    if (r.code !== 0) problems.push(`ping ${m.ns} -> ${m.gateway} failed`);
  }
  return problems;
}

/** After a destroy: nothing but lo left in the sandbox. */
export function checkEmpty(obs: LabObservation): string[] {
  const left = [...obs.namespaces.keys(), ...obs.rootLinks.keys()];
  return left.length ? [`left after destroy: ${left.slice(0, 8).join(', ')}${left.length > 8 ? ` and ${left.length - 8} more` : ''}`] : [];
}

/**
 * Shell text: wait until no veth is left in the sandbox's root namespace.
 * The kernel frees a veth pair asynchronously after `ip netns del` (when the
 * namespace's last reference goes), so a destroy is over only then.
 */
export function waitNoVeth(limitSeconds: number): string {
  return `end=$(( $(date +%s) + ${limitSeconds} ))
while [ "$(ip -o link show type veth | wc -l)" -gt 0 ]; do
  if [ "$(date +%s)" -ge "$end" ]; then echo "bench: veth interfaces still present ${limitSeconds} s after the destroy" >&2; exit 1; fi
  sleep 0.005
done`;
}

/**
 * Identity of every kernel object of the lab: `netns X` -> inode,
 * `link IF` -> ifindex (root namespace), `eth0@X` -> ifindex inside X. A
 * re-created object gets a new inode / ifindex (ifindexes are not reused
 * soon: the kernel allocates them increasing per namespace).
 */
export function identities(obs: LabObservation): Map<string, number> {
  const ids = new Map<string, number>();
  for (const [ns, inode] of obs.namespaces) ids.set(`netns ${ns}`, inode);
  for (const [name, l] of obs.rootLinks) ids.set(`link ${name}`, l.ifindex);
  for (const [ns, e] of obs.eth0) ids.set(`eth0@${ns}`, e.ifindex);
  return ids;
}

/** The namespace an identity key belongs to (its own, or that of the veth's far end); '' for the bridges. */
function ownerOf(key: string, vethOwner: Map<string, string>): string {
  if (key.startsWith('netns ')) return key.slice(6);
  if (key.startsWith('eth0@')) return key.slice(5);
  return vethOwner.get(key.slice(5)) ?? '';
}

/**
 * Objects whose identity changed (re-created, added or removed) between two
 * observations, split into those of the `touched` namespaces (expected) and
 * all others (unexpected).
 */
export function identityChanges(
  before: Map<string, number>,
  after: Map<string, number>,
  touched: string[],
  specs: StarSpec[],
): { expected: string[]; unexpected: string[] } {
  const vethOwner = new Map(specs.flatMap((s) => s.members.map((m): [string, string] => [m.veth, m.ns])));
  const touchedSet = new Set(touched);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).sort();
  const isExpected = (k: string): boolean => touchedSet.has(ownerOf(k, vethOwner));
  return { expected: changed.filter(isExpected), unexpected: changed.filter((k) => !isExpected(k)) };
}
