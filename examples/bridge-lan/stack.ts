import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { Bridge, Namespace, VethPair } from '../../lib';

/**
 * Tutorial section 3: a bridge br0 on the host (192.168.100.1/24) with two
 * namespaces plugged into it.
 */
export class BridgeLanStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const br0 = new Bridge(this, 'br0', { name: 'br0', addresses: ['192.168.100.1/24'] });
    const web = new Namespace(this, 'ns_web');
    const db = new Namespace(this, 'ns_db');
    new VethPair(this, 'web', {
      a: { name: 'veth-web', namespace: web, addresses: ['192.168.100.10/24'] },
      b: { name: 'veth-web-br', bridge: br0 },
    });
    const dbLink = new VethPair(this, 'db', {
      a: { name: 'veth-db', namespace: db, addresses: ['192.168.100.20/24'] },
      b: { name: 'veth-db-br' },
    });
    br0.addPort(dbLink.b);
  }
}
