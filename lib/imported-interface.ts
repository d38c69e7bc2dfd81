import { Construct } from 'constructs';
import { fail } from './core/errors';
import { ManagedInterface } from './core/interface';
import { InterfaceConstruct } from './core/interface-construct';
import { INamespace } from './core/types';

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
export class ImportedInterface extends InterfaceConstruct {
  /** @internal */
  protected readonly iface: ManagedInterface;

  constructor(scope: Construct, id: string, props: ImportedInterfaceProps, host: INamespace) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { name, namespace? }');
    // no addresses: the lab gives an imported interface none
    this.iface = new ManagedInterface({ owner: this, label: '', name: props.name, namespace: props.namespace ?? host, applyPrefix: false, imported: true });
    this.registerInterface(this.iface);
  }
}
