import { Construct } from 'constructs';
import { fail } from './core/errors';
import { backendOf } from './core/settings';
import { HOST_BRAND, IHost, INamespace, isHostHandle, NAMESPACE_BRAND, registerHostHandle, registerNamespaceHandle } from './core/types';
import { isPort, knownKeys, validateIp } from './core/validate';
import { Lab } from './engine/lab';

/** Options of a Host: where and how Terraform's SSH communicator reaches the machine. */
export interface HostProps {
  /** The machine's IP address (IPv4 or IPv6): where Terraform connects, and the default underlay address of its VXLAN ends. */
  readonly address: string;
  /**
   * The user Terraform logs in as. Only `root` is supported: the lab's engine creates kernel
   * objects and its root-only state directory, and sudo is not used.
   * @default 'root'
   */
  readonly user?: string;
  /**
   * The SSH port.
   * @default 22
   */
  readonly port?: number;
  /**
   * Path of the private key file on the machine running Terraform (read by Terraform at apply:
   * its content never enters the plan or the state). Only with the `terraform_data` backend (its
   * `input` holds the path, so a moved key changes nothing else); with `null_resource`, leave it
   * out and load the key into an SSH agent (`SSH_AUTH_SOCK`).
   * @default - the SSH agent
   */
  readonly privateKeyFile?: string;
  /**
   * The host's public key (`ssh-ed25519 AAAA...`, as `ssh-keyscan` prints it without the host
   * name): Terraform refuses a host that presents another. Without it Terraform checks no host key
   * at all (anyone answering at the address gets the lab's commands).
   * @default - no host key check
   */
  readonly hostKey?: string;
  /**
   * How long Terraform tries to connect before the deploy fails naming the host.
   * @default 15
   */
  readonly timeoutSeconds?: number;
  /**
   * The host's name in the lab: unique in the stack, part of its resources' Terraform names.
   * @default - the construct id
   */
  readonly name?: string;
}

/** What Terraform's SSH connection needs, as it is written on the host's resources. */
export interface HostConnection extends Readonly<Record<string, string | undefined>> {
  /** The address Terraform connects to. */
  readonly host: string;
  /** The login user (root). */
  readonly user: string;
  /** The SSH port. */
  readonly port: string;
  /** The connect timeout, as Terraform reads it (`15s`). */
  readonly timeout: string;
  /** The private key file's path (its content is read by Terraform at apply). */
  readonly private_key_file?: string;
  /** The pinned host key. */
  readonly host_key?: string;
}

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const KEY_FILE = /^\/[A-Za-z0-9_./@+-]{1,255}$/;
/** An OpenSSH public key: its type, its base64 data, and optionally a comment of safe characters (dropped). */
const HOST_KEY =
  /^((?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]{16,8192}={0,3})( [A-Za-z0-9_.@+:-]{1,100})?$/;

/**
 * A Linux machine the lab puts kernel objects on, reached over SSH by Terraform's own
 * communicator (`connection` blocks with `remote-exec` and `file` provisioners: no provider).
 * Namespaces, routers and bridges given `host` live there; what is attached to them follows.
 * Each host is its own lab: its engine and record in a root-only directory there, its own three
 * resources (created in parallel with the other hosts'), its own teardown.
 *
 * `host.rootNamespace` is the machine's root namespace (what `Namespace.HOST` is on the local
 * machine, the one running Terraform).
 */
export class Host extends Construct implements IHost {
  /** Whether `x` is a host handle of this library. */
  public static isHost(x: unknown): x is IHost {
    return isHostHandle(x);
  }

  /** Brand of host handles. */
  public readonly [HOST_BRAND] = true as const;
  public readonly hostName: string;
  public readonly address: string;
  public readonly rootNamespace: INamespace;
  /** What Terraform's connection reads (validated; the key file's path, never its content). */
  public readonly connection: HostConnection;

  constructor(scope: Construct, id: string, props: HostProps) {
    super(scope, id);
    registerHostHandle(this);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { address, privateKeyFile?, hostKey?, ... }');
    knownKeys(this, 'props', props, ['address', 'user', 'port', 'privateKeyFile', 'hostKey', 'timeoutSeconds', 'name']);
    const name = props.name ?? id;
    if (typeof name !== 'string' || !HOST_NAME.test(name)) {
      fail(
        this,
        'the host name must be 1 to 32 characters of A-Z a-z 0-9 _ -, starting with a letter or digit',
        name,
        'give the Host a name such as "rack2" (the name prop, or the construct id)',
      );
    }
    this.hostName = name;
    this.address = validateIp(this, 'address', props.address).text;
    const user = props.user ?? 'root';
    if (user !== 'root') {
      fail(
        this,
        'only the root user is supported: the engine creates kernel objects and a root-only state directory, and cdktf-netns does not use sudo',
        user,
        'connect as root (sshd: PermitRootLogin prohibit-password, with a key), or leave user out',
      );
    }
    const port = props.port ?? 22;
    if (!isPort(port)) fail(this, 'port must be a whole number from 1 to 65535', props.port, 'leave it out for 22');
    const timeout = props.timeoutSeconds ?? 15;
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 600) {
      fail(this, 'timeoutSeconds must be a whole number from 1 to 600', props.timeoutSeconds, 'leave it out for 15 seconds');
    }
    let keyFile: string | undefined;
    if (props.privateKeyFile !== undefined) {
      if (typeof props.privateKeyFile !== 'string' || !KEY_FILE.test(props.privateKeyFile) || props.privateKeyFile.split('/').includes('..')) {
        fail(this, 'privateKeyFile must be an absolute path of A-Z a-z 0-9 _ . / @ + - (no ..)', props.privateKeyFile, 'e.g. /root/.ssh/lab_ed25519');
      }
      if (backendOf(this) === 'null_resource') {
        fail(
          this,
          "privateKeyFile needs the terraform_data backend: null_resource keeps connection data in its triggers, so a moved key would replace the host's Teardown and rebuild its lab",
          props.privateKeyFile,
          'load the key into an SSH agent (ssh-add; Terraform uses SSH_AUTH_SOCK) and leave privateKeyFile out, or set the context "cdktf-netns:backend" to "terraform_data"',
        );
      }
      keyFile = props.privateKeyFile;
    }
    let hostKey: string | undefined;
    if (props.hostKey !== undefined) {
      const m = typeof props.hostKey === 'string' ? HOST_KEY.exec(props.hostKey) : null;
      if (!m) {
        fail(
          this,
          'hostKey must be an OpenSSH public key: its type and base64 data',
          props.hostKey,
          'copy it from ssh-keyscan ADDRESS (without the host name), e.g. "ssh-ed25519 AAAAC3..."',
        );
      }
      hostKey = m[1];
    }
    this.connection = {
      host: this.address,
      user,
      port: String(port),
      timeout: `${timeout}s`,
      ...(keyFile ? { private_key_file: keyFile } : {}),
      ...(hostKey ? { host_key: hostKey } : {}),
    };
    const root: INamespace = Object.freeze({ namespaceName: '', isHost: true, host: this as IHost, [NAMESPACE_BRAND]: true as const });
    registerNamespaceHandle(root);
    this.rootNamespace = root;
    Lab.of(this).registerHost(this);
  }
}
