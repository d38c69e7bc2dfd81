/**
 * Repro (found by row 13, local-attacker): a change of the objects inside a
 * namespace enters that namespace without checking that it is still the one
 * the deployment made (its recorded inode), so a spoofed namespace published
 * under our name (a container-like namespace of `nobody`, wearing our markers)
 * is acted on as ours: the engine runs its batch inside it and changes the
 * attacker's interfaces. (repair, destroy and a new deployment do check.)
 *
 *   npx ts-node scripts/reliability/repros/spoofed-namespace.ts
 *
 * Everything runs in a private sandbox (test/support/sandbox.ts).
 */
import { publishSpoofedNamespace } from '../../../test/support/attacker';
import { Lab } from '../../../test/support/lab';
import { Sandbox } from '../../../test/support/sandbox';
import { synthTopo, tokenOf } from '../common/row';
import { clone, WORKSHOP } from '../common/topo';

(async () => {
  const sb = await Sandbox.start();
  const lab = new Lab(sb, 'workshop');
  let pid = '';
  try {
    synthTopo(lab, 'workshop', WORKSHOP);
    lab.applyOk();
    const t = tokenOf(lab);
    console.log(`deployed the workshop, deployment ${t}; dev's inode ${sb.ok('stat -L -c %i /run/netns/dev').trim()}`);
    // our dev deleted behind our back; nobody's namespace, wearing our markers (lo, and a "veth-d"), published as dev
    sb.ok('ip netns del dev');
    const inner = `ip link set lo alias cdktf-netns:workshop@${t}/dev && ip link add veth-d type veth peer name spoof1 && ip link set veth-d alias cdktf-netns:workshop@${t}/d && ip link set veth-d up; exec sleep 300`;
    pid = publishSpoofedNamespace(sb, 'dev', inner);
    console.log(`spoofed dev (inode ${sb.ok('stat -L -c %i /run/netns/dev').trim()}): ${sb.ok('ip -n dev -o -4 addr show dev veth-d; ip -n dev -o link show dev veth-d').trim()}`);
    // a change of dev's objects only (veth-d's address): Terraform replaces the unit, the engine runs
    const changed = clone(WORKSHOP);
    changed.veths[1].a.addresses = ['172.16.20.12/24'];
    synthTopo(lab, 'workshop', changed);
    const r = lab.apply();
    console.log(`apply of the change: exit ${r.code}`);
    console.log(r.stdout.split('\n').filter((l) => /local-exec\): (?!Executing)/.test(l)).join('\n'));
    console.log(`the spoofed dev's veth-d now: ${sb.ok('ip -n dev -o -4 addr show dev veth-d').trim() || '(no IPv4 address)'}`);
    console.log('expected: the apply refused ("namespace \'dev\' carries this deployment\'s marker but is not the namespace it made"), nothing done inside it');
    lab.terraform('destroy -auto-approve');
  } finally {
    if (pid) sb.sh(`kill ${pid}`);
    lab.dispose();
    sb.dispose();
  }
})();
