/**
 * Benchmark of cdktf-netns against plain iproute2, on a star lab (star.ts):
 * N namespaces, each with a veth pair whose host end is a port of a bridge.
 *
 *   npx ts-node scripts/bench/main.ts                 # sizes 200,1000, 3 reps
 *   npx ts-node scripts/bench/main.ts --quick         # size 50, 1 rep (CI)
 *   npx ts-node scripts/bench/main.ts --sizes 10000 --reps 1
 *   options: --sizes A,B  --reps R  --methods script,batch,cdktf-netns
 *            --incremental | --no-incremental  (default: on for the quick run and for sizes >= 200)
 *
 * Methods, each run in a fresh private sandbox (sandbox-run.ts; nothing is
 * created in this machine's own network namespace):
 *   script       one `ip` command per step (baselines.ts)
 *   batch        `ip -batch` files (baselines.ts)
 *   cdktf-netns  the constructs, synthesized (terraform_data backend) and
 *                applied / destroyed with the real `terraform`
 * Destroy times include waiting until the kernel has freed every veth.
 * After every apply the lab is checked to be exactly the star lab, and a
 * sample pings; for cdktf-netns also: a no-op plan must show no changes, and
 * (incremental) four one-change applies must re-create nothing else.
 *
 * Prints a table per size, then `bench: OK` (exit 0) or `bench: FAILED (why)` (exit 1).
 *
 * Needs root, iproute2, util-linux (unshare, nsenter), iputils-ping and, for
 * cdktf-netns, terraform >= 1.4. Figures depend on the machine being otherwise
 * idle: before each timed command the bench waits (briefly) for a quiet CPU.
 * Large sizes take long: the script baseline's create is ~60 s at N=1000 and
 * ~190 s at N=2500 on a 2-core machine, and a sandbox lives 2 hours at most.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { BaselineMethod, writeBaseline, writeFirewallBaseline } from './baselines';
import { checkEmpty, checkLab, identities, identityChanges, LabCounts, observeLab, pingSample, waitNoVeth } from './kernel';
import { BenchSandbox, closeAll, waitForQuiet, withSandbox } from './sandbox-run';
import { shellQuote } from '../../test/support/sandbox';
import { checkSpec, PORTS_PER_BRIDGE, STEP_IDS, STEPS, StarSpec, StepId, starSpec } from './star';
import { applyActions, CdktfLab, synthInChild } from './tf';
import { sha256 } from '../../lib/engine/files';
import { intentsFile, parseIntents } from '../../lib/engine/intents';

type Method = BaselineMethod | 'cdktf-netns';
const METHODS: Method[] = ['script', 'batch', 'cdktf-netns'];

interface Options {
  sizes: number[];
  reps: number;
  methods: Method[];
  /** undefined: the default rule (quick run, or size >= 200). */
  incremental?: boolean;
  quick: boolean;
}

/** A check that failed: the bench stops and reports it. */
class BenchFailure extends Error {}

function fail(why: string, details = ''): never {
  if (details)
    console.log(
      details
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
  throw new BenchFailure(why);
}

// ---------------------------------------------------------------- options

function parseList(value: string | undefined, what: string): string[] {
  if (!value) throw new BenchFailure(`${what} needs a value`);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const opts: Options = { sizes: quick ? [50] : [200, 1000], reps: quick ? 1 : 3, methods: METHODS, quick };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') continue;
    else if (a === '--sizes') opts.sizes = parseList(argv[++i], a).map(Number);
    else if (a === '--reps') opts.reps = Number(argv[++i]);
    else if (a === '--methods') opts.methods = parseList(argv[++i], a).map((m) => (m === 'cdktf' ? 'cdktf-netns' : m)) as Method[];
    else if (a === '--incremental') opts.incremental = true;
    else if (a === '--no-incremental') opts.incremental = false;
    else throw new BenchFailure(`unknown option ${a}`);
  }
  if (!opts.sizes.length || opts.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new BenchFailure('--sizes: positive integers, e.g. 200,1000');
  if (!Number.isInteger(opts.reps) || opts.reps < 1) throw new BenchFailure('--reps: a positive integer');
  const unknown = opts.methods.filter((m) => !METHODS.includes(m));
  if (unknown.length || !opts.methods.length) throw new BenchFailure(`--methods: a list of ${METHODS.join(', ')}`);
  return opts;
}

function incrementalFor(opts: Options, size: number): boolean {
  return opts.incremental ?? (opts.quick || size >= 200);
}

function missingPrerequisites(methods: Method[]): string[] {
  const missing: string[] = [];
  if (process.getuid && process.getuid() !== 0) missing.push('root');
  const bins = ['unshare', 'nsenter', 'ip', 'ping', 'stat', ...(methods.includes('cdktf-netns') ? ['terraform'] : [])];
  for (const bin of bins) if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) missing.push(bin);
  return missing;
}

