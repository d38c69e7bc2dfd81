/**
 * Row 4: out-of-band damage (drift). The workshop is deployed, damaged by hand
 * in five ways, and each time `cdktf-netns verify` must detect it (exit 2,
 * naming the object) and `cdktf-netns repair` must bring the kernel back in
 * line (exit 0, ping works, Terraform still sees no changes).
 */
import { join } from 'path';
import { WorkshopStack } from '../../../examples/workshop/stack';
import { Lab } from '../../../test/e2e/lab';
import { Sandbox } from '../../../test/e2e/sandbox';

const ROOT = join(__dirname, '../../..');
const DAMAGE: Array<[string, string, RegExp]> = [
  ['veth pair deleted', 'ip -n router link del veth-d-rtr', /DRIFT veth dev\/veth-d/],
  ['namespace deleted', 'ip netns del dev', /DRIFT namespace dev: namespace 'dev' is missing/],
  ['address removed', 'ip -n router addr del 172.16.10.1/24 dev veth-s-rtr', /DRIFT addresses router\/veth-s-rtr/],
  ['forwarding off', 'ip netns exec router sh -c "echo 0 > /proc/sys/net/ipv4/ip_forward"', /DRIFT namespace router: sysctl net.ipv4.ip_forward/],
  ['undeclared object of ours', 'ip -n sales link add ghost type veth peer name ghost2 && ip -n sales link set ghost alias cdktf-netns:workshop/ghost', /not declared but owned by this stack: interface ghost/],
];

export async function run(opts: { quick: boolean }): Promise<{ figure: string; pass: boolean; details?: string }> {
  void opts; // every kind of damage is cheap: the quick run does them all
  const cli = join(ROOT, 'dist/cli.js');
  const sb = await Sandbox.start();
  const lab = new Lab(sb, 'workshop');
  let detected = 0;
  let repaired = 0;
  const problems: string[] = [];
  try {
    lab.synth((app) => new WorkshopStack(app, 'workshop'));
    lab.applyOk();
    const clean = sb.sh(`node ${cli} verify ${lab.dir}`);
    if (clean.code !== 0) problems.push(`fresh deploy not in line: ${clean.stdout}`);
    for (const [what, damage, expected] of DAMAGE) {
      sb.ok(damage);
      const v = sb.sh(`node ${cli} verify ${lab.dir}`);
      if (v.code === 2 && expected.test(v.stdout)) detected++;
      else problems.push(`${what}: not detected (exit ${v.code}): ${v.stdout}`);
      const r = sb.sh(`node ${cli} repair ${lab.dir}`);
      const ping = sb.sh('ip netns exec sales ping -c 1 -W 2 172.16.20.10').code === 0;
      const plan = lab.planExitCode();
      if (r.code === 0 && ping && plan === 0) repaired++;
      else problems.push(`${what}: not repaired (repair exit ${r.code}, ping ${ping}, plan exit ${plan}): ${r.stdout}${r.stderr}`);
    }
    lab.destroyOk();
    const left = sb.namespaces().length + Object.keys(sb.links('')).length;
    if (left) problems.push(`${left} object(s) left after destroy`);
  } finally {
    lab.dispose();
    sb.dispose();
  }
  const n = DAMAGE.length;
  return {
    figure: `${detected}/${n} kinds of damage detected by verify, ${repaired}/${n} repaired (ping back, terraform plan clean)`,
    pass: detected === n && repaired === n && problems.length === 0,
    details: problems.join('\n') || undefined,
  };
}
