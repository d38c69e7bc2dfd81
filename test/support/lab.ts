import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { Sandbox, ExecResult, shellQuote } from './sandbox';
import { deploymentFromState } from '../../lib/engine/deployment';
import { kernelMarker } from '../../lib/core/settings';
import { readHeader } from '../../lib/cli';
import { DATA_FILE } from '../../lib/engine/files';

/**
 * A Terraform working directory for one lab: synthesize a stack (terraform_data
 * backend, state file relative to the directory), then plan/apply/destroy it
 * with the real `terraform` binary inside a sandbox.
 */
export class Lab {
  public readonly dir: string;
  private initialised = false;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly stackName: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'cdktf-netns-e2e-'));
  }

  /** Synthesize `build(app)` (which must create the stack named stackName) into the working directory. */
  public synth(build: (app: App) => TerraformStack | void, context: Record<string, unknown> = {}): void {
    synthInto(this.dir, this.stackName, build, context);
  }

  /** Synthesize a stack named stackName whose constructs `build` declares. */
  public synthStack(build: (stack: TerraformStack) => void, context: Record<string, unknown> = {}): void {
    this.synth((app) => {
      const stack = new TerraformStack(app, this.stackName);
      build(stack);
      return stack;
    }, context);
  }

  public terraform(args: string, timeoutMs = 300_000): ExecResult {
    if (!this.initialised) {
      this.sandbox.ok('terraform init -input=false -no-color', { cwd: this.dir, env: TF_ENV });
      this.initialised = true;
    }
    return this.sandbox.sh(`terraform ${args} -input=false -no-color`, { cwd: this.dir, env: TF_ENV, timeoutMs });
  }

  public apply(): ExecResult {
    return this.terraform('apply -auto-approve');
  }

  public applyOk(): string {
    return check(this.apply(), 'apply');
  }

  public destroyOk(): string {
    return check(this.terraform('destroy -auto-approve'), 'destroy');
  }

  /** `terraform plan -detailed-exitcode`: 0 = no changes, 2 = changes. */
  public planExitCode(): number {
    return this.terraform('plan -detailed-exitcode').code;
  }

  /** The deployment token of this lab (from its Terraform state: the Teardown's id). */
  public deployment(): string {
    const state = JSON.parse(readFileSync(join(this.dir, 'terraform.tfstate'), 'utf8'));
    const teardown = (state.resources ?? []).find((r: any) => String(r.name).startsWith('cdktf-netns_Teardown_'));
    const t = teardown && deploymentFromState(this.dir, `${teardown.type}.${teardown.name}`);
    if (!t) throw new Error(`no deployment in ${this.dir}: the lab was not applied`);
    return t;
  }

  /** A synthesized marker as the kernel carries it for this deployment. */
  public marker(marker: string): string {
    return kernelMarker(marker, this.deployment());
  }

  /**
   * The engine's own commands for this lab (what its provisioners run), to run
   * directly, as deployment `deployment`, from `runDir` (a copy of the lab's
   * directory, or the directory itself).
   */
  public engineCommands(deployment: string, runDir = this.dir): { apply: string; destroy: string } {
    const hash = '$(sha256sum cdktf-netns/lab.data | cut -d" " -f1)';
    const cd = `cd ${shellQuote(runDir)}`;
    return {
      apply: `(${cd} && sh cdktf-netns/engine/engine.sh apply cdktf-netns/lab.data ${hash} ${deployment})`,
      destroy: `(${cd} && sh cdktf-netns/engine/engine.sh destroy ${this.header.state} ${this.header.lab} ${deployment})`,
    };
  }

  /** The synthesized data file's lab header (`#owner`, `#lab`, `#state`), as the CLI reads it. */
  public get header(): ReturnType<typeof readHeader> {
    return labHeader(this.dir);
  }

  public dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The lab header of the data file synthesized into `dir` (the CLI's reader: it throws when there is none). */
export function labHeader(dir: string): ReturnType<typeof readHeader> {
  return readHeader(readFileSync(join(dir, DATA_FILE), 'utf8'));
}

/** Run `fn` with a fresh Terraform directory in `sb`, always removed. */
export async function withLab<T>(sb: Sandbox, stack: string, fn: (lab: Lab) => Promise<T> | T): Promise<T> {
  const lab = new Lab(sb, stack);
  try {
    return await fn(lab);
  } finally {
    lab.dispose();
  }
}

/** The built cdktf-netns CLI (`npm run build` makes it). */
export const CLI = join(__dirname, '../../dist/cli.js');

/** A cdktf-netns CLI command line (`verify DIR`, `repair DIR`, `deployments`, `release TOKEN`, ...) as users run it, in the sandbox. */
export function netnsCli(sb: Sandbox, args: string): ExecResult {
  return sb.sh(`node ${CLI} ${args}`);
}

/**
 * Synthesize a stack with the terraform_data backend into `dir/main.tf.json`
 * (with its state file relative to `dir`), next to the engine files and the
 * data file the provisioners run (`dir/cdktf-netns/`).
 */
export function synthInto(dir: string, stackName: string, build: (app: App) => TerraformStack | void, context: Record<string, unknown> = {}): void {
  const out = mkdtempSync(join(tmpdir(), 'cdktf-netns-synth-'));
  try {
    const app = new App({ outdir: out, context: { 'cdktf-netns:backend': 'terraform_data', ...context } });
    build(app);
    app.synth();
    const stackDir = join(out, 'stacks', stackName);
    rmSync(join(dir, 'cdktf-netns'), { recursive: true, force: true });
    cpSync(join(stackDir, 'cdktf-netns'), join(dir, 'cdktf-netns'), { recursive: true });
    const doc = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    doc.terraform = { ...(doc.terraform ?? {}), backend: { local: { path: 'terraform.tfstate' } } };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(doc, null, 2));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const TF_ENV = { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' };

function check(r: ExecResult, what: string): string {
  if (r.code !== 0) throw new Error(`terraform ${what} failed (${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}
