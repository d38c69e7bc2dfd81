import { Construct } from 'constructs';
import { fail } from './core/errors';
import { implementationOf, ManagedInterface } from './core/interface';
import { macOf } from './core/settings';
import { namespaceOnHost, validateBoolean, validateHost } from './core/validate';
import { Lab } from './engine/lab';
import { BRIDGE } from './kinds';
import { BRIDGE_BRAND, BridgePortVlans, IBridge, IHost, IInterface, INamespace, isBridgeHandle, registerBridgeHandle } from './core/types';
import { InterfaceConstruct } from './core/interface-construct';
import { Namespace } from './namespace';

/** Options of a Bridge. */
export interface BridgeProps {
  /** Interface name of the bridge (the scope prefix is added in the host namespace). */
  readonly name: string;
  /**
   * Namespace the bridge lives in.
   * @default - the root namespace of `host` (Namespace.HOST on the local machine)
   */
  readonly namespace?: INamespace;
  /**
   * The machine the bridge lives on (its root namespace, unless `namespace` is given: then it must be on this host).
   * @default - the namespace's machine (the local machine)
   */
  readonly host?: IHost;
  /**
   * Addresses of the bridge itself (lets its namespace talk to the LAN, or route for it).
   * @default - none
   */
  readonly addresses?: readonly string[];
  /**
   * MTU of the bridge.
   * @default - the kernel default
   */
  readonly mtu?: number;
  /**
   * Ports: veth ends (or other managed interfaces) in the bridge's namespace.
   * More can be added with `addPort`.
   * @default - none
   */
  readonly ports?: readonly IInterface[];
  /**
   * Filter VLANs (802.1Q-aware bridge): ports get a PVID and tagged VLANs
   * (`addPort(port, { pvid, untagged, tagged })`). Needs a kernel with
   * CONFIG_BRIDGE_VLAN_FILTERING.
   * @default false
   */
  readonly vlanFiltering?: boolean;
}

/**
 * A Linux bridge (a virtual layer-2 switch). Ports are veth ends given by a
 * veth end's `bridge` prop or by `addPort`; a port must live in the bridge's
 * namespace.
 */
export class Bridge extends InterfaceConstruct implements IBridge {
  /** Whether `x` is a bridge handle of this library (a Bridge, from any copy of the package). */
  public static isBridge(x: unknown): x is IBridge {
    return isBridgeHandle(x);
  }

  /** Brand of bridge handles. */
  public readonly [BRIDGE_BRAND] = true as const;
  /** Whether the bridge filters VLANs. */
  public readonly vlanFiltering: boolean;
  /** @internal */
  protected readonly iface: ManagedInterface;
  private readonly ports = new Set<ManagedInterface>();

  constructor(scope: Construct, id: string, props: BridgeProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { name, namespace?, addresses? }');
    this.iface = new ManagedInterface({
      owner: this,
      label: '',
      name: props.name,
      namespace: namespaceOnHost(this, 'namespace', props.namespace, validateHost(this, 'host', props.host), Namespace.HOST),
      addresses: props.addresses,
      mtu: props.mtu,
    });
    this.vlanFiltering = validateBoolean(this, 'vlanFiltering', props.vlanFiltering, false);
    this.iface.vlanFiltering = this.vlanFiltering;
    this.registerInterface(this.iface);
    registerBridgeHandle(this);
    const iface = this.iface;
    Lab.of(this).add(
      this,
      () => [
        [
          BRIDGE,
          {
            ns: iface.ns,
            if: iface.interfaceName,
            marker: iface.marker,
            mtu: iface.mtuToken,
            vlan_filtering: this.vlanFiltering ? '1' : '0',
            mac: macOf(this, 'bridge'),
          },
        ],
      ],
      iface.namespace.host,
    );
    for (const p of props.ports ?? []) this.addPort(p);
  }

  /**
   * Make an interface (e.g. a veth end) a port of this bridge; on a
   * VLAN-filtering bridge, optionally with its VLANs (`{ pvid: 10 }` for an
   * access port, `{ tagged: [10, 20] }` for a trunk).
   */
  public addPort(handle: IInterface, vlans?: BridgePortVlans): void {
    const port = implementationOf(handle);
    if (!port) {
      fail(
        this,
        'addPort takes an interface handle of this library',
        handle,
        'pass a veth end (pair.a, pair.b), a VlanInterface, or Interface.fromName(...) for an existing interface',
      );
    }
    if (port === this.iface) fail(this, 'a bridge cannot be its own port', port.interfaceName, 'pass a veth end');
    if (!this.ports.has(port) && this.ports.size >= Bridge.MAX_PORTS) {
      fail(
        this,
        `bridge "${this.interfaceName}" already has ${Bridge.MAX_PORTS} ports, the most a Linux bridge takes`,
        port.interfaceName,
        'spread the ports over several bridges (e.g. one per 1000 namespaces) joined by a router or a veth pair',
      );
    }
    port.setMaster(this.iface, this, vlans);
    this.ports.add(port);
  }

  /** The most ports a Linux bridge takes (port numbers are 10 bits; 0 is reserved). */
  public static readonly MAX_PORTS = 1023;
}
