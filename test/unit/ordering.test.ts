/**
 * Creation/destroy order (depends_on), replacement cascades (parent ids in
 * triggers), user resources depending on library constructs, and how names
 * and markers are scoped per stack and per prefix.
 */
import { DataResource, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { Bridge, Namespace, Route, Router, VethPair, VlanInterface } from '../../lib';
import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { BACKENDS, resources, synthDoc, testApp, testStack } from './helpers';

setupNetnsMatchers();

/**
 * A lab with every kind of containment:
 *   ns1: bridge br0 (10.1.0.1/24) with ports p1-br (given by the veth prop)
 *        and p2-br (added with addPort after construction)
 *   ns2: eth0 (10.1.0.2/24, peer of p1-br), VLAN eth0.10 (10.10.0.2/24),
 *        route 10.2.0.0/16 via 10.1.0.1
 *   host: p2 (10.1.0.3/24, peer of p2-br)
 */
function lab(stack: TerraformStack) {
  const ns1 = new Namespace(stack, 'ns1');
  const ns2 = new Namespace(stack, 'ns2');
  const br = new Bridge(stack, 'br', { name: 'br0', namespace: ns1, addresses: ['10.1.0.1/24'] });
  const p1 = new VethPair(stack, 'p1', {
    a: { name: 'p1-br', namespace: ns1, bridge: br },
    b: { name: 'eth0', namespace: ns2, addresses: ['10.1.0.2/24'] },
  });
  const p2 = new VethPair(stack, 'p2', {
    a: { name: 'p2-br', namespace: ns1 },
    b: { name: 'p2', addresses: ['10.1.0.3/24'] },
  });
  br.addPort(p2.a);
  const vlan = new VlanInterface(stack, 'v10', { parent: p1.b, vlanId: 10, addresses: ['10.10.0.2/24'] });
  const route = new Route(stack, 'r', { namespace: ns2, destination: '10.2.0.0/16', via: '10.1.0.1' });
  return { ns1, ns2, br, p1, p2, vlan, route };
}

const ROUTE = 'route:ns2/10.2.0.0/16';

/** Kahn's algorithm over depends_on of every resource; throws on a cycle or a dangling reference. */
function creationOrder(doc: any): string[] {
  const deps = new Map(resources(doc).map((r) => [r.address, (r.body.depends_on ?? []) as string[]]));
  for (const [a, ds] of deps) {
    for (const d of ds) if (!deps.has(d)) throw new Error(`${a} depends on unknown ${d}`);
  }
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < deps.size) {
    const ready = [...deps.keys()].filter((a) => !done.has(a) && deps.get(a)!.every((d) => done.has(d))).sort();
    if (ready.length === 0) throw new Error(`dependency cycle among ${[...deps.keys()].filter((a) => !done.has(a)).join(', ')}`);
    for (const a of ready) { order.push(a); done.add(a); }
  }
  return order;
}

