/**
 * Ordering in the new model: a stack is three Terraform resources (the
 * Teardown, the Lab unit created after it, and the Seal, the apply's final
 * step, created after the unit); inside the unit, the
 * engine creates the kernel objects in the data file's order and re-creates
 * what hangs off a re-created object. Also: user resources depending on
 * library constructs, how names and markers are scoped per stack and per
 * prefix, and how the Lab's trigger keys change with the declared objects.
 */
import { DataResource, ITerraformDependable, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Bridge, HostRouter, HostSysctl, Namespace, Route, Router, VethPair, VlanInterface } from '../../lib';
import { KINDS_BY_NAME } from '../../lib/kinds';
import { RESERVED_TRIGGERS } from '../../lib/engine/plan-reader';
import { Lab } from '../../lib/engine/lab';
import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { BACKENDS, dataText, labOf, resources, runPlanner, synthDoc, testApp, testStack } from '../support/helpers';

setupNetnsMatchers();

/**
 * A lab with every kind of containment:
 *   ns1: bridge br0 (10.1.0.1/24) with ports p1-br (given by the veth prop)
 *        and p2-br (added with addPort after construction)
 *   ns2: eth0 (10.1.0.2/24, peer of p1-br), VLAN eth0.10 (10.10.0.2/24) with
 *        a VLAN on it, eth0.10.5, route 10.2.0.0/16 via 10.1.0.1, sysctl
 *        net.ipv4.conf.all.rp_filter
 *   host: p2 (10.1.0.3/24, peer of p2-br), sysctl net.ipv4.ip_forward
 */
function lab(stack: TerraformStack, opts: { hostSysctl?: boolean } = {}) {
  const ns1 = new Namespace(stack, 'ns1');
  const ns2 = new Namespace(stack, 'ns2', { sysctls: { 'net.ipv4.conf.all.rp_filter': 2 } });
  const br = new Bridge(stack, 'br', { name: 'br0', namespace: ns1, addresses: ['10.1.0.1/24'] });
  const p1 = new VethPair(stack, 'p1', {
    a: { name: 'p1-br', namespace: ns1, bridge: br },
    b: { name: 'eth0', namespace: ns2, addresses: ['10.1.0.2/24'] },
  });
  const p2 = new VethPair(stack, 'p2', {
    a: { name: 'p2-br', namespace: ns1 },
    b: { name: 'p2', addresses: ['10.1.0.3/24'] },
  });
  const route = new Route(stack, 'r', { namespace: ns2, destination: '10.2.0.0/16', via: '10.1.0.1' });
  const vlan = new VlanInterface(stack, 'v10', { parent: p1.b, vlanId: 10, addresses: ['10.10.0.2/24'] });
  // a VLAN on a managed VLAN: by the parent's name (a VlanInterface handle is not accepted as a parent)
  const qinq = new VlanInterface(stack, 'v10-5', { parent: vlan.interfaceName, namespace: ns2, vlanId: 5 });
  const fwd = opts.hostSysctl === false ? undefined : new HostSysctl(stack, 'fwd', { key: 'net.ipv4.ip_forward', value: 1 });
  br.addPort(p2.a);
  return { ns1, ns2, br, p1, p2, vlan, qinq, route, fwd };
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
    for (const a of ready) {
      order.push(a);
      done.add(a);
    }
  }
  return order;
}

test('creationOrder detects cycles and dangling references (the check can fail)', () => {
  const res = (deps: Record<string, string[]>) => ({ resource: { t: Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, { depends_on: v }])) } });
  expect(() => creationOrder(res({ a: ['t.b'], b: ['t.a'] }))).toThrow(/cycle/);
  expect(() => creationOrder(res({ a: ['t.zz'] }))).toThrow(/unknown/);
  expect(creationOrder(res({ a: ['t.b'], b: [] }))).toEqual(['t.b', 't.a']);
});

