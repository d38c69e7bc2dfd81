/**
 * The parallel-hosts bench (issue 13): N namespaces (each with a veth pair to its machine's root
 * namespace, addressed) deployed over SSH on one simulated host, then spread evenly over four,
 * with the real `terraform`, in one private sandbox (test/support/hosts.ts: each host its own
 * network, mount and UTS namespaces, a private /run, sshd on an underlay bridge). The simulated
 * hosts share this machine's kernel and cores, so four hosts cannot be faster here; what the bench
 * shows is that their units run in parallel: each host's Lab resource is timed from Terraform's
 * own output (the moment "Creating..." and "Creation complete" reach us), the intervals are
 * printed, and they must overlap. The ratio of the two applies' wall times is printed (the bar:
 * four hosts within 1.2x of one).
 *
 *   npx ts-node scripts/bench/hosts.ts            # N = 1000 (250 per host), 3 reps of each, alternating
 *   npx ts-node scripts/bench/hosts.ts --quick    # N = 40, 1 rep (CI)
 *   npx ts-node scripts/bench/hosts.ts --size N --reps R
 */
import { TerraformStack } from 'cdktf';
import { Host, Namespace, VethPair } from '../../lib';
import { SimHosts, startHosts } from '../../test/support/hosts';
import { Lab, TF_ENV } from '../../test/support/lab';
import { e2ePrerequisites, Sandbox } from '../../test/support/sandbox';
import { cpus } from 'os';

const HOSTS = 4;

/** The lab: `n` namespaces, member i on host (i mod hosts). */
function build(stack: TerraformStack, sim: SimHosts, n: number, hosts: number): void {
  const machines = sim.hosts
    .slice(0, hosts)
    .map((h) => new Host(stack, h.name, { address: h.address, hostKey: h.hostKey, privateKeyFile: sim.keyFile, timeoutSeconds: 30 }));
  for (let i = 0; i < n; i++) {
    const host = machines[i % hosts];
    const ns = new Namespace(stack, `n${i}`, { host });
    const [o3, o4] = [Math.floor(i / 64), (i % 64) * 4];
    new VethPair(stack, `v${i}`, {
      a: { name: `v${i}`, addresses: [`10.50.${o3}.${o4 + 1}/30`] },
      b: { name: 'eth0', namespace: ns, addresses: [`10.50.${o3}.${o4 + 2}/30`] },
    });
  }
}

interface Timed {
  wallMs: number;
  /** Per host: [start, end] of its Lab resource, ms from the apply's start. */
  intervals: Map<string, [number, number]>;
}

