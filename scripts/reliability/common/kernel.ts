/**
 * Kernel observations inside a sandbox, all from `ip -j`, /proc and the
 * filesystem of the sandbox: the lab's state as canonical lines (compared
 * with `expectedLines`), what is left after a destroy, and snapshots of the
 * sandbox's root namespace ("the host").
 */
import { Sandbox } from '../../../test/support/sandbox';

interface NsDump {
  /** Why the namespace could not be entered (a name under /run/netns that is not a namespace). */
  broken?: string;
  /** `ip -j -d addr show`. */
  links: any[];
  routes4: any[];
  routes6: any[];
  ipForward: string;
  /** net.core.somaxconn: the stamp of `stampNamespaces`. */
  stamp: string;
  /** Inode of /run/netns/NAME ('' for the root namespace). */
  inode: string;
}

/**
 * Everything `ip -j` shows of the sandbox's root namespace ('-') and of every
 * namespace under /run/netns, read in one command (each namespace entered
 * with nsenter): a sandbox command costs ~10 ms, and rows read the kernel often.
 */
export function kernelDump(sb: Sandbox): Map<string, NsDump> {
  const r = sb.ok(`for ns in - $(ls /run/netns); do
  printf '\n@@NS %s\n' "$ns"
  if [ "$ns" = - ]; then pre=""; else pre="nsenter --net=/run/netns/$ns"; printf '@@INODE\n%s\n' "$(stat -L -c %i /run/netns/$ns)"; fi
  if out=$($pre sh -c 'echo @@LINKS; ip -j -d addr show; echo; echo @@R4; ip -j -4 route show; echo; echo @@R6; ip -j -6 route show; echo; echo @@FWD; cat /proc/sys/net/ipv4/ip_forward; echo @@STAMP; cat /proc/sys/net/core/somaxconn' 2>&1); then
    printf '%s\n' "$out"
  else
    printf '@@BROKEN\n%s\n' "$(printf '%s' "$out" | head -n 1)"
  fi
done`);
  const out = new Map<string, NsDump>();
  for (const chunk of r.split('\n@@NS ').slice(1)) {
    const [name, ...rest] = chunk.split('\n');
    const sections: Record<string, string> = {};
    let cur = '';
    for (const l of rest) {
      const m = /^@@([A-Z0-9]+)$/.exec(l);
      if (m) { cur = m[1]; sections[cur] = ''; } else if (cur) sections[cur] += `${l}\n`;
    }
    const json = (k: string) => { const t = (sections[k] ?? '').trim(); return t ? JSON.parse(t) : []; };
    const d: NsDump = { links: [], routes4: [], routes6: [], ipForward: '', stamp: '', inode: (sections.INODE ?? '').trim() };
    if (sections.BROKEN !== undefined) d.broken = sections.BROKEN.trim();
    else Object.assign(d, { links: json('LINKS'), routes4: json('R4'), routes6: json('R6'), ipForward: sections.FWD.trim(), stamp: sections.STAMP.trim() });
    out.set(name, d);
  }
  return out;
}

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
  for (const [key, d] of kernelDump(sb)) {
    if (ignore.has(key)) continue;
    if (key !== '-') {
      if (d.broken !== undefined) {
        out.push(`ns ${key} BROKEN: ${d.broken}`);
        continue;
      }
      const lo = d.links.find((l: any) => l.ifname === 'lo') ?? {};
      out.push(`ns ${key} marker=${lo.ifalias ?? '-'} ip_forward=${d.ipForward}`);
    }
    for (const l of d.links) {
      if (l.ifname === 'lo' || (key === '-' && (opts.ignoreHostLinks ?? []).includes(l.ifname))) continue;
      const addrs = (l.addr_info ?? []).filter((a: any) => a.scope === 'global').map((a: any) => `${a.local}/${a.prefixlen}`).sort();
      const up = (l.flags ?? []).includes('UP') ? 'up' : 'down';
      out.push(`link ${key} ${l.ifname} kind=${l.linkinfo?.info_kind ?? '?'} marker=${l.ifalias ?? '-'} master=${l.master ?? '-'} ${up} addrs=${addrs.join(',')}`);
    }
    for (const [fam, routes] of [[4, d.routes4], [6, d.routes6]] as const) {
      for (const r of routes) {
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
 * files in the state directory (a deployment's record, host sysctl records,
 * an engine run's work directory) and empty directories below its top level,
 * namespace mounts. Objects named in `allow`
 * (planted by the row itself, e.g. foreign ones) are not counted.
 */
export function leftovers(sb: Sandbox, allow: { namespaces?: string[]; hostLinks?: string[] } = {}): string[] {
  const out: string[] = [];
  for (const n of sb.namespaces()) if (!(allow.namespaces ?? []).includes(n)) out.push(`namespace ${n}`);
  for (const l of sb.ipJson('', 'link show')) {
    if (l.ifname !== 'lo' && !(allow.hostLinks ?? []).includes(l.ifname)) out.push(`host interface ${l.ifname}`);
  }
  for (const r of sb.ok('ip route show proto 213; ip -6 route show proto 213').split('\n').filter(Boolean)) out.push(`host route ${r}`);
  // an engine run's scratch directory ($STATE/labs/<lab>/<token>/work.XXXXXXXX) is reported once, not file by file
  const work = new Map<string, number>();
  for (const f of sb.ok('find /run/cdktf-netns -type f').split('\n').filter(Boolean)) {
    const w = /^(\/run\/cdktf-netns\/(?:.*\/)?work\.[^/]+)\//.exec(f);
    if (w) work.set(w[1], (work.get(w[1]) ?? 0) + 1);
    else out.push(`state file ${f}`);
  }
  for (const [d, n] of work) out.push(`engine work directory ${d} (${n} files)`);
  // a deployment's record directory (or a lab's, or a host sysctl's) left empty is a leftover too
  for (const d of sb.ok('find /run/cdktf-netns -mindepth 2 -type d -empty').split('\n').filter(Boolean)) out.push(`empty state directory ${d}`);
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
  // files with their contents; an engine run's work directory counts as one entry (its files are scratch copies)
  const files = sb.ok(`find /run/cdktf-netns -path '*/work.*' -prune -printf '%p/ (engine work directory)\\n' -o -type f -exec sh -c 'printf "%s=%s\\n" "$1" "$(tr "\\n" " " < "$1")"' sh {} \\;`);
  const split = (s: string) => s.split('\n').filter(Boolean).sort();
  return { sysctls: split(sysctls), links: links.sort(), addresses: addrs.sort(), routes: routes.sort(), stateFiles: split(files) };
}

/** Differences between two host snapshots ([] = equal). */
export function diffSnapshots(before: Record<string, string[]>, after: Record<string, string[]>): string[] {
  return Object.keys(before).flatMap((k) => diffLines(before[k], after[k] ?? []).map((d) => `${k}: ${d}`));
}

/**
 * Identity of kernel objects, to tell "kept" from "re-created": per `ns/if`
 * the interface index (within its namespace's identity), and per namespace
 * the inode of its file plus the stamp
 * `stampNamespaces` left in it (nsfs inode numbers are reused, so a namespace
 * deleted and re-created under the same name can get the same inode: the
 * stamp, a sysctl value the lab does not manage, does not survive that).
 */
export function identities(sb: Sandbox): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, d] of kernelDump(sb)) {
    const ns = key === '-' ? 'host' : `${d.inode} stamp ${d.stamp}`;
    if (key !== '-') out[`ns ${key}`] = ns;
    // interface indexes count per namespace: an interface of a re-created namespace is re-created too
    for (const l of d.links) if (l.ifname !== 'lo') out[`if ${key}/${l.ifname}`] = `${ns} #${l.ifindex}`;
  }
  return out;
}

let stamps = 1000;
/** Give every namespace a distinct value of net.core.somaxconn (kernel default 4096), read back by `identities`. */
export function stampNamespaces(sb: Sandbox): void {
  const cmds = sb.namespaces().map((ns) => `nsenter --net=/run/netns/${ns} sh -c 'echo ${stamps++} > /proc/sys/net/core/somaxconn'`);
  if (cmds.length) sb.sh(cmds.join('; '));
}

/** The keys whose identity differs (re-created), appeared or went away between two `identities` snapshots. */
export function changedIdentities(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
}
