import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ManagedInterface } from './interface';
import { IInterface, INamespace } from './types';

/**
 * Base of the constructs that are one interface (Bridge, VlanInterface): the
 * IInterface handle, delegated to the shared ManagedInterface.
 */
export abstract class InterfaceConstruct extends Construct implements IInterface, ITerraformDependable {
  protected abstract readonly iface: ManagedInterface;

  /** Kernel interface name. */
  public get interfaceName(): string {
    return this.iface.interfaceName;
  }

  /** The namespace the interface lives in. */
  public get namespace(): INamespace {
    return this.iface.namespace;
  }

  /** Addresses (canonical `addr/prefix`). */
  public get addresses(): string[] {
    return this.iface.addresses;
  }

  /** @internal the shared interface implementation (lets Bridge.addPort accept this construct). */
  public get _iface(): ManagedInterface {
    return this.iface;
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.iface.fqn;
  }
}
