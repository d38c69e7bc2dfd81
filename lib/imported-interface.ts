import { Construct } from 'constructs';
import { fail } from './core/errors';
import { ManagedInterface, registerHandle } from './core/interface';
import { IInterface, INamespace, INTERFACE_BRAND } from './core/types';

/** An interface that exists already, for `Interface.fromName`. */
export interface ImportedInterfaceProps {
  /** Its kernel name, e.g. "eth0" (no prefix is added: the name is the interface's own). */
  readonly name: string;
  /**
   * The namespace it lives in.
   * @default Namespace.HOST
   */
  readonly namespace?: INamespace;
}

/**
 * An interface that exists already (a host NIC such as `eth0`, or one another
 * tool made), imported with `Interface.fromName`: it can be a VLAN parent or a
 * bridge port of this lab. The lab never creates, marks, changes or deletes it
 * (a port of one of the lab's bridges is released when the port goes).
 */
export class ImportedInterface extends Construct implements IInterface {
  /** Brand of interface handles. */
  public readonly [INTERFACE_BRAND] = true as const;
  private readonly iface: ManagedInterface;

  constructor(scope: Construct, id: string, props: ImportedInterfaceProps, host: INamespace) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { name, namespace? }');
    this.iface = new ManagedInterface({ owner: this, label: '', name: props.name, namespace: props.namespace ?? host, applyPrefix: false, imported: true });
    registerHandle(this, this.iface);
  }

  /** Kernel interface name. */
  public get interfaceName(): string {
    return this.iface.interfaceName;
  }

  /** The namespace it lives in. */
  public get namespace(): INamespace {
    return this.iface.namespace;
  }

  /** None: the lab gives an imported interface no addresses. */
  public get addresses(): readonly string[] {
    return [];
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.iface.fqn;
  }
}
