import { Bridge, Namespace, Route, Router, VethPair } from '../../lib';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNoChangesThenNothingLeft } from '../support/expect';

jest.setTimeout(300_000);

const sb = useSandbox();
const lab = useLabs(sb)('dual');

// Router.connect to a namespace (with the peer's default routes) and to a bridge, IPv4 and IPv6.
test('dual stack through Router.connect: a client reaches a server on a bridged LAN over IPv4 and IPv6', () => {
  lab.synthStack((stack) => {
    const router = new Router(stack, 'router', { ipv6Forwarding: true });
    const client = new Namespace(stack, 'client');
    router.connect('cli', client, { address: ['10.1.0.1/24', 'fd00:1::1/64'], peerAddress: ['10.1.0.2/24', 'fd00:1::2/64'], peerDefaultRoute: true });
    const lan = new Bridge(stack, 'lan', { name: 'br-lan' });
    router.connect('lan', lan, { address: ['10.2.0.1/24', 'FD00:2:0:0::1/64'], interfaceName: 'lan-rtr', peerInterfaceName: 'lan-p' });
    const server = new Namespace(stack, 'server');
    new VethPair(stack, 'srv', {
      a: { name: 'eth0', namespace: server, addresses: ['10.2.0.10/24', 'fd00:2::10/64'] },
      b: { name: 'srv-p', bridge: lan },
    });
    new Route(stack, 'srv-v4', { namespace: server, destination: '0.0.0.0/0', via: '10.2.0.1' });
    new Route(stack, 'srv-v6', { namespace: server, destination: '::/0', via: 'fd00:2::1' });
  });
  lab.applyOk();
  expect(sb.namespaces()).toEqual(['client', 'router', 'server']);
  expect(sb.links('router')['lan-rtr'].addrs).toEqual(['10.2.0.1/24', 'fd00:2::1/64']);
  expect(sb.links('')['lan-p']).toMatchObject({ master: 'br-lan', up: true });
  expect(sb.sysctl('router', 'net.ipv6.conf.all.forwarding')).toBe('1');
  expect(sb.routes('client')).toEqual(['default via 10.1.0.1']);
  expect(sb.ipJson('client', '-6 route show proto 213').map((r: any) => `${r.dst} via ${r.gateway}`)).toEqual(['default via fd00:1::1']);
  expect(sb.sh('ip netns exec client ping -c 2 -W 2 10.2.0.10').code).toBe(0);
  expect(sb.sh('ip netns exec client ping -6 -c 2 -W 2 fd00:2::10').code).toBe(0);
  expectNoChangesThenNothingLeft(sb, lab);
});
