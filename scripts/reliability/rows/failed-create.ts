/**
 * Row 2: a create that fails half-way. The lab's one unit (`cdktf-netns/Lab`)
 * fails part-way through its engine run, for two causes injected out of band:
 *
 *  - address conflict: the workshop is first deployed without its dev side
 *    (sales + router); then a foreign interface appears in `router` carrying
 *    172.16.20.1/24, the address the full lab gives veth-d-rtr; the full
 *    workshop is applied over it. The apply must fail, saying which address
 *    clashes with which interface, and leave the foreign interface exactly as
 *    it was (the kernel itself accepts one IPv4 address on two interfaces, so
 *    only the engine can refuse it).
 *  - read-only /proc/sys (as in a container): the router's forwarding cannot
 *    be set; the apply from scratch must fail naming the namespace, after
 *    having created part of the lab.
 *
 * Either way Terraform must taint the unit (and keep the teardown, the
 * deployment's identity; the seal is never created); once the cause is
 * removed, the next plain apply replaces the unit, creates the seal, stays
 * the same deployment (same token), and the engine
 * adopts what the failed run made (their kernel identities are kept) and
 * finishes the job: the kernel holds exactly the declared lab, `cdktf-netns
 * verify` exits 0, sales pings dev, a second plan is empty, destroy leaves
 * nothing.
 */
import { Sandbox } from '../../../test/support/sandbox';
import { Lab } from '../../../test/support/lab';
import { captureLab, changedIdentities, identities, stampNamespaces } from '../common/kernel';
import { cli, stateResources, TEARDOWN, UNIT } from '../common/tf';
import { expectLab, expectNoChangesThenNothingLeft, Problems, RowOptions, RowResult, synthTopo, tail, tokenOf, withLab, withSandbox } from '../common/row';
import { clone, expectedLines, Topo, WORKSHOP } from '../common/topo';

/** The workshop without its dev side (namespace dev, veth pair d, dev's route). */
const NO_DEV: Topo = (() => {
  const t = clone(WORKSHOP);
  t.namespaces = t.namespaces.filter((n) => n.id !== 'dev');
  t.veths = t.veths.filter((v) => v.id !== 'd');
  t.routes = t.routes!.filter((r) => r.id !== 'dev-default');
  return t;
})();

interface Cause {
  label: string;
  /** Deployed first (undefined: the failing apply starts from nothing). */
  before?: Topo;
  /** Out of band, before the failing apply. */
  inject: string;
  /** What the failed apply must say. */
  refusal: RegExp;
  /** A foreign object the failed apply must leave as it was: [ns, ifname]. */
  foreign?: [string, string];
  remove: string;
}

const CAUSES: Cause[] = [
  { label: 'address conflict', before: NO_DEV,
    inject: 'ip -n router link add conflict type bridge && ip -n router addr add 172.16.20.1/24 dev conflict && ip -n router link set conflict up',
    refusal: /172\.16\.20\.1\b.*\bconflict\b|\bconflict\b.*172\.16\.20\.1\b/,
    foreign: ['router', 'conflict'],
    remove: 'ip -n router link del conflict' },
  { label: 'read-only /proc/sys',
    inject: 'mount --bind -o ro /proc/sys /proc/sys',
    refusal: /cannot set the sysctls of namespace 'router'/,
    remove: 'umount /proc/sys' },
];

function foreignSnapshot(sb: Sandbox, [ns, ifname]: [string, string]): string {
  const l = sb.ipJson(ns, '-d addr show').find((x: any) => x.ifname === ifname);
  if (!l) return '';
  return `${l.ifindex} kind=${l.linkinfo?.info_kind} alias=${l.ifalias ?? '-'} master=${l.master ?? '-'} flags=${(l.flags ?? []).join(',')} ` +
    `addrs=${(l.addr_info ?? []).map((a: any) => `${a.local}/${a.prefixlen}`).join(',')}`;
}

