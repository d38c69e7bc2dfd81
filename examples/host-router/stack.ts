import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { HostRouter, Namespace, Route, VethPair } from '../../lib';

/**
 * Tutorial section 5: the host routes between two namespaces on different
 * subnets. Host forwarding is switched on while the lab exists and restored
 * to its previous value on destroy.
 */
export class HostRouterStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const host = new HostRouter(this, 'host');
    const web = new Namespace(this, 'ns_web');
    const db = new Namespace(this, 'ns_db');
    new VethPair(this, 'web', {
      a: { name: 'veth-web', namespace: web, addresses: ['10.0.1.10/24'] },
      b: { name: 'veth-web-host', namespace: host, addresses: ['10.0.1.1/24'] },
    });
    new VethPair(this, 'db', {
      a: { name: 'veth-db', namespace: db, addresses: ['10.0.2.20/24'] },
      b: { name: 'veth-db-host', namespace: host, addresses: ['10.0.2.1/24'] },
    });
    new Route(this, 'web-to-db', { namespace: web, destination: '10.0.2.0/24', via: '10.0.1.1' });
    new Route(this, 'db-to-web', { namespace: db, destination: '10.0.1.0/24', via: '10.0.2.1' });
  }
}
