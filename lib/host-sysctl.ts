import { ITerraformDependable } from './core/cdk';
import { Construct } from 'constructs';
import { fail } from './core/errors';
import { Lab } from './engine/lab';
import { HOST_SYSCTL } from './kinds';
import { validateHost, validateSysctl } from './core/validate';
import { IHost } from './core/types';

/** Options of a HostSysctl: one host-level sysctl. */
export interface HostSysctlProps {
  /** A `net.*` sysctl of the host's namespace, e.g. "net.ipv4.ip_forward". */
  readonly key: string;
  /** The value to set while the lab exists. */
  readonly value: string | number;
  /**
   * The machine whose root namespace it is set on.
   * @default - the local machine
   */
  readonly host?: IHost;
}

/**
 * A host-level network setting that the lab needs (e.g. IPv4 forwarding when
 * the host is the router). Its previous value is saved under the state
 * directory and restored on destroy; when several labs set the same key, the
 * original value comes back when the last one is destroyed.
 */
export class HostSysctl extends Construct implements ITerraformDependable {
  /** The sysctl key, in its canonical spelling (e.g. `net.ipv4.ip_forward`). */
  public readonly key: string;
  /** The value it is set to while the lab exists. */
  public readonly value: string;
  /** The machine it is set on (undefined: the local machine). */
  public readonly host?: IHost;
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: HostSysctlProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { key, value }');
    [this.key, this.value] = validateSysctl(this, props.key, props.value, true);
    this.host = validateHost(this, 'host', props.host);
    this.lab = Lab.of(this);
    this.lab.add(this, () => [[HOST_SYSCTL, { key: this.key, value: this.value }]], this.host);
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.lab.dependableOn(this.host).fqn;
  }
}
