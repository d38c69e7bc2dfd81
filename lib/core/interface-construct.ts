import { ITerraformDependable } from './cdk';
import { Construct } from 'constructs';
import { ManagedInterface, registerHandle } from './interface';
import { IInterface, INamespace, INTERFACE_BRAND } from './types';

/**
 * Base of the constructs that are one interface (Bridge, VlanInterface): the
 * IInterface handle, delegated to the shared ManagedInterface.
 */
export abstract class InterfaceConstruct extends Construct implements IInterface, ITerraformDependable {
  /** Brand of interface handles. */
  public readonly [INTERFACE_BRAND] = true as const;
  /** @internal */
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
  public get addresses(): readonly string[] {
    return this.iface.addresses;
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.iface.fqn;
  }

  /** @internal Subclasses call this once their interface exists: the handle then stands for it. */
  protected registerInterface(iface: ManagedInterface): void {
    registerHandle(this, iface);
  }
}