describe.each(BACKENDS)('%s backend', (backend) => {
  let plan: NetnsPlan;
  let doc: any;
  let data: string;
  beforeAll(() => {
    const stack = testStack(backend, {}, 'lab');
    lab(stack);
    doc = synthDoc(stack);
    plan = NetnsPlan.fromJson(doc);
    data = dataText(stack);
  });
  const key = (sel: string) => plan.get(sel).key;

  describe('the three resources', () => {
    test('the Lab unit depends on the Teardown, the Seal on the unit, and nothing else depends on anything', () => {
      const rs = resources(doc);
      expect(plan.lab!.seal).toBeDefined();
      expect(rs.map((r) => r.address).sort()).toEqual([plan.lab!.unit, plan.lab!.teardown, plan.lab!.seal].sort());
      const byAddress = new Map(rs.map((r) => [r.address, r.body]));
      expect(byAddress.get(plan.lab!.unit).depends_on).toEqual([plan.lab!.teardown]);
      expect(byAddress.get(plan.lab!.seal!).depends_on).toEqual([plan.lab!.unit]);
      expect(byAddress.get(plan.lab!.teardown!).depends_on).toBeUndefined();
    });

    test('the depends_on graph is acyclic, references only declared resources; the teardown is created first and destroyed last, the seal created last', () => {
      const order = creationOrder(doc);
      expect(order).toEqual([plan.lab!.teardown, plan.lab!.unit, plan.lab!.seal]);
      expect([...order].reverse().pop()).toBe(plan.lab!.teardown);
    });

    test("the Lab construct's resources are the ones in the plan, and its dependable is the Seal", () => {
      const stack = testStack(backend, {}, 'lab');
      lab(stack);
      const l = labOf(stack);
      const p = NetnsPlan.fromJson(synthDoc(stack));
      const address = (r: TerraformResource) => `${backend}.${stack.getLogicalId(r)}`;
      expect(address(l.teardown)).toBe(p.lab!.teardown);
      expect(address(l.unit)).toBe(p.lab!.unit);
      expect(address(l.seal)).toBe(p.lab!.seal);
      expect(l.dependable).toBe(l.seal);
      expect(l.dependable.fqn).not.toBe(l.unit.fqn);
    });

    test('never uses create_before_destroy (a replaced lab is torn down before it is rebuilt)', () => {
      const json = JSON.stringify(doc);
      expect(json).not.toContain('create_before_destroy');
      for (const r of resources(doc)) expect(r.body.lifecycle?.create_before_destroy).toBeUndefined();
    });
  });

  describe('creation order follows containment (what each object hangs off)', () => {
    test('namespace -> links in it -> addresses -> routes', () => {
      expect(plan).toRunAfter('bridge:br0', 'namespace:ns1');
      expect(plan).toRunAfter('veth:eth0', 'namespace:ns1');
      expect(plan).toRunAfter('veth:eth0', 'namespace:ns2');
      expect(plan).toRunAfter('veth:p2', 'namespace:ns1');
      expect(plan).toRunAfter('addresses:ns1/br0', 'bridge:br0');
      expect(plan).toRunAfter('addresses:ns2/eth0', 'veth:eth0');
      expect(plan).toRunAfter('addresses:host/p2', 'veth:p2');
      expect(plan).toRunAfter(ROUTE, 'namespace:ns2');
    });

    test('a route after the address that puts its gateway on-link, and not after other addresses', () => {
      expect(plan).toRunAfter(ROUTE, 'addresses:ns2/eth0');
      expect(plan).toRunAfter(ROUTE, 'address:ns2/10.1.0.2/24');
      expect(plan).not.toRunAfter(ROUTE, 'addresses:ns2/eth0.10');
      expect(plan).not.toRunAfter(ROUTE, 'addresses:ns1/br0');
    });

    test('a bridge port after its link and its bridge, including a port added with addPort() later', () => {
      expect(plan).toRunAfter('port:p1-br', 'veth:p1-br');
      expect(plan).toRunAfter('port:p1-br', 'bridge:br0');
      expect(plan).toRunAfter('port:ns1/p2-br', 'veth:p2-br');
      expect(plan).toRunAfter('port:ns1/p2-br', 'bridge:br0');
      expect(plan.get('port:p2-br').values).toEqual({ ns: 'ns1', if: 'p2-br', master: 'br0', vlans: '-' });
      expect(plan.findAll('port:p2')).toEqual([]);
    });

    test('a VLAN interface after its parent link, a VLAN on a VLAN after its parent VLAN, addresses after them', () => {
      expect(plan).toRunAfter('vlan:eth0.10', 'veth:eth0');
      expect(plan).toRunAfter('vlan:eth0.10.5', 'vlan:eth0.10');
      expect(plan).toRunAfter('vlan:eth0.10.5', 'veth:eth0');
      expect(plan).toRunAfter('addresses:ns2/eth0.10', 'vlan:eth0.10');
      expect(plan.get('vlan:eth0.10.5').values).toMatchObject({ ns: 'ns2', parent: 'eth0.10', vid: '5' });
    });

    test('namespace sysctls after their namespace; host sysctls hang off nothing', () => {
      expect(plan).toRunAfter('sysctl:ns2/net.ipv4.conf.all.rp_filter', 'namespace:ns2');
      expect(plan).not.toRunAfter('sysctl:ns2/net.ipv4.conf.all.rp_filter', 'namespace:ns1');
      expect(plan.parentsOf(plan.get('sysctl:net.ipv4.ip_forward'))).toEqual([]);
    });

    test('a VLAN interface can be a bridge port, attached after the bridge and the VLAN', () => {
      const stack = testStack(backend, {}, 'lab');
      const { ns2 } = lab(stack);
      const br = new Bridge(stack, 'br2', { name: 'br2', namespace: ns2 });
      const v = new VlanInterface(stack, 'v20', { parent: 'eth0', namespace: ns2, vlanId: 20 });
      br.addPort(v);
      const p = NetnsPlan.fromStack(stack);
      expect(p).toRunAfter('port:eth0.20', 'bridge:br2');
      expect(p).toRunAfter('port:eth0.20', 'vlan:eth0.20');
      expect(p).toCascadeFrom('port:eth0.20', 'bridge:br2');
      expect(p).not.toCascadeFrom('vlan:eth0.20', 'bridge:br2');
    });

    test('the direct parents of each object are exactly what it hangs off', () => {
      const direct = (sel: string) =>
        plan
          .parentsOf(plan.get(sel))
          .map((o) => o.key)
          .sort();
      expect(direct('namespace:ns1')).toEqual([]);
      expect(direct('bridge:br0')).toEqual([key('namespace:ns1')]);
      expect(direct('veth:p1-br')).toEqual([key('namespace:ns1'), key('namespace:ns2')].sort());
      expect(direct('veth:p2-br')).toEqual([key('namespace:ns1')]);
      expect(direct('port:p1-br')).toEqual([key('veth:p1-br'), key('bridge:br0')].sort());
      expect(direct('vlan:eth0.10')).toEqual([key('namespace:ns2'), key('veth:eth0')].sort());
      expect(direct('vlan:eth0.10.5')).toEqual([key('namespace:ns2'), key('vlan:eth0.10')].sort());
      expect(direct('address:ns2/10.1.0.2/24')).toEqual([key('veth:eth0')]);
      expect(direct(ROUTE)).toEqual([key('namespace:ns2'), key('address:ns2/10.1.0.2/24')].sort());
      expect(direct('sysctl:ns2/net.ipv4.conf.all.rp_filter')).toEqual([key('namespace:ns2')]);
    });

    test('nothing is ordered before what contains it', () => {
      expect(plan).not.toRunAfter('namespace:ns1', 'bridge:br0');
      expect(plan).not.toRunAfter('bridge:br0', 'port:p1-br');
      expect(plan).not.toRunAfter('veth:eth0', 'addresses:ns2/eth0');
      expect(plan).not.toRunAfter('addresses:ns2/eth0', ROUTE);
      expect(plan).not.toRunAfter('vlan:eth0.10', 'vlan:eth0.10.5');
      expect(() => plan.inDependencyOrder()).not.toThrow();
    });
  });

  describe('replacing a parent re-creates its children', () => {
    test('veth from both its namespaces, a bridge from its namespace', () => {
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

    test('bridge ports from their bridge and their link (addPort included), VLANs from their parents', () => {
      expect(plan).toCascadeFrom('port:p1-br', 'bridge:br0');
      expect(plan).toCascadeFrom('port:p2-br', 'bridge:br0');
      expect(plan).toCascadeFrom('port:p2-br', 'veth:p2-br');
      expect(plan).toCascadeFrom('vlan:eth0.10', 'veth:eth0');
      expect(plan).toCascadeFrom('vlan:eth0.10.5', 'veth:eth0');
    });

    test('never upwards, never sideways', () => {
      expect(plan).not.toCascadeFrom('namespace:ns1', 'bridge:br0');
      expect(plan).not.toCascadeFrom('bridge:br0', 'port:p1-br');
      expect(plan).not.toCascadeFrom('veth:eth0', 'vlan:eth0.10');
      expect(plan).not.toCascadeFrom('port:p1-br', 'port:p2-br');
      expect(plan).not.toCascadeFrom('sysctl:ns2/net.ipv4.conf.all.rp_filter', 'namespace:ns1');
    });
  });

  describe('the data file lists objects in creation order', () => {
    const PHASES = ['ns', 'nsysctl', 'bridge|veth', 'vlan', 'port', 'addr', 'route', 'hsysctl'];
    const phaseIndex = (kind: string) => PHASES.findIndex((p) => p.split('|').includes(kind));

    test('phase order: namespaces, their sysctls, bridges and veths, VLANs, ports, addresses, routes, host sysctls', () => {
      const kinds = NetnsPlan.fromData(data).objects.map((o) => o.kind);
      expect(kinds).toEqual([
        'ns',
        'ns',
        'nsysctl',
        'bridge',
        'veth',
        'veth',
        'vlan',
        'vlan',
        'port',
        'port',
        'addr',
        'addr',
        'addr',
        'addr',
        'route',
        'hsysctl',
      ]);
      const idx = kinds.map(phaseIndex);
      expect(idx).not.toContain(-1);
      expect(idx).toEqual([...idx].sort((a, b) => a - b));
      for (const k of new Set(kinds)) expect(KINDS_BY_NAME.get(k)!.phase).toBeGreaterThan(0);
    });

    test('every object after everything it hangs off (a VLAN on a VLAN after its parent)', () => {
      const fromData = NetnsPlan.fromData(data);
      const pos = new Map(fromData.objects.map((o, i) => [o.key, i]));
      for (const o of fromData.objects) {
        for (const p of fromData.parentsOf(o)) expect([p.key, pos.get(p.key)! < pos.get(o.key)!]).toEqual([p.key, true]);
      }
      expect(pos.get(key('vlan:eth0.10'))!).toBeLessThan(pos.get(key('vlan:eth0.10.5'))!);
    });

    test("the engine's planner creates them in exactly that order", () => {
      const lines = NetnsPlan.fromData(data).objects.map((o) => o.line);
      const ops = runPlanner('apply', '', data).filter((l) => !l.startsWith('T '));
      expect(ops).toEqual(lines.map((l) => `C ${l}`));
      // and destroys them in the reverse order
      const destroy = runPlanner(
        'destroy',
        data,
        data
          .split('\n')
          .filter((l) => l.startsWith('kind '))
          .join('\n'),
      ).filter((l) => !l.startsWith('T '));
      expect(destroy).toEqual([...lines].reverse().map((l) => `D ${l}`));
    });
  });

  test('user resources that dependsOn library constructs are ordered after the whole lab, its final step (the Seal) included', () => {
    const stack = testStack(backend, {}, 'lab');
    const { ns2, p1, p2, br, route, vlan, fwd } = lab(stack);
    new DataResource(stack, 'after-ns', { input: { note: 'x' }, dependsOn: [ns2] });
    new DataResource(stack, 'after-end', { input: { note: 'x' }, dependsOn: [p1.b] });
    new DataResource(stack, 'after-pair', { input: { note: 'x' }, dependsOn: [p2] });
    new DataResource(stack, 'after-vlan', { input: { note: 'x' }, dependsOn: [vlan, fwd!] });
    new TerraformResource(stack, 'after-route', { terraformResourceType: 'null_resource', dependsOn: [route, br] });
    const d = synthDoc(stack);
    const { unit, seal, teardown } = NetnsPlan.fromJson(d).lab!;
    expect(seal).toBeDefined();
    expect(d.resource.terraform_data['after-ns'].depends_on).toEqual([seal]);
    expect(d.resource.terraform_data['after-end'].depends_on).toEqual([seal]);
    expect(d.resource.terraform_data['after-pair'].depends_on).toEqual([seal]);
    expect(new Set(d.resource.terraform_data['after-vlan'].depends_on)).toEqual(new Set([seal]));
    expect(new Set(d.resource.null_resource['after-route'].depends_on)).toEqual(new Set([seal]));
    const order = creationOrder(d);
    for (const user of [
      'terraform_data.after-ns',
      'terraform_data.after-end',
      'terraform_data.after-pair',
      'terraform_data.after-vlan',
      'null_resource.after-route',
    ]) {
      expect(order.indexOf(teardown!)).toBeLessThan(order.indexOf(user));
      expect(order.indexOf(unit)).toBeLessThan(order.indexOf(user));
      expect(order.indexOf(seal!)).toBeLessThan(order.indexOf(user));
    }
  });

  test("every library construct (and interface handle) is dependable as the lab's final step, the Seal", () => {
    const stack = testStack(backend, {}, 'lab');
    // (HostRouter declares net.ipv4.ip_forward itself: a second declaration by another construct is refused)
    const parts = lab(stack, { hostSysctl: false });
    const sealFqn = labOf(stack).seal.fqn;
    const router = new Router(stack, 'rtr');
    const link = router.connect('lan', parts.ns1, { address: '10.7.0.1/24', peerAddress: '10.7.0.2/24' });
    const host = new HostRouter(stack, 'host');
    const handles: ITerraformDependable[] = [
      parts.ns1,
      parts.ns2,
      parts.br,
      parts.p1,
      parts.p1.a,
      parts.p1.b,
      parts.p2,
      parts.p2.b,
      parts.vlan,
      parts.qinq,
      parts.route,
      router,
      link,
      link.a,
      link.b,
      ...host.forwarding,
    ];
    for (const h of handles) expect(h.fqn).toBe(sealFqn);
    new DataResource(stack, 'after-all', { input: { note: 'x' }, dependsOn: handles });
    const d = synthDoc(stack);
    expect(d.resource.terraform_data['after-all'].depends_on).toHaveLength(handles.length);
    expect(new Set(d.resource.terraform_data['after-all'].depends_on)).toEqual(new Set([NetnsPlan.fromJson(d).lab!.seal]));
  });
});

describe('stacks, markers and prefixes', () => {
  function twoStacks(ids: [string, string]) {
    const app = testApp();
    return ids.map((id) => {
      const stack = new TerraformStack(app, id);
      const ns = new Namespace(stack, 'ns1');
      new VethPair(stack, 'p', { a: { name: 'v-host' }, b: { name: 'v-ns', namespace: ns } });
      return { stack, plan: NetnsPlan.fromStack(stack), data: dataText(stack) };
    });
  }

  test('markers are cdktf-netns:<stack>/<construct path>', () => {
    const stack = testStack('terraform_data', {}, 'lab-a');
    const group = new Construct(stack, 'group');
    const ns = new Namespace(group, 'inner', { name: 'inner' });
    const br = new Bridge(stack, 'br', { name: 'br0' });
    new VethPair(group, 'p', { a: { name: 'v0', namespace: ns }, b: { name: 'v1', bridge: br } });
    new VlanInterface(stack, 'v', { parent: br, vlanId: 7 });
    new HostSysctl(stack, 'fwd', { key: 'net.ipv4.ip_forward', value: '1' });
    const p = NetnsPlan.fromStack(stack);
    expect(p.get('namespace:inner').values.marker).toBe('cdktf-netns:lab-a/group/inner');
    expect(p.get('veth:v0').values.marker).toBe('cdktf-netns:lab-a/group/p');
    expect(p.get('bridge:br0').values.marker).toBe('cdktf-netns:lab-a/br');
    expect(p.get('vlan:br0.7').values.marker).toBe('cdktf-netns:lab-a/v');
    expect(p.lab!.triggers.owner).toBe('cdktf-netns:lab-a/');
    for (const o of p.objects) if (o.values.marker) expect(o.values.marker.startsWith(p.lab!.triggers.owner)).toBe(true);
  });

  test('two stacks in one app each get their own Lab, with their own id, owner and markers', () => {
    const [a, b] = twoStacks(['lab-a', 'lab-b']);
    expect(labOf(a.stack)).not.toBe(labOf(b.stack));
    expect(labOf(a.stack).node.path).toBe('lab-a/cdktf-netns');
    expect(a.plan.lab!.triggers.lab).not.toBe(b.plan.lab!.triggers.lab);
    expect(a.plan.lab!.triggers.owner).toBe('cdktf-netns:lab-a/');
    expect(b.plan.lab!.triggers.owner).toBe('cdktf-netns:lab-b/');
    expect(a.plan.get('namespace:ns1').values.marker).toBe('cdktf-netns:lab-a/ns1');
    expect(b.plan.get('namespace:ns1').values.marker).toBe('cdktf-netns:lab-b/ns1');
    expect(a.plan.get('veth:v-ns').values.marker).toBe('cdktf-netns:lab-a/p');
    expect(b.plan.get('veth:v-ns').values.marker).toBe('cdktf-netns:lab-b/p');
    expect(b.data).not.toContain('lab-a');
    expect(b.data).toContain(`#lab ${b.plan.lab!.triggers.lab}\n`);
    expect(b.data).toContain('#owner cdktf-netns:lab-b/\n');
  });

  test("an owner is never a prefix of another stack's markers (ownership is matched by prefix)", () => {
    const [a, b] = twoStacks(['lab', 'lab2']);
    for (const o of b.plan.objects) if (o.values.marker) expect(o.values.marker.startsWith(a.plan.lab!.triggers.owner)).toBe(false);
  });

  test('stack ids that differ only in characters unsafe for markers still get distinct owners and lab ids', () => {
    const [a, b] = twoStacks(['lab+1', 'lab_1']);
    expect(a.plan.lab!.triggers.owner).not.toBe(b.plan.lab!.triggers.owner);
    expect(a.plan.lab!.triggers.lab).not.toBe(b.plan.lab!.triggers.lab);
    expect(a.plan.lab!.triggers.owner).toMatch(/^cdktf-netns:lab_1~[0-9a-f]{8}\/$/);
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
    expect(p.get('port:l1-veth-h').values).toEqual({ ns: '-', if: 'l1-veth-h', master: 'l1-br0', vlans: '-' });
    expect(p.get('veth:l1-veth-h').values).toMatchObject({ ns_a: '-', ns_b: 'l1-web', if_b: 'veth-g' });
    expect(p.get('sysctl:l1-rtr/net.ipv4.ip_forward').values.value).toBe('1');
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
    expect(plans[0]).not.toCreateInterface('b-veth0', 'host');
  });

  test('the prefix applies to an explicitly named VLAN interface on the host, not to a named parent', () => {
    const stack = testStack('terraform_data', { 'cdktf-netns:prefix': 'l1-' });
    new VlanInterface(stack, 'v', { parent: 'eth0', vlanId: 5, name: 'uplink5' });
    new VlanInterface(stack, 'w', { parent: 'eth0', vlanId: 6 });
    const p = NetnsPlan.fromStack(stack);
    expect(p.get('vlan:l1-uplink5').values).toMatchObject({ ns: '-', parent: 'eth0', vid: '5' });
    expect(p.get('vlan:eth0.6').values.parent).toBe('eth0');
    expect(Testing.synth(stack)).not.toContain('l1-eth0');
    expect(dataText(stack)).not.toContain('l1-eth0');
  });
});

describe("the Lab unit's trigger keys: one per home namespace, so a plan names what changes", () => {
  type Build = (s: TerraformStack) => void;
  const base = (s: TerraformStack, o: { brAddress?: string; eth0Address?: string; fwd?: string; extraNs?: boolean; route?: boolean } = {}) => {
    const ns1 = new Namespace(s, 'ns1');
    const ns2 = new Namespace(s, 'ns2');
    new Bridge(s, 'br', { name: 'br0', namespace: ns1, addresses: [o.brAddress ?? '10.5.0.1/24'] });
    // a veth's objects (and the addresses and ports of its ends) live with its first end
    new VethPair(s, 'p', {
      a: { name: 'a0', namespace: ns1, addresses: ['10.1.0.1/24'] },
      b: { name: 'eth0', namespace: ns2, addresses: [o.eth0Address ?? '10.1.0.2/24'] },
    });
    new VethPair(s, 'h', { a: { name: 'h0', addresses: ['10.2.0.1/24'] }, b: { name: 'h1', namespace: ns2, addresses: ['10.2.0.2/24'] } });
    if (o.route !== false) new Route(s, 'r', { namespace: ns2, destination: '10.9.0.0/16', via: '10.1.0.1' });
    new HostSysctl(s, 'fwd', { key: 'net.ipv4.ip_forward', value: o.fwd ?? '1' });
    if (o.extraNs) new Namespace(s, 'ns3');
  };
  const triggers = (build: Build, stackId = 'lab') => {
    const stack = testStack('terraform_data', {}, stackId);
    build(stack);
    const p = NetnsPlan.fromStack(stack);
    return { unit: p.lab!.triggers, teardown: synthDoc(stack).resource.terraform_data[p.lab!.teardown!.split('.')[1]].triggers_replace };
  };
  const changed = (a: Record<string, string>, b: Record<string, string>) =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();

  const before = () => triggers((s) => base(s));

  test('the keys of the base lab', () => {
    expect(
      Object.keys(before().unit)
        .filter((k) => !RESERVED_TRIGGERS.includes(k))
        .sort(),
    ).toEqual(['host', 'namespace ns1', 'namespace ns2']);
    expect(before().unit.host).toBe('hsysctl net.ipv4.ip_forward 1');
  });

  test('the same code gives the same triggers', () => {
    expect(changed(before().unit, before().unit)).toEqual([]);
  });

  test('changing an address of a bridge in ns1 changes only the ns1 key (and the data hash)', () => {
    const after = triggers((s) => base(s, { brAddress: '10.5.0.9/24' }));
    expect(changed(before().unit, after.unit)).toEqual(['data', 'namespace ns1']);
    expect(after.unit['namespace ns1']).toContain('addr ns1 br0 10.5.0.9/24');
    expect(after.unit['namespace ns1']).not.toContain('10.5.0.1/24');
  });

  test("changing an address of a veth end changes only the key of the veth's home", () => {
    const after = triggers((s) => base(s, { eth0Address: '10.1.0.3/24' }));
    expect(changed(before().unit, after.unit)).toEqual(['data', 'namespace ns1']);
    expect(after.unit['namespace ns1']).toContain('addr ns2 eth0 10.1.0.3/24');
  });

  test('changing a host sysctl changes only the host key', () => {
    const after = triggers((s) => base(s, { fwd: '0' }));
    expect(changed(before().unit, after.unit)).toEqual(['data', 'host']);
  });

  test("removing a route changes only its namespace's key", () => {
    const after = triggers((s) => base(s, { route: false }));
    expect(changed(before().unit, after.unit)).toEqual(['data', 'namespace ns2']);
  });

  test('adding a namespace adds one key and changes no other', () => {
    const after = triggers((s) => base(s, { extraNs: true }));
    expect(changed(before().unit, after.unit)).toEqual(['data', 'namespace ns3']);
    expect(after.unit['namespace ns3']).toBe('ns ns3 cdktf-netns:lab/ns3');
  });

  test("the unit's deployment trigger and the seal's triggers: fixed references, and the data hash (the seal is replaced with the unit)", () => {
    const seal = (o: Parameters<typeof base>[1] = {}) => {
      const stack = testStack('terraform_data', {}, 'lab');
      base(stack, o);
      const p = NetnsPlan.fromStack(stack);
      return { p, seal: synthDoc(stack).resource.terraform_data[p.lab!.seal!.split('.')[1]].triggers_replace };
    };
    const a = seal();
    const b = seal({ brAddress: '10.5.0.9/24' });
    expect(a.p.lab!.triggers.deployment).toBe(`\${${a.p.lab!.teardown}.id}`);
    expect(a.seal).toEqual({ deployment: `\${${a.p.lab!.teardown}.id}`, unit: `\${${a.p.lab!.unit}.id}`, data: a.p.lab!.triggers.data });
    expect(changed(a.seal, b.seal)).toEqual(['data']);
    expect(b.seal.data).toBe(b.p.lab!.triggers.data);
    expect(changed(a.seal, seal().seal)).toEqual([]);
  });

  test("the teardown's triggers never change with the declared objects (it is never replaced mid-life)", () => {
    for (const o of [{ brAddress: '10.5.0.9/24' }, { extraNs: true }, { route: false }, { fwd: '0' }]) {
      expect(triggers((s) => base(s, o)).teardown).toEqual(before().teardown);
    }
    // but a stack of another name is another lab
    const other = triggers((s) => base(s), 'lab2');
    expect(other.teardown.lab).not.toBe(before().teardown.lab);
    expect(other.teardown.owner).toBe('cdktf-netns:lab2/');
  });
});

describe('found by the unit-test rewrite', () => {
  test('the same host sysctl asked by two constructs with the same value is one object', () => {
    const stack = testStack();
    new HostRouter(stack, 'a');
    new HostRouter(stack, 'b');
    new HostSysctl(stack, 'fwd', { key: 'net.ipv4.ip_forward', value: 1 });
    const p = NetnsPlan.fromStack(stack);
    expect(p.findAll('sysctl:net.ipv4.ip_forward').map((o) => o.line)).toEqual(['hsysctl net.ipv4.ip_forward 1']);
  });

  test('two constructs asking different values for one host sysctl are refused, naming the first', () => {
    const stack = testStack();
    new HostSysctl(stack, 'on', { key: 'net.ipv4.ip_forward', value: 1 });
    new HostSysctl(stack, 'off', { key: 'net.ipv4.ip_forward', value: 0 });
    expect(() => NetnsPlan.fromStack(stack)).toThrow(/stack\/off: host sysctl net.ipv4.ip_forward=0 is also declared by stack\/on, with other values/);
  });

  test('a VLAN on a VLAN named by string comes after its parent in the data, even when declared first', () => {
    const stack = testStack();
    const ns = new Namespace(stack, 'ns');
    new VlanInterface(stack, 'v2', { parent: 'eth0.10', namespace: ns, vlanId: 5 });
    const p = new VethPair(stack, 'p', { a: { name: 'eth0', namespace: ns }, b: { name: 'h0' } });
    new VlanInterface(stack, 'v1', { parent: p.a, vlanId: 10 });
    const lines = NetnsPlan.fromData((stack.node.findChild('cdktf-netns') as Lab).data().text)
      .objects.filter((o) => o.kind === 'vlan')
      .map((o) => o.values.if);
    expect(lines).toEqual(['eth0.10', 'eth0.10.5']);
  });

  test('a VlanInterface is a valid parent of another VLAN interface', () => {
    const stack = testStack();
    const ns = new Namespace(stack, 'ns');
    const p = new VethPair(stack, 'p', { a: { name: 'eth0', namespace: ns }, b: { name: 'h0' } });
    const outer = new VlanInterface(stack, 'v1', { parent: p.a, vlanId: 10 });
    new VlanInterface(stack, 'v2', { parent: outer, vlanId: 5 });
    expect(NetnsPlan.fromStack(stack).get('vlan:eth0.10.5').values).toMatchObject({ ns: 'ns', parent: 'eth0.10', vid: '5' });
  });
});
