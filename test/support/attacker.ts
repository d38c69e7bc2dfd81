/**
 * A local attacker: an unprivileged user (nobody) on the machine that
 * deploys, as the security tests and the reliability matrix's local-attacker
 * row (and its repro) play it, inside a sandbox.
 */
import { Sandbox, shellQuote } from './sandbox';

/** A command run as nobody (uid and gid 65534, no supplementary groups). */
export function asNobody(command: string): string {
  return `setpriv --reuid=65534 --regid=65534 --clear-groups ${command}`;
}

/**
 * The planting attacker's shell loop (run it with `asNobody`): for every entry
 * it sees in /tmp, /var/tmp and /dev/shm, it plants a symlink to `canary` and a
 * FIFO fed with `fifoLine` (a fake inventory line) at the sibling names a
 * script might use, and symlinks to `canary` at fixed names a script might
 * pick; `rounds` times over.
 */
export function plantingAttacker(opts: { rounds: number; canary: string; fifoLine: string }): string {
  return `
    i=0
    while [ $i -lt ${opts.rounds} ]; do
      i=$((i+1))
      for d in /tmp /var/tmp /dev/shm; do
        for f in "$d"/* "$d"/.*; do
          [ -e "$f" ] || [ -L "$f" ] || continue
          case $f in */.|*/..|*.bait) continue ;; esac
          for s in .links .addrs .routes .new .tmp .json .err .lock; do
            [ -e "$f$s" ] || [ -L "$f$s" ] && continue
            if [ $((i % 2)) = 0 ]; then ln -s ${opts.canary} "$f$s" 2>/dev/null
            else mkfifo "$f$s" 2>/dev/null && (printf '%s\\n' ${shellQuote(opts.fifoLine)} > "$f$s" &) ; fi
          done
        done
        for n in cdktf-netns cdktf-netns.log netns.tmp inventory facts.json lab.data sh-thd-1 tmp.0 awk.tmp sort0000; do
          [ -e "$d/$n" ] || [ -L "$d/$n" ] || ln -s ${opts.canary} "$d/$n" 2>/dev/null
        done
      done
    done`;
}

/**
 * Run `script` in a nested mount namespace of the sandbox with private tmpfs
 * (mode 1777) on /tmp, /var/tmp and /dev/shm, so nothing is planted in the
 * machine's own. /run/netns stays shared with the sandbox (an `ip netns add`
 * first makes it a shared mount), so the namespaces made inside are the
 * sandbox's.
 */
export function withPrivateTmp(sb: Sandbox, script: string, timeoutMs?: number): { code: number; stdout: string; stderr: string } {
  sb.ok('ip netns add tmp-probe && ip netns del tmp-probe');
  const inner = `set -e
mount -t tmpfs -o mode=1777 tmp /tmp; mount -t tmpfs -o mode=1777 tmp /var/tmp; mount -t tmpfs -o mode=1777 tmp /dev/shm
${script}`;
  return sb.sh(`unshare --mount --propagation unchanged sh -c ${shellQuote(inner)}`, { timeoutMs });
}

/**
 * A container-like namespace of nobody (`unshare --user --map-root-user
 * --net`: CAP_NET_ADMIN in its own user namespace only) running `inner` (which
 * should end in `exec sleep N`), published by root as /run/netns/`name`.
 * Returns the pid of its process (kill it when done).
 */
export function publishSpoofedNamespace(sb: Sandbox, name: string, inner: string): string {
  sb.ok(`${asNobody(`unshare --user --map-root-user --net sh -c ${shellQuote(inner)}`)} > /dev/null 2>&1 & echo $! > /run/spoof-${name}.pid`);
  const pid = sb.ok(`sleep 0.5; cat /run/spoof-${name}.pid; rm -f /run/spoof-${name}.pid`).trim();
  sb.ok(`ip netns attach ${name} ${pid}`);
  return pid;
}
