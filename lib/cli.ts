#!/usr/bin/env node
/**
 * cdktf-netns verify | repair — compare the live kernel with a synthesized
 * lab, and bring it back in line.
 *
 *   npx cdktf-netns verify [STACK_DIR | cdk.tf.json] [--stack NAME]
 *   npx cdktf-netns repair [STACK_DIR | cdk.tf.json] [--stack NAME]
 *
 * Terraform cannot see changes made behind its back (a namespace deleted by
 * hand, an address removed, forwarding switched off): its state still says
 * the objects exist. `verify` runs a check per declared object, with exactly
 * the values the plan gives its scripts, plus a dry run of the stack's sweep
 * (objects this stack owns but no longer declares). Exit: 0 in line, 2 drift,
 * 1 error. `repair` re-runs the plan's own create scripts in dependency order
 * (the sweep first, removing owned objects no longer declared; then each
 * object's create, which adopts what exists and re-creates what is missing),
 * then verifies.
 */
import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { rawScript, terraformUnescape, VERIFY } from './core/scripts';
import { NetnsPlan } from './testing';

interface PlanObject {
  address: string;
  kind: string;
  label: string;
  env: Record<string, string>;
  create?: string;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`cdktf-netns: ${msg}\n`);
  process.stderr.write('usage: cdktf-netns verify|repair [STACK_DIR | cdk.tf.json] [--stack NAME]\n');
  process.exit(1);
}

function findPlanFile(arg: string | undefined, stack: string | undefined): string {
  if (arg && existsSync(arg) && statSync(arg).isFile()) return arg;
  if (arg && existsSync(join(arg, 'cdk.tf.json'))) return join(arg, 'cdk.tf.json');
  if (arg && existsSync(join(arg, 'main.tf.json'))) return join(arg, 'main.tf.json');
  const stacksDir = join(arg ?? '.', 'cdktf.out', 'stacks');
  if (!existsSync(stacksDir)) usage(`no synthesized plan found${arg ? ` in ${arg}` : ''}: run 'cdktf synth' first, or pass a stack directory`);
  const stacks = readdirSync(stacksDir).filter((s) => existsSync(join(stacksDir, s, 'cdk.tf.json')));
  const chosen = stack ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (!chosen || !stacks.includes(chosen)) usage(`choose a stack with --stack (found: ${stacks.join(', ') || 'none'})`);
  return join(stacksDir, chosen, 'cdk.tf.json');
}

/** The plan's kernel objects with their script environment, in dependency order. */
function loadObjects(file: string): PlanObject[] {
  return NetnsPlan.fromJson(readFileSync(file, 'utf8')).inDependencyOrder().map((o) => {
    const t = o.triggers;
    const creates = (o.body.provisioner ?? []).map((p: any) => p['local-exec']).filter((p: any) => p && p.when !== 'destroy');
    // the environment Terraform would give the scripts: `self.<triggers>.key` resolved from the plan
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries<string>(creates[0]?.environment ?? {})) {
      const m = /^\$\{self\.(?:triggers|triggers_replace)\.([a-z0-9_]+)\}$/.exec(v);
      env[k] = m ? String(t[m[1]] ?? '') : v;
    }
    const label = t.ns !== undefined && t.if !== undefined ? `${t.ns || 'host'}/${t.if}`
      : t.if_a ? `${t.ns_a || 'host'}/${t.if_a} <-> ${t.ns_b || 'host'}/${t.if_b}`
        : t.kind === 'route' ? `${t.ns || 'host'} ${t.dest} via ${t.via}`
          : t.ns ?? t.key ?? t.owner ?? '';
    return { address: o.address, kind: o.kind, label, env, create: creates[0] ? terraformUnescape(creates[0].command) : undefined };
  });
}

function runSh(script: string, env: Record<string, string>): { code: number; out: string } {
  const r = spawnSync('/bin/sh', ['-c', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Check every object; returns the number of drifted objects. */
export function verify(objects: PlanObject[], print: (s: string) => void): number {
  let drifted = 0;
  for (const o of objects) {
    const check = VERIFY[o.kind];
    if (!check) continue;
    const r = runSh(rawScript(check), { ...o.env, DRY_RUN: '1' });
    const lines = r.out.split('\n').filter((l) => l.startsWith('drift: ')).map((l) => l.slice(7));
    if (r.code === 0 && lines.length === 0) continue;
    drifted++;
    for (const l of lines.length ? lines : [`check failed: ${r.out.trim()}`]) print(`DRIFT ${o.kind} ${o.label}: ${l}`);
  }
  return drifted;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd !== 'verify' && cmd !== 'repair') usage(cmd ? `unknown command '${cmd}'` : undefined);
  let stack: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--stack') stack = rest[++i];
    else positional.push(rest[i]);
  }
  const file = findPlanFile(positional[0], stack);
  const objects = loadObjects(file);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const checked = objects.filter((o) => VERIFY[o.kind]).length;
  if (cmd === 'repair') {
    for (const o of objects) {
      if (!o.create || o.kind === 'teardown') continue; // the sweep runs first: it removes owned objects no longer declared
      const r = runSh(o.create, o.env);
      if (r.code !== 0) {
        process.stderr.write(`cdktf-netns: repair of ${o.kind} ${o.label} failed:\n${r.out}`);
        return 1;
      }
    }
    out(`repair: re-ran the create step of ${objects.filter((o) => o.create && o.kind !== 'teardown').length} object(s)`);
  }
  const drifted = verify(objects, out);
  out(drifted === 0 ? `verify: ${checked} object(s) checked, in line with ${file}` : `verify: ${drifted} of ${checked} object(s) drifted`);
  return drifted === 0 ? 0 : 2;
}

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`cdktf-netns: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
