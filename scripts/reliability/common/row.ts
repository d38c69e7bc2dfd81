/** What every row module exports, and small helpers shared by the rows. */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { Lab, synthInto } from '../../../test/support/lab';
import { Sandbox } from '../../../test/support/sandbox';
export { withLab } from '../../../test/support/lab';
export { withSandbox } from '../../../test/support/sandbox';
import { captureLab, diffLines, leftovers } from './kernel';
import { deploymentOfDir } from './tf';
import { buildTopo, expectedLines, Topo } from './topo';

export interface RowOptions { quick: boolean }
export interface RowResult { figure: string; pass: boolean; details?: string }
export type RowRun = (opts: RowOptions) => Promise<RowResult>;

/** Collects what went wrong; a row passes when nothing was collected (and its counts add up). */
export class Problems {
  public readonly list: string[] = [];
  /** Record `what` when `ok` is false; returns ok. */
  public check(ok: boolean, what: string | (() => string)): boolean {
    if (!ok) this.list.push(typeof what === 'string' ? what : what());
    return ok;
  }
  public add(what: string): void { this.list.push(what); }
  public get ok(): boolean { return this.list.length === 0; }
  public get details(): string | undefined {
    if (!this.list.length) return undefined;
    const shown = this.list.slice(0, 12).map((l) => (l.length > 5000 ? `${l.slice(0, 5000)} ...` : l));
    return shown.join('\n') + (this.list.length > 12 ? `\n... and ${this.list.length - 12} more` : '');
  }
}

/** Synthesize `topo` as stack `stack` (optionally with a prefix) into the lab's directory. */
export function synthTopo(lab: Lab, stack: string, topo: Topo, prefix?: string): void {
  lab.synth((app: App) => {
    const s = new TerraformStack(app, stack);
    if (prefix !== undefined) s.node.setContext('cdktf-netns:prefix', prefix);
    buildTopo(s, topo);
    return s;
  });
}

/**
 * Poll `observe` until it returns [] or `ms` have passed; returns the last
 * observation. The kernel frees a deleted namespace (and with it the far end
 * of a veth pair in another namespace) asynchronously, a few ms after
 * `ip netns del` returns: checks settle instead of racing that cleanup.
 */
export function settle(observe: () => string[], ms = 3000): string[] {
  const end = Date.now() + ms;
  let last = observe();
  while (last.length && Date.now() < end) {
    spawnSync('sleep', ['0.1']);
    last = observe();
  }
  return last;
}

/**
 * Which deployment a check is about: the lab (its token is read from its
 * Terraform state: `deploymentOfDir`), or a token given directly.
 */
export type Deployment = Lab | string;
export function tokenOf(d: Deployment): string {
  if (typeof d === 'string') return d;
  const t = deploymentOfDir(d.dir);
  if (!t) throw new Error(`no deployment in ${d.dir}: its Terraform state holds no Teardown`);
  return t;
}

export interface LabDiffOptions { prefix?: string; ignoreNs?: string[]; ignoreHostLinks?: string[]; settleMs?: number }

/**
 * Kernel state differs from the declared topology, as deployment `dep` of
 * stack `stack` (its token in every marker): the differences ([] = exactly as declared).
 */
export function labDiff(sb: Sandbox, dep: Deployment, stack: string, topo: Topo, opts: LabDiffOptions = {}): string[] {
  const expected = expectedLines(stack, topo, tokenOf(dep), opts.prefix);
  return settle(() => diffLines(expected, captureLab(sb, opts)), opts.settleMs);
}

/** Check "exactly as declared", recording problems under a label. */
export function expectLab(p: Problems, label: string, sb: Sandbox, dep: Deployment, stack: string, topo: Topo, opts: LabDiffOptions = {}): boolean {
  const d = labDiff(sb, dep, stack, topo, opts);
  return p.check(d.length === 0, () => `${label}: kernel differs from the declared lab:\n  ${d.join('\n  ')}`);
}

export function expectNothingLeft(p: Problems, label: string, sb: Sandbox, allow: { namespaces?: string[]; hostLinks?: string[] } = {}, settleMs?: number): boolean {
  const left = settle(() => leftovers(sb, allow), settleMs);
  return p.check(left.length === 0, () => `${label}: left behind: ${left.join('; ')}`);
}

/** The end of a deployed case: a second plan shows no changes, destroy succeeds and leaves nothing (problems recorded under `label`). */
export function expectNoChangesThenNothingLeft(p: Problems, label: string, sb: Sandbox, lab: Lab): boolean {
  const plan = p.check(lab.planExitCode() === 0, `${label}: a second plan shows changes`);
  const d = lab.terraform('destroy -auto-approve');
  const destroyed = p.check(d.code === 0, () => `${label}: destroy failed: ${tail(d.stdout + d.stderr)}`);
  return expectNothingLeft(p, label, sb) && plan && destroyed;
}

/** A lab resource without the intents part of the Seal (its `intents` triggers and `&& ... check ...` step). */
function withoutIntents(body: any): any {
  const b = JSON.parse(JSON.stringify(body));
  if (b.triggers_replace) {
    delete b.triggers_replace.intents;
    delete b.triggers_replace.intents_hash;
  }
  for (const p of b.provisioner ?? []) {
    const le = p['local-exec'];
    if (le?.command) le.command = String(le.command).replace(/ && sh \S+ check \S+ \S+$/, '');
  }
  return b;
}

/** The error of a failed command, shortened for details. */
export function tail(s: string, n = 1200): string {
  return s.length > n ? `...${s.slice(-n)}` : s;
}

/**
 * Whether building `topo` synthesizes the same Terraform resources as an
 * example stack (so a row that uses the data form really runs the example's
 * topology). Returns the differing resource names ([] = same). The topology
 * only: an example's connectivity intents (the Seal's `intents` triggers and
 * its `check` step) are left out, since rows change the topology under them
 * (the intents run on a real kernel in test/e2e/intents.test.ts).
 */
export function differsFromExample(stack: string, example: (app: App) => TerraformStack, topo: Topo): string[] {
  const resources = (build: (app: App) => TerraformStack): Record<string, string> => {
    const dir = mkdtempSync(join(tmpdir(), 'cdktf-netns-rel-'));
    try {
      synthInto(dir, stack, build);
      const doc = JSON.parse(readFileSync(join(dir, 'main.tf.json'), 'utf8'));
      const out: Record<string, string> = {};
      for (const [name, body] of Object.entries<any>(doc.resource?.terraform_data ?? {})) out[name] = JSON.stringify(withoutIntents(body));
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const a = resources(example);
  const b = resources((app) => { const s = new TerraformStack(app, stack); buildTopo(s, topo); return s; });
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
}
