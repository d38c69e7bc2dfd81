import { Construct } from 'constructs';
import { ITerraformDependable } from './core/cdk';
import { fail } from './core/errors';
import { implementationOf, ManagedInterface } from './core/interface';
import { macOf } from './core/settings';
import { describeNamespace, IBridge, IInterface, isBridgeHandle, sameNamespace } from './core/types';
import { isPort, knownKeys, validateInterfaceName, validateIp, validateMtu } from './core/validate';
import { Lab } from './engine/lab';
import { VXLAN } from './kinds';

/** One end of a VxlanLink: the bridge it joins, and the underlay address it sends from. */
export interface VxlanEndProps {
  /** The bridge this end is a port of (in any namespace of the lab, on any machine). */
  readonly bridge: IBridge;
  /**
   * The underlay address this end sends from and the other end sends to: an address of the bridge's namespace.
   * @default - the Host's address, when the bridge is in the root namespace of a Host (required otherwise)
   */
  readonly local?: string;
}

/** Options of a VxlanLink. */
export interface VxlanLinkProps {
  /** The VXLAN network identifier, 1 to 16777215 (the same at both ends). */
  readonly vni: number;
  /** One end. */
  readonly a: VxlanEndProps;
  /** The other end (in another namespace). */
  readonly b: VxlanEndProps;
  /**
   * The UDP port of the tunnel (both ends): IANA's 4789 by default (the Linux kernel's own default is 8472).
   * @default 4789
   */
  readonly port?: number;
  /**
   * MTU of the tunnel's interfaces (set on both; frames bigger than this are dropped).
   * @default - 1500 less VXLAN's overhead: 1450 over IPv4, 1430 over IPv6
   */
  readonly mtu?: number;
  /**
   * Name of the VXLAN interface at each end (in the host namespace the scope's prefix comes first, as for every interface).
   * @default - `vx<vni>`
   */
  readonly interfaceName?: string;
}

/** VXLAN's own bytes on an IPv4 underlay (outer IPv4 20, UDP 8, VXLAN 8, inner Ethernet 14); 20 more over IPv6. */
const OVERHEAD = { 4: 50, 6: 70 } as const;

/**
 * Two bridges joined by a VXLAN tunnel over an underlay: frames on one bridge reach the other,
 * encapsulated in UDP between the two `local` addresses. Point to point and unicast; VXLAN is not
 * authenticated nor encrypted (anyone who can send to the port can inject frames: keep the underlay
 * private). The two bridges become one layer-2 segment for the duplicate-address check; a link that
 * closes a loop (the bridges are joined already) is refused, there being no STP; a port whose MTU
 * does not fit the tunnel is warned about.
 */
export class VxlanLink extends Construct implements ITerraformDependable {
  /** The VNI. */
  public readonly vni: number;
  /** The UDP port. */
  public readonly port: number;
  /** The MTU of the tunnel's interfaces. */
  public readonly mtu: number;
  /** The tunnel's interface at end a (a port of a's bridge). */
  public readonly a: IInterface;
  /** The tunnel's interface at end b. */
  public readonly b: IInterface;
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: VxlanLinkProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { vni, a: { bridge, local? }, b: { bridge, local? } }');
    knownKeys(this, 'props', props, ['vni', 'a', 'b', 'port', 'mtu', 'interfaceName']);
    if (typeof props.vni !== 'number' || !Number.isInteger(props.vni) || props.vni < 1 || props.vni > 16_777_215)
      fail(this, 'vni must be a whole number from 1 to 16777215 (24 bits; 0 is reserved)', props.vni, 'choose e.g. 100');
    const port = props.port ?? 4789;
    if (!isPort(port)) fail(this, 'port must be a whole number from 1 to 65535', props.port, 'leave it out for 4789, or give the port both ends use');
    const name = validateInterfaceName(this, 'interfaceName', props.interfaceName ?? `vx${props.vni}`);
    const ends = (['a', 'b'] as const).map((side) => {
      const e = props[side];
      if (!e || typeof e !== 'object') fail(this, `${side} is required`, e, `pass ${side}: { bridge, local }`);
      knownKeys(this, side, e, ['bridge', 'local']);
      if (!isBridgeHandle(e.bridge)) fail(this, `${side}.bridge is not a Bridge of cdktf-netns`, e.bridge, 'pass a Bridge construct');
      const bridge = implementationOf(e.bridge)!;
      const host = bridge.namespace.isHost ? bridge.namespace.host : undefined;
      if (e.local === undefined && !host) {
        fail(
          this,
          `${side}.local is required: the bridge is in ${describeNamespace(bridge.namespace)}, whose underlay address the lab does not know`,
          e.local,
          `give ${side}.local, an address of that namespace (only a bridge in the root namespace of a Host defaults to the Host's address)`,
        );
      }
      const local = validateIp(this, `${side}.local`, e.local ?? host!.address);
      return { side, bridge, local, defaulted: e.local === undefined };
    });
    const [a, b] = ends;
    if (a.local.family !== b.local.family)
      fail(this, `a.local is IPv${a.local.family} but b.local is IPv${b.local.family}`, props.b.local, 'give both ends addresses of one family');
    if (a.local.text === b.local.text) fail(this, 'a.local and b.local are the same address', props.b.local, 'give each end its own underlay address');
    if (a.bridge === b.bridge) fail(this, 'both ends are on the same bridge', a.bridge.interfaceName, 'join two different bridges');
    if (sameNamespace(a.bridge.namespace, b.bridge.namespace)) {
      fail(
        this,
        `both bridges are in ${describeNamespace(a.bridge.namespace)}`,
        b.bridge.interfaceName,
        'a tunnel joins bridges of two namespaces (or two machines); join bridges of one namespace with a veth pair',
      );
    }
    const mtu = props.mtu === undefined ? undefined : validateMtu(this, 'mtu', props.mtu);
    this.vni = props.vni;
    this.port = port;
    this.mtu = mtu ?? 1500 - OVERHEAD[a.local.family];
    this.lab = Lab.of(this);
    const ifaces = ends.map(
      // (always set: without a lower device the kernel gives a VXLAN interface 1500, which no 1500 underlay carries)
      (e) => new ManagedInterface({ owner: this, label: e.side, name, namespace: e.bridge.namespace, mtu: this.mtu }),
    ) as [ManagedInterface, ManagedInterface];
    ifaces.forEach((iface, i) => iface.setMaster(ends[i].bridge, this));
    this.a = ifaces[0];
    this.b = ifaces[1];
    this.lab.registerTunnel({ owner: this, a: ifaces[0], b: ifaces[1], mtu: this.mtu });
    // each end is an object of its own machine
    ifaces.forEach((iface, i) => {
      const me = ends[i];
      const other = ends[1 - i];
      this.lab.add(
        this,
        () => [
          [
            VXLAN,
            {
              ns: iface.ns,
              if: iface.interfaceName,
              vni: String(this.vni),
              local: me.local.text,
              remote: other.local.text,
              port: String(port),
              marker: iface.marker,
              mtu: iface.mtuToken,
              mac: macOf(this, me.side),
            },
          ],
        ],
        iface.namespace.host,
      );
    });
    // (a Host's own address is its own by definition)
    for (const e of ends) if (!e.defaulted) this.lab.checkLocalAddress(this, e.bridge.namespace, e.local, `${e.side}.local`);
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.lab.dependableOn(this.a.namespace.host).fqn;
  }
}
