/**
 * Kernel observations inside a sandbox, all from `ip -j`, /proc and the
 * filesystem of the sandbox: the lab's state as canonical lines (compared
 * with `expectedLines`), what is left after a destroy, and snapshots of the
 * sandbox's root namespace ("the host").
 */
import { Sandbox } from '../../../test/e2e/sandbox';

/**
 * Everything cdktf-netns could have made, as sorted canonical lines:
 *   ns NAME marker=LO_ALIAS ip_forward=V
 *   link NS|- IF kind=K marker=ALIAS master=M|- up|down addrs=A,B
 *   route NS|- 4|6 DEST via GW proto P      (non-kernel routes only)
 * `-` is the sandbox's root namespace (the host). Interfaces and routes
 * inside namespaces listed in `ignoreNs` are skipped (foreign namespaces a
 * row planted on purpose are checked separately).
 */
export function captureLab(sb: Sandbox, opts: { ignoreNs?: string[]; ignoreHostLinks?: string[] } = {}): string[] {
  const out: string[] = [];
  const ignore = new Set(opts.ignoreNs ?? []);
  for (const ns of ['', ...sb.namespaces()]) {
    const key = ns || '-';
    if (ignore.has(ns)) continue;
    if (ns) {
      // a name under /run/netns that is not a namespace (e.g. `ip netns add` killed half-way)
      const probe = sb.sh(`ip -j -n ${ns} link show dev lo`);
      if (probe.code !== 0) {
        out.push(`ns ${ns} BROKEN: ${probe.stderr.trim().split('\n')[0]}`);
        continue;
      }
      const lo = JSON.parse(probe.stdout)[0] ?? {};
      out.push(`ns ${ns} marker=${lo.ifalias ?? '-'} ip_forward=${sb.sysctl(ns, 'net.ipv4.ip_forward')}`);
    }
    for (const l of sb.ipJson(ns, '-d addr show')) {
      if (l.ifname === 'lo' || (!ns && (opts.ignoreHostLinks ?? []).includes(l.ifname))) continue;
      const addrs = (l.addr_info ?? []).filter((a: any) => a.scope === 'global').map((a: any) => `${a.local}/${a.prefixlen}`).sort();
      const up = (l.flags ?? []).includes('UP') ? 'up' : 'down';
      out.push(`link ${key} ${l.ifname} kind=${l.linkinfo?.info_kind ?? '?'} marker=${l.ifalias ?? '-'} master=${l.master ?? '-'} ${up} addrs=${addrs.join(',')}`);
    }
    for (const fam of [4, 6]) {
      for (const r of sb.ipJson(ns, `-${fam} route show`)) {
        if (r.protocol === 'kernel') continue;
        out.push(`route ${key} ${fam} ${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} proto ${r.protocol ?? '?'}`);
      }
    }
  }
  return out.sort();
}

/** Lines only in `expected` (missing) or only in `actual` (unexpected); [] when equal. */
export function diffLines(expected: string[], actual: string[]): string[] {
  const e = new Set(expected);
  const a = new Set(actual);
  return [
    ...expected.filter((l) => !a.has(l)).map((l) => `missing:    ${l}`),
    ...actual.filter((l) => !e.has(l)).map((l) => `unexpected: ${l}`),
  ];
}

/** Mounts of namespace files (/run/netns/NAME); iproute2's own bind mount of /run/netns itself is not one. */
export function netnsMounts(sb: Sandbox): string[] {
  return sb.ok(`awk '$5 ~ "^/run/netns/" { print $5 }' /proc/self/mountinfo`).split('\n').filter(Boolean);
}

/** Number of mounts in the sandbox's mount namespace (to see that cycles do not accumulate any). */
export function mountCount(sb: Sandbox): number {
  return Number(sb.ok('wc -l < /proc/self/mountinfo').trim());
}

/**
 * What a destroy left behind, as readable strings ([] = nothing): namespaces,
 * interfaces of the host other than lo, routes with our protocol in the host,
 * files in the state directory, namespace mounts. Objects named in `allow`
 * (planted by the row itself, e.g. foreign ones) are not counted.
 */
