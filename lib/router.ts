import { Construct } from 'constructs';
import { fail, show } from './core/errors';
import { MAX_IFNAME, validateBoolean } from './core/validate';
import { kernelInterfaceName } from './core/interface';
import { parseCidr } from './core/ip';
import { IBridge, INamespace, isBridgeHandle, isNamespaceHandle } from './core/types';
import { Namespace, NamespaceProps } from './namespace';
import { Route } from './route';
import { VethPair } from './veth-pair';

/** Options of a Router: those of a Namespace, plus IPv6 forwarding. */
export interface RouterProps extends NamespaceProps {
  /**
   * Enable IPv6 forwarding as well (`net.ipv6.conf.all.forwarding=1`).
   * @default false
   */
  readonly ipv6Forwarding?: boolean;
}

/** Options of `Router.connect`: the addresses and names of the new link. */
export interface RouterConnectOptions {
  /** The router's address(es) on the new link, `address/prefix` (one per family for dual stack). */
  readonly address: string | readonly string[];
  /**
   * The peer's address(es) on the new link (only when connecting to a namespace).
   * @default - none
   */
  readonly peerAddress?: string | readonly string[];
  /**
   * Interface name on the router's side.
   * @default - `<id>-rtr` (must fit in 15 characters)
   */
  readonly interfaceName?: string;
  /**
   * Interface name on the peer's side (in the namespace, or on the bridge).
   * @default - `<id>`
   */
  readonly peerInterfaceName?: string;
  /**
   * Give the peer namespace a default route via the router's address, one
   * per address family of `address` (only when connecting to a namespace).
   * @default false
   */
  readonly peerDefaultRoute?: boolean;
}

/**
 * A namespace that forwards packets: a Namespace with `net.ipv4.ip_forward=1`
 * (and optionally IPv6 forwarding), plus `connect` to wire it to a namespace
 * or a bridge in one call.
 */
export class Router extends Namespace {
  constructor(scope: Construct, id: string, props: RouterProps = {}) {
    super(scope, id, props);
    this.addSysctl('net.ipv4.ip_forward', '1');
    if (validateBoolean(this, 'ipv6Forwarding', props.ipv6Forwarding, false)) this.addSysctl('net.ipv6.conf.all.forwarding', '1');
  }

  /**
   * Connect the router to a namespace (a veth pair between the two) or to a
   * bridge (a veth pair whose far end is a port of the bridge).
   * @returns the veth pair; `.a` is the router's end
   */
  public connect(id: string, target: INamespace | IBridge, options: RouterConnectOptions): VethPair {
    if (!options || typeof options !== 'object') fail(this, `connect(${show(id)}): options are required`, options, 'pass { address, ... }');
    const isBridge = isBridgeHandle(target);
    if (!isBridge && !isNamespaceHandle(target)) {
      fail(
        this,
        `connect(${show(id)}): the target is neither a namespace nor a bridge handle of cdktf-netns`,
        target,
        'pass a Namespace, a Router, Namespace.HOST, Namespace.fromName(...) or a Bridge',
      );
    }
    const peerDefaultRoute = validateBoolean(this, `connect(${show(id)}): peerDefaultRoute`, options.peerDefaultRoute, false);
    if (isBridge && options.peerAddress !== undefined) {
      fail(
        this,
        `connect(${show(id)}): peerAddress is not allowed when connecting to a bridge`,
        options.peerAddress,
        'put the address on the bridge or on the hosts behind it',
      );
    }
    if (isBridge && peerDefaultRoute) {
      fail(this, `connect(${show(id)}): peerDefaultRoute is only for namespaces`, true, 'add Route constructs in the namespaces behind the bridge');
    }
    const list = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);
    // names made from the id: say where a name came from when the kernel's limit refuses it
    const defaults: Array<[string | undefined, string, string, string]> = [
      [options.interfaceName, `${id}-rtr`, 'interfaceName', "the router's end"],
      [options.peerInterfaceName, id, 'peerInterfaceName', isBridge ? 'the bridge port' : "the peer's end"],
    ];
    for (const [given, made, option, what] of defaults) {
      if (
        given === undefined &&
        Buffer.byteLength(kernelInterfaceName(this, option === 'interfaceName' ? this : isBridgeHandle(target) ? target.namespace : target, made)) > MAX_IFNAME
      ) {
        fail(
          this,
          `connect(${show(id)}): the name of ${what}, ${show(made)}, made from the id${option === 'interfaceName' ? ' and "-rtr"' : ''}, is longer than ${MAX_IFNAME} bytes (the kernel's limit)`,
          made,
          `pass ${option}: "<at most ${MAX_IFNAME} characters>" in the options, or use a shorter id`,
        );
      }
    }
    const pair = new VethPair(this, id, {
      a: { name: options.interfaceName ?? `${id}-rtr`, namespace: this, addresses: list(options.address) },
      b: isBridge
        ? { name: options.peerInterfaceName ?? id, namespace: (target as IBridge).namespace, bridge: target as IBridge }
        : { name: options.peerInterfaceName ?? id, namespace: target as INamespace, addresses: list(options.peerAddress) },
    });
    if (peerDefaultRoute) {
      for (const address of pair.a.addresses) {
        const gw = parseCidr(address)!;
        new Route(this, `${id}-default${gw.family === 6 ? '6' : ''}`, { namespace: target as INamespace, destination: 'default', via: gw.text });
      }
    }
    return pair;
  }
}
