import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Namespace, Reachable, Route, Router, VethPair } from '../../lib';

/**
 * The tutorial's workshop: two departments (sales, dev) on separate subnets,
 * joined by a router namespace that forwards between them.
 *
 *   [ sales ] veth-s ---- veth-s-rtr [ router ] veth-d-rtr ---- veth-d [ dev ]
 *   172.16.10.10/24    172.16.10.1/24        172.16.20.1/24    172.16.20.10/24
 */
export class WorkshopStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const sales = new Namespace(this, 'sales', { name: 'sales' });
    const dev = new Namespace(this, 'dev', { name: 'dev' });
    const router = new Router(this, 'router', { name: 'router' });
    new VethPair(this, 's', {
      a: { name: 'veth-s', namespace: sales, addresses: ['172.16.10.10/24'] },
      b: { name: 'veth-s-rtr', namespace: router, addresses: ['172.16.10.1/24'] },
    });
    new VethPair(this, 'd', {
      a: { name: 'veth-d', namespace: dev, addresses: ['172.16.20.10/24'] },
      b: { name: 'veth-d-rtr', namespace: router, addresses: ['172.16.20.1/24'] },
    });
    new Route(this, 'sales-default', { namespace: sales, destination: 'default', via: '172.16.10.1' });
    new Route(this, 'dev-default', { namespace: dev, destination: 'default', via: '172.16.20.1' });
    // what the lab is for, checked at the end of every deploy (and by `cdktf-netns check`)
    new Reachable(this, 'sales-reaches-dev', { from: sales, to: '172.16.20.10', via: '172.16.10.1' });
    new Reachable(this, 'dev-reaches-sales', { from: dev, to: '172.16.10.10', via: '172.16.20.1' });
    new TerraformOutput(this, 'try', { value: 'ip netns exec sales ping -c 3 172.16.20.10' });
  }
}
