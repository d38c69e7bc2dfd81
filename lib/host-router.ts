import { Construct } from 'constructs';
import { HostSysctl } from './host-sysctl';
import { fail } from './core/errors';
import { validateBoolean, validateHost } from './core/validate';
import { IHost, INamespace, NAMESPACE_BRAND, registerNamespaceHandle } from './core/types';

/** Options of a HostRouter. */
export interface HostRouterProps {
  /**
   * Enable IPv6 forwarding as well.
   * @default false
   */
  readonly ipv6Forwarding?: boolean;
  /**
   * The machine that routes (its root namespace).
   * @default - the local machine
   */
  readonly host?: IHost;
}

/**
 * The host itself as the router (the tutorial's "host as router" scenario):
 * turns on the host's IPv4 (and optionally IPv6) forwarding while the lab
 * exists and restores the previous values on destroy. Use it as the
 * namespace of interfaces and routes like `Namespace.HOST`.
 */
export class HostRouter extends Construct implements INamespace {
  /** Brand of namespace handles. */
  public readonly [NAMESPACE_BRAND] = true as const;
  /** The host namespace has no `ip netns` name: the empty string. */
  public readonly namespaceName = '';
  /** Always true: the host's own (root) namespace. */
  public readonly isHost = true;
  /** The machine (undefined: the local machine). */
  public readonly host?: IHost;
  /** The host sysctls it sets (IPv4 forwarding, and IPv6 forwarding when asked). */
  public readonly forwarding: readonly HostSysctl[];
  private readonly settings: HostSysctl[] = [];

  constructor(scope: Construct, id: string, props: HostRouterProps = {}) {
    super(scope, id);
    registerNamespaceHandle(this);
    this.forwarding = this.settings;
    if (props === null || typeof props !== 'object') fail(this, 'props must be an object', props, 'pass { ipv6Forwarding?, host? }');
    const host = (this.host = validateHost(this, 'host', props.host));
    this.settings.push(new HostSysctl(this, 'Ipv4Forwarding', { key: 'net.ipv4.ip_forward', value: '1', host }));
    if (validateBoolean(this, 'ipv6Forwarding', props.ipv6Forwarding, false)) {
      this.settings.push(new HostSysctl(this, 'Ipv6Forwarding', { key: 'net.ipv6.conf.all.forwarding', value: '1', host }));
    }
  }
}
