/**
 * Terraform-side helpers: which construct a planned resource belongs to, what
 * `terraform plan` says it will do (read from its JSON form), the engine's
 * log inside an apply's output, and an apply that is SIGKILLed when the
 * kernel shows a given progress.
 *
 * A stack synthesizes two resources: `cdktf-netns/Teardown` (destroyed last;
 * its destroy step removes what the lab's record lists) and `cdktf-netns/Lab`
 * (the unit: replaced whenever a declared object changes; its create step runs
 * the engine, which touches only the difference with what it applied last).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Lab, TF_ENV } from '../../../test/e2e/lab';
import { Sandbox } from '../../../test/e2e/sandbox';

/** Construct paths of the two resources of a lab. */
export const UNIT = 'cdktf-netns/Lab';
export const TEARDOWN = 'cdktf-netns/Teardown';

/** `terraform_data.NAME` -> construct path inside the stack (e.g. `cdktf-netns/Lab`), from the synthesized plan. */
export function resourcePaths(dir: string): Record<string, string> {
  const doc = JSON.parse(readFileSync(join(dir, 'main.tf.json'), 'utf8'));
  const out: Record<string, string> = {};
  for (const [type, byName] of Object.entries<any>(doc.resource ?? {})) {
    for (const [name, body] of Object.entries<any>(byName)) {
      const path: string = body['//']?.metadata?.path ?? name;
      out[`${type}.${name}`] = path.split('/').slice(1).join('/');
    }
  }
  return out;
}

/** The lab id of a synthesized lab (its record is $STATE/labs/<id>). */
export function labId(dir: string): string {
  const m = /^#lab (\S+)$/m.exec(readFileSync(join(dir, 'cdktf-netns/lab.data'), 'utf8'));
  if (!m) throw new Error(`no lab id in ${dir}/cdktf-netns/lab.data`);
  return m[1];
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
}

/** What the engine printed inside a Terraform run (`... (local-exec): <line>`), "Executing:" lines left out. */
export function engineLog(out: string): EngineLog {
  const log: EngineLog = { lines: [], created: 0, changed: 0, removed: 0, runs: 0 };
  for (const m of out.matchAll(/^\S+ \(local-exec\): (.*)$/gm)) {
    const l = m[1];
    if (l.startsWith('Executing:') || l.startsWith('cdktf-netns: timing:')) continue;
    const s = /^cdktf-netns: lab .*: (\d+) created, (\d+) changed, (\d+) removed \(\d+ ms\)$/.exec(l);
    if (s) {
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

/** A kill point: a shell condition (run in the sandbox, in the lab's directory) that turns true as the apply progresses. */
export interface KillPoint {
  label: string;
  /** Shell test; polled every ~2 ms while the apply runs. */
  cond: string;
}

export interface KillResult {
  /** terraform was still running when SIGKILL hit it (the apply had not completed). */
  killed: boolean;
  /** The kill point's condition was seen before the apply ended. */
  seen: boolean;
  /** ms from the start of `terraform apply` to the kill. */
  atMs: number;
  /** The engine's summary line had been printed before the kill (its run had finished). */
  engineDone: boolean;
  /** Live (non-zombie) processes of terraform's session right after the kill: provisioner shells left orphaned. */
  orphans: number;
  /** ms waited until the orphans had finished. */
  orphanWaitMs: number;
}

/**
 * Start `terraform apply` in its own session, SIGKILL it as soon as `point`'s
 * condition holds, then wait until every process it started (provisioner
 * shells, the engine, `ip`) has finished. With `group`, the whole process
 * group is killed at once (terraform and its running provisioners: what a CI
 * job cancel, an OOM kill of the job or a container stop does).
 */
export function killedApply(sb: Sandbox, lab: Lab, point: KillPoint, group = false): KillResult {
  lab.terraform('version'); // make sure the directory is initialised before the timed run
  // (dash's kill takes no "--": a negative pid is the process group)
  const target = group ? '-$pid' : '$pid';
  const r = sb.sh(`: > kill.log
t0=$(date +%s%N)
setsid terraform apply -auto-approve -input=false -no-color > kill.log 2>&1 &
pid=$!
seen=0
while kill -0 $pid 2>/dev/null; do
  if ${point.cond}; then seen=1; break; fi
  sleep 0.002
done
killed=0
if [ $seen = 1 ] && ! grep -q 'Apply complete!' kill.log && kill -9 ${target} 2>/dev/null; then killed=1; fi
at=$(( ($(date +%s%N) - t0) / 1000000 ))
done=0; grep -q '(local-exec): cdktf-netns: lab ' kill.log && done=1
wait $pid 2>/dev/null
orphans=$(ps -o stat= -s $pid | grep -vc '^Z')
t1=$(date +%s%N); n=0
while [ "$(ps -o stat= -s $pid | grep -vc '^Z')" != 0 ] && [ $n -lt 3000 ]; do sleep 0.01; n=$((n+1)); done
echo "$killed $seen $at $done $orphans $(( ($(date +%s%N) - t1) / 1000000 ))"
grep -q 'Apply complete!' kill.log && echo COMPLETED || true`, { cwd: lab.dir, env: TF_ENV });
  const [killed, seen, at, done, orphans, wait] = r.stdout.trim().split('\n')[0].split(/\s+/).map(Number);
  return { killed: killed === 1 && !/COMPLETED/.test(r.stdout), seen: seen === 1, atMs: at, engineDone: done === 1, orphans, orphanWaitMs: wait };
}

/**
 * Whether Terraform can read its state file. Terraform's local backend
 * rewrites terraform.tfstate in place, so a kill during that write can leave it
 * truncated (a Terraform limitation, outside cdktf-netns).
 */
export function stateReadable(sb: Sandbox, lab: Lab): boolean {
  const r = sb.sh('terraform state list -no-color', { cwd: lab.dir, env: TF_ENV });
  return r.code === 0 || /No state file was found/.test(r.stderr); // an empty file is "no state"
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
  const r = sb.sh(`node ${join(__dirname, '../../../dist/cli.js')} ${cmd} ${dir}`);
  return { code: r.code, out: r.stdout + r.stderr };
}
