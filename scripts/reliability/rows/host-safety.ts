/**
 * Row 10: host safety. The host-router example (examples/host-router) turns
 * on the host's IPv4 forwarding while it exists. A broad snapshot of the
 * sandbox's root namespace ("the host": ip_forward and every forwarding
 * sysctl, all conf/{all,default,lo} sysctls of IPv4 and IPv6, links,
 * addresses, routes of all tables, files under /run/cdktf-netns) is taken
 * before; deploy; destroy; the snapshot must be equal. Done with ip_forward
 * 0 and 1 beforehand, and after FAILED applies (a foreign namespace, or a
 * foreign host interface, named like one of the lab's) that fail after the
 * host sysctl was set: destroy must restore the host all the same.
 */
import { HostRouterStack } from '../../../examples/host-router/stack';
import { diffSnapshots, hostSnapshot, ping } from '../common/kernel';
import { differsFromExample, expectLab, expectNothingLeft, Problems, RowOptions, RowResult, tail, withLab, withSandbox } from '../common/row';
import { HOST_ROUTER } from '../common/topo';

interface Case {
  label: string;
  forwardBefore: 0 | 1;
  /** A foreign object (shell, in the sandbox) that makes the apply fail half-way; removed by `cleanup` at the end. */
  foreign?: { make: string; cleanup: string; allow: { namespaces?: string[]; hostLinks?: string[] }; refusal: RegExp };
}

const CASES: Case[] = [
  { label: 'deploy + destroy, ip_forward=0 before', forwardBefore: 0 },
  { label: 'deploy + destroy, ip_forward=1 before', forwardBefore: 1 },
  { label: 'failed apply (foreign namespace ns_db) + destroy', forwardBefore: 0,
    foreign: { make: 'ip netns add ns_db && ip -n ns_db link add keepme type bridge', cleanup: 'ip netns del ns_db', allow: { namespaces: ['ns_db'] },
      refusal: /already exists in namespace 'ns_db' and is not owned by cdktf-netns:host-router\/ns_db/ } },
  { label: 'failed apply (foreign host interface veth-db-host) + destroy', forwardBefore: 0,
    foreign: { make: 'ip link add veth-db-host type bridge', cleanup: 'ip link del veth-db-host', allow: { hostLinks: ['veth-db-host'] },
      refusal: /interface 'veth-db-host' already exists in the host namespace and is not owned by cdktf-netns:host-router\/db/ } },
];

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const p = new Problems();
  const topoDiff = differsFromExample('host-router', (app) => new HostRouterStack(app, 'host-router'), HOST_ROUTER);
  p.check(topoDiff.length === 0, `the data form of host-router differs from examples/host-router in: ${topoDiff.join(', ')}`);
  let restored = 0;
  let failedRestored = 0;
  let keys = 0;
  for (let round = 1; round <= rounds; round++) for (const c0 of CASES) {
    const c = rounds > 1 ? { ...c0, label: `round ${round}: ${c0.label}` } : c0;
    const before = p.list.length;
    await withSandbox((sb) => withLab(sb, 'host-router', (lab) => {
      lab.synth((app) => new HostRouterStack(app, 'host-router'));
      sb.ok(`echo ${c.forwardBefore} > /proc/sys/net/ipv4/ip_forward`);
      if (c.foreign) sb.ok(c.foreign.make);
      const snap = hostSnapshot(sb);
      keys = Object.values(snap).reduce((n, l) => n + l.length, 0);
      const r = lab.apply();
      p.check(sb.sysctl('', 'net.ipv4.ip_forward') === '1', `${c.label}: host ip_forward is not 1 after the ${c.foreign ? 'failed ' : ''}apply`);
      if (c.foreign) {
        p.check(r.code !== 0 && c.foreign.refusal.test(r.stdout + r.stderr), () => `${c.label}: the apply did not fail on the foreign object (exit ${r.code}): ${tail(r.stdout + r.stderr)}`);
      } else if (p.check(r.code === 0, () => `${c.label}: apply failed: ${tail(r.stdout + r.stderr)}`)) {
        expectLab(p, c.label, sb, 'host-router', HOST_ROUTER);
        p.check(ping(sb, 'ns_web', '10.0.2.20') && ping(sb, 'ns_db', '10.0.1.10'), `${c.label}: ns_web and ns_db do not ping each other through the host`);
        p.check(lab.planExitCode() === 0, `${c.label}: a second plan shows changes`);
      }
      const d = lab.terraform('destroy -auto-approve');
      p.check(d.code === 0, () => `${c.label}: destroy failed: ${tail(d.stdout + d.stderr)}`);
      const diff = diffSnapshots(snap, hostSnapshot(sb));
      p.check(diff.length === 0, () => `${c.label}: host state differs after destroy:\n  ${diff.join('\n  ')}`);
      expectNothingLeft(p, c.label, sb, c.foreign?.allow ?? {});
      if (c.foreign) sb.ok(c.foreign.cleanup);
    }));
    if (p.list.length === before) {
      if (c.foreign) failedRestored++; else restored++;
    }
  }
  const ok = rounds * CASES.filter((c) => !c.foreign).length;
  const failed = rounds * CASES.filter((c) => c.foreign).length;
  return {
    figure: `host state equal after deploy + destroy ${restored}/${ok} (ip_forward 0 and 1 before), and after a failed apply + destroy ${failedRestored}/${failed} ` +
      `(forwarding was on when the apply failed); ${keys} host facts compared each time`,
    pass: p.ok && restored === ok && failedRestored === failed,
    details: p.details,
  };
}
