/**
 * Simulated machines inside a sandbox (issue 13's test bed): each host is a process with its own
 * network, mount and UTS namespaces and a private /run, running Debian's sshd on an underlay
 * bridge of the sandbox's root namespace, reached with a key this harness makes. Nothing listens
 * outside the sandbox: the sshd sockets live in the hosts' network namespaces, which exist only
 * inside it, and the hosts end with the sandbox (or `stop`).
 *
 *   sandbox root: underlay0 10.200.0.1/24  --veth--  host i: eth0 10.200.0.(10+i)/24, sshd :22
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Sandbox, shellQuote } from './sandbox';

export const UNDERLAY = { bridge: 'underlay0', address: '10.200.0.1', prefix: 24 };

export interface SimHost {
  readonly name: string;
  /** Its address on the underlay: where Terraform's SSH communicator connects. */
  readonly address: string;
  /** The PID of its init shell (sshd's parent; it holds the host's namespaces): nsenter -t PID enters the host. */
  readonly pid: number;
  /** Its public host key, as `ssh-keyscan` would print it (`ssh-ed25519 AAAA...`), for pinning. */
  readonly hostKey: string;
}

export interface SimHosts {
  readonly hosts: SimHost[];
  /** The private key that logs in as root on every host (a file in a root-only directory). */
  readonly keyFile: string;
  /** Run a command on a host (as root, in its namespaces: what an SSH session there would see). */
  on(host: SimHost, command: string): { code: number; stdout: string; stderr: string };
  /** End a host's sshd (by its PID): the machine is "down" for SSH, its kernel objects stay. */
  stopSsh(host: SimHost): void;
  /** End every host (its sshd, then its init: the kernel frees its namespaces) and wait until they are gone. */
  dispose(): void;
}

/** Start `count` simulated hosts in the sandbox: host1 .. hostN at 10.200.0.11 ... */
export function startHosts(sb: Sandbox, count: number): SimHosts {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-netns-hosts-'));
  chmodSync(dir, 0o700);
  const keyFile = join(dir, 'client_key');
  sb.ok(`ssh-keygen -q -t ed25519 -N '' -C test-client -f ${shellQuote(keyFile)}`);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${keyFile}.pub`));
  sb.ok(
    `ip link show ${UNDERLAY.bridge} >/dev/null 2>&1 || { ip link add ${UNDERLAY.bridge} type bridge && ip addr add ${UNDERLAY.address}/${UNDERLAY.prefix} dev ${UNDERLAY.bridge} && ip link set ${UNDERLAY.bridge} up; }`,
  );
  const hosts: SimHost[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `host${i}`;
    const address = `10.200.0.${10 + i}`;
    const hdir = join(dir, name);
    sb.ok(`mkdir -m 700 ${shellQuote(hdir)} && ssh-keygen -q -t ed25519 -N '' -C ${name} -f ${shellQuote(join(hdir, 'host_key'))}`);
    writeFileSync(
      join(hdir, 'sshd_config'),
      [
        `ListenAddress ${address}`,
        `HostKey ${join(hdir, 'host_key')}`,
        'PidFile /run/sshd.pid',
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        // the key files live in a root-only directory under /tmp (its parent is world-writable)
        'StrictModes no',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    // the host: new net, mount and UTS namespaces; a private /run (its own /run/netns and state
    // directory); it waits for its eth0, then runs sshd in the foreground
    const init = [
      'set -e',
      `echo $$ > ${shellQuote(join(hdir, 'pid'))}`,
      'mount -t tmpfs -o mode=0755 simhost /run',
      'mkdir -p /run/netns /run/sshd',
      `hostname ${name}`,
      'ip link set lo up',
      'i=0; while ! ip link show eth0 >/dev/null 2>&1; do sleep 0.05; i=$((i+1)); [ $i -lt 200 ]; done',
      `ip addr add ${address}/${UNDERLAY.prefix} dev eth0`,
      'ip link set eth0 up',
      `ip route add default via ${UNDERLAY.address}`,
      `/usr/sbin/sshd -D -e -f ${shellQuote(join(hdir, 'sshd_config'))} 2>> ${shellQuote(join(hdir, 'sshd.log'))} &`,
      // the host lives as long as the sandbox (its keeper's PID), or until `dispose`; sshd with it
      `while kill -0 ${sb.pid} 2>/dev/null && [ ! -e ${shellQuote(join(hdir, 'halt'))} ]; do sleep 0.2; done`,
      'kill "$(cat /run/sshd.pid)" 2>/dev/null || true',
    ].join('\n');
    sb.ok(`setsid unshare --net --mount --uts --propagation private --fork sh -c ${shellQuote(init)} >/dev/null 2>&1 < /dev/null &`);
    sb.ok(`i=0; while [ ! -s ${shellQuote(join(hdir, 'pid'))} ]; do sleep 0.05; i=$((i+1)); [ $i -lt 100 ]; done`);
    const pid = Number(readFileSync(join(hdir, 'pid'), 'utf8').trim());
    const veth = `u-${name}`;
    sb.ok(`ip link add ${veth} type veth peer name eth0 netns ${pid} && ip link set ${veth} master ${UNDERLAY.bridge} && ip link set ${veth} up`);
    // sshd listening
    sb.ok(`i=0; until nsenter -t ${pid} -n ss -Hltn "sport = :22" | grep -q .; do sleep 0.05; i=$((i+1)); [ $i -lt 200 ]; done`);
    const hostKey = readFileSync(join(hdir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    hosts.push({ name, address, pid, hostKey });
  }
  return {
    hosts,
    keyFile,
    on: (host, command) => sb.sh(`nsenter -t ${host.pid} -n -m -u sh -c ${shellQuote(command)}`),
    stopSsh: (host) => {
      sb.sh(`p=$(nsenter -t ${host.pid} -m cat /run/sshd.pid) && kill "$p" && while kill -0 "$p" 2>/dev/null; do sleep 0.05; done`);
    },
    dispose: () => {
      for (const h of hosts) writeFileSync(join(dir, h.name, 'halt'), '');
      for (const h of hosts) sb.sh(`i=0; while kill -0 ${h.pid} 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
