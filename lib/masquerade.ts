import { Construct } from 'constructs';
import { ITerraformDependable } from './core/cdk';
import { fail } from './core/errors';
import { interfaceIn, nftRule, ruleId, validateMatchCidr } from './core/traffic';
import { IInterface, INamespace } from './core/types';
import { knownKeys, validateNamespaceHandle } from './core/validate';
import { Lab, nsToken } from './engine/lab';
import { NFT } from './kinds';

/** Options of a Masquerade: where, and through which interface. */
export interface MasqueradeProps {
  /** The namespace that translates (a Router, or `Namespace.HOST` with a HostRouter): it must forward. */
  readonly namespace: INamespace;
  /** The interface whose outgoing traffic gets its address: a handle in `namespace`, or a name (a host's uplink). */
  readonly outInterface: IInterface | string;
  /**
   * Translate only traffic from this network (CIDR) or address.
   * @default - everything that leaves through `outInterface`
   */
  readonly source?: string;
}

/**
 * Source NAT (masquerade) for the traffic that leaves a namespace through one interface: it
 * leaves with that interface's address, and the replies find their way back through conntrack.
 * IPv4 and IPv6 alike (an `inet` table), unless `source` names one family. Refused in a
 * namespace that does not forward (it would translate only the namespace's own traffic).
 */
export class Masquerade extends Construct implements ITerraformDependable {
  /** The namespace that translates. */
  public readonly namespace: INamespace;
  /** The kernel name of the interface the translated traffic leaves by. */
  public readonly outInterfaceName: string;
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: MasqueradeProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { namespace, outInterface }');
    knownKeys(this, 'props', props, ['namespace', 'outInterface', 'source']);
    validateNamespaceHandle(this, 'namespace', props.namespace, (handles) => `pass the namespace that translates: ${handles}`);
    if (props.outInterface === undefined)
      fail(this, 'outInterface is required', props, "pass the interface towards the outside, e.g. the router's end of its uplink");
    this.namespace = props.namespace;
    this.outInterfaceName = interfaceIn(this, 'outInterface', this.namespace, props.outInterface);
    const source = props.source === undefined ? undefined : validateMatchCidr(this, 'source', props.source);
    this.lab = Lab.of(this);
    this.lab.requireForwarding(
      this,
      this.namespace,
      'Masquerade',
      source ? [source.family] : [4, 6],
      'only its own traffic would be translated, none it routes',
    );
    this.lab.add(
      this,
      () => [
        [
          NFT,
          nftRule({
            ns: nsToken(this.namespace),
            chain: 'postrouting',
            id: ruleId(this, 'masq'),
            from: source?.text,
            oif: this.outInterfaceName,
            action: 'masquerade',
          }),
        ],
      ],
      this.namespace.host,
    );
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.lab.dependableOn(this.namespace.host).fqn;
  }
}
