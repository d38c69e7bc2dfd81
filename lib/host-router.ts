import { Construct } from 'constructs';
import { HostSysctl } from './host-sysctl';
import { INamespace } from './core/types';

export interface HostRouterProps {
  /**
   * Enable IPv6 forwarding as well.
   * @default false
   */
  readonly ipv6Forwarding?: boolean;
}

/**
 * The host itself as the router (the tutorial's "host as router" scenario):
 * turns on the host's IPv4 (and optionally IPv6) forwarding while the lab
 * exists and restores the previous values on destroy. Use it as the
 * namespace of interfaces and routes like `Namespace.HOST`.
 */
export class HostRouter extends Construct implements INamespace {
  public readonly namespaceName = '';
  public readonly isHost = true;
  public readonly forwarding: HostSysctl[] = [];

  constructor(scope: Construct, id: string, props: HostRouterProps = {}) {
    super(scope, id);
    this.forwarding.push(new HostSysctl(this, 'Ipv4Forwarding', { key: 'net.ipv4.ip_forward', value: '1' }));
    if (props.ipv6Forwarding) {
      this.forwarding.push(new HostSysctl(this, 'Ipv6Forwarding', { key: 'net.ipv6.conf.all.forwarding', value: '1' }));
    }
  }
}
