/**
 * Row 1: repeated life. The workshop example (examples/workshop/stack.ts) is
 * deployed and destroyed N times in one sandbox. Every cycle: the kernel
 * holds exactly the declared lab, sales and dev ping each other through the
 * router, and after destroy nothing is left (namespaces, interfaces, routes,
 * state files, namespace mounts) and the host's forwarding sysctls are as
 * they were before the first cycle.
 */
import { workshopStack } from '../../../test/support/stacks';
import { hostForwarding, leftovers, mountCount, median, netnsMounts, diffLines } from '../common/kernel';
import { differsFromExample, expectLab, settle, Problems, RowOptions, RowResult, tail, withLab, withSandbox } from '../common/row';
import { WORKSHOP } from '../common/topo';

export async function run(opts: RowOptions): Promise<RowResult> {
  const cycles = opts.quick ? 5 : 50;
  const p = new Problems();
  const applyMs: number[] = [];
  const destroyMs: number[] = [];
  let clean = 0;
  let final = { namespaces: -1, interfaces: -1, mounts: -1 };
  let sysctlsSame = false;
  const topoDiff = differsFromExample('workshop', workshopStack, WORKSHOP);
  p.check(topoDiff.length === 0, `the data form of the workshop differs from examples/workshop in: ${topoDiff.join(', ')}`);
  await withSandbox((sb) => withLab(sb, 'workshop', (lab) => {
    lab.synth(workshopStack);
    const sysBefore = hostForwarding(sb);
    let mountsAfterFirst = -1;
    for (let i = 1; i <= cycles; i++) {
      const before = p.list.length;
      let t = Date.now();
      const a = lab.apply();
      applyMs.push(Date.now() - t);
      if (!p.check(a.code === 0, () => `cycle ${i}: apply failed: ${tail(a.stdout + a.stderr)}`)) {
        lab.terraform('destroy -auto-approve');
        continue;
      }
      expectLab(p, `cycle ${i}`, sb, lab, 'workshop', WORKSHOP);
      p.check(sb.ping('sales', '172.16.20.10') && sb.ping('dev', '172.16.10.10'), `cycle ${i}: sales and dev do not ping each other`);
      if (i === 1 || i === cycles) p.check(lab.planExitCode() === 0, `cycle ${i}: a second plan shows changes`);
      t = Date.now();
      const d = lab.terraform('destroy -auto-approve');
      destroyMs.push(Date.now() - t);
      p.check(d.code === 0, () => `cycle ${i}: destroy failed: ${tail(d.stdout + d.stderr)}`);
      const left = settle(() => leftovers(sb));
      p.check(left.length === 0, () => `cycle ${i}: left behind: ${left.join('; ')}`);
      const sys = diffLines(sysBefore, hostForwarding(sb));
      p.check(sys.length === 0, () => `cycle ${i}: host sysctls changed: ${sys.join('; ')}`);
      // iproute2 bind-mounts /run/netns onto itself once, on the first `ip netns add`; after that the count must not move
      const m = mountCount(sb);
      if (mountsAfterFirst < 0) mountsAfterFirst = m;
      p.check(m === mountsAfterFirst, `cycle ${i}: ${m} mounts in the sandbox, ${mountsAfterFirst} after cycle 1`);
      if (p.list.length === before) clean++;
    }
    final = {
      namespaces: sb.namespaces().length,
      interfaces: sb.ipJson('', 'link show').filter((l: any) => l.ifname !== 'lo').length +
        sb.namespaces().reduce((n, ns) => n + sb.ipJson(ns, 'link show').filter((l: any) => l.ifname !== 'lo').length, 0),
      mounts: netnsMounts(sb).length,
    };
    sysctlsSame = diffLines(sysBefore, hostForwarding(sb)).length === 0;
  }));
  return {
    figure: `${clean}/${cycles} cycles clean, ${final.namespaces} namespaces, ${final.interfaces} interfaces, ${final.mounts} mounts left under /run/netns, ` +
      `host sysctls ${sysctlsSame ? 'unchanged' : 'CHANGED'}; median apply ${median(applyMs)} ms, destroy ${median(destroyMs)} ms`,
    pass: p.ok && clean === cycles && final.namespaces === 0 && final.interfaces === 0 && final.mounts === 0 && sysctlsSame,
    details: p.details,
  };
}
