/**
 * Row 8: labs side by side.
 *
 * (a) Two copies of the workshop topology in one app (stacks "a" and "b",
 *     prefixes "a-" and "b-": apps/side-by-side.ts), deployed and destroyed
 *     concurrently with the real cdktf CLI (`cdktf deploy '*' --auto-approve
 *     --parallelism 2`) inside the sandbox. A sampler in the sandbox records
 *     when both stacks' `terraform apply` run at the same moment (each holds
 *     its stack's state lock for an apply meanwhile).
 *     After the deploy the kernel holds exactly the union of both labs, each
 *     lab pings across its router, both stacks re-plan empty; after the
 *     concurrent destroy nothing is left.
 * (b) The same lab twice with the same names (stacks "one" and "two", no
 *     prefix), deployed one after the other with plain Terraform, for the
 *     workshop (objects inside namespaces) and bridge-lan (namespaces, and a
 *     host bridge with an address and ports; the quick run does bridge-lan
 *     only): the second deploy is refused because the objects carry the
 *     marker of "one" ("belongs to another cdktf-netns lab", with one's
 *     marker and deployment token; not merged); the kernel still holds
 *     exactly lab "one", which still pings; destroying "two" (its teardown
 *     reads the journal of its refused run) leaves "one" intact and working;
 *     destroying "one" leaves nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Sandbox } from '../../../test/support/sandbox';
import { TF_ENV } from '../../../test/support/lab';
import { captureLab, diffLines } from '../common/kernel';
import { deploymentOfDir } from '../common/tf';
import { differsFromExample, expectLab, expectNothingLeft, Problems, RowOptions, RowResult, settle, synthTopo, tail, tokenOf, withLab, withSandbox } from '../common/row';
import { BRIDGE_LAN, expectedLines, Topo, WORKSHOP } from '../common/topo';
import { workshopStack } from '../../../test/support/stacks';

const ROOT = join(__dirname, '../../..');

/**
 * Part (b): the topologies deployed twice with the same names, and the pings that show lab one works
 * (the quick run does bridge-lan only: it has namespaces too, and host objects).
 */
const SAME_NAMES: Array<[string, Topo, Array<[string, string]>]> = [
  ['workshop', WORKSHOP, [['sales', '172.16.20.10'], ['dev', '172.16.10.10']]],
  ['bridge-lan', BRIDGE_LAN, [['ns_web', '192.168.100.20'], ['ns_web', '192.168.100.1']]],
];

/**
 * Run a cdktf CLI command on both stacks in `work`, sampling (every ~10 ms) which stacks' terraform
 * apply/destroy run at once: a running `terraform apply` (or destroy) holds its stack's state lock,
 * `.terraform.<stack>.tfstate.lock.info` beside the state, naming the operation (OperationTypeApply;
 * a plan's says OperationTypePlan). The sampler uses shell builtins only (a `ps`/`pgrep` scan of /proc
 * takes ~200 ms on a busy machine: longer than the overlap it looks for).
 * (destroy reuses the deploy's synthesized stacks: --skip-synth; the app has not changed.)
 */
