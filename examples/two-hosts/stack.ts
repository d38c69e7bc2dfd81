import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Bridge, Host, HostProps, Namespace, Reachable, Route, Router, VethPair, VxlanLink } from '../../lib';

/** The two machines of the split workshop: how Terraform reaches each over SSH. */
export interface TwoHostsProps {
  /** The machine of sales and the router. */
  readonly rack1: HostProps;
  /** The machine of dev. */
  readonly rack2: HostProps;
}

/**
 * The tutorial's workshop split over two machines: sales and the router on rack1, dev on rack2.
 * dev's subnet spans both machines: a bridge on each (in its root namespace), joined by a VXLAN
 * tunnel between the machines' own addresses; the router's leg into it is a port of rack1's bridge.
 *
 *   rack1: [ sales ] veth-s ---- veth-s-rtr [ router ] veth-d-rtr ---- rtr-port  br-dev ~~ vx20 ~~
 *   rack2: ~~ vx20 ~~ br-dev  dev-port ---- veth-d [ dev ]
 *          172.16.10.10/24   172.16.10.1/24      172.16.20.1/24             172.16.20.10/24
 *
 * The VXLAN overhead leaves 1450 bytes per frame over a 1500-byte underlay: the interfaces of dev's
 * subnet get MTU 1450.
 */
export class TwoHostsStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: TwoHostsProps) {
    super(scope, id);
    const rack1 = new Host(this, 'rack1', props.rack1);
    const rack2 = new Host(this, 'rack2', props.rack2);
    const sales = new Namespace(this, 'sales', { name: 'sales', host: rack1 });
    const router = new Router(this, 'router', { name: 'router', host: rack1 });
    const dev = new Namespace(this, 'dev', { name: 'dev', host: rack2 });
    new VethPair(this, 's', {
      a: { name: 'veth-s', namespace: sales, addresses: ['172.16.10.10/24'] },
      b: { name: 'veth-s-rtr', namespace: router, addresses: ['172.16.10.1/24'] },
    });
    const mtu = 1450;
    const br1 = new Bridge(this, 'br-dev-1', { name: 'br-dev', host: rack1, mtu });
    const br2 = new Bridge(this, 'br-dev-2', { name: 'br-dev', host: rack2, mtu });
    // the far ends follow their bridges (each on its machine's root namespace)
    new VethPair(this, 'r', {
      a: { name: 'veth-d-rtr', namespace: router, addresses: ['172.16.20.1/24'], mtu },
      b: { name: 'rtr-port', bridge: br1, mtu },
    });
    new VethPair(this, 'd', {
      a: { name: 'veth-d', namespace: dev, addresses: ['172.16.20.10/24'], mtu },
      b: { name: 'dev-port', bridge: br2, mtu },
    });
    // local defaults to each Host's address
    new VxlanLink(this, 'dev-lan', { vni: 20, a: { bridge: br1 }, b: { bridge: br2 } });
    new Route(this, 'sales-default', { namespace: sales, destination: 'default', via: '172.16.10.1' });
    new Route(this, 'dev-default', { namespace: dev, destination: 'default', via: '172.16.20.1' });
    // probed on the machine of `from`, at the end of every deploy
    new Reachable(this, 'sales-reaches-dev', { from: sales, to: '172.16.20.10', via: '172.16.10.1' });
    new Reachable(this, 'dev-reaches-sales', { from: dev, to: '172.16.10.10', via: '172.16.20.1' });
    new TerraformOutput(this, 'try', { value: `ssh root@${rack1.address} ip netns exec sales ping -c 3 172.16.20.10` });
  }
}
