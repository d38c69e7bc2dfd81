/**
 * Terraform-side helpers: which construct a planned resource belongs to, what
 * `terraform plan` says it will do, and an apply that is SIGKILLed part-way.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Lab, TF_ENV } from '../../../test/e2e/lab';
import { Sandbox } from '../../../test/e2e/sandbox';

/** `terraform_data.NAME` -> construct path inside the stack (e.g. `s/AAddresses`), from the synthesized plan. */
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

export interface PlanActions { replaced: string[]; created: string[]; destroyed: string[]; updated: string[]; code: number; raw: string }

/**
 * `terraform plan`, parsed into construct paths per action. `known` maps
 * resource addresses of earlier plans (for resources no longer in the code).
 */
export function planActions(lab: Lab, known: Record<string, string> = {}): PlanActions {
  const r = lab.terraform('plan -detailed-exitcode');
  const paths = { ...known, ...resourcePaths(lab.dir) };
  const pick = (what: string) => [...r.stdout.matchAll(new RegExp(`# (\\S+) ${what}`, 'g'))].map((m) => paths[m[1]] ?? m[1]).sort();
  return {
    replaced: pick('must be replaced'),
    created: pick('will be created'),
    destroyed: pick('will be destroyed'),
    updated: pick('will be updated in-place'),
    code: r.code,
    raw: r.stdout + r.stderr,
  };
}

/**
 * The timeline of one apply from scratch: ms from the start of `terraform
 * apply` to its first `Creating...` line and to `Apply complete!`.
 */
export function applyTimeline(sb: Sandbox, lab: Lab): { firstCreate: number; complete: number } {
  const r = sb.sh(`: > timeline.log; t0=$(date +%s%N)
terraform apply -auto-approve -input=false -no-color > timeline.log 2>&1 &
pid=$!; first=""
while kill -0 $pid 2>/dev/null; do
  if [ -z "$first" ] && grep -q 'Creating\\.\\.\\.' timeline.log; then first=$(( ($(date +%s%N) - t0) / 1000000 )); fi
  sleep 0.002
done
wait $pid; rc=$?
echo "$first $(( ($(date +%s%N) - t0) / 1000000 )) $rc"`, { cwd: lab.dir, env: TF_ENV });
  const [first, complete, rc] = r.stdout.trim().split(/\s+/).map(Number);
  if (rc !== 0 || !Number.isFinite(first)) throw new Error(`reference apply failed: ${r.stdout}${r.stderr}${sb.sh('cat timeline.log', { cwd: lab.dir }).stdout}`);
  return { firstCreate: first, complete };
}

export interface KillResult {
  /** terraform was still running when SIGKILL hit it (the apply had not completed). */
  killed: boolean;
  /** ms after the first `Creating...` line at which the kill was sent. */
  atMs: number;
  /** `Creation complete` lines printed before the kill. */
  completed: number;
  /** `Creating...` lines printed before the kill. */
  started: number;
  /** Live (non-zombie) processes of terraform's session right after the kill: provisioner shells left orphaned. */
  orphans: number;
  /** ms waited until the orphans had finished. */
  orphanWaitMs: number;
}

/**
 * Start `terraform apply` in its own session, SIGKILL it `delayMs` after its
 * first `Creating...` line, then wait until every process it started
 * (provisioner shells, `ip`) has finished. With `group`, the whole process
 * group is killed at once (terraform and its running provisioners: what a CI
 * job cancel, an OOM kill of the job or a container stop does).
 */
export function killedApply(sb: Sandbox, lab: Lab, delayMs: number, group = false): KillResult {
  lab.terraform('version'); // make sure the directory is initialised before the timed run
  // (dash's kill takes no "--": a negative pid is the process group)
  const target = group ? '-$pid' : '$pid';
  const r = sb.sh(`: > kill.log
setsid terraform apply -auto-approve -input=false -no-color > kill.log 2>&1 &
pid=$!
while ! grep -q 'Creating\\.\\.\\.' kill.log; do kill -0 $pid 2>/dev/null || break; sleep 0.002; done
t0=$(date +%s%N)
sleep ${(delayMs / 1000).toFixed(3)}
killed=0
if ! grep -q 'Apply complete!' kill.log && kill -9 ${target} 2>/dev/null; then killed=1; fi
at=$(( ($(date +%s%N) - t0) / 1000000 ))
started=$(grep -c 'Creating\\.\\.\\.' kill.log); completed=$(grep -c 'Creation complete' kill.log)
wait $pid 2>/dev/null
orphans=$(ps -o stat= -s $pid | grep -vc '^Z')
t1=$(date +%s%N); n=0
while [ "$(ps -o stat= -s $pid | grep -vc '^Z')" != 0 ] && [ $n -lt 3000 ]; do sleep 0.01; n=$((n+1)); done
echo "$killed $at $completed $started $orphans $(( ($(date +%s%N) - t1) / 1000000 ))"
grep -q 'Apply complete!' kill.log && echo COMPLETED || true`, { cwd: lab.dir, env: TF_ENV });
  const [killed, at, completed, started, orphans, wait] = r.stdout.trim().split('\n')[0].split(/\s+/).map(Number);
  return { killed: killed === 1 && !/COMPLETED/.test(r.stdout), atMs: at, completed, started, orphans, orphanWaitMs: wait };
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
