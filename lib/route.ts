import { ITerraformDependable } from './core/cdk';
import { Construct } from 'constructs';
import { fail } from './core/errors';
import { Lab, nsToken } from './engine/lab';
import { ROUTE } from './kinds';
import { INamespace } from './core/types';
import { validateDestination, validateIp, validateNamespaceHandle } from './core/validate';

/** Options of a Route: a static route in one namespace's main table. */
export interface RouteProps {
  /** Namespace whose routing table gets the route (`Namespace.HOST` for the host). */
  readonly namespace: INamespace;
  /** Destination network as a CIDR (host bits clear), or "default". */
  readonly destination: string;
  /** Gateway address; must be on a connected subnet of the namespace. */
  readonly via: string;
}

/**
 * A static route (`ip route add DEST via GW`), marked as ours with protocol
 * number 213 so that routes others made are never replaced or removed.
 * It is created after the address that makes its gateway reachable, and
 * re-installed whenever an address or a link of its namespace changes.
 */
export class Route extends Construct implements ITerraformDependable {
  /** The destination as `ip route` prints it (`default`, a CIDR, or a bare address for a host route). */
  public readonly destination: string;
  /** The gateway address. */
  public readonly via: string;
  /** The namespace whose main table gets the route. */
  public readonly namespace: INamespace;
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: RouteProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { namespace, destination, via }');
    validateNamespaceHandle(this, 'namespace', props.namespace, (handles) => `pass the namespace whose table gets the route: ${handles}`);
    const dest = validateDestination(this, props.destination);
    const via = validateIp(this, 'via', props.via);
    if (dest.family && dest.family !== via.family) {
      fail(this, `gateway is IPv${via.family} but the destination is IPv${dest.family}`, props.via, 'use a gateway of the same address family');
    }
    const family = dest.family ?? via.family;
    this.destination = dest.text;
    this.via = via.text;
    this.namespace = props.namespace;
    this.lab = Lab.of(this);
    this.lab.registerRoute({ owner: this, rawDestination: props.destination, namespace: this.namespace, family, destination: this.destination, via });
    this.lab.add(this, () => [[ROUTE, { ns: nsToken(this.namespace), family: String(family), dest: this.destination, via: this.via }]], this.namespace.host);
  }

  /** Ready once the route is installed. */
  public get fqn(): string {
    return this.lab.dependableOn(this.namespace.host).fqn;
  }
}
