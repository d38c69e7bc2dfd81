import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { Namespace, VethPair } from '../../lib';

/**
 * Tutorial section 2: a veth pair between the host and a namespace.
 *   host: veth-host 10.10.10.1/24  <---->  ns_web: veth-guest 10.10.10.2/24
 */
export class VethHostStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const web = new Namespace(this, 'ns_web');
    new VethPair(this, 'link', {
      a: { name: 'veth-host', addresses: ['10.10.10.1/24'] },
      b: { name: 'veth-guest', namespace: web, addresses: ['10.10.10.2/24'] },
    });
  }
}
