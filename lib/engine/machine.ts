import { spawnSync, SpawnSyncReturns } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Where the CLI's reads and engine runs happen: this machine, or a Host reached with OpenSSH's
 * client (`ssh`), as Terraform's communicator reaches it at deploy time: the same address, port,
 * user, key file (or the agent) and pinned host key, taken from the synthesized plan. One SSH
 * connection is opened and multiplexed (ControlMaster) for all the commands of a run.
 */
export interface Machine {
  /** How messages name it: `this machine`, `host "rack2" (10.0.0.12)`. */
  readonly label: string;
  /** Run a command (argv: no shell on this machine; quoted for the remote shell there). */
  run(argv: readonly string[]): SpawnSyncReturns<string>;
  /** End the machine's connection (if any). */
  close(): void;
}

const MAX_BUFFER = 256 * 1024 * 1024;

export const LOCAL: Machine = {
  label: 'this machine',
  run: (argv) => spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: MAX_BUFFER }),
  close: () => undefined,
};

/** POSIX shell quoting of one word. */
export const shellWord = (s: string): string => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** A Host's connection data as the plan holds them (terraform_data's `input`, or null_resource's `ssh_` triggers). */
export interface SshData {
  readonly host: string;
  readonly user?: string;
  readonly port?: string;
  readonly timeout?: string;
  readonly private_key_file?: string;
  readonly host_key?: string;
}

/** A Host reached by `ssh`; warns through `warn` when its host key is not pinned (then, as Terraform, none is checked). */
export function sshMachine(name: string, data: SshData, warn: (s: string) => void): Machine {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-netns-ssh-'));
  const known = join(dir, 'known_hosts');
  const port = data.port ?? '22';
  const base = [
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${Number.parseInt(data.timeout ?? '15', 10) || 15}`,
    '-o',
    `ControlPath=${join(dir, 'cm')}`,
    '-o',
    'ControlMaster=auto',
    '-o',
    'ControlPersist=60',
    '-p',
    port,
    '-l',
    data.user ?? 'root',
  ];
  if (data.host_key) {
    writeFileSync(known, `${port === '22' ? data.host : `[${data.host}]:${port}`} ${data.host_key}\n`, { mode: 0o600 });
    base.push('-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'GlobalKnownHostsFile=/dev/null');
  } else {
    warn(`host "${name}" has no pinned host key (hostKey): its key is not checked, as Terraform checks none`);
    base.push('-o', 'UserKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'LogLevel=ERROR');
  }
  if (data.private_key_file) base.push('-i', data.private_key_file, '-o', 'IdentitiesOnly=yes');
  const label = `host "${name}" (${data.host})`;
  return {
    label,
    run: (argv) => {
      const r = spawnSync('ssh', [...base, '--', data.host, argv.map(shellWord).join(' ')], { encoding: 'utf8', maxBuffer: MAX_BUFFER });
      // 255: ssh itself failed (unreachable, refused, a key that does not match)
      if (r.status === 255) throw new Error(`cannot reach ${label} over SSH: ${(r.stderr || '').trim() || 'ssh failed'}`);
      return r;
    },
    close: () => {
      spawnSync('ssh', [...base, '-O', 'exit', data.host], { encoding: 'utf8' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
