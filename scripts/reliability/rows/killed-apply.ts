/**
 * Row 3: Terraform SIGKILLed part-way, and a PLAIN re-run heals. Three
 * scenarios, each killed at points chosen by the progress the kernel shows
 * (an engine run takes a few hundred ms, so points in time would mostly land
 * in Terraform's own work):
 *
 *  - first deploy: the workshop applied from nothing, killed at
 *      engine started (a journal exists: $STATE/labs/<lab>/<token>/journal),
 *      1st namespace, 3rd namespace, an address (veth-d in dev), forwarding on
 *      (router), a route (sales' default), engine done (its record
 *      $STATE/labs/<lab>/<token>/applied exists; the Seal has not run);
 *  - change: the deployed workshop changed (sales' address .10 -> .11, a new
 *    namespace qa with a veth to the router and a default route), killed at
 *      change started (a journal exists again), old address removed, new
 *      namespace, new address, new route (qa's default), engine done (the
 *      record lists qa);
 *  - destroy: the deployed host-router example (host forwarding on, host
 *    veth ends) under `terraform destroy`, killed at
 *      destroy started (the engine's work directory exists), namespaces
 *      deleted, host ends gone, host forwarding restored, record removed.
 *
 * Two modes: terraform alone killed (its running provisioner shell, the
 * engine, is orphaned and finishes; we wait for it, tracked by terraform's
 * session id), or the whole process group (terraform and the engine die
 * together: what a CI job cancel, an OOM kill or a container stop does).
 *
 * The claim under test: the PLAIN re-run heals, with no other step. For an
 * apply: `terraform apply` exits 0 and the kernel holds exactly the declared
 * lab (markers carrying the same deployment's token as before the kill), the
 * re-plan is empty, `cdktf-netns verify` (read only) finds no drift, the lab
 * pings across, and destroy then leaves nothing. For a destroy: `terraform
 * destroy` exits 0 and nothing is left (namespaces, interfaces, routes, files
 * under the state directory, mounts; the host's forwarding sysctls as before
 * the deploy), and Terraform's state is empty. Anything else counts as a
 * failure, reported with what the kill left, the re-run's output and what
 * `verify` says; the documented `cdktf-netns repair` recovery is NOT run and
 * never counts.
 *
 * Terraform's local backend rewrites terraform.tfstate in place, so a kill can
 * truncate Terraform's own state file; that is a Terraform limitation: the row
 * restores terraform.tfstate.backup (Terraform's documented recovery), counts
 * it separately, and then expects the plain re-run to heal all the same. A kill
 * that lands after Terraform finished (the run was faster than the poll) is
 * retried (up to 3 times) and counted as such.
 */
import { HostRouterStack } from '../../../examples/host-router/stack';
import { Lab } from '../../../test/support/lab';
import { Sandbox } from '../../../test/support/sandbox';
import { DEFAULT_STATE_DIR } from '../../../lib/core/settings';
import { killedApply, KillPoint, KillResult, recordFileExists, restoreCutState } from '../../../test/support/kill';
import { captureLab, diffLines, hostForwarding, leftovers } from '../common/kernel';
import { cli, deploymentOfDir, engineLog, labId, SEAL, stateResources, TEARDOWN, UNIT } from '../common/tf';
import { differsFromExample, expectNothingLeft, labDiff, Problems, RowOptions, RowResult, settle, synthTopo, tail, withLab, withSandbox } from '../common/row';
import { clone, expectedLines, HOST_ROUTER, Topo, WORKSHOP } from '../common/topo';

/** The change of the second scenario: sales' address .10 -> .11, and a namespace qa behind the router. */
const CHANGED: Topo = (() => {
  const t = clone(WORKSHOP);
  t.veths[0].a.addresses = ['172.16.10.11/24'];
  t.namespaces.push({ id: 'qa', name: 'qa' });
  t.veths.push({ id: 'q', a: { name: 'veth-q', ns: 'qa', addresses: ['172.16.30.10/24'] }, b: { name: 'veth-q-rtr', ns: 'router', addresses: ['172.16.30.1/24'] } });
  t.routes!.push({ id: 'qa-default', ns: 'qa', dest: 'default', via: '172.16.30.1' });
  return t;
})();

type Point = KillPoint & { quick: boolean };

interface Scenario {
  name: string;
  stack: string;
  /** What is deployed before the killed run (undefined: nothing). */
  before?: Topo;
  /** The topology the killed run applies (apply) or the deployed one (destroy). */
  target: Topo;
  verb: 'apply' | 'destroy';
  /** Repetitions of each point and mode in the full run (the quick run: 1). */
  reps: number;
  points(lab: string): Point[];
  /** Pings that show the healed lab works. */
  pings: Array<[string, string]>;
}

