import { Construct } from 'constructs';
import { fail } from './core/errors';
import { implementationOf, ManagedInterface } from './core/interface';
import { Lab } from './engine/lab';
import { VLAN } from './kinds';
import { IInterface, INamespace } from './core/types';
import { InterfaceConstruct } from './core/interface-construct';
import { validateInterfaceName, validateVlanId } from './core/validate';
import { Namespace } from './namespace';

/** Options of a VlanInterface. */
export interface VlanInterfaceProps {
  /**
   * Parent interface: a handle of this library (veth end, bridge, ...) or the
   * name of an existing interface that this app does not manage (e.g. "eth0").
   */
  readonly parent: IInterface | string;
  /** 802.1Q VLAN id, 1-4094. */
  readonly vlanId: number;
  /**
   * Interface name.
   * @default - `<parent>.<vlanId>` (must fit in 15 characters)
   */
  readonly name?: string;
  /**
   * Addresses, as `address/prefix`.
   * @default - none
   */
  readonly addresses?: readonly string[];
  /**
   * Namespace of the parent when the parent is given by name (ignored when the
   * parent is a handle: the VLAN interface lives with its parent).
   * @default Namespace.HOST
   */
  readonly namespace?: INamespace;
  /**
   * MTU.
   * @default - inherited from the parent
   */
  readonly mtu?: number;
}

/**
 * An 802.1Q VLAN sub-interface (`ip link add link PARENT name NAME type vlan id N`).
 * Needs a kernel with 802.1Q support (module 8021q); on a kernel without it the
 * deploy fails with a message that says so.
 */
export class VlanInterface extends InterfaceConstruct {
  /** The 802.1Q VLAN id. */
  public readonly vlanId: number;
  /** Kernel name of the parent interface. */
  public readonly parentName: string;
  /** @internal */
  protected readonly iface: ManagedInterface;

  constructor(scope: Construct, id: string, props: VlanInterfaceProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { parent, vlanId, name?, addresses? }');
    const vid = validateVlanId(this, 'vlanId', props.vlanId);
    let parent: ManagedInterface | string;
    let ns: INamespace;
    if (typeof props.parent === 'string') {
      parent = validateInterfaceName(this, 'parent', props.parent);
      ns = props.namespace ?? Namespace.HOST;
    } else {
      const handle = implementationOf(props.parent);
      if (!handle) {
        fail(
          this,
          'parent is neither an interface handle of cdktf-netns nor an interface name',
          props.parent,
          'pass e.g. pair.a, a Bridge, a VlanInterface, Interface.fromName(...), or a name such as "eth0"',
        );
      }
      parent = handle;
      ns = parent.namespace;
    }
    this.parentName = typeof parent === 'string' ? parent : parent.interfaceName;
    this.vlanId = vid;
    // the default name derives from the parent's final (already prefixed) name
    const explicit = props.name !== undefined;
    this.iface = new ManagedInterface({
      owner: this,
      label: '',
      name: explicit ? props.name : `${this.parentName}.${vid}`,
      applyPrefix: explicit,
      namespace: ns,
      addresses: props.addresses,
      mtu: props.mtu,
      vlan: { parent, vid },
    });
    this.registerInterface(this.iface);
    const iface = this.iface;
    Lab.of(this).add(
      this,
      () => [
        [
          VLAN,
          {
            ns: iface.ns,
            if: iface.interfaceName,
            parent: this.parentName,
            vid: String(vid),
            marker: iface.marker,
            mtu: iface.mtuToken,
          },
        ],
      ],
      iface.namespace.host,
    );
  }
}
