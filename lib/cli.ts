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
import { rawScript, VERIFY } from './core/scripts';

interface PlanObject {
  address: string;
  kind: string;
  label: string;
  env: Record<string, string>;
  create?: string;
  dependsOn: string[];
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

const unescape = (s: string) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

/** The plan's kernel objects with their script environment, in dependency order. */
function loadObjects(file: string): PlanObject[] {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const byAddress = new Map<string, PlanObject>();
  for (const type of ['terraform_data', 'null_resource']) {
    for (const [name, res] of Object.entries<any>(doc.resource?.[type] ?? {})) {
      const triggers = res.triggers_replace ?? res.triggers;
      if (!triggers || typeof triggers.kind !== 'string') continue;
      const creates = (res.provisioner ?? []).map((p: any) => p['local-exec']).filter((p: any) => p && p.when !== 'destroy');
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries<string>(creates[0]?.environment ?? {})) {
        const m = /^\$\{self\.(?:triggers|triggers_replace)\.([a-z0-9_]+)\}$/.exec(v);
        env[k] = m ? String(triggers[m[1]] ?? '') : v;
      }
      const label = triggers.ns !== undefined && triggers.if !== undefined ? `${triggers.ns || 'host'}/${triggers.if}`
        : triggers.if_a ? `${triggers.ns_a || 'host'}/${triggers.if_a} <-> ${triggers.ns_b || 'host'}/${triggers.if_b}`
          : triggers.kind === 'route' ? `${triggers.ns || 'host'} ${triggers.dest} via ${triggers.via}`
            : triggers.ns ?? triggers.key ?? triggers.owner ?? '';
      byAddress.set(`${type}.${name}`, {
        address: `${type}.${name}`, kind: triggers.kind, label, env,
        create: creates[0] ? unescape(creates[0].command) : undefined,
        dependsOn: (res.depends_on ?? []).map((d: string) => d.replace(/^\$\{(.*)\}$/, '$1')),
      });
    }
  }
  const ordered: PlanObject[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (o: PlanObject) => {
    if (state.get(o.address) === 'done') return;
    if (state.get(o.address) === 'visiting') throw new Error(`dependency cycle at ${o.address}`);
    state.set(o.address, 'visiting');
    for (const d of o.dependsOn) { const dep = byAddress.get(d); if (dep) visit(dep); }
    state.set(o.address, 'done');
    ordered.push(o);
  };
  [...byAddress.values()].sort((a, b) => a.address.localeCompare(b.address)).forEach(visit);
  return ordered;
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
