/**
 * Row 10: host safety. The host-router example (examples/host-router) turns
 * on the host's IPv4 forwarding while it exists (a host sysctl: the engine
 * saves the original value in $STATE/sysctl/<key>/orig, one owner file per
 * deployment, and writes it back when the last owner lets go). A broad snapshot of
 * the sandbox's root namespace ("the host": ip_forward and every forwarding
 * sysctl, all conf/{all,default,lo} sysctls of IPv4 and IPv6, links,
 * addresses, routes of all tables, files under /run/cdktf-netns) is taken
 * before; then the case runs; then destroy; the snapshot must be equal:
 *  - deploy + destroy, with ip_forward 0 and 1 beforehand;
 *  - a refused apply (a foreign namespace, or a foreign host interface, named
 *    like one of the lab's): the host must be untouched right after it, and
 *    the destroy that follows must not remove the foreign object;
 *  - an apply SIGKILLed (with its whole process group) as soon as the host's
 *    forwarding reads 1, followed directly by destroy (a cancelled CI job and
 *    its cleanup job);
 *  - a failed apply while the lab is deployed and forwarding is on (a change
 *    adds a namespace whose name a foreign one holds): the running lab must
 *    keep working, then destroy must restore the host all the same.
 */
import { HostRouterStack } from '../../../examples/host-router/stack';
import { Lab } from '../../../test/support/lab';
import { Sandbox } from '../../../test/support/sandbox';
import { killedApply } from '../../../test/support/kill';
import { diffSnapshots, hostSnapshot } from '../common/kernel';
import { differsFromExample, expectLab, expectNothingLeft, Problems, RowOptions, RowResult, settle, synthTopo, tail, withLab, withSandbox } from '../common/row';
import { clone, HOST_ROUTER, Topo } from '../common/topo';

interface Foreign { make: string; cleanup: string; probe: string; refusal: RegExp }

interface Case {
  label: string;
  forwardBefore: 0 | 1;
  kind: 'clean' | 'refused' | 'killed' | 'failed change';
  foreign?: Foreign;
}

/** host-router plus a namespace ns_app, the change of the 'failed change' case. */
const WITH_APP: Topo = (() => { const t = clone(HOST_ROUTER); t.namespaces.push({ id: 'ns_app' }); return t; })();

const CASES: Case[] = [
  { label: 'deploy + destroy, ip_forward=0 before', forwardBefore: 0, kind: 'clean' },
  { label: 'deploy + destroy, ip_forward=1 before', forwardBefore: 1, kind: 'clean' },
  { label: 'refused apply (foreign namespace ns_db) + destroy', forwardBefore: 0, kind: 'refused',
    foreign: { make: 'ip netns add ns_db && ip -n ns_db link add keepme type bridge', cleanup: 'ip netns del ns_db',
      probe: 'stat -L -c %i /run/netns/ns_db && ip -n ns_db -o link show',
      refusal: /namespace 'ns_db' already exists and was not made by this lab/ } },
  { label: 'refused apply (foreign host interface veth-db-host) + destroy', forwardBefore: 0, kind: 'refused',
    foreign: { make: 'ip link add veth-db-host type bridge', cleanup: 'ip link del veth-db-host',
      probe: 'ip -o -d link show dev veth-db-host',
      refusal: /interface 'veth-db-host' already exists in the host namespace and was not made by this lab \(it has no marker\)/ } },
  { label: 'apply killed once host forwarding is on + destroy', forwardBefore: 0, kind: 'killed' },
  { label: 'failed change while deployed (foreign namespace ns_app) + destroy', forwardBefore: 0, kind: 'failed change',
    foreign: { make: 'ip netns add ns_app && ip -n ns_app link add keepme type bridge', cleanup: 'ip netns del ns_app',
      probe: 'stat -L -c %i /run/netns/ns_app && ip -n ns_app -o link show',
      refusal: /namespace 'ns_app' already exists and was not made by this lab/ } },
];

