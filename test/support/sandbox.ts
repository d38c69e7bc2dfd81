import { ChildProcess, spawn, spawnSync } from 'child_process';

/**
 * A private network sandbox for end-to-end tests: a process in its own network
 * and mount namespaces (`unshare --net --mount --propagation private`) with a
 * tmpfs on /run, so `ip netns add` and the library's state directory live and
 * die with it. Commands run inside it with `nsenter`. The sandbox's root
 * namespace plays the tutorial's "host". Nothing is ever created in the
 * machine's own network namespace; when the sandbox process ends (dispose, or
 * the test runner dying: the keeper watches its parent), the kernel frees
 * every namespace and interface created inside.
 */

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

const KEEPER = [
  'set -e',
  'mount -t tmpfs -o mode=0755 cdktf-netns-sandbox /run',
  'mkdir -p /run/netns /run/cdktf-netns',
  'ip link set lo up',
  'echo ready',
  // live as long as the process that started us (the test runner), at most 2 hours
  'i=0; while kill -0 "$PPID" 2>/dev/null && [ "$i" -lt 7200 ]; do sleep 1; i=$((i+1)); done',
].join('\n');

export class Sandbox {
  /** Start a sandbox; resolves once it is ready. */
  public static async start(): Promise<Sandbox> {
    const sb = new Sandbox();
    await sb.restart();
    return sb;
  }

  /** A sandbox that is not started yet: `restart()` starts it (a test file's hooks do, see e2e.ts). */
  public static unstarted(): Sandbox {
    return new Sandbox();
  }

  private child?: ChildProcess;

  private constructor() {}

  /** Start a fresh sandbox process (the current one, if any, is stopped first); resolves once it is ready. */
  public restart(): Promise<void> {
    this.dispose();
    if (process.getuid && process.getuid() !== 0) {
      throw new Error('E2E tests need root (they create network namespaces inside a private sandbox)');
    }
    const child = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', KEEPER], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d) => {
        err += d;
      });
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`sandbox failed to start (exit ${code}): ${err}`)));
    });
  }

  public get pid(): number {
    if (!this.child) throw new Error('the sandbox is not started');
    return this.child.pid!;
  }

  /** Run a shell command inside the sandbox (network + mount namespaces). */
  public sh(command: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): ExecResult {
    // entering a mount namespace resets the working directory: cd again inside
    const script = opts.cwd ? `cd ${shellQuote(opts.cwd)} && ${command}` : command;
    const r = spawnSync('nsenter', ['-t', String(this.pid), '-n', '-m', '--', 'sh', '-c', script], {
      env: { ...process.env, ...opts.env },
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
  }

  /** Like sh, but throws with the output when the command fails. */
  public ok(command: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
    const r = this.sh(command, opts);
    if (r.code !== 0) throw new Error(`command failed (${r.code}): ${command}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** `ip -j` in a namespace ('' = the sandbox's root namespace), parsed. */
  public ipJson(ns: string, args: string): any[] {
    const out = this.ok(`ip -j ${ns ? `-n ${ns}` : ''} ${args}`);
    return out.trim() ? JSON.parse(out) : [];
  }

  public namespaces(): string[] {
    return this.ok('ls /run/netns').split(/\s+/).filter(Boolean).sort();
  }

  /** Interfaces of a namespace other than lo: name -> details. */
  public links(ns: string): Record<string, { alias?: string; master?: string; up: boolean; addrs: string[]; kind?: string; mtu: number }> {
    const out: Record<string, any> = {};
    for (const l of this.ipJson(ns, '-d addr show')) {
      if (l.ifname === 'lo') continue;
      out[l.ifname] = {
        alias: l.ifalias,
        master: l.master,
        up: (l.flags ?? []).includes('UP'),
        addrs: (l.addr_info ?? [])
          .filter((a: any) => a.scope === 'global')
          .map((a: any) => `${a.local}/${a.prefixlen}`)
          .sort(),
        kind: l.linkinfo?.info_kind,
        mtu: l.mtu,
      };
    }
    return out;
  }

  /** Routes of a namespace, as `dest via gw` strings (kernel routes excluded). */
  public routes(ns: string): string[] {
    return this.ipJson(ns, 'route show')
      .filter((r: any) => r.protocol !== 'kernel')
      .map((r: any) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}`)
      .sort();
  }

  public sysctl(ns: string, key: string): string {
    const path = `/proc/sys/${key.replace(/\./g, '/')}`;
    return this.ok(ns ? `ip netns exec ${ns} cat ${path}` : `cat ${path}`).trim();
  }

  /** One ICMP echo from namespace `from` ('' = the sandbox's root namespace) to `to`; true when answered. */
  public ping(from: string, to: string, waitS = 2): boolean {
    return this.sh(`${from ? `ip netns exec ${from} ` : ''}ping -c 1 -W ${waitS} ${to}`).code === 0;
  }

  /**
   * Start a node script in a namespace of the sandbox (a server, say) and wait until it listens on
   * `port` (tcp, or a bound udp socket); its PID, to end it (and only it) with `stop`.
   */
  public startIn(ns: string, script: string, port: number): number {
    const pid = Number(this.ok(`ip netns exec ${ns} node -e ${shellQuote(script)} >/dev/null 2>&1 & echo $!`).trim());
    if (!(pid > 1)) throw new Error(`startIn ${ns}: no PID`);
    this.ok(`for i in $(seq 50); do ip netns exec ${ns} ss -Hltun "sport = :${port}" | grep -q . && exit 0; sleep 0.1; done; exit 1`);
    return pid;
  }

  /** End a process startIn started, by its PID, and wait until it is gone. */
  public stop(pid: number): void {
    this.sh(`kill ${pid}; while kill -0 ${pid} 2>/dev/null; do sleep 0.05; done`);
  }

  /**
   * Back to an empty sandbox, whatever a failed step left: every namespace
   * (an entry whose mount is gone too), every interface but lo, the routes of
   * our protocol, host forwarding off, the state directory emptied, every nftables table gone.
   */
  public wipe(): void {
    this.sh(
      'for n in $(ls /run/netns); do ip netns del "$n" 2>/dev/null || rm -f "/run/netns/$n"; done; ' +
        'for l in $(ip -o link show | sed -n "s/^[0-9]*: \\([^:@]*\\).*/\\1/p"); do [ "$l" = lo ] || ip link del "$l" 2>/dev/null; done; ' +
        'ip route flush proto 213; ip -6 route flush proto 213; echo 0 > /proc/sys/net/ipv4/ip_forward; rm -rf /run/cdktf-netns/*; ' +
        'if command -v nft >/dev/null 2>&1; then nft flush ruleset; fi',
    );
  }

  /** Stop the sandbox: the kernel frees everything created inside. */
  public dispose(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Run `fn` in a fresh sandbox, always disposed. */
export async function withSandbox<T>(fn: (sb: Sandbox) => Promise<T> | T): Promise<T> {
  const sb = await Sandbox.start();
  try {
    return await fn(sb);
  } finally {
    sb.dispose();
  }
}

/** `s` as one single-quoted shell word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Whether the machine can run the E2E suite at all (used to fail loudly, never to skip). */
export function e2ePrerequisites(): string[] {
  const missing: string[] = [];
  for (const bin of ['unshare', 'nsenter', 'setpriv', 'strace', 'ip', 'terraform', 'ping', 'traceroute', 'nft', 'ssh-keygen', '/usr/sbin/sshd']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) missing.push(bin);
  }
  return missing;
}
