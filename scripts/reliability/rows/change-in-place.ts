/**
 * Row 7: a change in place. Three edits of a running lab: an address (sales
 * 172.16.10.10 -> .11), a namespace's name (sales -> sales2), and a bridge
 * membership (a veth end moved from bridge br-a to br-b). For each,
 * `terraform plan` must replace exactly the affected resources (parsed from
 * its "must be replaced" lines, mapped to construct paths), with the
 * dependents cascading; after the apply the kernel holds exactly the new lab,
 * the kernel objects that were not affected keep their identity (interface
 * index, namespace inode), connectivity is back (ping), the re-plan is empty
 * and destroy leaves nothing.
 */
import { identities, ping } from '../common/kernel';
import { planActions } from '../common/tf';
import { expectLab, expectNothingLeft, Problems, RowOptions, RowResult, synthTopo, tail, withLab, withSandbox } from '../common/row';
import { clone, Topo, WORKSHOP } from '../common/topo';

/** Two bridges in a switch namespace; c starts on br-a with s1, s2 sits on br-b. */
const TWO_BRIDGES: Topo = {
  namespaces: [{ id: 'sw' }, { id: 'c' }, { id: 's1' }, { id: 's2' }],
  bridges: [{ id: 'br-a', name: 'br-a', ns: 'sw' }, { id: 'br-b', name: 'br-b', ns: 'sw' }],
  veths: [
    { id: 'c-link', a: { name: 'c-if', ns: 'c', addresses: ['10.0.0.10/24'] }, b: { name: 'c-port', bridge: 'br-a' } },
    { id: 's1-link', a: { name: 's1-if', ns: 's1', addresses: ['10.0.0.1/24'] }, b: { name: 's1-port', bridge: 'br-a' } },
    { id: 's2-link', a: { name: 's2-if', ns: 's2', addresses: ['10.0.0.2/24'] }, b: { name: 's2-port', bridge: 'br-b' } },
  ],
};

interface Change {
  label: string;
  stack: string;
  from: Topo;
  to: Topo;
  /** Construct paths that must be replaced, nothing else. */
  replaced: string[];
  /** Identity keys (see `identities`) that must change; every other surviving object must keep its identity. */
  recreated: string[];
  /** [from ns, to address, must answer] before / after the change. */
  pingsBefore: Array<[string, string, boolean]>;
  pingsAfter: Array<[string, string, boolean]>;
}

function edit(t: Topo, f: (t: Topo) => void): Topo {
  const c = clone(t);
  f(c);
  return c;
}

const CHANGES: Change[] = [
  { label: 'address', stack: 'workshop', from: WORKSHOP,
    to: edit(WORKSHOP, (t) => { t.veths[0].a.addresses = ['172.16.10.11/24']; }),
    replaced: ['cdktf-netns/Sweep', 's/AAddresses', 'sales-default/Resource'],
    recreated: [],
    pingsBefore: [['dev', '172.16.10.10', true]],
    pingsAfter: [['dev', '172.16.10.11', true], ['sales', '172.16.20.10', true]] },
  { label: 'namespace name', stack: 'workshop', from: WORKSHOP,
    to: edit(WORKSHOP, (t) => { t.namespaces[0].name = 'sales2'; }),
    replaced: ['cdktf-netns/Sweep', 'sales/Resource', 's/Link', 's/AAddresses', 's/BAddresses', 'sales-default/Resource'].sort(),
    recreated: ['if router/veth-s-rtr'],
    pingsBefore: [['sales', '172.16.20.10', true]],
    pingsAfter: [['sales2', '172.16.20.10', true], ['dev', '172.16.10.10', true]] },
  { label: 'bridge membership', stack: 'lan', from: TWO_BRIDGES,
    to: edit(TWO_BRIDGES, (t) => { t.veths[0].b.bridge = 'br-b'; }),
    replaced: ['c-link/Link', 'c-link/AAddresses'].sort(),
    recreated: ['if c/c-if', 'if sw/c-port'],
    pingsBefore: [['c', '10.0.0.1', true], ['c', '10.0.0.2', false]],
    pingsAfter: [['c', '10.0.0.2', true], ['c', '10.0.0.1', false]] },
];

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const p = new Problems();
  let ok = 0;
  const counts = new Set<string>();
  for (let round = 1; round <= rounds; round++) for (const c0 of CHANGES) {
    const c = rounds > 1 ? { ...c0, label: `round ${round}: ${c0.label}` } : c0;
    const before = p.list.length;
    await withSandbox((sb) => withLab(sb, c.stack, (lab) => {
      const pings = (when: string, list: Array<[string, string, boolean]>) => {
        for (const [from, to, answer] of list) {
          p.check(ping(sb, from, to, 1) === answer, `${c.label}: ${when}: ping ${from} -> ${to} ${answer ? 'fails' : 'answers but must not'}`);
        }
      };
      synthTopo(lab, c.stack, c.from);
      lab.applyOk();
      expectLab(p, `${c.label}: before`, sb, c.stack, c.from);
      pings('before', c.pingsBefore);
      const idsBefore = identities(sb);
      synthTopo(lab, c.stack, c.to);
      const plan = planActions(lab);
      counts.add(`${c0.label} ${plan.replaced.length}`);
      p.check(plan.code === 2, `${c.label}: plan -detailed-exitcode = ${plan.code}, expected 2 (changes)`);
      p.check(JSON.stringify(plan.replaced) === JSON.stringify([...c.replaced].sort()),
        `${c.label}: plan replaces [${plan.replaced.join(', ')}], expected exactly [${[...c.replaced].sort().join(', ')}]`);
      p.check(!plan.created.length && !plan.destroyed.length && !plan.updated.length,
        `${c.label}: plan also creates [${plan.created}] / destroys [${plan.destroyed}] / updates [${plan.updated}]`);
      const a = lab.apply();
      if (!p.check(a.code === 0, () => `${c.label}: apply of the change failed: ${tail(a.stdout + a.stderr)}`)) return;
      p.check(new RegExp(`Resources: ${c.replaced.length} added, 0 changed, ${c.replaced.length} destroyed`).test(a.stdout),
        () => `${c.label}: apply summary is not ${c.replaced.length} replaced: ${a.stdout.split('\n').filter((l) => /Apply complete/.test(l)).join()}`);
      expectLab(p, `${c.label}: after`, sb, c.stack, c.to);
      const idsAfter = identities(sb);
      for (const k of Object.keys(idsAfter).filter((k) => k in idsBefore)) {
        const changed = idsBefore[k] !== idsAfter[k];
        p.check(changed === c.recreated.includes(k), `${c.label}: ${k} ${changed ? 'was re-created but is not affected' : 'was not re-created but should be'}`);
      }
      pings('after', c.pingsAfter);
      p.check(lab.planExitCode() === 0, `${c.label}: a second plan shows changes`);
      const d = lab.terraform('destroy -auto-approve');
      p.check(d.code === 0, () => `${c.label}: destroy failed: ${tail(d.stdout + d.stderr)}`);
      expectNothingLeft(p, c.label, sb);
    }));
    if (p.list.length === before) ok++;
  }
  return {
    figure: `${ok}/${rounds * CHANGES.length} changes (address, namespace name, bridge membership${rounds > 1 ? ` x ${rounds} rounds` : ''}): plan replaced exactly the affected ` +
      `resources (${[...counts].join(', ')}) with dependents cascading, unaffected objects kept, ping back after apply, re-plan empty, clean destroy`,
    pass: p.ok && ok === rounds * CHANGES.length,
    details: p.details,
  };
}
