import { Construct } from 'constructs';
import { ImportedInterface, ImportedInterfaceProps } from './imported-interface';
import { IInterface, isInterfaceHandle } from './core/types';
import { Namespace } from './namespace';

/**
 * Interface handles: what every interface of this library is (a veth end, a
 * Bridge, a VlanInterface), and existing interfaces brought in by name.
 */
export class Interface {
  /**
   * An interface that exists already (e.g. the host's `eth0`): usable as a
   * VLAN parent (`new VlanInterface(..., { parent })`) or a bridge port
   * (`bridge.addPort(...)`); never created, marked or deleted by the lab.
   */
  public static fromName(scope: Construct, id: string, props: ImportedInterfaceProps): IInterface {
    return new ImportedInterface(scope, id, props, Namespace.HOST);
  }

  /** Whether `x` is an interface handle of this library. */
  public static isInterface(x: unknown): x is IInterface {
    return isInterfaceHandle(x);
  }

  private constructor() {}
}
