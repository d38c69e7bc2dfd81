/** A hand-written object literal is not a namespace handle: the brand is missing. */
import { INamespace, Route } from '../../lib';
import { Construct } from 'constructs';

export function handWritten(scope: Construct): void {
  // @expect-error TS2741: Property '[NAMESPACE_BRAND]' is missing
  const ns: INamespace = { namespaceName: 'x', isHost: false };
  new Route(scope, 'r', { namespace: ns, destination: 'default', via: '10.0.0.1' });
}

export function handWrittenInProps(scope: Construct): void {
  // @expect-error TS2741: Property '[NAMESPACE_BRAND]' is missing
  new Route(scope, 'r', { namespace: { namespaceName: 'x', isHost: false }, destination: 'default', via: '10.0.0.1' });
}

export function byClass(): INamespace {
  // @expect-error TS2420: incorrectly implements interface 'INamespace'
  class MyNamespace implements INamespace {
    public readonly namespaceName = 'x';
    public readonly isHost = false;
  }
  // @expect-error TS2741: Property '[NAMESPACE_BRAND]' is missing
  return new MyNamespace();
}

export function forgedWithSymbolFor(): INamespace {
  // Symbol.for gives a plain `symbol`, not the library's unique symbol
  // @expect-error TS2741: Property '[NAMESPACE_BRAND]' is missing
  return { namespaceName: 'x', isHost: false, [Symbol.for('cdktf-netns.INamespace')]: true };
}
