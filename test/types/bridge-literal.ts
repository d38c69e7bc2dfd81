/** A hand-written IBridge is not a bridge handle: VethEndProps.bridge refuses it. */
import { BridgePortVlans, IBridge, IInterface, Namespace, VethPair } from '../../lib';
import { Construct } from 'constructs';

export function handWrittenBridge(scope: Construct): void {
  new VethPair(scope, 'p', {
    a: { name: 'a' },
    b: {
      name: 'b',
      // @expect-error TS2739: missing the following properties from type 'IBridge': [BRIDGE_BRAND], [INTERFACE_BRAND]
      bridge: {
        interfaceName: 'br0',
        namespace: Namespace.HOST,
        addresses: [],
        fqn: 'x',
        vlanFiltering: false,
        addPort: (_port: IInterface, _vlans?: BridgePortVlans) => undefined,
      },
    },
  });
}

export function handWrittenBridgeVariable(scope: Construct): void {
  // @expect-error TS2739: missing the following properties from type 'IBridge': [BRIDGE_BRAND], [INTERFACE_BRAND]
  const br: IBridge = {
    interfaceName: 'br0',
    namespace: Namespace.HOST,
    addresses: [],
    fqn: 'x',
    vlanFiltering: false,
    addPort: () => undefined,
  };
  new VethPair(scope, 'p', { a: { name: 'a' }, b: { name: 'b', bridge: br } });
}