/** `terraform apply` with each line of its output stamped on arrival (only the Lab resources' lines need a stamp). */
function timedApply(sb: Sandbox, lab: Lab): Timed {
  lab.terraform('version');
  const r = sb.sh(
    `t0=$(date +%s%N); terraform apply -auto-approve -input=false -no-color 2>&1 | while IFS= read -r l; do
       case $l in *_Lab_*': Creating...'|*_Lab_*': Creation complete'*|'Apply complete!'*|*Error*) printf '%s %s\\n' "$(date +%s%N)" "$l" ;; esac
     done; t1=$(date +%s%N); echo "wall $(( (t1 - t0) / 1000000 ))"; echo "t0 $t0"`,
    { cwd: lab.dir, env: TF_ENV, timeoutMs: 1_800_000 },
  );
  const lines = r.stdout.split('\n');
  const t0 = Number(lines.find((l) => l.startsWith('t0 '))!.slice(3));
  const wallMs = Number(lines.find((l) => l.startsWith('wall '))!.slice(5));
  const intervals = new Map<string, [number, number]>();
  for (const l of lines) {
    const m = /^(\d+) .*host-(\w+)_Lab_\w+: (Creating|Creation complete)/.exec(l);
    if (!m) continue;
    const at = (Number(m[1]) - t0) / 1e6;
    const iv = intervals.get(m[2]) ?? [NaN, NaN];
    if (m[3] === 'Creating') iv[0] = at;
    else iv[1] = at;
    intervals.set(m[2], iv);
  }
  if (!/Apply complete!/.test(r.stdout)) throw new Error(`the apply failed:\n${r.stdout.slice(-3000)}`);
  if (lab.planExitCode() !== 0) throw new Error('the apply left changes behind (the re-plan is not empty)');
  return { wallMs, intervals };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const at = args.indexOf('--size');
  const n = at >= 0 ? Number(args[at + 1]) : quick ? 40 : 1000;
  const r = args.indexOf('--reps');
  const reps = r >= 0 ? Number(args[r + 1]) : quick ? 1 : 3;
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be a whole number, 1 or more');
  if (!Number.isInteger(n) || n < HOSTS || n % HOSTS !== 0) throw new Error(`--size must be a multiple of ${HOSTS}`);
  const missing = e2ePrerequisites();
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
  const sb = Sandbox.unstarted();
  let sim: SimHosts | undefined;
  const labs: Lab[] = [];
  try {
    await sb.restart();
    sim = startHosts(sb, HOSTS);
    // one host and four hosts alternate, rep after rep: the machine's noise falls on both alike
    const runs: Record<number, Timed[]> = { 1: [], [HOSTS]: [] };
    const labels: Record<number, string> = {};
    for (let rep = 0; rep < reps; rep++) {
      for (const hosts of [1, HOSTS]) {
        const lab = new Lab(sb, 'hostsbench');
        labs.push(lab);
        lab.synthStack((s) => build(s, sim!, n, hosts));
        const t = timedApply(sb, lab);
        const counts = sim.hosts.slice(0, hosts).map((h) => Number(sim!.on(h, 'ip netns list | wc -l').stdout.trim()));
        if (counts.reduce((a, b) => a + b, 0) !== n) throw new Error(`expected ${n} namespaces, the hosts have ${counts.join(' + ')}`);
        labels[hosts] = `${n} namespaces on ${hosts} host${hosts > 1 ? 's' : ''} (${counts.join(' + ')})`;
        runs[hosts].push(t);
        lab.destroyOk();
        for (const h of sim.hosts) if (sim.on(h, 'ip netns list | wc -l').stdout.trim() !== '0') throw new Error(`${h.name} is not clean after destroy`);
      }
    }
    console.log(`\nparallel hosts, over SSH (simulated hosts sharing one kernel and ${cpus().length} CPUs), ${reps} rep(s) each, alternating:`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    let overlapped = true;
    for (const hosts of [1, HOSTS]) {
      console.log(
        `  ${labels[hosts]}: apply ${runs[hosts].map((t) => (t.wallMs / 1000).toFixed(2)).join(', ')} s (median ${(median(runs[hosts].map((t) => t.wallMs)) / 1000).toFixed(2)} s)`,
      );
      runs[hosts].forEach((t, rep) => {
        const ivs = [...t.intervals].sort();
        console.log(`    rep ${rep + 1}, Lab resources: ${ivs.map(([h, [a, e]]) => `${h} ${(a / 1000).toFixed(2)}..${(e / 1000).toFixed(2)} s`).join(', ')}`);
        if (hosts === HOSTS) {
          const overlap = Math.min(...ivs.map(([, iv]) => iv[1])) - Math.max(...ivs.map(([, iv]) => iv[0]));
          console.log(`      the ${HOSTS} hosts' Lab resources ran together for ${(overlap / 1000).toFixed(2)} s (latest start to earliest end)`);
          if (ivs.length !== HOSTS || !(overlap > 0)) overlapped = false;
        }
      });
    }
    const ratio = median(runs[HOSTS].map((t) => t.wallMs)) / median(runs[1].map((t) => t.wallMs));
    console.log(`  ratio of the medians, ${HOSTS} hosts / 1 host: ${ratio.toFixed(2)}x (bar: 1.2x)`);
    if (!overlapped) throw new Error(`the ${HOSTS} hosts' applies did not overlap`);
  } finally {
    for (const l of labs) l.dispose();
    sim?.dispose();
    sb.dispose();
  }
}

main().then(
  () => {
    console.log('\nbench-hosts: OK');
    process.exit(0);
  },
  (e: unknown) => {
    console.log(`bench-hosts: FAILED: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
