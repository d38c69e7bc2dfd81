import { ITerraformDependable } from './core/cdk';
import { Construct } from 'constructs';
import { fail } from './core/errors';
import { ManagedInterface } from './core/interface';
import { Lab } from './engine/lab';
import { VETH } from './kinds';
import { macOf, markerOf } from './core/settings';
import { BridgePortVlans, IBridge, IInterface, INamespace, isBridgeHandle } from './core/types';
import { Namespace } from './namespace';

/** One end of a veth pair. */
export interface VethEndProps {
  /** Interface name (1-15 characters; the scope prefix is added in the host namespace). */
  readonly name: string;
  /**
   * Namespace the end lives in.
   * @default Namespace.HOST
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
    const ends = (['a', 'b'] as const).map(
      (label) =>
        new ManagedInterface({
          owner: this,
          label,
          name: props[label].name,
          namespace: props[label].namespace ?? Namespace.HOST,
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
    this.lab.add(this, () => [
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
    ]);
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
    return this.lab.dependable.fqn;
  }
}
