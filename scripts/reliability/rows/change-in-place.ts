/**
 * Row 7: a change in place. Three edits of a running lab: an address (sales
 * 172.16.10.10 -> .11), a namespace's name (sales -> sales2), and a bridge
 * membership (a veth end moved from bridge br-a to br-b). Every change
 * replaces the lab unit and its seal in Terraform's plan (the teardown, the
 * deployment's identity, stays; the seal finds the unit's run complete), and the
 * plan's diff names exactly the namespaces whose objects changed (the unit's
 * triggers have one key per namespace). The honest measure of "replaces only
 * what it affects" is the kernel: after the apply it holds exactly the new
 * lab, every namespace and interface the change does not affect keeps its
 * identity (namespace inode + stamp, interface index) while the affected ones
 * are re-created, the engine's log names only affected objects, connectivity
 * is as declared (ping), the re-plan is empty and destroy leaves nothing.
 */
import { changedIdentities, identities, stampNamespaces } from '../common/kernel';
import { engineLog, LAB_UNIT, planActions, TEARDOWN, UNIT } from '../common/tf';
import { expectLab, expectNoChangesThenNothingLeft, Problems, RowOptions, RowResult, synthTopo, tail, withLab, withSandbox } from '../common/row';
import { Topo, variant, WORKSHOP } from '../common/topo';

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
  /** Trigger keys of the lab unit that must change (besides `data`, the data file's hash), nothing else. */
  planKeys: string[];
  /** Identity keys (see `identities`) that must change; every other surviving object must keep its identity. */
  recreated: string[];
  /** No line of the engine's log may match this (objects the change does not affect). */
  untouched: RegExp;
  /** [from ns, to address, must answer] before / after the change. */
  pingsBefore: Array<[string, string, boolean]>;
  pingsAfter: Array<[string, string, boolean]>;
}

