/**
 * Row 9: hostile input. The shared corpus of test/support/hostile.ts (the
 * one the unit tests assert on too) must be refused at synth time, before
 * anything reaches a shell or Terraform: every injection payload (command
 * substitution, backticks, separators, pipes, quote breakouts, Terraform
 * `${}` / `%{}`, newline, NUL) in every string a user can pass (alone,
 * appended to a valid value and inside it), every malformed value of each
 * field on every construct that takes it (over-long, empty and reserved
 * names, ip(8) keywords, unicode look-alikes, bad CIDRs and prefix lengths,
 * host bits where a network is expected, VLAN ids and MTUs out of range,
 * option-like names, non-net sysctls, unsafe context values), and every
 * hostile construction (duplicate names / addresses / routes, unreachable
 * gateways, a veth whose two ends are the same interface, props of the wrong
 * type). Each must throw a cdktf-netns error naming the construct path, showing
 * the value and giving a "Fix:", at the stage the corpus says; the valid values
 * and the corpus' near misses must be accepted. The apps are synthesized for
 * real (`app.synth()`, files written).
 *
 * Every payload tries to create a canary file. A positive control first runs
 * the live payloads through naive shell templates (`sh -c 'echo <value>'`,
 * value unquoted, double- and single-quoted; in the sandbox) to show that they
 * do create it when they reach a shell. After the corpus, a legit
 * lab whose stack id and construct ids carry the same payloads (ids are not
 * refused: they only reach the plan as sanitized markers) is applied and
 * destroyed with Terraform in the sandbox, and the canary must not exist.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { Namespace, NetnsError, Reachable, VethPair } from '../../../lib';
import { shellQuote } from '../../../test/support/sandbox';
import {
  expectedOf, HOSTILE_VALUES, HostileOutcome, HostileTarget, injectionForms, injections, NEAR_MISSES, refusalProblems, SCENARIOS, STRING_TARGETS, TARGETS, tryHostile,
} from '../../../test/support/hostile';
import { captureLab } from '../common/kernel';
import { expectNothingLeft, Problems, RowOptions, RowResult, tail, tokenOf, withLab, withSandbox } from '../common/row';

const CANARY_NAME = `cdktf-netns-canary-${process.pid}`;
const CANARY = join('/tmp', CANARY_NAME);
const CONTROL = join('/tmp', `cdktf-netns-canary-control-${process.pid}`);
/** The stack id of every attempt (errors name it). */
const STACK = 'h';

/** Declare `build` in a fresh app (with `context`) and synthesize it for real, into `outdir`. */
function attempt(outdir: string, build: (s: TerraformStack) => void, context: Record<string, unknown> = {}): HostileOutcome {
  let app: App | undefined;
  return tryHostile(
    () => {
      app = new App({ outdir, context: { 'cdktf-netns:backend': 'terraform_data', ...context } });
      return new TerraformStack(app, STACK);
    },
    build,
    () => app!.synth(),
  );
}

/** A target set to `value`: a context value goes into the app, anything else into the constructs. */
function attemptTarget(outdir: string, t: HostileTarget, value: unknown): HostileOutcome {
  return t.context ? attempt(outdir, (s) => t.build(s, undefined), { [t.context]: value }) : attempt(outdir, (s) => t.build(s, value));
}

/** A refusal is the library's: a NetnsError at construction, a cdktf-netns validation message at synthesis. */
function isLibraryRefusal(o: HostileOutcome): boolean {
  if (o.stage === 'construction') return o.error instanceof NetnsError;
  return o.stage === 'synth' && (o.error instanceof NetnsError || o.message.startsWith('cdktf-netns: '));
}

