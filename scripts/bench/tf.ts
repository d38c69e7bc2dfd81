/**
 * The cdktf-netns side of the bench: synthesizing the star lab in a child
 * process (timed), and a Terraform working directory inside a sandbox
 * (init, timed apply / no-op plan / destroy, what an apply replaced).
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import { TF_ENV } from '../../test/support/lab';
import { BenchSandbox, run, waitForQuiet } from './sandbox-run';
import { StepId, STACK } from './star';
import { waitNoVeth } from './kernel';

const REPO = join(__dirname, '..', '..');
const STAR_TS = join(__dirname, 'star.ts');

export interface SynthResult {
  /** Wall time of the whole child process (node + ts-node start-up + build + synth). */
  wallMs: number;
  /** The child's own in-process times. */
  buildMs: number;
  synthMs: number;
  /** <outdir>/stacks/<STACK>: what Terraform runs. */
  stackDir: string;
  cdkTfJsonBytes: number;
  stackBytes: number;
  stackFiles: number;
}

function dirSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const sub = dirSize(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

/**
 * Synthesize the star lab of `size` after `steps` into `outdir` with
 * `star.ts` run by ts-node in a child process: the same command for every
 * size, so the difference between two sizes is the cost of the lab itself.
 * transpile-only: type-checking the library is a constant we do not want in
 * the figure's noise.
 */
export async function synthInChild(size: number, steps: StepId[], outdir: string): Promise<SynthResult> {
  const t0 = performance.now();
  const r = await run(
    [process.execPath, '-r', 'ts-node/register/transpile-only', STAR_TS, '--size', String(size), '--outdir', outdir, '--steps', steps.join(',')],
    { cwd: REPO, timeoutMs: 30 * 60_000 },
  );
  const wallMs = performance.now() - t0;
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !last.startsWith('{'))
    throw new Error(
      `synthesis of the star lab (N=${size}${steps.length ? `, steps ${steps.join(',')}` : ''}) failed (${r.code}):\n${r.stdout.slice(-2000)}${r.stderr.slice(-4000)}`,
    );
  const { buildMs, synthMs } = JSON.parse(last) as { buildMs: number; synthMs: number };
  const stackDir = join(outdir, 'stacks', STACK);
  const { bytes, files } = dirSize(stackDir);
  return { wallMs, buildMs, synthMs, stackDir, cdkTfJsonBytes: statSync(join(stackDir, 'cdk.tf.json')).size, stackBytes: bytes, stackFiles: files };
}

/** Files Terraform itself keeps in the working directory: survive a re-synthesis. */
const TERRAFORM_OWNED = new Set(['.terraform', '.terraform.lock.hcl', 'terraform.tfstate', 'terraform.tfstate.backup']);

export interface ApplyActions {
  /** Resources destroyed and created again by the apply (replacements). */
  replaced: string[];
  added: number;
  destroyed: number;
  /** Terraform's own summary line. */
  summary: string;
}

/**
 * What an apply did, from its output: a resource with both `Destroying...`
 * and `Creating...` lines was replaced; the rest were only added or only
 * destroyed (resources removed from the code).
 */
export function applyActions(log: string, names: Map<string, string>): ApplyActions {
  const pick = (what: string): Set<string> => new Set([...log.matchAll(new RegExp(`^(\\S+): ${what}\\.\\.\\.`, 'gm'))].map((m) => m[1]));
  const created = pick('Creating');
  const destroyed = pick('Destroying');
  const replaced = [...created].filter((r) => destroyed.has(r));
  return {
    replaced: replaced.map((r) => names.get(r) ?? r).sort(),
    added: created.size - replaced.length,
    destroyed: destroyed.size - replaced.length,
    summary: /^Apply complete!.*$/m.exec(log)?.[0] ?? '(no summary line)',
  };
}

/** A Terraform working directory for the synthesized star lab, run inside `box`. */
export class CdktfLab {
  /** Terraform address -> construct path, of the last installed synthesis. */
  public names = new Map<string, string>();
  private logs = 0;

  constructor(
    private readonly box: BenchSandbox,
    private readonly dir: string,
    private readonly logDir: string,
    private readonly limits: { terraformMs: number; quietMs: number; vethWaitS: number },
  ) {}

  /**
   * Make the working directory the synthesized stack directory, as
   * `cdktf deploy` would: every file of the stack (the engine may write
   * scripts and data files beside cdk.tf.json that provisioners reference
   * by relative path), and nothing left from an earlier synthesis except
   * Terraform's own files. The state goes to ./terraform.tfstate.
   */
  public install(stackDir: string): void {
    if (existsSync(this.dir)) {
      for (const name of readdirSync(this.dir)) if (!TERRAFORM_OWNED.has(name)) rmSync(join(this.dir, name), { recursive: true, force: true });
    }
    cpSync(stackDir, this.dir, { recursive: true });
    const file = join(this.dir, 'cdk.tf.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.terraform = { ...(doc.terraform ?? {}), backend: { local: { path: 'terraform.tfstate' } } };
    writeFileSync(file, JSON.stringify(doc));
    this.names = resourceNames(doc);
  }

  public async init(): Promise<void> {
    await this.box.ok('terraform init -input=false -no-color', { cwd: this.dir, env: TF_ENV, timeoutMs: this.limits.terraformMs });
  }

  public apply(): Promise<{ code: number; ms: number; log: string }> {
    return this.terraform('apply -auto-approve -input=false -no-color');
  }

  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes, 1 = error. */
  public plan(): Promise<{ code: number; ms: number; log: string }> {
    return this.terraform('plan -detailed-exitcode -input=false -no-color');
  }

  /** Destroy, then wait for the kernel to free the veths (counted: the lab is gone only then). */
  public destroy(): Promise<{ code: number; ms: number; log: string }> {
    return this.terraform(`destroy -auto-approve -input=false -no-color && ${waitNoVeth(this.limits.vethWaitS)}`);
  }

  private async terraform(args: string): Promise<{ code: number; ms: number; log: string }> {
    const log = join(this.logDir, `terraform-${++this.logs}.log`);
    await waitForQuiet(this.limits.quietMs);
    return this.box.timed(`terraform ${args}`, log, { cwd: this.dir, env: TF_ENV, timeoutMs: this.limits.terraformMs });
  }
}

/** `terraform_data.NAME` -> construct path inside the stack, from the `//` metadata cdktf writes. */
function resourceNames(doc: { resource?: Record<string, Record<string, { '//'?: { metadata?: { path?: string } } }>> }): Map<string, string> {
  const names = new Map<string, string>();
  for (const [type, byName] of Object.entries(doc.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const path = body['//']?.metadata?.path;
      names.set(`${type}.${name}`, path ? path.split('/').slice(1).join('/') : `${type}.${name}`);
    }
  }
  return names;
}
