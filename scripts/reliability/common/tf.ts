/**
 * Terraform-side helpers: which construct a planned resource belongs to, what
 * `terraform plan` says it will do (read from its JSON form), the engine's
 * log inside an apply's output (an apply SIGKILLed when the kernel shows a
 * given progress: test/support/kill.ts).
 *
 * A stack synthesizes three resources: `cdktf-netns/Teardown` (created first,
 * destroyed last; its Terraform id is the deployment's identity, and its
 * destroy step removes what the deployment's record lists), `cdktf-netns/Lab`
 * (the unit: replaced whenever a declared object changes; its create step runs
 * the engine, which touches only the difference with what it applied last) and
 * `cdktf-netns/Seal` (after the unit, replaced whenever it is: finishes an
 * interrupted apply, or exits at once when the record says complete).
 */
import { createHash } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { Lab, labHeader, netnsCli, TF_ENV } from '../../../test/support/lab';
import { Sandbox } from '../../../test/support/sandbox';

/** Construct paths of the three resources of a lab. */
export const UNIT = 'cdktf-netns/Lab';
export const SEAL = 'cdktf-netns/Seal';
export const TEARDOWN = 'cdktf-netns/Teardown';
/** What a change of the declared objects replaces: the unit and its seal (sorted, as `planActions` lists them). */
export const LAB_UNIT = [UNIT, SEAL].sort();

/** `terraform_data.NAME` -> construct path inside the stack (e.g. `cdktf-netns/Lab`), from the synthesized plan. */
export function resourcePaths(dir: string): Record<string, string> {
  // a Lab directory holds main.tf.json; a stack synthesized by the cdktf CLI, cdk.tf.json
  const plan = existsSync(join(dir, 'main.tf.json')) ? 'main.tf.json' : 'cdk.tf.json';
  const doc = JSON.parse(readFileSync(join(dir, plan), 'utf8'));
  const out: Record<string, string> = {};
  for (const [type, byName] of Object.entries<any>(doc.resource ?? {})) {
    for (const [name, body] of Object.entries<any>(byName)) {
      const path: string = body['//']?.metadata?.path ?? name;
      out[`${type}.${name}`] = path.split('/').slice(1).join('/');
    }
  }
  return out;
}

/**
 * The deployment token of the lab applied from `dir`, read from its Terraform
 * state (the local backend's path the plan names, relative to `dir`) without
 * the library's help: the first 12 hex digits of the sha256 of the Teardown's
 * Terraform id; undefined when the state holds no Teardown.
 */
export function deploymentOfDir(dir: string): string | undefined {
  const paths = resourcePaths(dir);
  const plan = existsSync(join(dir, 'main.tf.json')) ? 'main.tf.json' : 'cdk.tf.json';
  const stateFile: string = JSON.parse(readFileSync(join(dir, plan), 'utf8'))?.terraform?.backend?.local?.path ?? 'terraform.tfstate';
  let doc: any;
  try { doc = JSON.parse(readFileSync(resolve(dir, stateFile), 'utf8')); } catch { return undefined; }
  for (const r of doc.resources ?? []) {
    if (paths[`${r.type}.${r.name}`] !== TEARDOWN) continue;
    const id = r.instances?.[0]?.attributes?.id;
    if (typeof id === 'string' && id) return createHash('sha256').update(id).digest('hex').slice(0, 12);
  }
  return undefined;
}

/** The lab id of a synthesized lab (its deployments' records are $STATE/labs/<id>/<token>). */
export function labId(dir: string): string {
  return labHeader(dir).lab;
}

export interface PlanActions {
  replaced: string[];
  created: string[];
  destroyed: string[];
  updated: string[];
  /** Per replaced/updated resource: the trigger keys whose value changes (e.g. `namespace sales`, `data`). */
  changedKeys: Record<string, string[]>;
  code: number;
  raw: string;
}

/**
 * `terraform plan -detailed-exitcode`, saved and read back with `terraform
 * show -json`: construct paths per action, and which trigger keys change.
 */