const probe = (sb: Sandbox, f: Foreign) => { const r = sb.sh(f.probe); return r.code === 0 ? r.stdout.replace(/\s+/g, ' ').trim() : ''; };

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const p = new Problems();
  const topoDiff = differsFromExample('host-router', (app) => new HostRouterStack(app, 'host-router'), HOST_ROUTER);
  p.check(topoDiff.length === 0, `the data form of host-router differs from examples/host-router in: ${topoDiff.join(', ')}`);
  const ok = new Map<string, number>();
  let keys = 0;
  for (let round = 1; round <= rounds; round++) for (const c0 of CASES) {
    const c = rounds > 1 ? { ...c0, label: `round ${round}: ${c0.label}` } : c0;
    const before = p.list.length;
    await withSandbox((sb) => withLab(sb, 'host-router', (lab: Lab) => {
      const fwd = () => sb.sysctl('', 'net.ipv4.ip_forward');
      const works = () => sb.ping('ns_web', '10.0.2.20') && sb.ping('ns_db', '10.0.1.10');
      lab.synth((app) => new HostRouterStack(app, 'host-router'));
      sb.ok(`echo ${c.forwardBefore} > /proc/sys/net/ipv4/ip_forward`);
      const snap = hostSnapshot(sb);
      keys = Object.values(snap).reduce((n, l) => n + l.length, 0);
      // a foreign object is made after the snapshot and removed before the final comparison
      if (c.foreign && c.kind === 'refused') sb.ok(c.foreign.make);
      const withForeign = c.kind === 'refused' ? hostSnapshot(sb) : snap;
      let foreignBefore = c.foreign && c.kind === 'refused' ? probe(sb, c.foreign) : '';
      if (c.kind === 'killed') {
        // forwarding goes on at the very end of the engine's run: on a busy machine the apply may
        // finish before the kill lands; then destroy and try again (3 tries)
        let k = killedApply(sb, lab, { label: 'host forwarding on', cond: '[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]' }, true);
        for (let tries = 1; tries < 3 && k.seen && !k.killed; tries++) {
          lab.destroyOk();
          k = killedApply(sb, lab, { label: 'host forwarding on', cond: '[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]' }, true);
        }
        p.check(k.seen && k.killed, `${c.label}: ${k.seen ? 'the apply completed before the kill landed (3 tries)' : 'forwarding never turned on'}`);
        p.check(fwd() === '1', `${c.label}: host ip_forward is not 1 after the kill`);
      } else {
        const r = lab.apply();
        if (c.kind === 'refused') {
          p.check(r.code !== 0 && c.foreign!.refusal.test(r.stdout + r.stderr), () => `${c.label}: the apply was not refused on the foreign object (exit ${r.code}): ${tail(r.stdout + r.stderr)}`);
          // the kernel is untouched (the refused run's deployment record, $STATE/labs/<lab>/<token>/{info,journal},
          // stays in the state directory until destroy, which must remove it: the final comparison)
          const now = diffSnapshots(withForeign, hostSnapshot(sb)).filter((l) => !/^stateFiles: unexpected: \/run\/cdktf-netns\/labs\/[0-9a-f]+\/[0-9a-f]{12}\/(journal|info)=/.test(l));
          p.check(now.length === 0, () => `${c.label}: the refused apply changed the host:\n  ${now.join('\n  ')}`);
        } else if (p.check(r.code === 0, () => `${c.label}: apply failed: ${tail(r.stdout + r.stderr)}`)) {
          p.check(fwd() === '1', `${c.label}: host ip_forward is not 1 after the apply`);
          expectLab(p, c.label, sb, lab, 'host-router', HOST_ROUTER);
          p.check(works(), `${c.label}: ns_web and ns_db do not ping each other through the host`);
          p.check(lab.planExitCode() === 0, `${c.label}: a second plan shows changes`);
          if (c.kind === 'failed change') {
            sb.ok(c.foreign!.make);
            foreignBefore = probe(sb, c.foreign!);
            synthTopo(lab, 'host-router', WITH_APP);
            const r2 = lab.apply();
            p.check(r2.code !== 0 && c.foreign!.refusal.test(r2.stdout + r2.stderr), () => `${c.label}: the change was not refused on the foreign object (exit ${r2.code}): ${tail(r2.stdout + r2.stderr)}`);
            p.check(fwd() === '1' && works(), `${c.label}: after the failed change the deployed lab no longer works (ip_forward ${fwd()})`);
          }
        }
      }
      const d = lab.terraform('destroy -auto-approve');
      p.check(d.code === 0, () => `${c.label}: destroy failed: ${tail(d.stdout + d.stderr)}`);
      if (c.foreign) {
        const after = probe(sb, c.foreign);
        p.check(after === foreignBefore, `${c.label}: the foreign object was ${after ? 'changed' : 'DELETED'} by destroy:\n  before ${foreignBefore}\n  after  ${after}`);
        sb.sh(c.foreign.cleanup);
      }
      // (settled: the kernel frees a deleted namespace, and the host end of its veth pairs, asynchronously)
      const diff = settle(() => diffSnapshots(snap, hostSnapshot(sb)));
      p.check(diff.length === 0, () => `${c.label}: host state differs after destroy:\n  ${diff.join('\n  ')}`);
      expectNothingLeft(p, c.label, sb);
    }));
    if (p.list.length === before) ok.set(c0.kind, (ok.get(c0.kind) ?? 0) + 1);
  }
  const count = (kind: Case['kind']) => `${ok.get(kind) ?? 0}/${rounds * CASES.filter((c) => c.kind === kind).length}`;
  const all = [...ok.values()].reduce((a, b) => a + b, 0);
  return {
    figure: `host state equal after deploy + destroy ${count('clean')} (ip_forward 0 and 1 before), after a refused apply + destroy ${count('refused')} ` +
      `(host untouched by the refused apply, foreign object kept), after an apply killed with forwarding on + destroy ${count('killed')}, ` +
      `after a failed change of a running lab + destroy ${count('failed change')} (forwarding was on when it failed; the lab kept working); ${keys} host facts compared each time`,
    pass: p.ok && all === rounds * CASES.length,
    details: p.details,
  };
}