const rec = (lab: string, f: string) => recordFileExists(f, lab);

const SCENARIOS: Scenario[] = [
  { name: 'first deploy', stack: 'workshop', target: WORKSHOP, verb: 'apply', reps: 2,
    pings: [['sales', '172.16.20.10'], ['dev', '172.16.10.10']],
    points: (lab) => [
      { label: 'engine started', quick: false, cond: rec(lab, 'journal') },
      { label: '1st namespace', quick: true, cond: 'set -- /run/netns/*; [ -e "$1" ]' },
      { label: '3rd namespace', quick: false, cond: 'set -- /run/netns/*; [ $# -ge 3 ]' },
      { label: 'an address', quick: true, cond: 'ip -n dev -o -4 addr show dev veth-d 2>/dev/null | grep -q inet' },
      { label: 'forwarding on', quick: false, cond: '[ "$(nsenter --net=/run/netns/router cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)" = 1 ]' },
      { label: 'a route', quick: false, cond: 'ip -n sales route show default proto 213 2>/dev/null | grep -q .' },
      { label: 'engine done', quick: false, cond: rec(lab, 'applied') },
    ] },
  { name: 'change', stack: 'workshop', before: WORKSHOP, target: CHANGED, verb: 'apply', reps: 2,
    pings: [['sales', '172.16.20.10'], ['dev', '172.16.10.11'], ['qa', '172.16.10.11'], ['qa', '172.16.20.10']],
    points: (lab) => [
      { label: 'change started', quick: false, cond: rec(lab, 'journal') },
      { label: 'old address removed', quick: true, cond: '! ip -n sales -o -4 addr show dev veth-s 2>/dev/null | grep -q "172\\.16\\.10\\.10/"' },
      { label: 'new namespace', quick: false, cond: '[ -e /run/netns/qa ]' },
      { label: 'new address', quick: true, cond: 'ip -n sales -o -4 addr show dev veth-s 2>/dev/null | grep -q "172\\.16\\.10\\.11/"' },
      { label: 'new route', quick: false, cond: 'ip -n qa route show default proto 213 2>/dev/null | grep -q .' },
      { label: 'engine done', quick: false, cond: `grep -qs '^ns qa ' ${DEFAULT_STATE_DIR}/labs/${lab}/*/applied` },
    ] },
  { name: 'destroy', stack: 'host-router', before: HOST_ROUTER, target: HOST_ROUTER, verb: 'destroy', reps: 2,
    pings: [],
    points: (lab) => [
      { label: 'destroy started', quick: false, cond: rec(lab, 'work.*') },
      { label: 'namespaces deleted', quick: true, cond: '[ ! -e /run/netns/ns_web ] && [ ! -e /run/netns/ns_db ]' },
      { label: 'host ends gone', quick: false, cond: '! ip link show dev veth-web-host >/dev/null 2>&1 && ! ip link show dev veth-db-host >/dev/null 2>&1' },
      { label: 'forwarding restored', quick: true, cond: '[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ]' },
      { label: 'record removed', quick: false, cond: `[ ! -e ${DEFAULT_STATE_DIR}/labs/${lab} ]` },
    ] },
];
const MODES: Array<[string, boolean]> = [['terraform killed', false], ['process group killed', true]];

/** What the killed run left, for the details of a failure (one sandbox command). */
function aftermath(sb: Sandbox, lab: Lab, k: KillResult, state: { ok: string[]; tainted: string[] }): string {
  const r = sb.sh(`grep -E 'Creating|Creation|Destroying|Destruction|local-exec\\): |Error' kill.log | grep -v 'Executing:' | sed 's/^/    /'
echo "  deployment records: $(cd ${DEFAULT_STATE_DIR}/labs/${labId(lab.dir)} 2>/dev/null && for d in *; do printf '%s: %s; ' "$d" "$(ls $d | tr '\\n' ' ')"; done)"
printf '  namespaces after the kill: '
for n in $(ls /run/netns); do printf "%s=%s " "$n" "$(ip -n $n -o link show dev lo 2>&1 | sed -n "s/.*alias //p; s/.*failed: /BROKEN: /p")"; done`, { cwd: lab.dir });
  return `  killed ${k.atMs} ms after the start, engine summary printed: ${k.engineDone}, ${k.orphans} orphans\n` +
    `  Terraform state after the kill: ok [${state.ok.join(', ')}], tainted [${state.tainted.join(', ')}]\n  Terraform output before the kill:\n${r.stdout.trimEnd()}`;
}

