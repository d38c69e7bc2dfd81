/**
 * Row 3: `terraform apply` SIGKILLed part-way. The workshop is applied from
 * scratch and killed at points chosen by the progress the kernel shows (the
 * whole lab is one unit whose engine run takes a few hundred ms, so points in
 * time would mostly land in Terraform's own work):
 *   - engine started: the lab's journal exists ($STATE/labs/<lab>/journal),
 *     nothing created yet;
 *   - 1st namespace: an entry appears in /run/netns (the root batch runs);
 *   - 3rd namespace (full run only);
 *   - an address: veth-d in dev has its address (the per-namespace batches run);
 *   - forwarding: the router's ip_forward reads 1 (full run only);
 *   - a route: sales has its default route (the last namespace batch ran);
 *   - engine done: the engine has written its record of what it applied
 *     ($STATE/labs/<lab>/applied; Terraform has not finished the resource yet).
 * Two ways:
 *   - terraform only: its running provisioner shell (the engine) is orphaned
 *     and finishes (we wait for it, tracked by terraform's session id);
 *   - the whole process group: terraform and the engine die together (what a
 *     CI job cancel, an OOM kill or a container stop does).
 * The claim under test: the lab ends in exactly the declared lab (ping across,
 * empty re-plan) and destroy leaves nothing (namespaces, interfaces, routes,
 * files under the state directory, mounts). The figure counts how many kills
 * converged on a plain re-apply and how many needed the documented recovery:
 * Terraform may record the unit in its state before/while its provisioner
 * runs, so the re-apply may report no changes over a half-made lab; then
 * `cdktf-netns verify` must see the drift (exit 2) and `cdktf-netns repair`
 * (which reads the journal the killed run left) followed by an apply must
 * bring the kernel in line.
 *
 * Terraform's local backend rewrites terraform.tfstate in place, so a kill can
 * truncate Terraform's own state file; that is a Terraform limitation: the row
 * restores terraform.tfstate.backup (Terraform's documented recovery), counts
 * it separately, and then expects convergence all the same.
 */
import { Lab } from '../../../test/e2e/lab';
import { Sandbox } from '../../../test/e2e/sandbox';
import { captureLab, ping } from '../common/kernel';
import { cli, engineLog, killedApply, KillPoint, KillResult, labId, stateReadable, stateResources, UNIT } from '../common/tf';
import { expectNothingLeft, labDiff, Problems, RowOptions, RowResult, synthTopo, tail, withLab, withSandbox } from '../common/row';
import { expectedLines, WORKSHOP } from '../common/topo';

/** Kill points; `quick` marks the ones of the CI subset. */
function killPoints(lab: string): Array<KillPoint & { quick: boolean }> {
  return [
    { label: 'engine started', quick: true, cond: `[ -e /run/cdktf-netns/labs/${lab}/journal ]` },
    { label: '1st namespace', quick: true, cond: 'set -- /run/netns/*; [ -e "$1" ]' },
    { label: '3rd namespace', quick: false, cond: 'set -- /run/netns/*; [ $# -ge 3 ]' },
    { label: 'an address', quick: true, cond: 'ip -n dev -o -4 addr show dev veth-d 2>/dev/null | grep -q inet' },
    { label: 'forwarding on', quick: false, cond: '[ "$(nsenter --net=/run/netns/router cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)" = 1 ]' },
    { label: 'a route', quick: false, cond: 'ip -n sales route show default proto 213 2>/dev/null | grep -q .' },
    { label: 'engine done', quick: true, cond: `[ -e /run/cdktf-netns/labs/${lab}/applied ]` },
  ];
}
const MODES: Array<[string, boolean]> = [['terraform killed', false], ['process group killed', true]];

