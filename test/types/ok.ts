/** Everything here must compile cleanly: the handles stand wherever the library takes one. */
import { Bridge, BridgeProps, HostRouter, IBridge, IInterface, INamespace, Interface, Namespace, Route, Router, VethPair, VlanInterface } from '../../lib';
import { Construct } from 'constructs';

export function handles(scope: Construct): INamespace[] {
  // imported namespace: interfaces and routes can live in it
  const other: INamespace = Namespace.fromName(scope, 'other', 'other-ns');
  const pair = new VethPair(scope, 'to-other', {
    a: { name: 'to-other', addresses: ['10.9.0.1/24'] },
    b: { name: 'eth0', namespace: other, addresses: ['10.9.0.2/24'] },
  });
  new Route(scope, 'other-default', { namespace: other, destination: 'default', via: '10.9.0.1' });

  // imported interface: a VLAN parent and a bridge port
  const eth0: IInterface = Interface.fromName(scope, 'eth0', { name: 'eth0' });
  const eth1 = Interface.fromName(scope, 'eth1', { name: 'eth1', namespace: Namespace.HOST });
  const v10 = new VlanInterface(scope, 'eth0-10', { parent: eth0, vlanId: 10 });
  const br: IBridge = new Bridge(scope, 'br', { name: 'br0', vlanFiltering: true, ports: [eth1] });

  // a VlanInterface: a VLAN parent (VLAN on VLAN) and a bridge port
  const qinq = new VlanInterface(scope, 'qinq', { parent: v10, vlanId: 20, name: 'qinq' });
  br.addPort(qinq, { pvid: 20, untagged: true });
  const asIface: IInterface = qinq;

  // a Bridge as Router.connect target, and a namespace
  const router = new Router(scope, 'router', { ipv6Forwarding: true });
  router.connect('lan', br, { address: '10.1.0.1/24' });
  router.connect('ns1', new Namespace(scope, 'ns1'), { address: '10.2.0.1/24', peerAddress: '10.2.0.2/24', peerDefaultRoute: true });

  // the host namespace: Namespace.HOST and a HostRouter
  const hostRouter = new HostRouter(scope, 'host-router', { ipv6Forwarding: false });
  new VethPair(scope, 'h', { a: { name: 'h-a', namespace: hostRouter }, b: { name: 'h-b', namespace: Namespace.HOST } });
  new Route(scope, 'host-route', { namespace: hostRouter, destination: '10.3.0.0/24', via: '10.1.0.2' });

  // readonly arrays are accepted where lists are taken; mutable ones too
  const addresses: readonly string[] = ['10.4.0.1/24', 'fd00:4::1/64'];
  const more: readonly string[] = ['10.5.0.1/24'];
  const vlanAddresses = ['10.6.0.1/24'] as const;
  const spare = new VethPair(scope, 'spare', { a: { name: 'spare-a' }, b: { name: 'spare-b' } });
  const ports: IInterface[] = [spare.a];
  const props: BridgeProps = { name: 'br1', addresses, ports };
  ports.push(spare.b);
  new Bridge(scope, 'br1', props);
  void asIface;
  new VethPair(scope, 'ro', { a: { name: 'ro-a', addresses: more }, b: { name: 'ro-b', bridge: br, bridgeVlans: { tagged: [10, 20] as readonly number[] } } });
  new VlanInterface(scope, 'ro-v', { parent: 'eth2', vlanId: 30, addresses: vlanAddresses });

  // the checks narrow unknown values to handles
  const u: unknown = br;
  const found: INamespace[] = [other, Namespace.HOST, hostRouter, router];
  if (Namespace.isNamespace(u)) found.push(u);
  if (Bridge.isBridge(u)) void u.vlanFiltering;
  void pair;
  if (Interface.isInterface(u)) void u.interfaceName;
  return found;
}
