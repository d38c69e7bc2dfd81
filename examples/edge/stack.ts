import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { Bridge, Firewall, Masquerade, Namespace, PortForward, Reachable, Route, Router, Unreachable, VethPair } from '../../lib';

/**
 * A home router: a LAN behind a gateway that masquerades onto an "internet" segment, a web
 * server on the LAN published through a port forward, and a firewall whose policies are drop.
 *
 *   [ lan1 ] 192.168.1.10  --\                          203.0.113.1/24        203.0.113.10/24
 *            fd00:1::10/64    br-lan [ gw ] wan ============================= inet0 [ internet ]
 *   [ web  ] 192.168.1.20  --/ 192.168.1.1/24, fd00:1::1/64
 *
 * The internet has no route back to 192.168.1.0/24: the LAN reaches it only through the NAT.
 * gw: input drop (the LAN may ping it), forward drop (the LAN may go out; the port forward
 * 203.0.113.1:8080 -> 192.168.1.20:80 opens its own path), masquerade out of wan.
 */
export class EdgeStack extends TerraformStack {
  public readonly gw: Router;
  public readonly lan: Bridge;
  public readonly firewall: Firewall;
  public readonly lan1: Namespace;
  public readonly web: Namespace;
  public readonly internet: Namespace;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const gw = new Router(this, 'gw', { name: 'gw', ipv6Forwarding: true });
    const internet = new Namespace(this, 'internet', { name: 'internet' });
    const lan = new Bridge(this, 'lan', { name: 'br-lan', namespace: gw, addresses: ['192.168.1.1/24', 'fd00:1::1/64'] });
    const uplink = new VethPair(this, 'uplink', {
      a: { name: 'wan', namespace: gw, addresses: ['203.0.113.1/24'] },
      b: { name: 'inet0', namespace: internet, addresses: ['203.0.113.10/24'] },
    });
    const host = (name: string, v4: string, v6?: string): Namespace => {
      const ns = new Namespace(this, name, { name });
      new VethPair(this, `${name}-link`, {
        a: { name: 'eth0', namespace: ns, addresses: v6 ? [v4, v6] : [v4] },
        b: { name: `${name}-p`, namespace: gw, bridge: lan },
      });
      return ns;
    };
    const lan1 = host('lan1', '192.168.1.10/24', 'fd00:1::10/64');
    const web = host('web', '192.168.1.20/24');
    for (const ns of [lan1, web]) new Route(this, `${ns.node.id}-default`, { namespace: ns, destination: 'default', via: '192.168.1.1' });

    this.firewall = new Firewall(this, 'firewall', {
      namespace: gw,
      input: { policy: 'drop', allow: [{ inInterface: lan, protocol: 'icmp' }] },
      forward: { policy: 'drop', allow: [{ inInterface: lan, outInterface: uplink.a }] },
    });
    new Masquerade(this, 'nat', { namespace: gw, outInterface: uplink.a });
    new PortForward(this, 'web-8080', { namespace: gw, protocol: 'tcp', port: 8080, toAddress: '203.0.113.1', to: '192.168.1.20:80' });

    // what the lab is for, probed at the end of every deploy
    new Reachable(this, 'lan-reaches-internet', { from: lan1, to: '203.0.113.10', via: '192.168.1.1' });
    new Reachable(this, 'lan-reaches-gw-v6', { from: lan1, to: 'fd00:1::1' });
    new Unreachable(this, 'internet-cannot-ping-gw', { from: internet, to: '203.0.113.1', timeout: 2 });
    new Unreachable(this, 'internet-cannot-reach-lan', { from: internet, to: '192.168.1.10', timeout: 2 });
    this.gw = gw;
    this.lan = lan;
    this.lan1 = lan1;
    this.web = web;
    this.internet = internet;
  }
}
