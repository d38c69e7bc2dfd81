/**
 * Row 2: a create step fails half-way. The workshop's namespaces are applied
 * first (`-target`); then, out of band, an interface that is not ours appears
 * in `router` carrying 172.16.20.1/24, the address the lab gives veth-d-rtr.
 * The full apply must fail at that address step, saying why, without touching
 * the foreign interface; once the cause is removed, the next apply converges:
 * the kernel holds exactly the declared lab, sales pings dev, a second plan is
 * empty, and destroy leaves nothing.
 */
import { captureLab, ping } from '../common/kernel';
import { resourcePaths, stateResources } from '../common/tf';
import { expectLab, expectNothingLeft, Problems, RowOptions, RowResult, synthTopo, tail, withLab, withSandbox } from '../common/row';
import { WORKSHOP } from '../common/topo';

export async function run(opts: RowOptions): Promise<RowResult> {
  const reps = opts.quick ? 3 : 10;
  const p = new Problems();
  let converged = 0;
  const partial = new Set<string>();
  for (let i = 1; i <= reps; i++) {
    const before = p.list.length;
    await withSandbox((sb) => withLab(sb, 'workshop', (lab) => {
      synthTopo(lab, 'workshop', WORKSHOP);
      const nsTargets = Object.entries(resourcePaths(lab.dir))
        .filter(([, path]) => ['sales/Resource', 'dev/Resource', 'router/Resource'].includes(path))
        .map(([addr]) => `-target=${addr}`);
      const t = lab.terraform(`apply -auto-approve ${nsTargets.join(' ')}`);
      if (!p.check(t.code === 0 && sb.namespaces().join(',') === 'dev,router,sales', () => `run ${i}: targeted apply of the namespaces failed: ${tail(t.stdout + t.stderr)}`)) return;
      // the conflict: a foreign interface (a bridge: this kernel has no dummy module) with the router's dev-side address
      sb.ok('ip -n router link add conflict type bridge && ip -n router addr add 172.16.20.1/24 dev conflict && ip -n router link set conflict up');
      const foreignBefore = JSON.stringify(sb.links('router').conflict);
      const r = lab.apply();
      const out = r.stdout + r.stderr;
      p.check(r.code !== 0, `run ${i}: the apply succeeded although 172.16.20.1 was taken`);
      p.check(/address 172\.16\.20\.1 is already assigned to interface 'conflict' in namespace 'router'/.test(out),
        () => `run ${i}: the failure does not say which address clashes with what: ${tail(out)}`);
      p.check(JSON.stringify(sb.links('router').conflict) === foreignBefore, `run ${i}: the foreign interface 'conflict' was changed by the failed apply`);
      const st = stateResources(sb, lab);
      partial.add(`${st.ok.length} created, ${st.tainted.join(', ') || 'nothing'} tainted`);
      p.check(st.tainted.join() === 'd/BAddresses', `run ${i}: expected only d/BAddresses (veth-d-rtr's addresses) to fail, tainted: ${st.tainted.join(', ')}`);
      // remove the cause; the next apply converges
      sb.ok('ip -n router link del conflict');
      const r2 = lab.apply();
      if (!p.check(r2.code === 0, () => `run ${i}: the apply after removing the cause failed: ${tail(r2.stdout + r2.stderr)}\nkernel: ${captureLab(sb).join('\n')}`)) {
        lab.terraform('destroy -auto-approve');
        return;
      }
      expectLab(p, `run ${i}`, sb, 'workshop', WORKSHOP);
      p.check(ping(sb, 'sales', '172.16.20.10') && ping(sb, 'dev', '172.16.10.10'), `run ${i}: sales and dev do not ping each other after converging`);
      p.check(lab.planExitCode() === 0, `run ${i}: a second plan shows changes`);
      const d = lab.terraform('destroy -auto-approve');
      p.check(d.code === 0, () => `run ${i}: destroy failed: ${tail(d.stdout + d.stderr)}`);
      expectNothingLeft(p, `run ${i}`, sb);
    }));
    if (p.list.length === before) converged++;
  }
  return {
    figure: `${converged}/${reps} failed creates converged after the cause was removed (the failed apply left ${[...partial].join(' / ')}; foreign interface untouched; clean destroy)`,
    pass: p.ok && converged === reps,
    details: p.details,
  };
}
