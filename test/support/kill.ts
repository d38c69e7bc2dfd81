/**
 * Terraform SIGKILLed part-way, at a point chosen by the progress the kernel
 * (or the state directory) shows: the kill loop of the heal tests and of the
 * reliability matrix, and the conditions they kill at.
 */
import { Lab, TF_ENV } from './lab';
import { Sandbox } from './sandbox';
import { DEFAULT_STATE_DIR } from '../../lib/core/settings';

/** A shell test that holds once a file of a deployment's record exists ($STATE/labs/<lab>/<token>/<file>: journal, applied, work.*). */
export function recordFileExists(file: string, lab = '*'): string {
  return `set -- ${DEFAULT_STATE_DIR}/labs/${lab}/*/${file}; [ -e "$1" ]`;
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
 * Start `terraform apply` (or `verb`: `destroy`) in its own session, SIGKILL
 * it as soon as `point`'s condition holds, then wait until every process it
 * started (provisioner shells, the engine, `ip`) has finished. With `group`,
 * the whole process group is killed at once (terraform and its running
 * provisioners: what a CI job cancel, an OOM kill of the job or a container
 * stop does).
 */
export function killedApply(sb: Sandbox, lab: Lab, point: KillPoint, group = false, verb: 'apply' | 'destroy' = 'apply'): KillResult {
  lab.terraform('version'); // make sure the directory is initialised before the timed run
  // (dash's kill takes no "--": a negative pid is the process group)
  const target = group ? '-$pid' : '$pid';
  const complete = verb === 'apply' ? 'Apply complete!' : 'Destroy complete!';
  const r = sb.sh(
    `: > kill.log
t0=$(date +%s%N)
setsid terraform ${verb} -auto-approve -input=false -no-color > kill.log 2>&1 &
pid=$!
seen=0
while kill -0 $pid 2>/dev/null; do
  if ${point.cond}; then seen=1; break; fi
  sleep 0.002
done
killed=0
if [ $seen = 1 ] && ! grep -q '${complete}' kill.log && kill -9 ${target} 2>/dev/null; then killed=1; fi
at=$(( ($(date +%s%N) - t0) / 1000000 ))
done=0; grep -q '(local-exec): cdktf-netns: lab ' kill.log && done=1
wait $pid 2>/dev/null
orphans=$(ps -o stat= -s $pid | grep -vc '^Z')
t1=$(date +%s%N); n=0
while [ "$(ps -o stat= -s $pid | grep -vc '^Z')" != 0 ] && [ $n -lt 3000 ]; do sleep 0.01; n=$((n+1)); done
echo "$killed $seen $at $done $orphans $(( ($(date +%s%N) - t1) / 1000000 ))"
grep -q '${complete}' kill.log && echo COMPLETED || true`,
    { cwd: lab.dir, env: TF_ENV },
  );
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

/**
 * After a kill: when Terraform's own state file was cut mid-write, restore
 * terraform.tfstate.backup (Terraform's documented recovery). Returns whether
 * it had to.
 */
export function restoreCutState(sb: Sandbox, lab: Lab): boolean {
  if (stateReadable(sb, lab)) return false;
  sb.ok('cp terraform.tfstate.backup terraform.tfstate', { cwd: lab.dir });
  return true;
}
