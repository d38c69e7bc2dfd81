/**
 * test/support/uml.ts — run a shell command inside a throw-away User-Mode Linux
 * guest kernel that has 802.1Q VLANs and VLAN-filtering bridges (the host
 * kernel has neither, and tests must never touch the host's own network
 * namespace anyway). Thin wrapper around scripts/uml-run.sh; see that script's
 * header for how the guest is built.
 *
 *   import { runInVlanKernel, vlanKernelAvailable } from '../support/uml';
 *   const avail = vlanKernelAvailable();
 *   (avail.ok ? it : it.skip)('pings over VLAN 10', async () => {
 *     const r = await runInVlanKernel('terraform apply -auto-approve', { workdir: dir });
 *     expect(r.code).toBe(0);
 *   }, 180_000);
 *
 * Inside the guest: root, cwd = workdir (mounted read-write from the host at
 * the same path), host's binaries (terraform, ip, ping, node...) read-only
 * with writes elsewhere going to a RAM overlay, fresh /tmp and /run, no
 * network device but loopback. Every process start costs ~30 ms and every
 * terraform invocation ~1.2 s inside the guest; boot is ~2 s.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Absolute path of scripts/uml-run.sh (repo-relative to this file). */
export const UML_RUN_SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'uml-run.sh');

const UML_KERNEL = process.env.UML_KERNEL ?? '/usr/bin/linux.uml';
const UML_MODULES_BASE = process.env.UML_MODDIR_BASE ?? '/usr/lib/uml/modules';

export interface RunInVlanKernelOptions {
  /** Host directory mounted read-write at the same path; the command's cwd. */
  workdir: string;
  /** Limit for boot + command, ms (default 600 000). Rounded up to seconds. */
  timeoutMs?: number;
  /** Extra environment variables for the command inside the guest. */
  env?: Record<string, string>;
  /** Guest RAM in UML syntax, e.g. '512M', '2G' (default '1G'). */
  mem?: string;
  /** Kernel modules to load at boot (default 8021q bridge veth dummy). */
  modules?: string[];
}

export interface VlanKernelResult {
  /** The command's exit status; 124 on timeout, 125 harness/boot failure. */
  code: number;
  stdout: string;
  stderr: string;
  /** Host-side start of the harness to the command's start in the guest; -1 if never reached. */
  bootMs: number;
  /** Command run time inside the guest, ms; -1 if unknown. */
  cmdMs: number;
  /** Whole harness run time, ms. */
  totalMs: number;
  timedOut: boolean;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Cheap check (no boot) that the UML kernel, its modules and kmod are
 * installed, i.e. that runInVlanKernel can work. Use it to skip tests.
 */
export function vlanKernelAvailable(): { ok: boolean; why?: string } {
  if (process.platform !== 'linux') return { ok: false, why: `UML needs a Linux host (platform is ${process.platform})` };
  if (process.arch !== 'x64') return { ok: false, why: `Debian's linux.uml is x86_64 only (arch is ${process.arch})` };
  if (!isExecutable(UML_RUN_SCRIPT)) return { ok: false, why: `${UML_RUN_SCRIPT} missing or not executable` };
  if (!isExecutable(UML_KERNEL)) {
    return { ok: false, why: `${UML_KERNEL} not found: run scripts/install-uml.sh (Debian package user-mode-linux)` };
  }
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(UML_MODULES_BASE);
  } catch {
    /* handled below */
  }
  const ver = versions[0];
  if (!ver) return { ok: false, why: `no UML kernel modules under ${UML_MODULES_BASE}` };
  for (const m of ['net/8021q/8021q.ko', 'net/bridge/bridge.ko', 'drivers/net/veth.ko', 'fs/overlayfs/overlay.ko']) {
    const ko = path.join(UML_MODULES_BASE, ver, 'kernel', m);
    if (!fs.existsSync(ko)) return { ok: false, why: `UML module missing: ${ko}` };
  }
  const inPath = (bin: string, dirs: string[]) => dirs.some((d) => isExecutable(path.join(d, bin)));
  const sbin = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  if (!inPath('modprobe', sbin) || !inPath('insmod', sbin)) return { ok: false, why: 'kmod (modprobe/insmod) not installed: run scripts/install-uml.sh' };
  if (!inPath('chroot', sbin)) return { ok: false, why: 'chroot (coreutils) not found' };
  if (!inPath('ip', sbin)) return { ok: false, why: 'ip (iproute2) not found' };
  return { ok: true };
}

/**
 * Boot a fresh UML guest, run `command` with `bash -c` as root in
 * `opts.workdir`, power the guest off, and resolve with the command's exit
 * status and output. Never rejects for a failing command; rejects only if the
 * harness cannot be spawned at all. Guest kernel messages are not included.
 */
export async function runInVlanKernel(command: string, opts: RunInVlanKernelOptions): Promise<VlanKernelResult> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const timeoutS = Math.max(1, Math.ceil(timeoutMs / 1000));
  const workdir = path.resolve(opts.workdir);
  const metaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uml-meta-'));
  const metaFile = path.join(metaDir, 'meta');

  const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.env ?? {}) };
  const args = [UML_RUN_SCRIPT, '--quiet', '--timeout', String(timeoutS), '--workdir', workdir, '--meta', metaFile];
  for (const name of Object.keys(opts.env ?? {})) args.push('--env', name);
  if (opts.mem) args.push('--mem', opts.mem);
  if (opts.modules) args.push('--modules', opts.modules.join(' '));
  args.push('--', command);

  const started = Date.now();
  try {
    return await new Promise<VlanKernelResult>((resolve, reject) => {
      const child = spawn('bash', args, { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      // Belt and braces: the script enforces the timeout itself (guest-side,
      // then a hard kill ~5 s later). If it is still alive well after that,
      // SIGTERM it: its trap kills the UML process group and removes its
      // temp dir.
      const guard = setTimeout(() => child.kill('SIGTERM'), timeoutMs + 30_000);
      // If the test process is interrupted, take the guest down with it.
      const onExit = () => child.kill('SIGTERM');
      process.once('exit', onExit);
      child.on('error', (e) => {
        clearTimeout(guard);
        process.removeListener('exit', onExit);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(guard);
        process.removeListener('exit', onExit);
        const meta: Record<string, string> = {};
        try {
          for (const line of fs.readFileSync(metaFile, 'utf8').split('\n')) {
            const i = line.indexOf('=');
            if (i > 0) meta[line.slice(0, i)] = line.slice(i + 1);
          }
        } catch {
          /* script died before writing it */
        }
        const num = (k: string, dflt: number) => (meta[k] !== undefined && meta[k] !== '' ? Number(meta[k]) : dflt);
        const exit = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 125);
        resolve({
          code: num('exit', exit),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          bootMs: num('boot_ms', -1),
          cmdMs: num('cmd_ms', -1),
          totalMs: num('total_ms', Date.now() - started),
          timedOut: meta.timed_out === '1' || exit === 124,
        });
      });
    });
  } finally {
    fs.rmSync(metaDir, { recursive: true, force: true });
  }
}
