import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { fail } from './core/errors';
import { Inventory } from './core/inventory';
import { subnetContains } from './core/ip';
import { KernelResource } from './core/resource';
import { ROUTE_CREATE, ROUTE_DESTROY } from './core/scripts';
import { markerOf, shortHash } from './core/settings';
import { INamespace } from './core/types';
import { validateDestination, validateIp } from './core/validate';

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
 * number 213 so destroy and the sweep remove only routes this library made.
 * It is created after the address that makes its gateway reachable, and
 * re-created when that address is.
 */
export class Route extends Construct implements ITerraformDependable {
  public readonly destination: string;
  public readonly via: string;
  public readonly namespace: INamespace;
  public readonly routeResource: KernelResource;

  constructor(scope: Construct, id: string, props: RouteProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { namespace, destination, via }');
    if (!props.namespace || typeof props.namespace.isHost !== 'boolean') {
      fail(this, 'namespace is not a Namespace, Router or Namespace.HOST', props.namespace, 'pass the namespace whose table gets the route');
    }
    const dest = validateDestination(this, props.destination);
    const via = validateIp(this, 'via', props.via);
    if (dest.family && dest.family !== via.family) {
      fail(this, `gateway is IPv${via.family} but the destination is IPv${dest.family}`, props.via, 'use a gateway of the same address family');
    }
    const family = dest.family ?? via.family;
    this.destination = dest.text;
    this.via = via.text;
    this.namespace = props.namespace;
    const inventory = Inventory.of(this);
    const marker = markerOf(this);
    const claim = shortHash(`route ${marker}`);
    inventory.registerRoute({ owner: this, rawDestination: props.destination, namespace: this.namespace, family, destination: this.destination, via, claim });
    // the address resources that put the gateway on-link (resolved at synthesis)
    const gatewayAddresses = () => inventory.connectedSubnets(this.namespace)
      .filter(({ cidr }) => subnetContains(cidr, via))
      .map(({ iface }) => iface.addressResource);
    this.routeResource = inventory.resource(this, 'Resource', {
      kind: 'route',
      create: ROUTE_CREATE,
      destroy: ROUTE_DESTROY,
      triggers: () => ({
        ns: this.namespace.namespaceName,
        ns_id: this.namespace.namespaceResource ? this.namespace.namespaceResource.resourceId : 'host',
        dest: this.destination,
        via: this.via,
        family: String(family),
        gateway_ids: gatewayAddresses().map((r) => r?.resourceId ?? '').join(','),
        marker,
        state_dir: inventory.stateDir,
        claim,
      }),
      dependsOn: () => [this.namespace.namespaceResource, ...gatewayAddresses()],
    });
  }

  /** Ready once the route is installed. */
  public get fqn(): string {
    return this.routeResource.fqn;
  }
}
