/** A Namespace (or an imported interface) is not a bridge: VethEndProps.bridge refuses them. */
import { Interface, Namespace, Router, VethPair } from '../../lib';
import { Construct } from 'constructs';

export function namespaceAsBridge(scope: Construct): void {
  const ns = new Namespace(scope, 'ns');
  // @expect-error TS2740: Type 'Namespace' is missing the following properties from type 'IBridge'
  new VethPair(scope, 'p', { a: { name: 'a' }, b: { name: 'b', bridge: ns } });
}

export function routerAsBridge(scope: Construct): void {
  const r = new Router(scope, 'r');
  // @expect-error TS2740: Type 'Router' is missing the following properties from type 'IBridge'
  new VethPair(scope, 'p', { a: { name: 'a' }, b: { name: 'b', bridge: r } });
}

export function interfaceAsBridge(scope: Construct): void {
  const eth0 = Interface.fromName(scope, 'eth0', { name: 'eth0' });
  // @expect-error TS2739: Type 'IInterface' is missing the following properties from type 'IBridge'
  new VethPair(scope, 'p', { a: { name: 'a' }, b: { name: 'b', bridge: eth0 } });
}
