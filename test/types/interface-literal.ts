/** A hand-written IInterface is not an interface handle: the brand is missing. */
import { Bridge, IInterface, Namespace, VlanInterface } from '../../lib';
import { Construct } from 'constructs';

export function handWritten(scope: Construct): void {
  // @expect-error TS2741: Property '[INTERFACE_BRAND]' is missing
  const eth0: IInterface = { interfaceName: 'eth0', namespace: Namespace.HOST, addresses: [], fqn: 'x' };
  new VlanInterface(scope, 'v', { parent: eth0, vlanId: 10 });
}

export function asVlanParent(scope: Construct): void {
  new VlanInterface(scope, 'v', {
    // @expect-error TS2322: not assignable to type 'string | IInterface'
    parent: { interfaceName: 'eth0', namespace: Namespace.HOST, addresses: [], fqn: 'x' },
    vlanId: 10,
  });
}

export function asBridgePort(scope: Construct, br: Bridge): void {
  // @expect-error TS2345: Property '[INTERFACE_BRAND]' is missing
  br.addPort({ interfaceName: 'eth0', namespace: Namespace.HOST, addresses: [], fqn: 'x' });
  void scope;
}
