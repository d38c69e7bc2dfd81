/**
 * Row 5: objects we do not own. A namespace or interface carrying one of the
 * lab's names but not its marker (none, or another stack's look-alike) exists
 * before the deploy: the deploy must refuse, saying whose it is ("was not made
 * by this lab", with its alias; "belongs to another cdktf-netns lab", with its
 * marker), and leave the
 * object exactly as it was (namespace identity, its lo, every interface in
 * it with addresses), also when the deploy is retried (Terraform re-runs the
 * tainted unit over the journal the refused run left); the destroy that follows the refused deploy (the lab's
 * teardown, which removes what its deployment's record and journal list) must leave
 * it as it was too; once it is gone the lab deploys. Then objects of ours are
 * swapped for foreign ones of the same name between apply and destroy: the
 * destroy must leave them exactly as they were while removing everything
 * that is ours. One foreign bridge carries the very address the lab declares
 * for its own bridge (an address is no proof of ownership).
 */
import { Sandbox } from '../../../test/support/sandbox';
import { expectLab, expectNothingLeft, Problems, RowOptions, RowResult, synthTopo, tail, withLab, withSandbox } from '../common/row';
import { BRIDGE_LAN, Topo, WORKSHOP } from '../common/topo';

interface Foreign {
  label: string;
  /** 'ns' = a namespace of that name, 'host' = an interface of the host. */
  kind: 'ns' | 'host';
  name: string;
  /** Shell commands (in the sandbox) that make it. */
  make: string;
}

/** Everything observable about a foreign object; '' when it does not exist. */
function snapshot(sb: Sandbox, f: Foreign): string {
  if (f.kind === 'ns') {
    if (sb.sh(`test -e /run/netns/${f.name}`).code !== 0) return '';
    const inode = sb.ok(`stat -L -c %i /run/netns/${f.name}`).trim();
    const links = sb.ipJson(f.name, '-d addr show').map((l: any) =>
      `${l.ifindex}:${l.ifname}:${l.linkinfo?.info_kind ?? '-'}:${l.ifalias ?? '-'}:${(l.flags ?? []).join(',')}:${l.mtu}:` +
      (l.addr_info ?? []).map((a: any) => `${a.local}/${a.prefixlen}`).join(','));
    return `ns inode ${inode} | ${links.join(' | ')}`;
  }
  const l = sb.ipJson('', '-d addr show').find((x: any) => x.ifname === f.name);
  if (!l) return '';
  return `${l.ifindex}:${l.ifname}:${l.linkinfo?.info_kind ?? '-'}:${l.ifalias ?? '-'}:${l.master ?? '-'}:${(l.flags ?? []).join(',')}:${l.mtu}:` +
    (l.addr_info ?? []).map((a: any) => `${a.local}/${a.prefixlen}`).join(',');
}

function allow(f: Foreign) {
  return f.kind === 'ns' ? { namespaces: [f.name] } : { hostLinks: [f.name] };
}

interface Case {
  topo: Topo;
  stack: string;
  foreign: Foreign;
  /** 'before': exists before the deploy (deploy must refuse); 'swap': replaces ours between apply and destroy. */
  when: 'before' | 'swap';
  /** Commands removing our object before the foreign one is made ('swap' cases). */
  removeOurs?: string;
  refusal?: RegExp;
  /** Only in the full run (the quick run has a case that covers the same ground). */
  fullOnly?: boolean;
}

const FOREIGN_DEV: Foreign = {
  label: 'namespace dev with an interface inside', kind: 'ns', name: 'dev',
  make: 'ip netns add dev && ip -n dev link add keepme type bridge && ip -n dev addr add 10.99.0.1/24 dev keepme && ip -n dev link set keepme up',
};

