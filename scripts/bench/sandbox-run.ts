/**
 * Running commands in the bench's private sandboxes (test/support/sandbox.ts:
 * `unshare --net --mount --propagation private`, tmpfs on /run, nothing is
 * ever created in this machine's own network namespace).
 *
 * Unlike Sandbox.sh (spawnSync), commands here run asynchronously, so that a
 * timeout or a signal to the bench can stop a running `terraform` and every
 * provisioner shell it started, and no sandbox outlives the bench
 * (`closeAll`). Commands stay in the bench's process group: whoever kills
 * that group (a CI job cancel, a test runner's timeout) ends them too.
 */
import { ChildProcess, spawn } from 'child_process';
import { readFileSync, readdirSync, readlinkSync } from 'fs';
import { Sandbox, shellQuote } from '../../test/support/sandbox';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Commands still running, killed by closeAll. */
const running = new Set<ChildProcess>();
/** Sandboxes still open, closed by closeAll. */
const open = new Set<BenchSandbox>();

/**
 * Run `argv`. On timeout the command is killed and the result (code -1)
 * returned at once: processes it started may still hold its output open
 * (BenchSandbox kills those).
 */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    let done = false;
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const finish = (code: number, timedOut: boolean, extra = ''): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stdout, stderr: stderr + extra, timedOut });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(-1, true, `\n(timed out after ${timeoutMs} ms)`);
    }, timeoutMs);
    child.once('error', (e) => finish(-1, false, String(e)));
    child.once('close', (code) => finish(code ?? -1, false));
  });
}

/** The namespace ids (`net:[…]`, `mnt:[…]`) of a process, or [] when it is gone. */
function namespacesOf(pid: string): string[] {
  try {
    return [readlinkSync(`/proc/${pid}/ns/net`), readlinkSync(`/proc/${pid}/ns/mnt`)];
  } catch {
    return [];
  }
}

/** A private sandbox for one measured run. */
export class BenchSandbox {
  public static async start(): Promise<BenchSandbox> {
    const box = new BenchSandbox(await Sandbox.start());
    open.add(box);
    return box;
  }

  /** The sandbox's network and mount namespace ids: every process in one of them was started by this bench. */
  private readonly ids: Set<string>;

  private constructor(private readonly sandbox: Sandbox) {
    this.ids = new Set(namespacesOf(String(sandbox.pid)));
  }

  /** Run a shell script inside the sandbox (its root network namespace and its mount namespace). */
  public async sh(script: string, opts: RunOptions = {}): Promise<RunResult> {
    // entering a mount namespace resets the working directory: cd inside
    const body = opts.cwd ? `cd ${shellQuote(opts.cwd)} && ${script}` : script;
    const r = await run(['nsenter', '-t', String(this.sandbox.pid), '-n', '-m', '--', 'sh', '-c', body], { ...opts, cwd: undefined });
    // what the killed shell had started (terraform, provisioners) must not run on
    if (r.timedOut) this.killInside();
    return r;
  }

  /** Like sh, but throws with the output when the script fails. */
  public async ok(script: string, opts: RunOptions = {}): Promise<string> {
    const r = await this.sh(script, opts);
    if (r.code !== 0) throw new Error(`sandbox command failed (${r.code}): ${script.slice(0, 300)}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    return r.stdout;
  }

  /**
   * Run `command` in a subshell with its output in `log`, and time it inside
   * the sandbox (so nsenter's start-up is not counted): ms and exit code.
   */
  public async timed(command: string, log: string, opts: RunOptions = {}): Promise<{ code: number; ms: number; log: string }> {
    const r = await this.sh(
      ['t0=$(date +%s%N)', `( ${command}\n) > ${shellQuote(log)} 2>&1`, 'rc=$?', 't1=$(date +%s%N)', 'echo "$rc $(( (t1 - t0) / 1000 ))"'].join('\n'),
      opts,
    );
    const out = readLog(log);
    const m = /^(\d+) (\d+)\s*$/m.exec(r.stdout);
    if (r.code !== 0 || !m) return { code: r.code === 0 ? -1 : r.code, ms: NaN, log: `${out}\n${r.stdout}\n${r.stderr}` };
    return { code: Number(m[1]), ms: Number(m[2]) / 1000, log: out };
  }

  /**
   * End the sandbox: the keeper first, then anything of ours still running
   * inside (a terraform left by a timeout, provisioner shells); the kernel
   * then frees every namespace and interface made in it.
   */
  public close(): void {
    this.sandbox.dispose();
    this.killInside();
    open.delete(this);
  }

  /** SIGKILL every process in the sandbox's namespaces but its keeper. */
  private killInside(): void {
    const keeper = String(this.sandbox.pid);
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      if (pid === keeper || pid === String(process.pid)) continue;
      if (namespacesOf(pid).some((id) => this.ids.has(id))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Kill every command still running and close every sandbox (end of the bench, failure or signal). */
export function closeAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const box of [...open]) box.close();
}

function cpuTimes(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
}

/**
 * Wait until the machine is quiet: a 500 ms window with the CPUs at least
 * 85% idle, at most `maxMs` (a machine busy with something else must not
 * stall the bench). After a run with thousands of namespaces the kernel
 * keeps working for seconds (freeing namespaces, address configuration),
 * and that would be billed to whatever is timed next.
 */
export async function waitForQuiet(maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, 500));
    const b = cpuTimes();
    if (b.total > a.total && (b.idle - a.idle) / (b.total - a.total) >= 0.85) return;
  }
}

/** Run `fn` in a fresh sandbox, always closed afterwards. */
export async function withSandbox<T>(fn: (box: BenchSandbox) => Promise<T>): Promise<T> {
  const box = await BenchSandbox.start();
  try {
    return await fn(box);
  } finally {
    box.close();
  }
}