export async function run(opts: RowOptions): Promise<RowResult> {
  const reps = opts.quick ? 1 : 5;
  const p = new Problems();
  const converged = new Map<string, number>();
  const partial = new Map<string, Set<string>>();
  const adoptedKept = new Map<string, number>();
  for (let i = 1; i <= reps; i++) for (const c of CAUSES) {
    const label = `${c.label}${reps > 1 ? ` #${i}` : ''}`;
    const before = p.list.length;
    await withSandbox((sb) => withLab(sb, 'workshop', (lab: Lab) => {
      if (c.before) {
        synthTopo(lab, 'workshop', c.before);
        lab.applyOk();
        expectLab(p, `${label}: first deploy`, sb, lab, 'workshop', c.before);
      }
      sb.ok(c.inject);
      const foreignBefore = c.foreign ? foreignSnapshot(sb, c.foreign) : '';
      synthTopo(lab, 'workshop', WORKSHOP);
      const r = lab.apply();
      const out = r.stdout + r.stderr;
      const failed = p.check(r.code !== 0, `${label}: the apply succeeded although the cause was in place`);
      p.check(c.refusal.test(out), () => `${label}: the failure does not say what is in the way (${c.refusal}): ${tail(out)}`);
      if (c.foreign) {
        const after = foreignSnapshot(sb, c.foreign);
        p.check(after === foreignBefore, `${label}: the foreign interface was changed by the failed apply:\n  before ${foreignBefore}\n  after  ${after}`);
      }
      // how far the failed run got, and Terraform's view of it
      // (the deployment's token: the Teardown was created before the unit failed)
      const token = tokenOf(lab);
      const now = captureLab(sb);
      const declared = expectedLines('workshop', WORKSHOP, token);
      const inLine = declared.filter((l) => now.includes(l)).length;
      const st = stateResources(sb, lab);
      if (!partial.has(c.label)) partial.set(c.label, new Set());
      partial.get(c.label)!.add(failed ? `${inLine}/${declared.length}` : 'did not fail');
      if (failed) {
        // the unit tainted, the teardown (the deployment's identity) kept, the seal not created
        p.check(st.tainted.join() === UNIT && st.ok.join() === TEARDOWN,
          `${label}: expected the lab unit tainted, the teardown kept and no seal, state has ok [${st.ok.join(', ')}], tainted [${st.tainted.join(', ')}]`);
      }
      // remove the cause; the next plain apply converges, adopting what the failed run made
      stampNamespaces(sb);
      const idsBefore = identities(sb);
      sb.ok(c.remove);
      const r2 = lab.apply();
      if (!p.check(r2.code === 0, () => `${label}: the apply after removing the cause failed: ${tail(r2.stdout + r2.stderr)}\nkernel: ${captureLab(sb).join('\n')}`)) {
        lab.terraform('destroy -auto-approve');
        return;
      }
      // the tainted unit replaced and the seal created; the same deployment (teardown kept)
      if (failed) p.check(/Resources: 2 added, 0 changed, 1 destroyed/.test(r2.stdout), () => `${label}: the re-apply did not replace the tainted unit and create the seal: ${tail(r2.stdout, 600)}`);
      p.check(tokenOf(lab) === token, `${label}: the re-apply is another deployment (${tokenOf(lab)}, the failed run was ${token})`);
      expectLab(p, `${label}: after removing the cause`, sb, token, 'workshop', WORKSHOP);
      const idsAfter = identities(sb);
      const recreated = changedIdentities(idsBefore, idsAfter).filter((k) => k in idsBefore && k in idsAfter);
      if (p.check(recreated.length === 0, `${label}: objects of the failed run were re-created instead of adopted: ${recreated.join(', ')}`) && failed) {
        adoptedKept.set(c.label, (adoptedKept.get(c.label) ?? 0) + 1);
      }
      const v = cli(sb, 'verify', lab.dir);
      p.check(v.code === 0, () => `${label}: verify after converging exits ${v.code}: ${tail(v.out)}`);
      p.check(sb.ping('sales', '172.16.20.10') && sb.ping('dev', '172.16.10.10'), `${label}: sales and dev do not ping each other after converging`);
      expectNoChangesThenNothingLeft(p, label, sb, lab);
    }));
    if (p.list.length === before) converged.set(c.label, (converged.get(c.label) ?? 0) + 1);
  }
  const per = CAUSES.map((c) => `${c.label} ${converged.get(c.label) ?? 0}/${reps} (kernel facts of the lab in line after the failed run: ${[...(partial.get(c.label) ?? [])].join(' / ')}; ` +
    `what it made adopted on the next apply, not re-created, ${adoptedKept.get(c.label) ?? 0}/${reps})`);
  const ok = [...converged.values()].reduce((a, b) => a + b, 0);
  return {
    figure: `${ok}/${reps * CAUSES.length} failed creates converged on the next plain apply once the cause was removed: ${per.join('; ')}; ` +
      'unit tainted, foreign interface untouched, verify clean, clean destroy',
    pass: p.ok && ok === reps * CAUSES.length,
    details: p.details,
  };
}
