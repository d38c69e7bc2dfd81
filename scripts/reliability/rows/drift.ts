/**
 * Row 4: out-of-band damage (drift). The workshop is deployed, damaged by hand
 * in five ways, and each time `cdktf-netns verify` must detect it (exit 2,
 * naming the object; an object carrying the lab's marker that the lab does
 * not declare, i.e. `cdktf-netns:workshop@<token>/...` with this deployment's
 * token, is listed as "DRIFT undeclared: ...") and `cdktf-netns repair`
 * must bring the kernel back in line: repair exits 0 (its closing verify finds
 * nothing), the kernel holds exactly the declared lab, sales pings dev, and
 * Terraform still sees no changes. Repair must touch only what was damaged:
 * every other namespace and interface keeps its kernel identity (namespace
 * inode + stamp, interface index).
 */
import { workshopStack } from '../../../test/support/stacks';
import { changedIdentities, identities, stampNamespaces } from '../common/kernel';
import { cli } from '../common/tf';
import { differsFromExample, expectNothingLeft, labDiff, Problems, RowOptions, RowResult, tail, tokenOf, withLab, withSandbox } from '../common/row';
import { WORKSHOP } from '../common/topo';

interface Damage {
  label: string;
  /** Shell commands; `{TOKEN}` stands for the deployment's token (markers carry it). */
  damage: string;
  /** verify's output must match all of these. */
  expected: RegExp[];
  /** Identity keys (see `identities`) that repair re-creates (and that the damage removed). */
  recreated: string[];
}

const DAMAGE: Damage[] = [
  { label: 'veth pair deleted', damage: 'ip -n router link del veth-d-rtr',
    expected: [/^DRIFT veth dev\/veth-d router\/veth-d-rtr: interface 'veth-d' is missing from namespace 'dev'/m],
    recreated: ['if dev/veth-d', 'if router/veth-d-rtr'] },
  { label: 'namespace deleted', damage: 'ip netns del dev',
    expected: [/^DRIFT namespace dev: namespace 'dev' is missing/m],
    recreated: ['ns dev', 'if dev/veth-d', 'if router/veth-d-rtr'] },
  { label: 'address removed', damage: 'ip -n router addr del 172.16.10.1/24 dev veth-s-rtr',
    expected: [/^DRIFT address router\/veth-s-rtr 172\.16\.10\.1\/24: address 172\.16\.10\.1\/24 is missing from 'veth-s-rtr'/m],
    recreated: [] },
  { label: 'forwarding off', damage: 'ip netns exec router sh -c "echo 0 > /proc/sys/net/ipv4/ip_forward"',
    expected: [/^DRIFT sysctl router net\.ipv4\.ip_forward: sysctl net\.ipv4\.ip_forward in namespace 'router' is 0, declared 1/m],
    recreated: [] },
  { label: 'undeclared object of ours', damage: 'ip -n sales link add ghost type veth peer name ghost2 && ip -n sales link set ghost alias cdktf-netns:workshop@{TOKEN}/ghost',
    expected: [/^DRIFT undeclared: .*interface ghost \(sales\)/m],
    recreated: [] },
];

export async function run(opts: RowOptions): Promise<RowResult> {
  void opts; // every kind of damage is cheap: the quick run does them all
  const p = new Problems();
  const topoDiff = differsFromExample('workshop', workshopStack, WORKSHOP);
  p.check(topoDiff.length === 0, `the data form of the workshop differs from examples/workshop in: ${topoDiff.join(', ')}`);
  let detected = 0;
  let repaired = 0;
  let kept = 0;
  await withSandbox((sb) => withLab(sb, 'workshop', (lab) => {
    lab.synth(workshopStack);
    lab.applyOk();
    const clean = cli(sb, 'verify', lab.dir);
    p.check(clean.code === 0, () => `fresh deploy not in line (verify exit ${clean.code}): ${clean.out}`);
    for (const d of DAMAGE) {
      stampNamespaces(sb);
      const before = identities(sb);
      sb.ok(d.damage.replace(/\{TOKEN\}/g, tokenOf(lab)));
      const v = cli(sb, 'verify', lab.dir);
      if (p.check(v.code === 2 && d.expected.every((re) => re.test(v.out)), () => `${d.label}: not detected as expected (verify exit ${v.code}, expected 2 and ${d.expected.join(' ')}): ${v.out}`)) detected++;
      const r = cli(sb, 'repair', lab.dir);
      const diff = labDiff(sb, lab, 'workshop', WORKSHOP);
      const pings = sb.ping('sales', '172.16.20.10') && sb.ping('dev', '172.16.10.10');
      const plan = lab.planExitCode();
      if (p.check(r.code === 0 && diff.length === 0 && pings && plan === 0,
        () => `${d.label}: not repaired (repair exit ${r.code}, kernel ${diff.length ? `differs:\n    ${diff.join('\n    ')}\n  ` : 'in line, '}ping ${pings}, plan exit ${plan}):\n    ${tail(r.out).replace(/\n/g, '\n    ')}`)) repaired++;
      // repair re-creates what the damage removed, and keeps everything else
      const after = identities(sb);
      const changed = changedIdentities(before, after).filter((k) => k in before && k in after);
      const unexpected = changed.filter((k) => !d.recreated.includes(k));
      const notRecreated = d.recreated.filter((k) => !changed.includes(k));
      if (p.check(unexpected.length === 0 && notRecreated.length === 0,
        `${d.label}: repair re-created [${unexpected.join(', ')}] (not damaged)${notRecreated.length ? `, kept [${notRecreated.join(', ')}] (damaged: must be new)` : ''}`)) kept++;
    }
    const x = lab.terraform('destroy -auto-approve');
    p.check(x.code === 0, () => `destroy failed: ${tail(x.stdout + x.stderr)}`);
    expectNothingLeft(p, 'after the drift matrix', sb);
  }));
  const n = DAMAGE.length;
  return {
    figure: `${detected}/${n} kinds of damage detected by verify (veth pair deleted, namespace deleted, address removed, forwarding off, undeclared object of ours), ` +
      `${repaired}/${n} repaired (repair exit 0, kernel exactly the lab, ping back, terraform plan clean), ${kept}/${n} repairs kept every undamaged object; clean destroy`,
    pass: p.ok && detected === n && repaired === n && kept === n,
    details: p.details,
  };
}