// ---------------------------------------------------------------- figures

interface RunFigures {
  createMs: number;
  destroyMs: number;
  /** Baselines: a firewall in every namespace of the deployed lab, by hand (the library's step e). */ firewallMs?: number;
}

interface StepFigures {
  applyMs: number;
  replaced: string[];
  added: number;
  destroyed: number;
  expectedChanges: number;
  unexpected: number;
}

interface CdktfFigures extends RunFigures {
  planMs: number;
  synthNMs: number;
  synth1Ms: number;
  synthInProcessMs: number;
  cdkTfJsonBytes: number;
  stackBytes: number;
  stackFiles: number;
  steps: Partial<Record<StepId, StepFigures>>;
  /** How many intents runProbes probed (every namespace reaches its gateway, up to MAX_PROBES). */
  probes: number;
  /** Those intents probed by the engine's check, in parallel. */
  probeMs: number;
  /** The same N pings as a sequential loop, one `ip netns exec ... ping` each (what people write by hand). */
  pingLoopMs: number;
}

interface SizeFigures {
  baselines: Partial<Record<BaselineMethod, RunFigures[]>>;
  cdktf: CdktfFigures[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function ms(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x < 1000 ? `${x.toFixed(0)} ms` : `${(x / 1000).toFixed(2)} s`;
}

/** A difference: small labs can come out below the noise, i.e. negative. */
function signedMs(x: number): string {
  return `${x < 0 ? '-' : '+'}${ms(Math.abs(x))}`;
}

function bytes(x: number): string {
  return `${x.toLocaleString('en-US')} B`;
}

function countsLine(c: LabCounts): string {
  return `${c.namespaces} namespaces, ${c.ports} bridge ports, ${c.addresses} eth0 addresses, ${c.routes} default routes`;
}

/**
 * Limits by lab size: generous timeouts (a hung command must end the bench,
 * a slow engine must not; the sandbox keeper lives 2 hours at most), and how
 * long to wait for a quiet machine before a timed command.
 */
function limits(n: number): { baselineMs: number; terraformMs: number; quietMs: number; vethWaitS: number } {
  return {
    vethWaitS: 300 + Math.ceil(n / 10),
    baselineMs: Math.min(300_000 + n * 1000, 110 * 60_000),
    terraformMs: Math.min(600_000 + n * 2000, 110 * 60_000),
    quietMs: Math.min(2000 + n * 10, 30_000),
  };
}

// ---------------------------------------------------------------- checks

/** The lab in the sandbox must be exactly `spec`, and a sample must ping. */
async function checkDeployed(box: BenchSandbox, spec: StarSpec, what: string) {
  const obs = await observeLab(box);
  const { problems, counts } = checkLab(obs, spec);
  problems.push(...(await pingSample(box, spec)));
  if (problems.length) fail(`${what}: the lab is not complete (${problems[0]})`, problems.slice(0, 20).join('\n'));
  return { obs, counts };
}

async function checkDestroyed(box: BenchSandbox, what: string): Promise<void> {
  const problems = checkEmpty(await observeLab(box));
  if (problems.length) fail(`${what}: ${problems[0]}`);
}

// ---------------------------------------------------------------- baselines

async function runBaseline(method: BaselineMethod, spec: StarSpec, dir: string, label: string, firewall: boolean): Promise<RunFigures> {
  const scripts = writeBaseline(method, spec, join(dir, 'scripts'));
  const fwScript = firewall ? writeFirewallBaseline(method, spec, join(dir, 'scripts')) : undefined;
  const { baselineMs, quietMs, vethWaitS } = limits(spec.members.length);
  return withSandbox(async (box) => {
    await waitForQuiet(quietMs);
    const create = await box.timed(`sh ${shellQuote(scripts.create)}`, join(dir, 'create.log'), { timeoutMs: baselineMs });
    if (create.code !== 0) fail(`${label}: create script failed (${create.code})`, create.log.slice(-3000));
    const { counts } = await checkDeployed(box, spec, label);
    let firewallMs: number | undefined;
    if (fwScript) {
      await waitForQuiet(quietMs);
      const fw = await box.timed(`sh ${shellQuote(fwScript)}`, join(dir, 'firewall.log'), { timeoutMs: baselineMs });
      if (fw.code !== 0) fail(`${label}: firewall script failed (${fw.code})`, fw.log.slice(-3000));
      await checkFirewalls(box, spec, label);
      firewallMs = fw.ms;
      console.log(`  ${label}: a firewall in every namespace ${ms(fw.ms)} (ping ok)`);
    }
    await waitForQuiet(quietMs);
    const destroy = await box.timed(`sh ${shellQuote(scripts.destroy)} && ${waitNoVeth(vethWaitS)}`, join(dir, 'destroy.log'), { timeoutMs: baselineMs });
    if (destroy.code !== 0) fail(`${label}: destroy script failed (${destroy.code})`, destroy.log.slice(-3000));
    await checkDestroyed(box, label);
    console.log(`  ${label}: create ${ms(create.ms)}, destroy ${ms(destroy.ms)} (${countsLine(counts)}, ping ok)`);
    return { createMs: create.ms, destroyMs: destroy.ms, firewallMs };
  });
}

/** After a firewall was added everywhere: pings still pass, and namespaces first, middle and last hold a table with an input drop policy. */
async function checkFirewalls(box: BenchSandbox, spec: StarSpec, label: string): Promise<void> {
  await checkDeployed(box, spec, label);
  const ms = spec.members;
  for (const m of [ms[0], ms[Math.floor(ms.length / 2)], ms[ms.length - 1]]) {
    const r = await box.sh(`nsenter --net=/run/netns/${m.ns} nft list ruleset`);
    if (r.code !== 0 || !/hook input priority (0|filter); policy drop;/.test(r.stdout))
      fail(`${label}: no input firewall in ${m.ns}`, `${r.stdout}${r.stderr}`.slice(-1000));
  }
}

// ---------------------------------------------------------------- cdktf-netns

/** One incremental change of the deployed lab: re-synthesize, apply, check, compare identities. */
async function runStep(
  box: BenchSandbox,
  lab: CdktfLab,
  size: number,
  done: StepId[],
  spec: StarSpec,
  before: Map<string, number>,
  dir: string,
  label: string,
): Promise<{ figures: StepFigures; spec: StarSpec; ids: Map<string, number> }> {
  const step = STEPS[done[done.length - 1]];
  const next = checkSpec(step.apply(spec));
  const synth = await synthInChild(size, done, join(dir, `synth-${step.id}`));
  const oldNames = lab.names;
  lab.install(synth.stackDir);
  rmSync(join(dir, `synth-${step.id}`), { recursive: true, force: true });
  const apply = await lab.apply();
  if (apply.code !== 0) fail(`${label} step (${step.id}): terraform apply failed (${apply.code})`, apply.log.slice(-4000));
  if (next.firewall) await checkFirewalls(box, next, `${label} step (${step.id})`);
  const { obs } = await checkDeployed(box, next, `${label} step (${step.id})`);
  const ids = identities(obs);
  const { expected, unexpected } = identityChanges(before, ids, step.touches(spec), [spec, next]);
  const actions = applyActions(apply.log, new Map([...oldNames, ...lab.names]));
  const figures: StepFigures = {
    applyMs: apply.ms,
    replaced: actions.replaced,
    added: actions.added,
    destroyed: actions.destroyed,
    expectedChanges: expected.length,
    unexpected: unexpected.length,
  };
  console.log(
    `  ${label} step (${step.id}) ${step.title}: apply ${ms(apply.ms)}; ${stepActions(figures)}; ` +
      `identity changes: ${identityNote(step.touches(spec), expected.length)}, ${unexpected.length} elsewhere`,
  );
  if (unexpected.length)
    fail(`${label} step (${step.id}): ${unexpected.length} kernel object(s) changed that the change does not touch`, unexpected.slice(0, 20).join('\n'));
  return { figures, spec: next, ids };
}

function identityNote(touched: string[], changed: number): string {
  return touched.length ? `${changed} in ${touched.join(', ')} (allowed)` : `${changed} (none allowed)`;
}

function stepActions(f: StepFigures): string {
  const shown = f.replaced.length && f.replaced.length <= 6 ? ` (${f.replaced.join(', ')})` : '';
  return `replaced ${f.replaced.length}${shown}, added ${f.added}, destroyed ${f.destroyed}`;
}

async function runIncremental(
  box: BenchSandbox,
  lab: CdktfLab,
  spec: StarSpec,
  deployed: Map<string, number>,
  dir: string,
  label: string,
): Promise<Partial<Record<StepId, StepFigures>>> {
  const out: Partial<Record<StepId, StepFigures>> = {};
  let current = spec;
  let ids = deployed;
  for (let i = 0; i < STEP_IDS.length; i++) {
    const r = await runStep(box, lab, spec.members.length, STEP_IDS.slice(0, i + 1), current, ids, dir, label);
    out[STEP_IDS[i]] = r.figures;
    current = r.spec;
    ids = r.ids;
  }
  // the steps must leave a converged lab, like the initial apply
  const plan = await lab.plan();
  if (plan.code !== 0) fail(`${label}: terraform plan after the incremental steps exited ${plan.code} (0 = no changes expected)`, plan.log.slice(-4000));
  console.log(`  ${label}: no-op plan after the steps ${ms(plan.ms)} (exit 0)`);
  return out;
}

/**
 * Synthesis cost of the lab itself: the child's wall time for N minus that
 * for a 1-namespace star lab (same command: node, ts-node, cdktf start-up cancel out).
 */
async function synthesize(size: number, dir: string) {
  const one = await synthInChild(1, [], join(dir, 'synth-1'));
  const full = await synthInChild(size, [], join(dir, 'synth-n'));
  return { one, full };
}

async function runCdktf(spec: StarSpec, dir: string, label: string, incremental: boolean): Promise<CdktfFigures> {
  const size = spec.members.length;
  const { one, full } = await synthesize(size, dir);
  return withSandbox(async (box) => {
    const lab = new CdktfLab(box, join(dir, 'tf'), dir, limits(size));
    lab.install(full.stackDir);
    await lab.init();
    const apply = await lab.apply();
    if (apply.code !== 0) fail(`${label}: terraform apply failed (${apply.code})`, apply.log.slice(-4000));
    const { obs, counts } = await checkDeployed(box, spec, label);
    const plan = await lab.plan();
    if (plan.code !== 0) fail(`${label}: no-op terraform plan exited ${plan.code} (0 = no changes expected, 2 = changes, 1 = error)`, plan.log.slice(-4000));
    console.log(
      `  ${label}: synth N=${size} ${ms(full.wallMs)} / N=1 ${ms(one.wallMs)}; apply ${ms(apply.ms)} (${countsLine(counts)}, ping ok); no-op plan ${ms(plan.ms)} (exit 0)`,
    );
    const probes = await runProbes(box, spec, join(dir, 'tf'), dir, label);
    const steps = incremental ? await runIncremental(box, lab, spec, identities(obs), dir, label) : {};
    const destroy = await lab.destroy();
    if (destroy.code !== 0) fail(`${label}: terraform destroy failed (${destroy.code})`, destroy.log.slice(-4000));
    await checkDestroyed(box, label);
    console.log(`  ${label}: destroy ${ms(destroy.ms)}${incremental ? ' (after the incremental steps: again N namespaces)' : ''}`);
    return {
      createMs: apply.ms,
      destroyMs: destroy.ms,
      planMs: plan.ms,
      synthNMs: full.wallMs,
      synth1Ms: one.wallMs,
      synthInProcessMs: full.buildMs + full.synthMs,
      cdkTfJsonBytes: full.cdkTfJsonBytes,
      stackBytes: full.stackBytes,
      stackFiles: full.stackFiles,
      steps,
      ...probes,
    };
  });
}

/** At most this many intents are probed: each needs two neighbour entries (the namespace's for its
 * gateway, the gateway's for it), and the kernel's neighbour table is one for all namespaces, with a
 * hard limit of 1024 entries by default (net.ipv4.neigh.default.gc_thresh3, settable only on the host). */
const MAX_PROBES = 400;

/**
 * Intents at scale, in the deployed lab: Reachables (a namespace reaches its gateway; every one
 * up to MAX_PROBES, else an even sample of that many), probed by the engine's check as a deploy's
 * last step runs it, and side by side the same pings as a sequential loop (what people write by
 * hand). The intents file is in the format the library reads (parseIntents accepts every line),
 * beside the deployed stack, with its own hash.
 */
async function runProbes(
  box: BenchSandbox,
  spec: StarSpec,
  tfDir: string,
  logDir: string,
  label: string,
): Promise<{ probes: number; probeMs: number; pingLoopMs: number }> {
  const step = Math.ceil(spec.members.length / MAX_PROBES);
  const sample = spec.members.filter((_, i) => i % step === 0);
  const n = sample.length;
  const text = intentsFile(sample.map((m) => `intent reach ${m.ns} ${m.gateway} icmp - - 5000 star/${m.ns}-reaches-gw`));
  if (parseIntents(text).length !== n) fail(`${label}: the bench's intents file does not read back as ${n} intents`);
  writeFileSync(join(tfDir, 'cdktf-netns', 'bench-intents.data'), text);
  const probe = await box.timed(`sh cdktf-netns/engine/engine.sh check cdktf-netns/bench-intents.data ${sha256(text)}`, join(logDir, 'probe.log'), {
    cwd: tfDir,
  });
  if (probe.code !== 0 || !probe.log.includes(`intents: ${n} hold, 0 failed, 0 could not run`))
    fail(`${label}: probing ${n} intents failed (${probe.code})`, probe.log.slice(-3000));
  const loop = sample.map((m) => `ip netns exec ${m.ns} ping -n -q -c 1 -W 2 ${m.gateway} >/dev/null || exit 1`).join('\n');
  const pings = await box.timed(loop, join(logDir, 'ping-loop.log'));
  if (pings.code !== 0) fail(`${label}: the sequential ping loop failed (${pings.code})`, pings.log.slice(-3000));
  console.log(`  ${label}: ${n} intents probed in ${ms(probe.ms)} (engine check, in parallel); the same ${n} pings in a sequential loop ${ms(pings.ms)}`);
  return { probes: n, probeMs: probe.ms, pingLoopMs: pings.ms };
}

// ---------------------------------------------------------------- one size

async function runSize(opts: Options, size: number, work: string): Promise<SizeFigures> {
  const spec = starSpec(size);
  const incremental = incrementalFor(opts, size) && opts.methods.includes('cdktf-netns');
  if (incremental && size < 3) console.log(`  (incremental steps skipped: they need at least 3 namespaces)`);
  const figures: SizeFigures = { baselines: {}, cdktf: [] };
  for (let rep = 1; rep <= opts.reps; rep++) {
    // methods interleaved per repetition, so slow drift of the machine spreads over all of them
    for (const method of opts.methods) {
      const dir = join(work, `n${size}-rep${rep}-${method}`);
      mkdirSync(dir, { recursive: true });
      const label = `rep ${rep}/${opts.reps} ${method}`;
      try {
        if (method === 'cdktf-netns') figures.cdktf.push(await runCdktf(spec, dir, label, incremental && size >= 3));
        else (figures.baselines[method] ??= []).push(await runBaseline(method, spec, dir, label, incremental && size >= 3));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return figures;
}

// ---------------------------------------------------------------- report

function row(name: string, a: string, b = '', note = ''): string {
  return `  ${name.padEnd(34)}${a.padStart(12)}${b.padStart(12)}${note ? `   ${note}` : ''}`;
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}x` : 'n/a';
}

function printTable(size: number, reps: number, f: SizeFigures): void {
  const bridges = Math.ceil(size / PORTS_PER_BRIDGE);
  console.log(`\nstar lab N=${size} (${bridges} bridge${bridges > 1 ? 's' : ''}), median of ${reps} rep${reps > 1 ? 's' : ''}`);
  console.log(row('', 'create', 'destroy'));
  const med = (runs: RunFigures[] | undefined) => ({
    c: runs ? median(runs.map((r) => r.createMs)) : NaN,
    d: runs ? median(runs.map((r) => r.destroyMs)) : NaN,
  });
  for (const m of ['script', 'batch'] as BaselineMethod[]) {
    if (f.baselines[m]) console.log(row(m, ms(med(f.baselines[m]).c), ms(med(f.baselines[m]).d)));
  }
  if (!f.cdktf.length) return;
  const lib = med(f.cdktf);
  console.log(row('cdktf-netns', ms(lib.c), ms(lib.d)));
  for (const m of ['script', 'batch'] as BaselineMethod[]) {
    if (f.baselines[m]) console.log(row(`cdktf-netns / ${m}`, ratio(lib.c, med(f.baselines[m]).c), ratio(lib.d, med(f.baselines[m]).d)));
  }
  const c = (pick: (x: CdktfFigures) => number) => median(f.cdktf.map(pick));
  console.log(row('no-op plan', ms(c((x) => x.planMs)), '', 'plan -detailed-exitcode: exit 0, no changes'));
  console.log(
    row(
      'plan JSON size (cdk.tf.json)',
      bytes(c((x) => x.cdkTfJsonBytes)),
      '',
      `stack directory ${bytes(c((x) => x.stackBytes))} in ${c((x) => x.stackFiles)} file(s)`,
    ),
  );
  console.log(
    row(
      `synth delta (N=${size} - N=1)`,
      signedMs(c((x) => x.synthNMs - x.synth1Ms)),
      '',
      `child wall N=${size} ${ms(c((x) => x.synthNMs))}, N=1 ${ms(c((x) => x.synth1Ms))}; in-process build+synth ${ms(c((x) => x.synthInProcessMs))}`,
    ),
  );
  console.log(
    row(
      `${c((x) => x.probes)} intents probed`,
      ms(c((x) => x.probeMs)),
      '',
      `engine check, in parallel; sequential ping loop ${ms(c((x) => x.pingLoopMs))} (${ratio(
        c((x) => x.probeMs),
        c((x) => x.pingLoopMs),
      )})`,
    ),
  );
  const fwRuns = f.cdktf.map((x) => x.steps.e).filter((s): s is StepFigures => !!s);
  for (const m of ['script', 'batch'] as BaselineMethod[]) {
    const by = (f.baselines[m] ?? []).map((r) => r.firewallMs).filter((x): x is number => x !== undefined);
    if (by.length)
      console.log(
        row(
          `firewall everywhere, ${m}`,
          ms(median(by)),
          '',
          fwRuns.length ? `cdktf-netns step (e) / ${m}: ${ratio(median(fwRuns.map((s) => s.applyMs)), median(by))}` : '',
        ),
      );
  }
  for (const id of STEP_IDS) {
    const runs = f.cdktf.map((x) => x.steps[id]).filter((s): s is StepFigures => !!s);
    if (!runs.length) continue;
    const last = runs[runs.length - 1];
    console.log(
      row(
        `incremental (${id}) ${STEPS[id].short}`,
        ms(median(runs.map((s) => s.applyMs))),
        '',
        `${stepActions(last)}; unexpected re-creations ${Math.max(...runs.map((s) => s.unexpected))}`,
      ),
    );
  }
}

// ---------------------------------------------------------------- main

/** The bench's private directory (baseline scripts, synthesized stacks, Terraform directories, logs). */
let workDir: string | undefined;

function cleanUp(): void {
  closeAll();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

async function main(argv: string[]): Promise<void> {
  const opts = parseOptions(argv);
  const missing = missingPrerequisites(opts.methods);
  if (missing.length) throw new BenchFailure(`cannot run, missing: ${missing.join(', ')}`);
  const work = mkdtempSync(join(tmpdir(), 'cdktf-netns-bench-'));
  workDir = work;
  try {
    console.log(`bench: sizes ${opts.sizes.join(', ')}; ${opts.reps} rep(s); methods ${opts.methods.join(', ')}`);
    const all: Array<[number, SizeFigures]> = [];
    for (const size of opts.sizes) {
      console.log(`\nN=${size}${incrementalFor(opts, size) && opts.methods.includes('cdktf-netns') ? ' (with incremental steps)' : ''}`);
      all.push([size, await runSize(opts, size, work)]);
    }
    for (const [size, f] of all) printTable(size, opts.reps, f);
  } finally {
    cleanUp();
  }
}

function onSignal(signal: NodeJS.Signals): void {
  cleanUp();
  console.log(`bench: FAILED (interrupted by ${signal})`);
  process.exit(130);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) process.on(signal, onSignal);
// last resort: never leave a sandbox behind, however the process ends
process.on('exit', cleanUp);

main(process.argv.slice(2)).then(
  () => {
    console.log('\nbench: OK');
    process.exit(0);
  },
  (e: unknown) => {
    const why = e instanceof Error ? e.message : String(e);
    if (!(e instanceof BenchFailure) && e instanceof Error && e.stack)
      console.log(
        e.stack
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n'),
      );
    console.log(`\nbench: FAILED (${why.split('\n')[0]})`);
    process.exit(1);
  },
);