export async function run(opts: RowOptions): Promise<RowResult> {
  void opts; // synth-time checks are fast: the quick run does the whole corpus
  const p = new Problems();
  rmSync(CANARY, { force: true });
  rmSync(CONTROL, { force: true });
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-netns-hostile-'));
  let total = 0;
  let refused = 0;
  let atConstruction = 0;
  let atSynth = 0;
  let controls = 0;
  let reached = 0;
  let legitOk = false;
  let accepted = 0;
  let nearTotal = 0;
  try {
    // the corpus (test/support/hostile.ts): every entry must be refused by the library, helpfully
    const check = (label: string, o: HostileOutcome, expected: Parameters<typeof refusalProblems>[1], stage?: string) => {
      total++;
      if (!p.check(o.stage !== 'accepted' && isLibraryRefusal(o), () => `${label}: ${o.stage === 'accepted' ? 'ACCEPTED' : `not a cdktf-netns error: ${o.message.slice(0, 300)}`}`)) return;
      const problems = refusalProblems(o.message, expected);
      if (stage && o.stage !== stage) problems.push(`refused at ${o.stage}, not at ${stage}`);
      if (!p.check(problems.length === 0, () => `${label}: the error ${problems.join('; ')}: ${JSON.stringify(o.message.slice(0, 400))}`)) return;
      refused++;
      if (o.stage === 'construction') atConstruction++; else atSynth++;
    };
    for (const t of STRING_TARGETS) {
      for (const inj of injections(CANARY)) {
        for (const [form, v] of injectionForms(t.valid as string, inj.value)) {
          check(`${t.name} <- ${inj.label} (${form})`, attemptTarget(outdir, t, v), { stackId: STACK, ...expectedOf(t, v) });
        }
      }
    }
    for (const t of TARGETS) {
      const ok = attemptTarget(outdir, t, t.valid);
      if (p.check(ok.stage === 'accepted', () => `${t.name}: its valid value ${JSON.stringify(t.valid)} is refused: ${ok.message.slice(0, 300)}`)) accepted++;
      for (const v of HOSTILE_VALUES[t.field]) {
        const want = expectedOf(t, v.value);
        check(`${t.name} <- ${v.label}`, attemptTarget(outdir, t, v.value), { stackId: STACK, ...want, shown: v.shown ?? want.shown, error: v.error }, 'construction');
      }
      for (const m of NEAR_MISSES[t.field] ?? []) {
        const o = attemptTarget(outdir, t, m.value);
        if (p.check(o.stage === 'accepted', () => `${t.name} <- near miss ${m.label}: refused: ${o.message.slice(0, 300)}`)) accepted++;
        nearTotal++;
      }
    }
    for (const sc of SCENARIOS) {
      check(sc.label, attempt(outdir, sc.build, sc.context), { stackId: STACK, path: sc.path, shown: sc.shown, error: sc.error, mentions: sc.mentions }, sc.stage);
    }

    await withSandbox(async (sb) => {
      // positive control: the payloads are live when they do reach a shell
      const live = injections(CONTROL).filter((i) => i.live);
      const naive = [(v: string) => `echo ${v}`, (v: string) => `echo "${v}"`, (v: string) => `echo '${v}'`];
      for (const { label, value } of live) {
        let fired = false;
        for (const tpl of naive) {
          rmSync(CONTROL, { force: true });
          sb.sh(`sh -c ${shellQuote(tpl(value))} >/dev/null 2>&1`);
          fired = fired || existsSync(CONTROL);
        }
        if (p.check(fired, `positive control: the ${label} payload did not create the canary in any naive shell template`)) controls++;
      }
      rmSync(CONTROL, { force: true });
      p.check(controls === live.length, `positive control: ${controls}/${live.length} payloads live`);
      // the pipeline runs for real: a lab whose ids carry payloads (file-creating redirections: ids allow no spaces in stacks)
      const rel = (n: number) => `${CANARY_NAME}.${n}`;
      const stackId = `evil$(>${rel(1)})\`>${rel(2)}\`;>${rel(3)}|>${rel(4)}`;
      const problemsBefore = p.list.length;
      await withLab(sb, stackId, (lab) => {
        lab.synth((app) => {
          const s = new TerraformStack(app, stackId);
          const web = new Namespace(s, `n$(>${rel(5)}) \`>${rel(6)}\``, { name: 'web' });
          new VethPair(s, `p;>${rel(7)} \${path.root} %{ if true }x%{ endif } '"$(touch ${CANARY})"'`, {
            a: { name: 'v0', addresses: ['10.0.0.1/24'] }, b: { name: 'v1', namespace: web, addresses: ['10.0.0.2/24'] },
          });
          // an intent whose path carries them too: probed by the deploy's last step, printed percent-encoded
          new Reachable(s, `i$(>${rel(8)});>${rel(9)} '"$(touch ${CANARY})"'`, { from: web, to: '10.0.0.1' });
          return s;
        });
        const a = lab.apply();
        if (p.check(a.code === 0, () => `legit lab with hostile ids: apply failed: ${tail(a.stdout + a.stderr)}`)) {
          p.check(/cdktf-netns: intent evil\S*\/i%24%28%3E\S*: holds: web reached 10\.0\.0\.1$/m.test(a.stdout),
            () => `legit lab with hostile ids: the intent with a hostile path did not hold, printed encoded:\n${tail(a.stdout)}`);
          const state = captureLab(sb);
          const markers = state.filter((l) => l.startsWith('ns ') || l.startsWith('link ')).map((l) => /marker=(\S+)/.exec(l)![1]);
          // sanitized stack and path, and this deployment's token between them
          const token = tokenOf(lab);
          p.check(state.length === 3 && markers.every((m) => new RegExp(`^cdktf-netns:evil_+[A-Za-z0-9_.:-]*~[0-9a-f]{8}@${token}\\/[A-Za-z0-9_./:~-]+$`).test(m)),
            () => `legit lab with hostile ids: unexpected kernel state (markers must be sanitized):\n  ${state.join('\n  ')}`);
          p.check(sb.ping('', '10.0.0.2') && sb.ping('web', '10.0.0.1'), 'legit lab with hostile ids: no ping between host and web');
          p.check(lab.planExitCode() === 0, 'legit lab with hostile ids: a second plan shows changes');
          const d = lab.terraform('destroy -auto-approve');
          p.check(d.code === 0, () => `legit lab with hostile ids: destroy failed: ${tail(d.stdout + d.stderr)}`);
          legitOk = expectNothingLeft(p, 'legit lab with hostile ids', sb) && p.list.length === problemsBefore;
        }
        // the canary: in /tmp (absolute payloads) and in every directory a provisioner could have run in (relative payloads)
        const dirs = [lab.dir, process.cwd(), '/tmp', '/root', '/'];
        for (const dir of dirs) {
          const hits = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(CANARY_NAME)) : [];
          reached += hits.length;
          p.check(hits.length === 0, `CANARY FOUND in ${dir}: ${hits.join(', ')}`);
        }
      });
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(CANARY, { force: true });
  }
  return {
    figure: `${refused} refused, ${reached} reached a shell (of ${total} hostile inputs of the shared corpus: ${atConstruction} refused at construction, ${atSynth} at app.synth(), ` +
      `${total - refused} accepted or unhelpful; ${accepted}/${TARGETS.length + nearTotal} valid values and near misses accepted; canary absent after the corpus and after a real apply/destroy of a lab with payload-carrying ids${legitOk ? '' : ' — that apply FAILED'}; ` +
      `positive control: ${controls} payloads do create it in a naive shell)`,
    pass: p.ok && refused === total && total > 0 && accepted === TARGETS.length + nearTotal && reached === 0 && legitOk,
    details: p.details,
  };
}
