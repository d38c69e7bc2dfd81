import { ITerraformDependable } from './core/cdk';
import { Construct } from 'constructs';
import { fail } from './core/errors';
import { ManagedInterface } from './core/interface';
import { Lab } from './engine/lab';
import { VETH } from './kinds';
import { macOf, markerOf } from './core/settings';
import { BridgePortVlans, hostKeyOf, IBridge, IInterface, INamespace, isBridgeHandle, isNamespaceHandle } from './core/types';
import { Namespace } from './namespace';

/** One end of a veth pair. */
export interface VethEndProps {
  /** Interface name (1-15 characters; the scope prefix is added in the host namespace). */
  readonly name: string;
  /**
   * Namespace the end lives in.
   * @default - the namespace of its `bridge`; else the root namespace of the machine of the other end (Namespace.HOST on the local machine)
   */
  readonly namespace?: INamespace;
  /**
   * Addresses, as `address/prefix`.
   * @default - none
   */
  readonly addresses?: readonly string[];
  /**
   * MTU of this end.
   * @default - the kernel default (1500)
   */
  readonly mtu?: number;
  /**
   * Bridge this end is a port of (the bridge must be in the same namespace).
   * @default - not a bridge port
   */
  readonly bridge?: IBridge;
  /**
   * VLAN membership of this end as a port of a VLAN-filtering `bridge`.
   * @default - the bridge's default PVID
   */
  readonly bridgeVlans?: BridgePortVlans;
}

/** The two ends of a veth pair. */
export interface VethPairProps {
  /** The first end (`pair.a`). */
  readonly a: VethEndProps;
  /** The second end (`pair.b`). */
  readonly b: VethEndProps;
}

/**
 * A veth pair: a virtual cable whose two ends may live in different
 * namespaces. Each end is an interface handle (`pair.a`, `pair.b`) that
 * bridges, VLAN interfaces and routes can use.
 */
export class VethPair extends Construct implements ITerraformDependable {
  /** The first end, as an interface handle. */
  public readonly a: IInterface;
  /** The second end, as an interface handle. */
  public readonly b: IInterface;
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: VethPairProps) {
    super(scope, id);
    if (!props || typeof props !== 'object' || !props.a || !props.b) {
      fail(this, 'a veth pair needs both ends', props, 'pass { a: { name, ... }, b: { name, ... } }');
    }
    // an end follows its namespace, else its bridge, else its peer's machine (its root namespace)
    const given = (['a', 'b'] as const).map(
      (label) => props[label].namespace ?? (isBridgeHandle(props[label].bridge) ? props[label].bridge.namespace : undefined),
    );
    const namespaces = given.map((ns, i) => ns ?? given[1 - i]?.host?.rootNamespace ?? Namespace.HOST);
    if (isNamespaceHandle(namespaces[0]) && isNamespaceHandle(namespaces[1]) && hostKeyOf(namespaces[0]) !== hostKeyOf(namespaces[1])) {
      const where = (ns: INamespace) => (ns.host ? `host "${ns.host.hostName}"` : 'the local machine');
      fail(
        this,
        `a veth pair cannot cross machines: end a is on ${where(namespaces[0])}, end b on ${where(namespaces[1])}`,
        `${props.a.name} <-> ${props.b.name}`,
        'join the two machines with a VxlanLink between a bridge on each (and connect each side to its bridge with a veth pair)',
      );
    }
    const ends = (['a', 'b'] as const).map(
      (label, i) =>
        new ManagedInterface({
          owner: this,
          label,
          name: props[label].name,
          namespace: namespaces[i],
          addresses: props[label].addresses,
          mtu: props[label].mtu,
        }),
    );
    const [a, b] = ends;
    this.a = a;
    this.b = b;
    this.lab = Lab.of(this);
    this.lab.connect(a, b);
    const marker = markerOf(this);
    this.lab.add(
      this,
      () => [
        [
          VETH,
          {
            ns_a: a.ns,
            if_a: a.interfaceName,
            ns_b: b.ns,
            if_b: b.interfaceName,
            marker,
            mtu_a: a.mtuToken,
            mtu_b: b.mtuToken,
            mac_a: macOf(this, 'a'),
            mac_b: macOf(this, 'b'),
          },
        ],
      ],
      a.namespace.host,
    );
    for (const [label, end] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const bridge = props[label].bridge;
      if (bridge !== undefined) {
        if (!isBridgeHandle(bridge)) fail(this, `${label}.bridge is not a bridge handle of cdktf-netns`, bridge, 'pass a Bridge construct');
        bridge.addPort(end, props[label].bridgeVlans);
      } else if (props[label].bridgeVlans !== undefined) {
        fail(this, `${label}.bridgeVlans is set but ${label}.bridge is not`, props[label].bridgeVlans, `set ${label}.bridge, or drop bridgeVlans`);
      }
    }
  }

  /** Ready once the lab has applied (both ends up with their addresses). */
  public get fqn(): string {
    return this.lab.dependableOn(this.a.namespace.host).fqn;
  }
}