export function planActions(sb: Sandbox, lab: Lab): PlanActions {
  const r = lab.terraform('plan -detailed-exitcode -out=reliability.tfplan');
  const paths = resourcePaths(lab.dir);
  const out: PlanActions = { replaced: [], created: [], destroyed: [], updated: [], changedKeys: {}, code: r.code, raw: r.stdout + r.stderr };
  if (r.code !== 0 && r.code !== 2) return out;
  const show = sb.ok('terraform show -json reliability.tfplan', { cwd: lab.dir, env: TF_ENV });
  const doc = JSON.parse(show || '{}');
  for (const rc of doc.resource_changes ?? []) {
    const name = paths[rc.address] ?? rc.address;
    const a: string[] = rc.change?.actions ?? [];
    if (a.includes('create') && a.includes('delete')) out.replaced.push(name);
    else if (a.includes('create')) out.created.push(name);
    else if (a.includes('delete')) out.destroyed.push(name);
    else if (a.includes('update')) out.updated.push(name);
    if (a.includes('update') || (a.includes('create') && a.includes('delete'))) {
      const before = rc.change.before?.triggers_replace ?? rc.change.before?.triggers ?? {};
      const after = rc.change.after?.triggers_replace ?? rc.change.after?.triggers ?? {};
      out.changedKeys[name] = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
    }
  }
  for (const k of ['replaced', 'created', 'destroyed', 'updated'] as const) out[k].sort();
  return out;
}

export interface EngineLog {
  /** The engine's lines (one per object it changed), without the summary. */
  lines: string[];
  /** Its summary lines' counts, summed over every engine run in the output. */
  created: number;
  changed: number;
  removed: number;
  runs: number;
  /** Seal runs that found the apply complete (`cdktf-netns: lab X: complete`): nothing to do. */
  sealsComplete: number;
  /** Seal runs that found an unfinished apply and finished it (their summary counts in `runs`). */
  sealsFinishing: number;
}

/** What the engine printed inside a Terraform run (`... (local-exec): <line>`), "Executing:" lines left out. */
export function engineLog(out: string): EngineLog {
  const log: EngineLog = { lines: [], created: 0, changed: 0, removed: 0, runs: 0, sealsComplete: 0, sealsFinishing: 0 };
  for (const m of out.matchAll(/^\S+ \(local-exec\): (.*)$/gm)) {
    const l = m[1];
    if (l.startsWith('Executing:') || l.startsWith('cdktf-netns: timing:')) continue;
    const s = /^cdktf-netns: lab .*: (\d+) created, (\d+) changed, (\d+) removed \(\d+ ms\)$/.exec(l);
    if (/^cdktf-netns: lab \S+: complete$/.test(l)) log.sealsComplete++;
    else if (/^cdktf-netns: lab \S+: the last apply did not finish: finishing it$/.test(l)) log.sealsFinishing++;
    else if (s) {
      log.runs++;
      log.created += Number(s[1]);
      log.changed += Number(s[2]);
      log.removed += Number(s[3]);
    } else {
      log.lines.push(l);
    }
  }
  return log;
}

/** Resources in the state as construct paths, split into healthy and tainted (`terraform show -json`). */
export function stateResources(sb: Sandbox, lab: Lab): { ok: string[]; tainted: string[] } {
  const paths = resourcePaths(lab.dir);
  const doc = JSON.parse(sb.ok('terraform show -json -no-color', { cwd: lab.dir, env: TF_ENV }) || '{}');
  const res: any[] = doc.values?.root_module?.resources ?? [];
  const name = (r: any) => paths[r.address] ?? r.address;
  return { ok: res.filter((r) => !r.tainted).map(name).sort(), tainted: res.filter((r) => r.tainted).map(name).sort() };
}

/** The cdktf-netns CLI as users run it (built by main.ts before the rows): `verify` / `repair` of a lab directory. */
export function cli(sb: Sandbox, cmd: 'verify' | 'repair', dir: string): { code: number; out: string } {
  return cliRaw(sb, `${cmd} '${dir}'`);
}

/** Any cdktf-netns CLI command line (`deployments`, `release TOKEN`, `adopt TOKEN`, ...), in the sandbox; stdout and stderr together. */
export function cliRaw(sb: Sandbox, args: string): { code: number; out: string } {
  const r = netnsCli(sb, args);
  return { code: r.code, out: r.stdout + r.stderr };
}
