import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { Namespace, VethPair, VlanInterface } from '../../lib';

/**
 * Tutorial section 4: 802.1Q VLAN sub-interfaces. Two namespaces joined by a
 * veth pair carry VLAN 10 and VLAN 20 as tagged sub-interfaces; each VLAN is
 * its own subnet. Needs a kernel with 802.1Q (module 8021q).
 */
export class VlanStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const left = new Namespace(this, 'left');
    const right = new Namespace(this, 'right');
    const trunk = new VethPair(this, 'trunk', {
      a: { name: 'trunk-l', namespace: left },
      b: { name: 'trunk-r', namespace: right },
    });
    new VlanInterface(this, 'l10', { parent: trunk.a, vlanId: 10, addresses: ['10.0.10.1/24'] });
    new VlanInterface(this, 'r10', { parent: trunk.b, vlanId: 10, addresses: ['10.0.10.2/24'] });
    new VlanInterface(this, 'l20', { parent: trunk.a, vlanId: 20, addresses: ['10.0.20.1/24'] });
    new VlanInterface(this, 'r20', { parent: trunk.b, vlanId: 20, addresses: ['10.0.20.2/24'] });
  }
}