/** What the killed apply left, for the details of a failure (one sandbox command). */
function aftermath(sb: Sandbox, lab: Lab, k: KillResult, state: { ok: string[]; tainted: string[] }): string {
  const r = sb.sh(`grep -E 'Creating|Creation|local-exec\\): |Error' kill.log | grep -v 'Executing:' | sed 's/^/    /'
echo "  lab record: $(ls /run/cdktf-netns/labs/${labId(lab.dir)} 2>&1 | tr '\\n' ' ')"
printf '  namespaces after the kill: '
for n in $(ls /run/netns); do printf "%s=%s " "$n" "$(ip -n $n -o link show dev lo 2>&1 | sed -n "s/.*alias //p; s/.*failed: /BROKEN: /p")"; done`, { cwd: lab.dir });
  return `  killed ${k.atMs} ms after the start, engine summary printed: ${k.engineDone}, ${k.orphans} orphans\n` +
    `  state after the kill: ok [${state.ok.join(', ')}], tainted [${state.tainted.join(', ')}]\n  Terraform output before the kill:\n${r.stdout.trimEnd()}`;
}

interface Tally { ok: number; total: number; present: number[]; orphans: number; recorded: number; tfState: number; plain: number; repaired: number; repairNeeded: number }

export async function run(opts: RowOptions): Promise<RowResult> {
  const reps = opts.quick ? 1 : 5;
  const p = new Problems();
  const declared = expectedLines('workshop', WORKSHOP);
  const tallies = new Map<string, Tally>();
  let points: Array<KillPoint & { quick: boolean }> = [];
  for (const [mode, group] of MODES) {
    await withSandbox((sb) => withLab(sb, 'workshop', (lab) => {
      synthTopo(lab, 'workshop', WORKSHOP);
      points = killPoints(labId(lab.dir)).filter((k) => !opts.quick || k.quick);
      for (const point of points) for (let i = 1; i <= reps; i++) {
        const key = `${mode}, ${point.label}`;
        if (!tallies.has(key)) tallies.set(key, { ok: 0, total: 0, present: [], orphans: 0, recorded: 0, tfState: 0, plain: 0, repaired: 0, repairNeeded: 0 });
        const t = tallies.get(key)!;
        t.total++;
        const before = p.list.length;
        const label = `${key}${reps > 1 ? ` #${i}` : ''}`;
        const k = killedApply(sb, lab, point, group);
        if (!p.check(k.seen && k.killed, `${label}: ${k.seen ? 'the apply completed before the kill landed' : 'the kill point was never seen before the apply ended'}`)) {
          lab.terraform('destroy -auto-approve');
          continue;
        }
        t.orphans += k.orphans;
        // how much of the lab the kernel holds once every process has stopped
        const now = captureLab(sb);
        t.present.push(declared.filter((l) => now.includes(l)).length);
        if (!stateReadable(sb, lab)) {
          // Terraform's own state file was cut mid-write: Terraform's documented recovery
          t.tfState++;
          sb.ok('cp terraform.tfstate.backup terraform.tfstate', { cwd: lab.dir });
        }
        const state = stateResources(sb, lab);
        if (state.ok.includes(UNIT)) t.recorded++;
        const after = aftermath(sb, lab, k, state);
        const r = lab.apply();
        const diff = r.code === 0 ? labDiff(sb, 'workshop', WORKSHOP, { settleMs: 1000 }) : [];
        const plan = r.code === 0 && diff.length === 0 ? lab.planExitCode() : -1;
        if (r.code === 0 && diff.length === 0 && plan === 0) {
          t.plain++;
          p.check(ping(sb, 'sales', '172.16.20.10') && ping(sb, 'dev', '172.16.10.10'), `${label}: sales and dev do not ping each other after the re-apply`);
        } else {
          // the documented recovery: verify shows the drift, repair finishes the killed run's work, apply records it
          t.repairNeeded++;
          const report = `${label}: the plain re-apply ${r.code !== 0 ? `failed (exit ${r.code})` : diff.length ? 'succeeded without converging' : `left a plan with changes (exit ${plan})`}:\n${after}\n` +
            `  re-apply: ${engineLog(r.stdout + r.stderr).lines.join(' | ') || tail(r.stdout + r.stderr, 600)}\n` +
            `  kernel differs from the declared lab:\n    ${(diff.length ? diff : labDiff(sb, 'workshop', WORKSHOP, { settleMs: 0 })).join('\n    ') || '(no)'}`;
          const ver = cli(sb, 'verify', lab.dir);
          const rep = cli(sb, 'repair', lab.dir);
          const again = lab.apply();
          const left = labDiff(sb, 'workshop', WORKSHOP, { settleMs: 1000 });
          const planAfter = lab.planExitCode();
          if ((ver.code === 2 || r.code !== 0) && rep.code === 0 && again.code === 0 && left.length === 0 && planAfter === 0) {
            t.repaired++;
            p.check(ping(sb, 'sales', '172.16.20.10') && ping(sb, 'dev', '172.16.10.10'), `${label}: sales and dev do not ping each other after repair`);
          } else {
            p.add(`${report}\n  recovery: verify exit ${ver.code} (2 = drift found), repair exit ${rep.code}, apply again exit ${again.code}, ` +
              `${left.length === 0 ? 'kernel in line' : `kernel still differs:\n    ${left.join('\n    ')}`}; terraform plan exit ${planAfter}\n    ` +
              `${tail(ver.out + rep.out, 800).replace(/\n/g, '\n    ')}`);
          }
        }
        const d = lab.terraform('destroy -auto-approve');
        p.check(d.code === 0, () => `${label}: destroy failed: ${tail(d.stdout + d.stderr)}\nkernel: ${captureLab(sb).join('; ')}`);
        expectNothingLeft(p, label, sb, {}, 1000);
        if (p.list.length === before) {
          t.ok++;
        } else {
          // start the next repetition from a clean sandbox and an empty Terraform state, whatever this one left
          sb.sh('for n in $(ls /run/netns); do ip netns del "$n" 2>/dev/null || rm -f "/run/netns/$n"; done; ' +
            'for l in $(ip -o link show | sed -n "s/^[0-9]*: \\([^:@]*\\).*/\\1/p"); do [ "$l" = lo ] || ip link del "$l"; done; rm -rf /run/cdktf-netns/*');
          sb.sh('rm -f terraform.tfstate terraform.tfstate.backup .terraform.tfstate.lock.info', { cwd: lab.dir });
        }
      }
    }));
  }
  const range = (xs: number[]) => (xs.length ? (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}-${Math.max(...xs)}`) : '?');
  const all = [...tallies.values()];
  const sum = (f: (t: Tally) => number) => all.reduce((n, t) => n + f(t), 0);
  const byMode = MODES.map(([mode]) => `${mode}: ${points.map((pt) => { const t = tallies.get(`${mode}, ${pt.label}`); return `${pt.label} ${t?.ok ?? 0}/${t?.total ?? 0}`; }).join(', ')}`);
  const present = points.map((pt) => `${pt.label} ${range(MODES.flatMap(([mode]) => tallies.get(`${mode}, ${pt.label}`)?.present ?? []))}`).join(', ');
  const ok = sum((t) => t.ok);
  const total = sum((t) => t.total);
  const needed = sum((t) => t.repairNeeded);
  return {
    figure: `${ok}/${total} killed applies ended in exactly the declared lab and a clean destroy (${byMode.join('; ')}); ` +
      `kernel facts of ${declared.length} in line once the processes stopped: ${present}; ${sum((t) => t.orphans)} orphaned provisioner processes waited for; ` +
      `unit recorded in Terraform's state after ${sum((t) => t.recorded)}/${total} kills; ${sum((t) => t.tfState)} Terraform state files cut mid-write (restored from backup); ` +
      `${sum((t) => t.plain)} converged on a plain re-apply, ${needed} needed verify + repair + apply, which recovered ${sum((t) => t.repaired)}/${needed}`,
    pass: p.ok && ok === total,
    details: p.details,
  };
}