export function leftovers(sb: Sandbox, allow: { namespaces?: string[]; hostLinks?: string[] } = {}): string[] {
  const out: string[] = [];
  for (const n of sb.namespaces()) if (!(allow.namespaces ?? []).includes(n)) out.push(`namespace ${n}`);
  for (const l of sb.ipJson('', 'link show')) {
    if (l.ifname !== 'lo' && !(allow.hostLinks ?? []).includes(l.ifname)) out.push(`host interface ${l.ifname}`);
  }
  for (const r of sb.ok('ip route show proto 213; ip -6 route show proto 213').split('\n').filter(Boolean)) out.push(`host route ${r}`);
  for (const f of sb.ok('find /run/cdktf-netns -type f').split('\n').filter(Boolean)) out.push(`state file ${f}`);
  const allowedMounts = (allow.namespaces ?? []).map((n) => `/run/netns/${n}`);
  for (const m of netnsMounts(sb)) if (!allowedMounts.includes(m)) out.push(`mount ${m}`);
  return out;
}

/** The forwarding sysctls of the sandbox's root namespace (ip_forward, conf/* /forwarding for IPv4 and IPv6). */
export function hostForwarding(sb: Sandbox): string[] {
  return sb.ok('grep -H . /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/*/forwarding /proc/sys/net/ipv6/conf/*/forwarding')
    .split('\n').filter(Boolean).sort();
}

/**
 * A broad snapshot of the sandbox's root namespace, "the host": every readable
 * sysctl of net.ipv4 / net.ipv6 conf all|default|lo plus ip_forward and every
 * conf/* /forwarding, the links (index, kind, alias, master, flags, MTU),
 * addresses, routes of all tables, and the files (with contents) under
 * /run/cdktf-netns.
 */
export function hostSnapshot(sb: Sandbox): Record<string, string[]> {
  const sysctls = sb.sh('grep -rH . /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/*/forwarding /proc/sys/net/ipv6/conf/*/forwarding ' +
    '/proc/sys/net/ipv4/conf/all /proc/sys/net/ipv4/conf/default /proc/sys/net/ipv4/conf/lo ' +
    '/proc/sys/net/ipv6/conf/all /proc/sys/net/ipv6/conf/default /proc/sys/net/ipv6/conf/lo 2>/dev/null').stdout;
  const links = sb.ipJson('', '-d link show').map((l: any) =>
    `${l.ifindex} ${l.ifname} kind=${l.linkinfo?.info_kind ?? '-'} alias=${l.ifalias ?? '-'} master=${l.master ?? '-'} flags=${(l.flags ?? []).join(',')} mtu=${l.mtu}`);
  const addrs = sb.ipJson('', 'addr show').flatMap((l: any) => (l.addr_info ?? []).map((a: any) => `${l.ifname} ${a.local}/${a.prefixlen} ${a.scope}`));
  const routes = [4, 6].flatMap((f) => sb.ipJson('', `-${f} route show table all`).map((r: any) =>
    `${f} ${r.type ?? ''} ${r.dst} ${r.gateway ?? ''} dev=${r.dev ?? ''} table=${r.table ?? 'main'} proto=${r.protocol ?? ''}`));
  const files = sb.ok(`find /run/cdktf-netns -type f -exec sh -c 'printf "%s=%s\\n" "$1" "$(tr "\\n" " " < "$1")"' sh {} \\;`);
  const split = (s: string) => s.split('\n').filter(Boolean).sort();
  return { sysctls: split(sysctls), links: links.sort(), addresses: addrs.sort(), routes: routes.sort(), stateFiles: split(files) };
}

/** Differences between two host snapshots ([] = equal). */
export function diffSnapshots(before: Record<string, string[]>, after: Record<string, string[]>): string[] {
  return Object.keys(before).flatMap((k) => diffLines(before[k], after[k] ?? []).map((d) => `${k}: ${d}`));
}

/** One ICMP echo from namespace `from` ('' = host) to `to`; true when answered. */
export function ping(sb: Sandbox, from: string, to: string, waitS = 2): boolean {
  return sb.sh(`${from ? `ip netns exec ${from} ` : ''}ping -c 1 -W ${waitS} ${to}`).code === 0;
}

/**
 * Identity of kernel objects, to tell "kept" from "re-created": interface
 * index per `ns/if`, and the namespace file's inode per namespace.
 */
export function identities(sb: Sandbox): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ns of ['', ...sb.namespaces()]) {
    if (ns) out[`ns ${ns}`] = sb.ok(`stat -L -c %i /run/netns/${ns}`).trim();
    const links = sb.sh(`ip -j ${ns ? `-n ${ns}` : ''} link show`);
    if (links.code !== 0) continue;
    for (const l of JSON.parse(links.stdout)) if (l.ifname !== 'lo') out[`if ${ns || '-'}/${l.ifname}`] = String(l.ifindex);
  }
  return out;
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
}