describe.each(BACKENDS)('%s backend', (backend) => {
  let plan: NetnsPlan;
  let doc: any;
  beforeAll(() => {
    const stack = testStack(backend, {}, 'lab');
    lab(stack);
    doc = synthDoc(stack);
    plan = NetnsPlan.fromJson(doc);
  });
  const addr = (sel: string) => plan.get(sel).address;

  describe('creation order follows containment', () => {
    test('namespace -> links in it -> addresses -> routes', () => {
      expect(plan).toRunAfter('bridge:br0', 'namespace:ns1');
      expect(plan).toRunAfter('veth:eth0', 'namespace:ns1');
      expect(plan).toRunAfter('veth:eth0', 'namespace:ns2');
      expect(plan).toRunAfter('veth:p2', 'namespace:ns1');
      expect(plan).toRunAfter('addresses:ns1/br0', 'bridge:br0');
      expect(plan).toRunAfter('addresses:ns2/eth0', 'veth:eth0');
      expect(plan).toRunAfter('addresses:host/p2', 'veth:p2');
      expect(plan).toRunAfter(ROUTE, 'namespace:ns2');
      expect(plan).toRunAfter(ROUTE, 'addresses:ns2/eth0');
    });

    test('a bridge before its ports, including a port added with addPort() later', () => {
      expect(plan).toRunAfter('veth:p1-br', 'bridge:br0');
      expect(plan).toRunAfter('veth:p2-br', 'bridge:br0');
      expect(plan.get('veth:p2-br').triggers).toMatchObject({ master_a: 'br0', master_b: '' });
    });

    test('a VLAN interface can be a bridge port, created after the bridge', () => {
      const stack = testStack(backend, {}, 'lab');
      const { ns2 } = lab(stack);
      const br = new Bridge(stack, 'br2', { name: 'br2', namespace: ns2 });
      const v = new VlanInterface(stack, 'v20', { parent: 'eth0', namespace: ns2, vlanId: 20 });
      br.addPort(v);
      const p = NetnsPlan.fromStack(stack);
      expect(p).toRunAfter('vlan:eth0.20', 'bridge:br2');
      expect(p).toCascadeFrom('vlan:eth0.20', 'bridge:br2');
    });

    test('a VLAN interface after its parent link, its addresses after it', () => {
      expect(plan).toRunAfter('vlan:eth0.10', 'veth:eth0');
      expect(plan).toRunAfter('addresses:ns2/eth0.10', 'vlan:eth0.10');
    });

    test('the direct depends_on of each object are exactly its containers (and the sweep)', () => {
      const sweep = addr('sweep');
      const direct = (sel: string) => [...plan.get(sel).dependsOn].sort();
      expect(direct('namespace:ns1')).toEqual([sweep]);
      expect(direct('bridge:br0')).toEqual([sweep, addr('namespace:ns1')].sort());
      expect(direct('veth:p1-br')).toEqual([sweep, addr('namespace:ns1'), addr('namespace:ns2'), addr('bridge:br0')].sort());
      expect(direct('veth:p2-br')).toEqual([sweep, addr('namespace:ns1'), addr('bridge:br0')].sort());
      expect(direct('vlan:eth0.10')).toEqual([sweep, addr('namespace:ns2'), addr('veth:eth0')].sort());
      expect(direct('addresses:ns2/eth0')).toEqual([sweep, addr('veth:eth0')].sort());
      expect(direct(ROUTE)).toEqual([sweep, addr('namespace:ns2'), addr('addresses:ns2/eth0')].sort());
      expect(direct('sweep')).toEqual([addr('teardown')]);
      expect(direct('teardown')).toEqual([]);
    });

    test('nothing is ordered before what contains it', () => {
      expect(plan).not.toRunAfter('namespace:ns1', 'bridge:br0');
      expect(plan).not.toRunAfter('bridge:br0', 'veth:p1-br');
      expect(plan).not.toRunAfter('veth:eth0', 'addresses:ns2/eth0');
      expect(plan).not.toRunAfter('addresses:ns2/eth0', ROUTE);
      expect(plan).not.toRunAfter('teardown', 'sweep');
    });

    test('everything runs after the sweep, and the sweep after the teardown', () => {
      const others = plan.objects.filter((o) => o.kind !== 'sweep' && o.kind !== 'teardown');
      expect(others.length).toBe(11);
      for (const o of others) expect(plan).toRunAfter(o.address, 'sweep');
      expect(plan).toRunAfter('sweep', 'teardown');
    });
  });

  describe('destroy order is the reverse', () => {
    test('the depends_on graph is acyclic and only references declared resources', () => {
      expect(() => creationOrder(doc)).not.toThrow();
    });

    test('reversed, objects go before what contains them and the teardown goes last', () => {
      const destroy = creationOrder(doc).reverse();
      const pos = (sel: string) => destroy.indexOf(addr(sel));
      expect(pos(ROUTE)).toBeLessThan(pos('addresses:ns2/eth0'));
      expect(pos('addresses:ns2/eth0')).toBeLessThan(pos('veth:eth0'));
      expect(pos('vlan:eth0.10')).toBeLessThan(pos('veth:eth0'));
      expect(pos('veth:p2-br')).toBeLessThan(pos('bridge:br0'));
      expect(pos('bridge:br0')).toBeLessThan(pos('namespace:ns1'));
      expect(pos('namespace:ns1')).toBeLessThan(pos('sweep'));
      expect(destroy[destroy.length - 1]).toBe(addr('teardown'));
    });
  });

  describe('replacing a parent re-creates its children', () => {
    test('veth from both its namespaces', () => {
      expect(plan).toCascadeFrom('veth:eth0', 'namespace:ns1');
      expect(plan).toCascadeFrom('veth:eth0', 'namespace:ns2');
      expect(plan).toCascadeFrom('bridge:br0', 'namespace:ns1');
    });

    test('addresses from their link', () => {
      expect(plan).toCascadeFrom('addresses:ns2/eth0', 'veth:eth0');
      expect(plan).toCascadeFrom('addresses:ns1/br0', 'bridge:br0');
      expect(plan).toCascadeFrom('addresses:ns2/eth0.10', 'vlan:eth0.10');
    });

    test('a route from its namespace and from the address that puts its gateway on-link', () => {
      expect(plan).toCascadeFrom(ROUTE, 'namespace:ns2');
      expect(plan).toCascadeFrom(ROUTE, 'addresses:ns2/eth0');
      expect(plan).not.toCascadeFrom(ROUTE, 'addresses:ns2/eth0.10');
    });

    test('bridge ports from their bridge (addPort included), a VLAN from its parent', () => {
      expect(plan).toCascadeFrom('veth:p1-br', 'bridge:br0');
      expect(plan).toCascadeFrom('veth:p2-br', 'bridge:br0');
      expect(plan).toCascadeFrom('vlan:eth0.10', 'veth:eth0');
    });

    test('never upwards, and never from the sweep (it is replaced on every change of the declared set)', () => {
      expect(plan).not.toCascadeFrom('namespace:ns1', 'bridge:br0');
      expect(plan).not.toCascadeFrom('bridge:br0', 'veth:p1-br');
      for (const o of plan.objects) {
        if (o.kind !== 'sweep') expect(plan).not.toCascadeFrom(o.address, 'sweep');
      }
    });
  });

  test('user resources that dependsOn library constructs get depends_on on the right resource', () => {
    const stack = testStack(backend, {}, 'lab');
    const { ns2, p1, p2, br, route } = lab(stack);
    new DataResource(stack, 'after-ns', { input: { note: 'x' }, dependsOn: [ns2] });
    new DataResource(stack, 'after-end', { input: { note: 'x' }, dependsOn: [p1.a, p1.b] });
    new DataResource(stack, 'after-pair', { input: { note: 'x' }, dependsOn: [p2] });
    new TerraformResource(stack, 'after-route', { terraformResourceType: 'null_resource', dependsOn: [route, br] });
    const d = synthDoc(stack);
    const p = NetnsPlan.fromJson(d);
    const a = (sel: string) => p.get(sel).address;
    expect(d.resource.terraform_data['after-ns'].depends_on).toEqual([a('namespace:ns2')]);
    // an end with addresses is ready once they are assigned; one without, once its link is up
    expect(d.resource.terraform_data['after-end'].depends_on).toEqual([a('veth:eth0'), a('addresses:ns2/eth0')]);
    expect(d.resource.terraform_data['after-pair'].depends_on).toEqual([a('addresses:host/p2')]);
    expect(d.resource.null_resource['after-route'].depends_on).toEqual([a(ROUTE), a('addresses:ns1/br0')]);
  });
});