const CASES: Case[] = [
  { topo: WORKSHOP, stack: 'workshop', when: 'before', foreign: FOREIGN_DEV,
    refusal: /namespace 'dev' already exists and was not made by this lab\. cdktf-netns never adopts or deletes namespaces it did not create/ },
  { topo: WORKSHOP, stack: 'workshop', when: 'before',
    foreign: { label: 'namespace sales marked by a look-alike stack "workshop2"', kind: 'ns', name: 'sales',
      make: 'ip netns add sales && ip -n sales link set dev lo alias cdktf-netns:workshop2/sales && ip -n sales link add keep2 type bridge' },
    refusal: /namespace 'sales' already exists and belongs to another cdktf-netns lab \(marker 'cdktf-netns:workshop2\/sales'\)/ },
  { topo: BRIDGE_LAN, stack: 'lan', when: 'before', fullOnly: true,
    foreign: { label: 'host bridge br0', kind: 'host', name: 'br0',
      make: 'ip link add br0 type bridge && ip link set br0 alias someone-elses-bridge && ip addr add 10.99.1.1/24 dev br0 && ip link set br0 up' },
    refusal: /interface 'br0' already exists in the host namespace and was not made by this lab \(its alias: 'someone-elses-bridge'\)/ },
  { topo: BRIDGE_LAN, stack: 'lan', when: 'before',
    foreign: { label: 'host bridge br0 carrying the address the lab declares for its br0', kind: 'host', name: 'br0',
      make: 'ip link add br0 type bridge && ip link set br0 alias someone-elses-bridge && ip addr add 192.168.100.1/24 dev br0 && ip link set br0 up' },
    refusal: /interface 'br0' already exists in the host namespace and was not made by this lab \(its alias: 'someone-elses-bridge'\)/ },
  { topo: BRIDGE_LAN, stack: 'lan', when: 'before',
    foreign: { label: 'host interface veth-db-br', kind: 'host', name: 'veth-db-br',
      make: 'ip link add veth-db-br type bridge && ip addr add 10.99.2.1/24 dev veth-db-br' },
    refusal: /interface 'veth-db-br' already exists in the host namespace and was not made by this lab \(it has no marker\)/ },
  { topo: WORKSHOP, stack: 'workshop', when: 'swap', removeOurs: 'ip netns del dev', foreign: FOREIGN_DEV },
  { topo: BRIDGE_LAN, stack: 'lan', when: 'swap', removeOurs: 'ip link del br0',
    foreign: { label: 'host bridge br0', kind: 'host', name: 'br0', make: 'ip link add br0 type bridge && ip addr add 10.99.1.1/24 dev br0' } },
  { topo: BRIDGE_LAN, stack: 'lan', when: 'swap', removeOurs: 'ip link del veth-db-br',
    foreign: { label: 'host interface veth-db-br', kind: 'host', name: 'veth-db-br', make: 'ip link add veth-db-br type bridge && ip link set veth-db-br up' } },
];

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const p = new Problems();
  let refused = 0;
  let kept = 0;
  let deleted = 0;
  let ourCleared = 0;
  const cases = CASES.filter((c) => !opts.quick || !c.fullOnly);
  for (let round = 1; round <= rounds; round++) for (const c of cases) {
    const label = `${rounds > 1 ? `round ${round}: ` : ''}${c.when === 'before' ? 'before deploy' : 'swapped in before destroy'}: ${c.foreign.label}`;
    await withSandbox((sb) => withLab(sb, c.stack, (lab) => {
      synthTopo(lab, c.stack, c.topo);
      let snap = '';
      if (c.when === 'before') {
        sb.ok(c.foreign.make);
        snap = snapshot(sb, c.foreign);
        const r = lab.apply();
        const out = r.stdout + r.stderr;
        const first = p.check(r.code !== 0 && c.refusal!.test(out), () => `${label}: deploy not refused naming whose the object is (${c.refusal}; exit ${r.code}): ${tail(out)}`);
        p.check(snapshot(sb, c.foreign) === snap, () => `${label}: changed by the refused deploy:\n  before ${snap}\n  after  ${snapshot(sb, c.foreign)}`);
        // the user retries: Terraform re-runs the tainted unit, over the journal the refused run left
        const r2 = lab.apply();
        const out2 = r2.stdout + r2.stderr;
        const second = p.check(r2.code !== 0 && c.refusal!.test(out2), () => `${label}: the retried deploy was not refused (exit ${r2.code}): ${tail(out2)}`);
        p.check(snapshot(sb, c.foreign) === snap, () => `${label}: changed by the retried deploy:\n  before ${snap}\n  after  ${snapshot(sb, c.foreign)}`);
        if (first && second) refused++;
      } else {
        lab.applyOk();
        expectLab(p, label, sb, lab, c.stack, c.topo);
        sb.ok(`${c.removeOurs} && ${c.foreign.make}`);
        snap = snapshot(sb, c.foreign);
      }
      const d = lab.terraform('destroy -auto-approve');
      p.check(d.code === 0, () => `${label}: destroy failed: ${tail(d.stdout + d.stderr)}`);
      const after = snapshot(sb, c.foreign);
      if (after === '') deleted++;
      if (p.check(after === snap, () => `${label}: ${after === '' ? 'DELETED' : 'changed'} by destroy:\n  before ${snap}\n  after  ${after}`)) kept++;
      // everything of ours is gone; only the foreign object remains
      if (expectNothingLeft(p, `${label}: after destroy`, sb, allow(c.foreign))) ourCleared++;
      // and the lab can be deployed once the foreign object is gone (if destroy took it, it is gone already)
      if (after !== '') sb.ok(c.foreign.kind === 'ns' ? `ip netns del ${c.foreign.name}` : `ip link del ${c.foreign.name}`);
      if (c.when === 'before') {
        const r = lab.apply();
        if (p.check(r.code === 0, () => `${label}: deploy after removing the foreign object failed: ${tail(r.stdout + r.stderr)}`)) {
          expectLab(p, `${label}: after removing it`, sb, lab, c.stack, c.topo);
          p.check(c.stack !== 'workshop' || sb.ping('sales', '172.16.20.10'), `${label}: no ping after the redeploy`);
          lab.destroyOk();
          expectNothingLeft(p, `${label}: final destroy`, sb);
        }
      }
    }));
  }
  const before = rounds * cases.filter((c) => c.when === 'before').length;
  const inner = rounds * cases.filter((c) => c.foreign.kind === 'ns').length;
  const all = rounds * cases.length;
  return {
    figure: `${deleted} foreign objects deleted (of ${all}: ${cases.length} cases${rounds > 1 ? ` x ${rounds} rounds` : ''}); ${refused}/${before} deploys refused naming whose the object is ("was not made by this lab" / "belongs to another cdktf-netns lab", and again when retried), ` +
      `${kept}/${all} foreign objects unchanged (${inner} namespaces with the interfaces inside them), ${ourCleared}/${all} destroys removed all of ours`,
    pass: p.ok && deleted === 0 && refused === before && kept === all && ourCleared === all,
    details: p.details,
  };
}
