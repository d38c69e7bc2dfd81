import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { Bridge, Namespace, Reachable, Route, Router, VethPair, VlanInterface } from '../../lib';

/**
 * A segmented LAN: two departments on one VLAN-filtering bridge, kept apart by
 * VLANs, joined by a router-on-a-stick whose trunk carries both VLANs as
 * 802.1Q sub-interfaces.
 *
 *   sales1 10.0.10.11 ─┐ access VLAN 10
 *   sales2 10.0.10.12 ─┤ access VLAN 10      ┌─ rtr-trunk.10 10.0.10.1
 *   dev1   10.0.20.11 ─┤ access VLAN 20      │
 *                      br-lan ── trunk (10, 20 tagged) ── router
 *                                            └─ rtr-trunk.20 10.0.20.1
 *
 * Same VLAN: reachable directly. Across VLANs: only through the router (the intents at
 * the end say so, and every deploy checks them). Needs 802.1Q and bridge VLAN filtering
 * in the kernel.
 */
export class VlanStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const lan = new Bridge(this, 'lan', { name: 'br-lan', vlanFiltering: true });
    const hosts: Array<[string, number, string, string]> = [
      ['sales1', 10, '10.0.10.11/24', '10.0.10.1'],
      ['sales2', 10, '10.0.10.12/24', '10.0.10.1'],
      ['dev1', 20, '10.0.20.11/24', '10.0.20.1'],
    ];
    const ns: Record<string, Namespace> = {};
    for (const [name, vlan, address, gateway] of hosts) {
      ns[name] = new Namespace(this, name);
      new VethPair(this, `${name}-link`, {
        a: { name: 'eth0', namespace: ns[name], addresses: [address] },
        b: { name: `${name}-p`, bridge: lan, bridgeVlans: { pvid: vlan } },
      });
      new Route(this, `${name}-default`, { namespace: ns[name], destination: 'default', via: gateway });
    }
    const router = new Router(this, 'router');
    const trunk = new VethPair(this, 'trunk', {
      a: { name: 'rtr-trunk', namespace: router },
      b: { name: 'rtr-p', bridge: lan, bridgeVlans: { tagged: [10, 20] } },
    });
    new VlanInterface(this, 'sales-gw', { parent: trunk.a, vlanId: 10, addresses: ['10.0.10.1/24'] });
    new VlanInterface(this, 'dev-gw', { parent: trunk.a, vlanId: 20, addresses: ['10.0.20.1/24'] });
    // what the segmentation is for
    new Reachable(this, 'sales1-reaches-sales2', { from: ns.sales1, to: '10.0.10.12' });
    new Reachable(this, 'dev1-reaches-sales1-via-the-router', { from: ns.dev1, to: '10.0.10.11', via: '10.0.20.1' });
  }
}