function cdktf(sb: Sandbox, work: string, cmd: 'deploy' | 'destroy'): { code: number; out: string; overlapSamples: number; samples: number } {
  const env = {
    CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', TF_IN_AUTOMATION: '1', CI: '1',
    TF_CLI_CONFIG_FILE: join(work, 'terraformrc'), FORCE_COLOR: '0',
  };
  const r = sb.sh(`rm -f stop samples
( while [ ! -e stop ]; do
    live=""
    for x in a b; do
      l=""; [ -e .terraform.$x.tfstate.lock.info ] && read -r l < .terraform.$x.tfstate.lock.info 2>/dev/null
      case $l in *OperationTypeApply*) live="$live $x" ;; esac
    done
    echo "$live"
    sleep 0.01
  done > samples ) &
sampler=$!
'${ROOT}/node_modules/.bin/cdktf' ${cmd} '*' --auto-approve --parallelism 2${cmd === 'destroy' ? ' --skip-synth' : ''} > ${cmd}.log 2>&1; rc=$?
touch stop; wait $sampler
sed 's/\\x1b\\[[0-9;]*m//g' ${cmd}.log
exit $rc`, { cwd: work, env, timeoutMs: 240_000 });
  const lines = sb.ok('cat samples', { cwd: work }).split('\n');
  const both = lines.filter((l) => l.trim() === 'a b').length;
  return { code: r.code, out: r.stdout + r.stderr, overlapSamples: both, samples: lines.filter((l) => l.trim()).length };
}

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const p = new Problems();
  const topoDiff = differsFromExample('workshop', workshopStack, WORKSHOP);
  p.check(topoDiff.length === 0, `the data form of the workshop differs from examples/workshop in: ${topoDiff.join(', ')}`);
  let concurrentOk = 0;
  const overlap = { deploy: [] as number[], destroy: [] as number[] };
  let refusedOk = 0;
  const sameNames = SAME_NAMES.filter(([name]) => !opts.quick || name === 'bridge-lan');
  for (let round = 1; round <= rounds; round++) {
    // (a) two prefixed labs, concurrently, with the cdktf CLI
    const work = mkdtempSync(join(tmpdir(), 'cdktf-netns-side-by-side-'));
    try {
      writeFileSync(join(work, 'cdktf.json'), JSON.stringify({
        language: 'typescript',
        app: `${ROOT}/node_modules/.bin/ts-node --transpile-only --project ${ROOT}/tsconfig.json ${ROOT}/scripts/reliability/apps/side-by-side.ts`,
        projectId: 'cdktf-netns-reliability-side-by-side',
        sendCrashReports: 'false',
        context: { 'cdktf-netns:backend': 'terraform_data' },
      }, null, 2));
      writeFileSync(join(work, 'terraformrc'), '');
      await withSandbox((sb) => {
        const before = p.list.length;
        const d = cdktf(sb, work, 'deploy');
        overlap.deploy.push(d.overlapSamples);
        if (!p.check(d.code === 0, () => `cdktf deploy '*' failed (${d.code}): ${tail(d.out, 3000)}`)) return;
        p.check(d.overlapSamples > 0, `cdktf deploy: the two stacks' terraform apply never ran at the same time (${d.samples} samples with an apply running)`);
        // each stack its own deployment (token from its own Terraform state), its markers carrying it
        const tokens = ['a', 'b'].map((x) => deploymentOfDir(join(work, 'cdktf.out/stacks', x)));
        if (!p.check(tokens.every(Boolean) && tokens[0] !== tokens[1], `the two stacks' deployments are not two: ${tokens.join(', ')}`)) return;
        const expected = [...expectedLines('a', WORKSHOP, tokens[0]!, 'a-'), ...expectedLines('b', WORKSHOP, tokens[1]!, 'b-')].sort();
        const diff = settle(() => diffLines(expected, captureLab(sb)));
        p.check(diff.length === 0, () => `after the concurrent deploy the kernel is not exactly both labs:\n  ${diff.join('\n  ')}`);
        for (const x of ['a', 'b']) {
          p.check(sb.ping(`${x}-sales`, '172.16.20.10') && sb.ping(`${x}-dev`, '172.16.10.10'), `lab ${x}: ${x}-sales and ${x}-dev do not ping each other`);
          const plan = sb.sh('terraform plan -detailed-exitcode -input=false -no-color', { cwd: join(work, 'cdktf.out/stacks', x), env: TF_ENV });
          p.check(plan.code === 0, () => `lab ${x}: a second plan shows changes (${plan.code}): ${tail(plan.stdout + plan.stderr)}`);
        }
        const x = cdktf(sb, work, 'destroy');
        overlap.destroy.push(x.overlapSamples);
        p.check(x.code === 0, () => `cdktf destroy '*' failed (${x.code}): ${tail(x.out, 3000)}`);
        expectNothingLeft(p, 'after the concurrent destroy', sb);
        if (p.list.length === before) concurrentOk++;
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    // (b) the same lab twice, same names, no prefix: the second is refused (the workshop: objects in namespaces;
    // bridge-lan: a host bridge with an address and ports)
    for (const [topoName, topo, pings] of sameNames) {
      await withSandbox((sb) => withLab(sb, 'one', (one) => withLab(sb, 'two', (two) => {
        const before = p.list.length;
        const works = () => pings.every(([from, to]) => sb.ping(from, to));
        synthTopo(one, 'one', topo);
        synthTopo(two, 'two', topo);
        one.applyOk();
        expectLab(p, `${topoName}: lab one`, sb, one, 'one', topo);
        const r = two.apply();
        const out = r.stdout + r.stderr;
        p.check(r.code !== 0, `${topoName}: the second lab with the same names was deployed`);
        // another lab (stack "one", not a twin deployment of "two"): named by its marker, with one's deployment token
        p.check(new RegExp(`already exists (in [^.]*? )?and belongs to another cdktf-netns lab \\(marker 'cdktf-netns:one@${tokenOf(one)}/`).test(out) &&
          !/belongs to another deployment of this lab/.test(out),
          () => `${topoName}: the second deploy does not say the objects belong to the other stack: ${tail(out)}`);
        // not merged: the kernel still holds exactly lab one (markers of one), and it still works
        expectLab(p, `${topoName}: after the refused deploy`, sb, one, 'one', topo);
        p.check(works(), `${topoName}: lab one no longer pings after the refused deploy`);
        const d2 = two.terraform('destroy -auto-approve');
        p.check(d2.code === 0, () => `${topoName}: destroying the refused stack failed: ${tail(d2.stdout + d2.stderr)}`);
        expectLab(p, `${topoName}: after destroying two`, sb, one, 'one', topo);
        p.check(works(), `${topoName}: lab one no longer pings after destroying two`);
        one.destroyOk();
        expectNothingLeft(p, `${topoName}: after destroying both`, sb);
        if (p.list.length === before) refusedOk++;
      })));
    }
  }
  return {
    figure: `concurrent cdktf deploy/destroy of 2 prefixed labs clean ${concurrentOk}/${rounds} (both stacks' terraform apply live at once in ${overlap.deploy.join('/')} samples, destroy in ${overlap.destroy.join('/')}; ` +
      `kernel = union of both labs, both ping across, both re-plan empty, nothing left); same names twice (${sameNames.map(([n]) => n).join(', ')}): second deploy refused, not merged, first intact ${refusedOk}/${rounds * sameNames.length} ` +
      `("belongs to another cdktf-netns lab", with the other stack's marker and deployment; first still pings, also after the refused stack is destroyed; both destroyed clean)`,
    pass: p.ok && concurrentOk === rounds && refusedOk === rounds * sameNames.length && overlap.deploy.every((n) => n > 0),
    details: p.details,
  };
}
