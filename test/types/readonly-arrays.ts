/** Public arrays are readonly: a handle's addresses and a props object's lists cannot be mutated through them. */
import { BridgeProps, IInterface, VethPair } from '../../lib';
import { Construct } from 'constructs';

export function pushToAddresses(iface: IInterface): void {
  // @expect-error TS2339: Property 'push' does not exist on type 'readonly string[]'
  iface.addresses.push('10.0.0.1/24');
}

export function pushToVethEnd(scope: Construct): void {
  const pair = new VethPair(scope, 'p', { a: { name: 'a', addresses: ['10.0.0.1/24'] }, b: { name: 'b' } });
  // @expect-error TS2542: Index signature in type 'readonly string[]' only permits reading
  pair.a.addresses[0] = '10.0.0.2/24';
}

export function mutatePorts(props: BridgeProps, port: IInterface): void {
  // @expect-error TS2339: Property 'push' does not exist on type 'readonly IInterface[]'
  props.ports?.push(port);
  // @expect-error TS2540: Cannot assign to 'ports' because it is a read-only property
  props.ports = [port];
}
