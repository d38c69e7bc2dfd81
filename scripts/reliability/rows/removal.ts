/**
 * Row 6: constructs removed from the program. Terraform runs no destroy
 * provisioner for what left the configuration; here the objects are lines of
 * the lab's data, so the lab unit is replaced and its engine run deletes the
 * difference with its record of what it applied last. Three removals, each
 * deployed over a running lab: (a) the `dev` namespace together with its veth
 * pair and its route, (b) only the sales Route, (c) a bridge port's veth pair
 * (bridge-lan, `db`). After each: Terraform replaced only the lab unit and its
 * seal (the teardown, the deployment's identity, stays), the engine ran once
 * and the seal found it complete, the engine's log has only removals, each of a removed
 * object, the kernel holds exactly the smaller lab (0 orphans), the surviving
 * objects were not re-created (same interface indexes, namespace inodes and
 * stamps), what remains still pings, the re-plan is empty, and destroy leaves
 * nothing.
 */
import { identities, stampNamespaces } from '../common/kernel';
import { engineLog, LAB_UNIT, planActions, TEARDOWN } from '../common/tf';
import { expectLab, expectNoChangesThenNothingLeft, labDiff, Problems, RowOptions, RowResult, synthTopo, tail, withLab, withSandbox } from '../common/row';
import { BRIDGE_LAN, Topo, variant, WORKSHOP } from '../common/topo';

interface Removal {
  label: string;
  stack: string;
  full: Topo;
  reduced: Topo;
  /** Pings that must work after the removal: [from ns, to address]. */
  pings: Array<[string, string]>;
  /** Every line the engine logs for the removal must name one of the removed objects. */
  removedObjects: RegExp;
}

const REMOVALS: Removal[] = [
  { label: 'namespace dev + its veth pair + its route', stack: 'workshop', full: WORKSHOP,
    reduced: variant(WORKSHOP, (t) => {
      t.namespaces = t.namespaces.filter((n) => n.id !== 'dev');
      t.veths = t.veths.filter((v) => v.id !== 'd');
      t.routes = t.routes!.filter((r) => r.id !== 'dev-default');
    }),
    pings: [['sales', '172.16.10.1']], removedObjects: /\bdev\b|veth-d\b|172\.16\.20\./ },
  { label: 'only the sales Route', stack: 'workshop', full: WORKSHOP,
    reduced: variant(WORKSHOP, (t) => { t.routes = t.routes!.filter((r) => r.id !== 'sales-default'); }),
    pings: [['sales', '172.16.10.1'], ['dev', '172.16.10.1']], removedObjects: /^removed route default via 172\.16\.10\.1 in namespace 'sales'$/ },
  { label: 'a bridge port veth pair (bridge-lan db)', stack: 'lan', full: BRIDGE_LAN,
    reduced: variant(BRIDGE_LAN, (t) => { t.veths = t.veths.filter((v) => v.id !== 'db'); }),
    pings: [['ns_web', '192.168.100.1'], ['', '192.168.100.10']], removedObjects: /veth-db\b|veth-db-br\b|192\.168\.100\.20\// },
];

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const p = new Problems();
  let clean = 0;
  let orphans = 0;
  let recreated = 0;
  const removed: number[] = [];
  for (let round = 1; round <= rounds; round++) for (const r0 of REMOVALS) {
    const r = rounds > 1 ? { ...r0, label: `round ${round}: ${r0.label}` } : r0;
    const before = p.list.length;
    await withSandbox((sb) => withLab(sb, r.stack, (lab) => {
      synthTopo(lab, r.stack, r.full);
      lab.applyOk();
      expectLab(p, `${r.label}: first deploy`, sb, lab, r.stack, r.full);
      stampNamespaces(sb);
      const idsBefore = identities(sb);
      synthTopo(lab, r.stack, r.reduced);
      const plan = planActions(sb, lab);
      p.check(plan.replaced.join() === LAB_UNIT.join() && !plan.created.length && !plan.destroyed.length && !plan.updated.length,
        `${r.label}: the plan must replace only ${LAB_UNIT.join(' and ')} (${TEARDOWN} stays): replaces [${plan.replaced}], creates [${plan.created}], destroys [${plan.destroyed}], updates [${plan.updated}]`);
      const a = lab.apply();
      if (!p.check(a.code === 0, () => `${r.label}: the apply without it failed: ${tail(a.stdout + a.stderr)}`)) return;
      // the engine removes the difference, and only that: every line it logs is a removal of a removed object
      const log = engineLog(a.stdout + a.stderr);
      removed.push(log.removed);
      const stray = log.lines.filter((l) => !/^(removed|released|restored) /.test(l) || !r.removedObjects.test(l));
      // one engine run, then the seal finds it complete
      p.check(log.runs === 1 && log.sealsComplete === 1 && log.sealsFinishing === 0 && log.removed > 0 && log.created === 0 && log.changed === 0 && stray.length === 0,
        () => `${r.label}: the engine did more than remove the removed objects (${log.runs} runs, ${log.sealsComplete}+${log.sealsFinishing} seals complete+finishing, ${log.created} created, ${log.changed} changed, ${log.removed} removed):\n  ${log.lines.join('\n  ')}`);
      const diff = labDiff(sb, lab, r.stack, r.reduced);
      orphans += diff.filter((d) => d.startsWith('unexpected')).length;
      p.check(diff.length === 0, () => `${r.label}: kernel differs from the smaller lab:\n  ${diff.join('\n  ')}`);
      // survivors: same identity as before (not re-created)
      const idsAfter = identities(sb);
      for (const [k, v] of Object.entries(idsAfter)) {
        if (k in idsBefore && idsBefore[k] !== v) { recreated++; p.add(`${r.label}: ${k} was re-created (${idsBefore[k]} -> ${v})`); }
      }
      for (const [from, to] of r.pings) p.check(sb.ping(from, to), `${r.label}: ${from || 'host'} cannot ping ${to} after the removal`);
      expectNoChangesThenNothingLeft(p, r.label, sb, lab);
    }));
    if (p.list.length === before) clean++;
  }
  return {
    figure: `${clean}/${rounds * REMOVALS.length} removals deployed clean${rounds > 1 ? ` (${REMOVALS.length} kinds x ${rounds} rounds)` : ''} (dev ns + veth + route; one Route; a bridge port veth): ` +
      `Terraform replaced only the lab unit (Lab + Seal), the engine removed ${removed.join('+')} objects and touched nothing else, ${orphans} orphans, ` +
      `${recreated} survivors re-created, re-plan empty, clean destroy`,
    pass: p.ok && clean === rounds * REMOVALS.length && orphans === 0 && recreated === 0,
    details: p.details,
  };
}