const CHANGES: Change[] = [
  { label: 'address', stack: 'workshop', from: WORKSHOP,
    to: variant(WORKSHOP, (t) => { t.veths[0].a.addresses = ['172.16.10.11/24']; }),
    planKeys: ['namespace sales'],
    recreated: [],
    untouched: /\bdev\b|veth-d|router|veth-s-rtr|namespace sales$/,
    pingsBefore: [['dev', '172.16.10.10', true]],
    pingsAfter: [['dev', '172.16.10.11', true], ['sales', '172.16.20.10', true]] },
  { label: 'namespace name', stack: 'workshop', from: WORKSHOP,
    to: variant(WORKSHOP, (t) => { t.namespaces[0].name = 'sales2'; }),
    planKeys: ['namespace sales', 'namespace sales2'],
    recreated: ['if router/veth-s-rtr'],
    untouched: /\bdev\b|veth-d|172\.16\.20\.|ip_forward|namespace router/,
    pingsBefore: [['sales', '172.16.20.10', true]],
    pingsAfter: [['sales2', '172.16.20.10', true], ['dev', '172.16.10.10', true]] },
  { label: 'bridge membership', stack: 'lan', from: TWO_BRIDGES,
    to: variant(TWO_BRIDGES, (t) => { t.veths[0].b.bridge = 'br-b'; }),
    planKeys: ['namespace c'],
    recreated: [],
    untouched: /s1-|s2-|c-if|10\.0\.0\.|bridge br-a|namespace/,
    pingsBefore: [['c', '10.0.0.1', true], ['c', '10.0.0.2', false]],
    pingsAfter: [['c', '10.0.0.2', true], ['c', '10.0.0.1', false]] },
];

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const p = new Problems();
  let ok = 0;
  const counts = new Map<string, string>();
  for (let round = 1; round <= rounds; round++) for (const c0 of CHANGES) {
    const c = rounds > 1 ? { ...c0, label: `round ${round}: ${c0.label}` } : c0;
    const before = p.list.length;
    await withSandbox((sb) => withLab(sb, c.stack, (lab) => {
      const pings = (when: string, list: Array<[string, string, boolean]>) => {
        for (const [from, to, answer] of list) {
          // a must-answer ping waits up to 3 s: an address that failed to resolve before the change stays in
          // the neighbour cache as INCOMPLETE/FAILED and resolves on the kernel's next ARP probe (1 s period)
          p.check(sb.ping(from, to, answer ? 3 : 1) === answer, `${c.label}: ${when}: ping ${from} -> ${to} ${answer ? 'fails' : 'answers but must not'}`);
        }
      };
      synthTopo(lab, c.stack, c.from);
      lab.applyOk();
      expectLab(p, `${c.label}: before`, sb, lab, c.stack, c.from);
      pings('before', c.pingsBefore);
      stampNamespaces(sb);
      const idsBefore = identities(sb);
      synthTopo(lab, c.stack, c.to);
      const plan = planActions(sb, lab);
      p.check(plan.code === 2, `${c.label}: plan -detailed-exitcode = ${plan.code}, expected 2 (changes)`);
      p.check(plan.replaced.join() === LAB_UNIT.join() && !plan.created.length && !plan.destroyed.length && !plan.updated.length,
        `${c.label}: the plan must replace only ${LAB_UNIT.join(' and ')} (${TEARDOWN} stays): replaces [${plan.replaced}], creates [${plan.created}], destroys [${plan.destroyed}], updates [${plan.updated}]`);
      const keys = (plan.changedKeys[UNIT] ?? []).filter((k) => k !== 'data');
      p.check(JSON.stringify(keys) === JSON.stringify([...c.planKeys].sort()),
        `${c.label}: the plan's diff changes [${keys.join(', ')}], expected exactly [${[...c.planKeys].sort().join(', ')}] (and data)`);
      const a = lab.apply();
      if (!p.check(a.code === 0, () => `${c.label}: apply of the change failed: ${tail(a.stdout + a.stderr)}`)) return;
      p.check(/Resources: 2 added, 0 changed, 2 destroyed/.test(a.stdout),
        () => `${c.label}: apply summary is not "the unit and its seal replaced": ${a.stdout.split('\n').filter((l) => /Apply complete/.test(l)).join()}`);
      const log = engineLog(a.stdout + a.stderr);
      counts.set(c0.label, `${c0.label}: ${log.created} created, ${log.changed} changed, ${log.removed} removed`);
      const stray = log.lines.filter((l) => c.untouched.test(l));
      p.check(log.runs === 1 && log.sealsComplete === 1 && log.sealsFinishing === 0, () => `${c.label}: expected one engine run and a seal that finds it complete, got ${log.runs} runs, seals ${log.sealsComplete} complete, ${log.sealsFinishing} finishing`);
      p.check(stray.length === 0, () => `${c.label}: the engine's log names objects the change does not affect:\n  ${stray.join('\n  ')}`);
      expectLab(p, `${c.label}: after`, sb, lab, c.stack, c.to);
      const idsAfter = identities(sb);
      const changed = changedIdentities(idsBefore, idsAfter).filter((k) => k in idsBefore && k in idsAfter);
      for (const k of changed.filter((x) => !c.recreated.includes(x))) p.add(`${c.label}: ${k} was re-created but is not affected (${idsBefore[k]} -> ${idsAfter[k]})`);
      for (const k of c.recreated.filter((x) => !changed.includes(x))) p.add(`${c.label}: ${k} was not re-created but should be`);
      pings('after', c.pingsAfter);
      expectNoChangesThenNothingLeft(p, c.label, sb, lab);
    }));
    if (p.list.length === before) ok++;
  }
  return {
    figure: `${ok}/${rounds * CHANGES.length} changes (address, namespace name, bridge membership${rounds > 1 ? ` x ${rounds} rounds` : ''}): Terraform replaced only the lab unit (Lab + Seal), ` +
      `its diff named exactly the affected namespaces; the engine touched only affected objects (${[...counts.values()].join('; ')}), ` +
      'every unaffected namespace and interface kept its kernel identity, ping as declared after apply, re-plan empty, clean destroy',
    pass: p.ok && ok === rounds * CHANGES.length,
    details: p.details,
  };
}
