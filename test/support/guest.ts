import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { runInVlanKernel } from './uml';
import { synthInto } from './lab';

/**
 * One VLAN scenario in a VLAN-capable kernel (a UML guest, see
 * scripts/uml-run.sh): the test runner stays on the host, synthesizes the
 * stack, and sends the whole scenario into a fresh guest:
 *   terraform init → apply → the checks → JSON dumps of kernel state →
 *   plan (expect no changes) → destroy → what is left.
 * The guest has its own kernel, so nothing touches the host's network.
 */

export interface GuestCheck {
  /** Name used in the results. */
  readonly name: string;
  /** Shell command run after apply; its exit status is recorded. */
  readonly cmd: string;
}

export interface GuestResult {
  /** Exit status of each step: init, apply, plan, destroy, and `check:<name>`. */
  readonly status: Record<string, number>;
  /** Parsed JSON dumps taken after apply. */
  readonly dumps: Record<string, any>;
  /** What was left after destroy: namespaces, non-lo interfaces, state files. */
  readonly leftover: string;
  readonly bootMs: number;
  readonly applyMs: number;
  readonly totalMs: number;
  /** Logs, for failure messages. */
  readonly log: (name: string) => string;
}

export async function runGuestScenario(opts: {
  stackName: string;
  build: (app: App) => TerraformStack | void;
  checks: GuestCheck[];
  dumps?: Record<string, string>;
}): Promise<GuestResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-netns-guest-'));
  try {
    synthInto(dir, opts.stackName, opts.build);
    const lines = [
      'set -u',
      'export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null',
      'mkdir -p /run/cdktf-netns',
      'r() { printf "%s %s\\n" "$1" "$2" >> results.txt; }',
      'terraform init -input=false -no-color > init.log 2>&1; r init $?',
      's=$(date +%s%N); terraform apply -auto-approve -input=false -no-color > apply.log 2>&1; r apply $?',
      'r apply_ms $(( ($(date +%s%N) - s) / 1000000 ))',
      ...opts.checks.map((c) => `( ${c.cmd} ) > check-${c.name}.log 2>&1; r check:${c.name} $?`),
      ...Object.entries(opts.dumps ?? {}).map(([n, cmd]) => `( ${cmd} ) > dump-${n}.json 2>dump-${n}.err`),
      'terraform plan -detailed-exitcode -input=false -no-color > plan.log 2>&1; r plan $?',
      'terraform destroy -auto-approve -input=false -no-color > destroy.log 2>&1; r destroy $?',
      '{ ls /run/netns; ip -o link show | grep -v ": lo:"; find /run/cdktf-netns -type f; } > leftover.txt 2>&1',
    ];
    writeFileSync(join(dir, 'scenario.sh'), `${lines.join('\n')}\n`);
    const run = await runInVlanKernel('bash scenario.sh', { workdir: dir, timeoutMs: 240_000 });
    const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
    const status: Record<string, number> = {};
    for (const line of read('results.txt').split('\n').filter(Boolean)) {
      const [k, v] = line.split(' ');
      status[k] = Number(v);
    }
    if (!('destroy' in status)) {
      throw new Error(
        `guest scenario did not finish (exit ${run.code}, timed out: ${run.timedOut}):\n${run.stdout}\n${run.stderr}\n${read('apply.log').slice(-3000)}`,
      );
    }
    const dumps: Record<string, any> = {};
    for (const n of Object.keys(opts.dumps ?? {})) {
      try {
        dumps[n] = JSON.parse(read(`dump-${n}.json`));
      } catch {
        dumps[n] = { error: read(`dump-${n}.err`), raw: read(`dump-${n}.json`) };
      }
    }
    const logs: Record<string, string> = {};
    for (const f of ['init', 'apply', 'plan', 'destroy', ...opts.checks.map((c) => `check-${c.name}`)]) logs[f] = read(`${f}.log`);
    return {
      status,
      dumps,
      leftover: read('leftover.txt').trim(),
      bootMs: run.bootMs,
      applyMs: status.apply_ms,
      totalMs: run.totalMs,
      log: (name) => logs[name] ?? '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