describe('stacks and prefixes', () => {
  function twoStacks(ids: [string, string]) {
    const app = testApp();
    return ids.map((id) => {
      const stack = new TerraformStack(app, id);
      const ns = new Namespace(stack, 'ns1');
      new VethPair(stack, 'p', { a: { name: 'v-host' }, b: { name: 'v-ns', namespace: ns } });
      return NetnsPlan.fromStack(stack);
    });
  }

  test('two stacks with the same construct ids get distinct markers and owners', () => {
    const [a, b] = twoStacks(['lab-a', 'lab-b']);
    expect(a.get('namespace:ns1').triggers.marker).toBe('cdktf-netns:lab-a/ns1');
    expect(b.get('namespace:ns1').triggers.marker).toBe('cdktf-netns:lab-b/ns1');
    expect(a.get('veth:v-ns').triggers.marker).toBe('cdktf-netns:lab-a/p');
    expect(b.get('veth:v-ns').triggers.marker).toBe('cdktf-netns:lab-b/p');
    expect(a.get('sweep').triggers.owner).toBe('cdktf-netns:lab-a/');
    expect(b.get('sweep').triggers.owner).toBe('cdktf-netns:lab-b/');
    expect(b.get('sweep').triggers.inventory).not.toContain('lab-a');
  });

  test('an owner is never a prefix of another stack\'s markers (the sweep matches by prefix)', () => {
    const [a, b] = twoStacks(['lab', 'lab2']);
    expect(b.get('namespace:ns1').triggers.marker.startsWith(a.get('sweep').triggers.owner)).toBe(false);
  });

  test('stack ids that differ only in characters unsafe for markers still get distinct owners', () => {
    const [a, b] = twoStacks(['lab+1', 'lab_1']);
    expect(a.get('sweep').triggers.owner).not.toBe(b.get('sweep').triggers.owner);
  });

  test('the prefix applies to namespace names and host-side interfaces, not to interfaces inside namespaces', () => {
    const stack = testStack('terraform_data', { 'cdktf-netns:prefix': 'l1-' });
    const ns = new Namespace(stack, 'web');
    const rtr = new Router(stack, 'rtr', { name: 'rtr' });
    const hostBr = new Bridge(stack, 'br', { name: 'br0', addresses: ['10.9.0.1/24'] });
    const pair = new VethPair(stack, 'p', { a: { name: 'veth-h', bridge: hostBr }, b: { name: 'veth-g', namespace: ns } });
    new VlanInterface(stack, 'v', { parent: pair.b, vlanId: 7 });
    new VlanInterface(stack, 'hv', { parent: hostBr, vlanId: 8 });
    rtr.connect('lan', ns, { address: '10.0.0.1/24', peerAddress: '10.0.0.2/24' });
    const p = NetnsPlan.fromStack(stack);
    expect(p).toCreateNamespace('l1-web');
    expect(p).toCreateNamespace('l1-rtr');
    expect(p).not.toCreateNamespace('web');
    expect(p).toCreateInterface('l1-br0', 'host');
    expect(p).toCreateInterface('l1-veth-h', 'host');
    expect(p).toCreateInterface('veth-g', 'l1-web');
    expect(p).toCreateInterface('veth-g.7', 'l1-web');
    expect(p).toCreateInterface('l1-br0.8', 'host');
    expect(p).toCreateInterface('lan-rtr', 'l1-rtr');
    expect(p).toCreateInterface('lan', 'l1-web');
    expect(p.get('veth:l1-veth-h').triggers).toMatchObject({ master_a: 'l1-br0', ns_b: 'l1-web' });
  });

  test('a prefix set on one stack keeps two otherwise identical stacks apart in the kernel', () => {
    const app = testApp();
    const plans = ['a', 'b'].map((id) => {
      const stack = new TerraformStack(app, id);
      stack.node.setContext('cdktf-netns:prefix', `${id}-`);
      new VethPair(stack, 'p', { a: { name: 'veth0' }, b: { name: 'veth1', namespace: new Namespace(stack, 'ns') } });
      return NetnsPlan.fromStack(stack);
    });
    expect(plans[0]).toCreateNamespace('a-ns');
    expect(plans[1]).toCreateNamespace('b-ns');
    expect(plans[0]).toCreateInterface('a-veth0', 'host');
    expect(plans[1]).toCreateInterface('b-veth0', 'host');
  });
});

test('the prefix applies to an explicitly named VLAN interface on the host, not to a named parent', () => {
  const stack = testStack('terraform_data', { 'cdktf-netns:prefix': 'l1-' });
  new VlanInterface(stack, 'v', { parent: 'eth0', vlanId: 5, name: 'uplink5' });
  new VlanInterface(stack, 'w', { parent: 'eth0', vlanId: 6 });
  const p = NetnsPlan.fromStack(stack);
  expect(p.get('vlan:l1-uplink5').triggers).toMatchObject({ parent: 'eth0', parent_id: '' });
  expect(p.get('vlan:eth0.6').triggers.parent).toBe('eth0');
  expect(Testing.synth(stack)).not.toContain('l1-eth0');
});