/** Back to an empty sandbox and an empty Terraform state, whatever a failed kill left. */
function scrub(sb: Sandbox, lab: Lab): void {
  lab.terraform('destroy -auto-approve');
  sb.wipe();
  sb.sh('rm -f terraform.tfstate terraform.tfstate.backup .terraform.tfstate.lock.info', { cwd: lab.dir });
}

interface Tally { healed: number; total: number; present: number[]; orphans: number; retried: number; tfState: number; recorded: Record<string, number> }
const newTally = (): Tally => ({ healed: 0, total: 0, present: [], orphans: 0, retried: 0, tfState: 0, recorded: {} });

export async function run(opts: RowOptions): Promise<RowResult> {
  const p = new Problems();
  const topoDiff = differsFromExample('host-router', (app) => new HostRouterStack(app, 'host-router'), HOST_ROUTER);
  p.check(topoDiff.length === 0, `the data form of host-router differs from examples/host-router in: ${topoDiff.join(', ')}`);
  const tallies = new Map<string, Tally>();
  const pointsOf = new Map<string, Point[]>();
  for (const sc of SCENARIOS) for (const [mode, group] of MODES) {
    const reps = opts.quick ? 1 : sc.reps;
    await withSandbox((sb) => withLab(sb, sc.stack, (lab) => {
      const fwdBefore = hostForwarding(sb);
      synthTopo(lab, sc.stack, sc.target);
      const points = sc.points(labId(lab.dir)).filter((k) => !opts.quick || k.quick);
      pointsOf.set(sc.name, points);
      /** Bring the sandbox to the state the killed run starts from; returns the deployment token (if deployed). */
      const prepare = (): string | undefined => {
        if (!sc.before) { synthTopo(lab, sc.stack, sc.target); return undefined; }
        synthTopo(lab, sc.stack, sc.before);
        lab.applyOk();
        const t = deploymentOfDir(lab.dir);
        synthTopo(lab, sc.stack, sc.target);
        return t;
      };
      for (const point of points) for (let i = 1; i <= reps; i++) {
        const key = `${sc.name}|${mode}|${point.label}`;
        if (!tallies.has(key)) tallies.set(key, newTally());
        const t = tallies.get(key)!;
        t.total++;
        const before = p.list.length;
        const label = `${sc.name}, ${mode}, ${point.label}${reps > 1 ? ` #${i}` : ''}`;
        let tokenBefore = prepare();
        let k = killedApply(sb, lab, point, group, sc.verb);
        // the run finished before the kill landed (faster than the poll): undo it and try again
        for (let tries = 1; tries < 3 && k.seen && !k.killed; tries++) {
          t.retried++;
          scrub(sb, lab);
          tokenBefore = prepare();
          k = killedApply(sb, lab, point, group, sc.verb);
        }
        if (!p.check(k.seen && k.killed, `${label}: ${k.seen ? 'the run completed before the kill landed (3 tries)' : 'the kill point was never seen before the run ended'}`)) {
          scrub(sb, lab);
          continue;
        }
        t.orphans += k.orphans;
        // Terraform's own state file cut mid-write: Terraform's documented recovery
        if (restoreCutState(sb, lab)) t.tfState++;
        const state = stateResources(sb, lab);
        for (const r of state.ok) t.recorded[r] = (t.recorded[r] ?? 0) + 1;
        const tokenAfterKill = deploymentOfDir(lab.dir) ?? tokenBefore;
        const after = aftermath(sb, lab, k, state);
        if (sc.verb === 'apply') {
          // how much of the declared lab the kernel holds once every process has stopped
          if (tokenAfterKill) {
            const now = captureLab(sb);
            t.present.push(expectedLines(sc.stack, sc.target, tokenAfterKill).filter((l) => now.includes(l)).length);
          }
          // the PLAIN re-apply, and nothing else
          const r = lab.apply();
          const token = deploymentOfDir(lab.dir);
          const diff = r.code === 0 && token ? labDiff(sb, token, sc.stack, sc.target, { settleMs: 1000 }) : [];
          const plan = r.code === 0 && diff.length === 0 ? lab.planExitCode() : -1;
          const ver = cli(sb, 'verify', lab.dir);
          const sameDeployment = !tokenAfterKill || token === tokenAfterKill;
          const pings = r.code === 0 ? sc.pings.filter(([from, to]) => !sb.ping(from, to, 3)) : [];
          if (r.code === 0 && token && diff.length === 0 && plan === 0 && ver.code === 0 && sameDeployment && pings.length === 0) {
            t.healed++;
          } else {
            p.add(`${label}: the plain re-apply did not heal: ${r.code !== 0 ? `it failed (exit ${r.code})` : diff.length ? 'it succeeded without converging'
              : plan !== 0 ? `the re-plan shows changes (exit ${plan})` : !sameDeployment ? `it made another deployment (${token}, before ${tokenAfterKill})`
                : ver.code !== 0 ? `verify exits ${ver.code}` : `no ping ${pings.map(([f, to]) => `${f} -> ${to}`).join(', ')}`}:\n${after}\n` +
              `  re-apply: ${engineLog(r.stdout + r.stderr).lines.join(' | ') || tail(r.stdout + r.stderr, 800)}\n` +
              `  kernel vs the declared lab:\n    ${(diff.length ? diff : token ? labDiff(sb, token, sc.stack, sc.target, { settleMs: 0 }) : ['(no deployment in the state)']).join('\n    ') || '(in line)'}\n` +
              `  verify (exit ${ver.code}): ${tail(ver.out, 800).replace(/\n/g, '\n    ')}`);
          }
          const d = lab.terraform('destroy -auto-approve');
          p.check(d.code === 0, () => `${label}: destroy after the re-apply failed: ${tail(d.stdout + d.stderr)}\nkernel: ${captureLab(sb).join('; ')}`);
          expectNothingLeft(p, `${label}: after the destroy`, sb, {}, 1000);
        } else {
          // the PLAIN re-run of destroy
          const d = lab.terraform('destroy -auto-approve');
          const left = settle(() => leftovers(sb), 1000);
          const fwd = diffLines(fwdBefore, hostForwarding(sb));
          const st = stateResources(sb, lab);
          const inState = [...st.ok, ...st.tainted];
          if (d.code === 0 && left.length === 0 && fwd.length === 0 && inState.length === 0) {
            t.healed++;
          } else {
            p.add(`${label}: the plain re-run of destroy did not finish the job: exit ${d.code}; left: ${left.join('; ') || 'nothing'}; ` +
              `host forwarding: ${fwd.join('; ') || 'as before'}; still in Terraform's state: ${inState.join(', ') || 'nothing'}\n${after}\n` +
              `  destroy: ${engineLog(d.stdout + d.stderr).lines.join(' | ') || tail(d.stdout + d.stderr, 800)}`);
          }
        }
        if (p.list.length !== before) scrub(sb, lab);
      }
    }));
  }
  // figures: per scenario and mode, kills healed by the plain re-run / kills
  const perScenario = SCENARIOS.map((sc) => {
    const modes = MODES.map(([mode]) => {
      const ts = (pointsOf.get(sc.name) ?? []).map((pt) => tallies.get(`${sc.name}|${mode}|${pt.label}`) ?? newTally());
      return `${mode} ${ts.reduce((n, x) => n + x.healed, 0)}/${ts.reduce((n, x) => n + x.total, 0)}`;
    });
    return `${sc.name} (${(pointsOf.get(sc.name) ?? []).length} points): ${modes.join(', ')}`;
  });
  const all = [...tallies.values()];
  const sum = (f: (x: Tally) => number) => all.reduce((n, x) => n + f(x), 0);
  const healed = sum((x) => x.healed);
  const total = sum((x) => x.total);
  const range = (xs: number[]) => (xs.length ? (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}-${Math.max(...xs)}`) : '?');
  const present = SCENARIOS.filter((sc) => sc.verb === 'apply').map((sc) => `${sc.name}: ${(pointsOf.get(sc.name) ?? []).map((pt) =>
    `${pt.label} ${range(MODES.flatMap(([mode]) => tallies.get(`${sc.name}|${mode}|${pt.label}`)?.present ?? []))}`).join(', ')} ` +
    `of ${expectedLines(sc.stack, sc.target, '000000000000').length}`).join('; ');
  const recorded = [TEARDOWN, UNIT, SEAL].map((r) => `${r.replace('cdktf-netns/', '')} ${sum((x) => x.recorded[r] ?? 0)}`).join(', ');
  // failures that say what went wrong in the scenario and mode: the per-point split
  const byPoint = all.some((x) => x.healed !== x.total) ? `; per point: ${[...tallies.entries()].filter(([, x]) => x.healed !== x.total)
    .map(([k, x]) => `${k.replace(/\|/g, ', ')} ${x.healed}/${x.total}`).join('; ')}` : '';
  return {
    figure: `${healed}/${total} kills healed by a plain re-run (${perScenario.join('; ')})${byPoint}; ` +
      `declared kernel facts present once the processes stopped: ${present}; ${sum((x) => x.orphans)} orphaned provisioner processes waited for; ` +
      `resources in Terraform's state after the kill: ${recorded}; ${sum((x) => x.tfState)} Terraform state files cut mid-write (restored from backup); ` +
      `${sum((x) => x.retried)} kills retried (the run finished first); repair never used`,
    pass: p.ok && healed === total && total > 0,
    details: p.details,
  };
}
