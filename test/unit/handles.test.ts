/**
 * Handles at run time (issue 9): `isNamespace` / `isInterface` / `isBridge`
 * recognise every handle the library makes and nothing else; an object a
 * user made (past the type checker, `as any`) is refused with a message that
 * names the construct and says what to pass; imported namespaces and
 * interfaces (`Namespace.fromName`, `Interface.fromName`) stand where built
 * ones do; Tokens, non-booleans and a gateway that is the namespace's own
 * address are refused at synth.
 */
import { TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { Bridge, HostRouter, IInterface, INamespace, Interface, Namespace, NetnsError, Route, Router, VethPair, VlanInterface } from '../../lib';
import { KINDS_BY_NAME } from '../../lib/kinds';
import { NetnsPlan } from '../../lib/testing';
import { handles as okFixture } from '../types/ok';
import { dataText, testStack } from '../support/helpers';

/** Build in a fresh stack and synthesize with validations; return the error message (construction or synth). */
function refusal(build: (s: TerraformStack) => unknown, context: Record<string, unknown> = {}): string {
  const stack = testStack('terraform_data', context);
  try {
    build(stack);
    Testing.synth(stack, true);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    // a library refusal, not a crash inside it
    expect(e).not.toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  throw new Error('expected the stack to be refused, but it synthesized');
}

/** Build in a fresh stack, synthesize with validations, and return the data file's object lines. */
function accepted(build: (s: TerraformStack) => unknown, context: Record<string, unknown> = {}): string[] {
  const stack = testStack('terraform_data', context);
  build(stack);
  Testing.synth(stack, true);
  return dataText(stack)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('kind '));
}

const fields = (line: string) => line.split(' ');
const ofKind = (lines: string[], kind: string) => lines.filter((l) => fields(l)[0] === kind);
/** The interfaces `[ns, ifname]` the objects of a data file create. */
const createdLinks = (lines: string[]): string[] =>
  lines.flatMap((l) => {
    const [kind, ...values] = fields(l);
    const k = KINDS_BY_NAME.get(kind);
    if (!k) throw new Error(`unknown kind in ${l}`);
    return k.links(Object.fromEntries(k.fields.map((f, i) => [f, values[i]]))).map(([ns, ifname]) => `${ns} ${ifname}`);
  });

/** A message of the library: names the construct path, shows no "[object Object]", gives a fix. */
function expectNamed(msg: string, path: string): void {
  expect(msg).toContain(`cdktf-netns: ${path}: `);
  expect(msg).not.toContain('[object Object]');
  expect(msg).toMatch(/Fix: \S/);
}

/** Every kind of handle the library makes, in one stack. */
function allHandles(s: TerraformStack) {
  const namespace = new Namespace(s, 'ns');
  const router = new Router(s, 'router');
  const hostRouter = new HostRouter(s, 'host-router');
  const imported = Namespace.fromName(s, 'imported', 'made-elsewhere');
  const pair = new VethPair(s, 'pair', { a: { name: 'pa', namespace }, b: { name: 'pb' } });
  const bridge = new Bridge(s, 'br', { name: 'br0' });
  const vlan = new VlanInterface(s, 'vlan', { parent: pair.a, vlanId: 10 });
  const eth0 = Interface.fromName(s, 'eth0', { name: 'eth0' });
  const namespaces: Array<[string, INamespace]> = [
    ['a Namespace', namespace],
    ['a Router', router],
    ['Namespace.HOST', Namespace.HOST],
    ['a HostRouter', hostRouter],
    ['Namespace.fromName', imported],
  ];
  const interfaces: Array<[string, IInterface]> = [
    ['veth end a', pair.a],
    ['veth end b', pair.b],
    ['a Bridge', bridge],
    ['a VlanInterface', vlan],
    ['Interface.fromName', eth0],
  ];
  return { namespaces, interfaces, bridge };
}

// objects that look like handles but were written by hand
const LOOK_ALIKES: Array<[string, unknown]> = [
  ['a namespace look-alike', { namespaceName: 'x', isHost: false }],
  ['a host namespace look-alike', { namespaceName: '', isHost: true }],
  ['an interface look-alike', { interfaceName: 'eth0', namespace: Namespace.HOST, addresses: [], fqn: 'x' }],
  ['a bridge look-alike', { interfaceName: 'br0', namespace: Namespace.HOST, addresses: [], fqn: 'x', vlanFiltering: false, addPort: () => undefined }],
  ['a brand spelled as a string key', { 'cdktf-netns.INamespace': true, 'cdktf-netns.IInterface': true, 'cdktf-netns.IBridge': true }],
  ['an empty object', {}],
  ['null', null],
  ['undefined', undefined],
  ['a string', 'ns1'],
  ['an interface name', 'eth0'],
  ['a number', 42],
  ['a function', () => undefined],
];

describe('isNamespace / isInterface / isBridge', () => {
  const { namespaces, interfaces, bridge } = allHandles(testStack());

  test.each(namespaces)('%s is a namespace handle, not an interface or a bridge', (_, ns) => {
    expect(Namespace.isNamespace(ns)).toBe(true);
    expect(Interface.isInterface(ns)).toBe(false);
    expect(Bridge.isBridge(ns)).toBe(false);
  });

  test.each(interfaces)('%s is an interface handle, not a namespace', (_, iface) => {
    expect(Interface.isInterface(iface)).toBe(true);
    expect(Namespace.isNamespace(iface)).toBe(false);
    // and the namespace it lives in is a handle too
    expect(Namespace.isNamespace(iface.namespace)).toBe(true);
  });

  test('only a Bridge is a bridge handle', () => {
    for (const [name, iface] of interfaces) expect([name, Bridge.isBridge(iface)]).toEqual([name, iface === bridge]);
    expect(Bridge.isBridge(bridge)).toBe(true);
  });

  test.each(LOOK_ALIKES)('%s is no handle', (_, x) => {
    expect(Namespace.isNamespace(x)).toBe(false);
    expect(Interface.isInterface(x)).toBe(false);
    expect(Bridge.isBridge(x)).toBe(false);
  });

  test('an imported namespace is not the host; Namespace.HOST and a HostRouter are', () => {
    const [, , host, hostRouter, imported] = namespaces.map(([, ns]) => ns);
    expect([host.isHost, host.namespaceName]).toEqual([true, '']);
    expect([hostRouter.isHost, hostRouter.namespaceName]).toEqual([true, '']);
    expect([imported.isHost, imported.namespaceName]).toEqual([false, 'made-elsewhere']);
  });

  test('an imported interface has its own name, the host namespace by default, and no addresses', () => {
    const eth0 = interfaces[4][1];
    expect(eth0.interfaceName).toBe('eth0');
    expect(eth0.namespace.isHost).toBe(true);
    expect(eth0.addresses).toEqual([]);
  });
});

describe('user-made objects are refused, naming the construct and what to pass', () => {
  const fakeNs = LOOK_ALIKES[0][1] as any;
  const fakeIf = LOOK_ALIKES[2][1] as any;
  const fakeBr = LOOK_ALIKES[3][1] as any;

  test('VethEndProps.namespace', () => {
    const msg = refusal((s) => new VethPair(s, 'p', { a: { name: 'a' }, b: { name: 'b', namespace: fakeNs } }));
    expectNamed(msg, 'stack/p');
    expect(msg).toContain('namespace is not a namespace handle of cdktf-netns');
    expect(msg).toMatch(/Fix: pass a Namespace, a Router, Namespace\.HOST, a HostRouter or Namespace\.fromName/);
  });

  test('the namespace of a Bridge, a VlanInterface and Interface.fromName', () => {
    for (const [path, build] of [
      ['stack/br', (s: TerraformStack) => new Bridge(s, 'br', { name: 'br0', namespace: fakeNs })],
      ['stack/v', (s: TerraformStack) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, namespace: fakeNs })],
      ['stack/e', (s: TerraformStack) => Interface.fromName(s, 'e', { name: 'eth0', namespace: fakeNs })],
    ] as const) {
      const msg = refusal(build);
      expectNamed(msg, path);
      expect(msg).toContain('namespace is not a namespace handle of cdktf-netns');
      expect(msg).toContain('Namespace.fromName(...)');
    }
  });

  test('VethEndProps.bridge: a look-alike, an interface and a namespace', () => {
    for (const bridge of [fakeBr, fakeIf, 'br0']) {
      const msg = refusal((s) => new VethPair(s, 'p', { a: { name: 'a' }, b: { name: 'b', bridge } }));
      expectNamed(msg, 'stack/p');
      expect(msg).toContain('b.bridge is not a bridge handle of cdktf-netns');
      expect(msg).toContain('Fix: pass a Bridge');
    }
    const msg = refusal((s) => new VethPair(s, 'p', { a: { name: 'a', bridge: new Namespace(s, 'ns') as any }, b: { name: 'b' } }));
    expect(msg).toContain('a.bridge is not a bridge handle of cdktf-netns');
    const viaEnd = refusal((s) => {
      const eth0 = Interface.fromName(s, 'eth0', { name: 'eth0' });
      new VethPair(s, 'p', { a: { name: 'a', bridge: eth0 as any }, b: { name: 'b' } });
    });
    expect(viaEnd).toContain('a.bridge is not a bridge handle of cdktf-netns');
  });

  test('Bridge.addPort and BridgeProps.ports', () => {
    for (const port of [fakeIf, fakeBr, null, 'eth0']) {
      const msg = refusal((s) => new Bridge(s, 'br', { name: 'br0' }).addPort(port));
      expectNamed(msg, 'stack/br');
      expect(msg).toContain('addPort takes an interface handle of this library');
      expect(msg).toMatch(/Fix: pass a veth end \(pair\.a, pair\.b\), a VlanInterface, or Interface\.fromName/);
    }
    const msg = refusal((s) => new Bridge(s, 'br', { name: 'br0', ports: [fakeIf] }));
    expectNamed(msg, 'stack/br');
    expect(msg).toContain('addPort takes an interface handle of this library');
    // a namespace is no port either
    expect(refusal((s) => new Bridge(s, 'br', { name: 'br0' }).addPort(new Namespace(s, 'ns') as any))).toContain('addPort takes an interface handle');
  });

  test('VlanInterface.parent', () => {
    for (const parent of [fakeIf, fakeBr, fakeNs, null]) {
      const msg = refusal((s) => new VlanInterface(s, 'v', { parent, vlanId: 10 }));
      expectNamed(msg, 'stack/v');
      expect(msg).toMatch(/parent (is neither an interface handle of cdktf-netns nor an interface name|: an interface name is required)/);
    }
    const msg = refusal((s) => new VlanInterface(s, 'v', { parent: fakeIf, vlanId: 10 }));
    expect(msg).toContain('parent is neither an interface handle of cdktf-netns nor an interface name');
    expect(msg).toContain('Fix: pass e.g. pair.a, a Bridge, a VlanInterface, Interface.fromName(...), or a name such as "eth0"');
  });

  test('Router.connect target', () => {
    for (const target of [fakeNs, fakeBr, fakeIf, null, 'ns1']) {
      const msg = refusal((s) => new Router(s, 'r').connect('x', target, { address: '10.0.0.1/24' }));
      expectNamed(msg, 'stack/r');
      expect(msg).toContain('connect("x"): the target is neither a namespace nor a bridge handle of cdktf-netns');
      expect(msg).toContain('Fix: pass a Namespace, a Router, Namespace.HOST, Namespace.fromName(...) or a Bridge');
    }
    // an interface of the library that is not a bridge
    const msg = refusal((s) => new Router(s, 'r').connect('x', Interface.fromName(s, 'eth0', { name: 'eth0' }) as any, { address: '10.0.0.1/24' }));
    expect(msg).toContain('the target is neither a namespace nor a bridge handle');
  });

  test('Route.namespace', () => {
    for (const namespace of [fakeNs, fakeIf, null, 'ns1']) {
      const msg = refusal((s) => new Route(s, 'rt', { namespace, destination: 'default', via: '10.0.0.1' }));
      expectNamed(msg, 'stack/rt');
      expect(msg).toContain('namespace is not a namespace handle of cdktf-netns');
      expect(msg).toContain(
        'Fix: pass the namespace whose table gets the route: a Namespace, a Router, Namespace.HOST, a HostRouter or Namespace.fromName(...)',
      );
    }
    // a veth end is an interface, not a namespace
    const msg = refusal((s) => {
      const pair = new VethPair(s, 'p', { a: { name: 'a' }, b: { name: 'b' } });
      new Route(s, 'rt', { namespace: pair.a as any, destination: 'default', via: '10.0.0.1' });
    });
    expect(msg).toContain('stack/rt: namespace is not a namespace handle');
  });

  test('the refusals are NetnsErrors, thrown when the construct is made', () => {
    const stack = testStack();
    expect(() => new Route(stack, 'rt', { namespace: fakeNs, destination: 'default', via: '10.0.0.1' })).toThrow(NetnsError);
    expect(() => new Bridge(stack, 'br', { name: 'br0' }).addPort(fakeIf)).toThrow(NetnsError);
  });
});

describe('a VlanInterface stands wherever an interface does', () => {
  test('as a VLAN parent (VLAN on VLAN): the parent VLAN comes first, the child names it as its parent', () => {
    const lines = accepted((s) => {
      const pair = new VethPair(s, 'p', { a: { name: 'trunk' }, b: { name: 'other-end' } });
      const outer = new VlanInterface(s, 'outer', { parent: pair.a, vlanId: 100 });
      new VlanInterface(s, 'inner', { parent: outer, vlanId: 20, addresses: ['10.0.20.1/24'] });
    });
    const vlans = ofKind(lines, 'vlan');
    expect(vlans.map((l) => fields(l).slice(0, 5))).toEqual([
      ['vlan', '-', 'trunk.100', 'trunk', '100'],
      ['vlan', '-', 'trunk.100.20', 'trunk.100', '20'],
    ]);
    expect(lines).toContain('addr - trunk.100.20 10.0.20.1/24');
  });

  test('three levels (802.1ad-style stacking), by handle and by name', () => {
    const lines = accepted((s) => {
      const outer = new VlanInterface(s, 'outer', { parent: 'eth0', vlanId: 100, name: 'outer' });
      const middle = new VlanInterface(s, 'middle', { parent: outer, vlanId: 20, name: 'middle' });
      new VlanInterface(s, 'inner', { parent: middle, vlanId: 5, name: 'inner' });
    });
    expect(ofKind(lines, 'vlan').map((l) => fields(l).slice(2, 5).join(' '))).toEqual(['outer eth0 100', 'middle outer 20', 'inner middle 5']);
  });

  test('a VLAN on a VLAN of a veth end in a namespace lives in that namespace', () => {
    const lines = accepted((s) => {
      const ns = new Namespace(s, 'ns');
      const pair = new VethPair(s, 'p', { a: { name: 'eth0', namespace: ns }, b: { name: 'other-end' } });
      new VlanInterface(s, 'inner', { parent: new VlanInterface(s, 'outer', { parent: pair.a, vlanId: 10 }), vlanId: 20 });
    });
    expect(ofKind(lines, 'vlan').map((l) => fields(l).slice(0, 5).join(' '))).toEqual(['vlan ns eth0.10 eth0 10', 'vlan ns eth0.10.20 eth0.10 20']);
  });

  test('as a bridge port, with and without VLAN options, by addPort and by BridgeProps.ports', () => {
    const lines = accepted((s) => {
      const v10 = new VlanInterface(s, 'v10', { parent: 'eth0', vlanId: 10, name: 'v10' });
      const v20 = new VlanInterface(s, 'v20', { parent: 'eth0', vlanId: 20, name: 'v20' });
      const v30 = new VlanInterface(s, 'v30', { parent: 'eth0', vlanId: 30, name: 'v30' });
      new Bridge(s, 'plain', { name: 'br-plain', ports: [v10] });
      const filtering = new Bridge(s, 'filtering', { name: 'br-vlan', vlanFiltering: true });
      filtering.addPort(v20, { pvid: 20 });
      filtering.addPort(v30);
    });
    expect(ofKind(lines, 'port')).toEqual(['port - v10 br-plain -', 'port - v20 br-vlan p20u', 'port - v30 br-vlan -']);
  });

  test('a VlanInterface with addresses is refused as a port, like any interface with addresses', () => {
    const msg = refusal((s) => {
      const v = new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, addresses: ['10.0.0.1/24'] });
      new Bridge(s, 'br', { name: 'br0' }).addPort(v);
    });
    expect(msg).toContain('has addresses and cannot be a bridge port');
  });
});

describe('Interface.fromName: an existing interface as a VLAN parent and a bridge port', () => {
  test('as a VLAN parent: the data file names it as the parent and has no link object of its own', () => {
    const stack = testStack();
    const eth0 = Interface.fromName(stack, 'eth0', { name: 'eth0' });
    new VlanInterface(stack, 'v', { parent: eth0, vlanId: 10 });
    Testing.synth(stack, true);
    const lines = dataText(stack)
      .split('\n')
      .filter((l) => /^[a-z]+ /.test(l) && !l.startsWith('kind '));
    expect(ofKind(lines, 'vlan').map((l) => fields(l).slice(0, 5).join(' '))).toEqual(['vlan - eth0.10 eth0 10']);
    expect(createdLinks(lines)).toEqual(['- eth0.10']);
    expect(lines.filter((l) => fields(l).includes('eth0'))).toEqual([expect.stringMatching(/^vlan - eth0\.10 eth0 10 /)]);
    expect(NetnsPlan.fromStack(stack).findAll('interface:eth0')).toEqual([]);
  });

  test('the parent name and namespace are those of the imported interface (no prefix is added to it)', () => {
    const lines = accepted(
      (s) => {
        const ns = new Namespace(s, 'ns', { name: 'ns1' });
        const eth1 = Interface.fromName(s, 'eth1', { name: 'eth1', namespace: ns });
        const v = new VlanInterface(s, 'v', { parent: eth1, vlanId: 7 });
        expect(v.parentName).toBe('eth1');
        expect(v.namespace).toBe(ns);
        const host = Interface.fromName(s, 'eth0', { name: 'eth0' });
        expect(host.interfaceName).toBe('eth0');
        new VlanInterface(s, 'hv', { parent: host, vlanId: 8 });
      },
      { 'cdktf-netns:prefix': 'lab-' },
    );
    expect(ofKind(lines, 'vlan').map((l) => fields(l).slice(0, 5).join(' '))).toEqual(['vlan lab-ns1 eth1.7 eth1 7', 'vlan - eth0.8 eth0 8']);
    expect(createdLinks(lines).filter((l) => / eth[01]$/.test(l))).toEqual([]);
  });

  test('as a bridge port: a port line names it, and no link object makes it', () => {
    const lines = accepted((s) => {
      const eth1 = Interface.fromName(s, 'eth1', { name: 'eth1' });
      const eth2 = Interface.fromName(s, 'eth2', { name: 'eth2' });
      new Bridge(s, 'br', { name: 'br0', ports: [eth1] });
      new Bridge(s, 'brv', { name: 'brv', vlanFiltering: true }).addPort(eth2, { tagged: [10, 20] });
    });
    expect(ofKind(lines, 'port')).toEqual(['port - eth1 br0 -', 'port - eth2 brv t10,t20']);
    expect(createdLinks(lines).sort()).toEqual(['- br0', '- brv']);
    expect(ofKind(lines, 'addr')).toEqual([]);
  });

  test('as a port of a bridge in a namespace it must live in that namespace', () => {
    const lines = accepted((s) => {
      const ns = new Namespace(s, 'ns');
      const eth0 = Interface.fromName(s, 'eth0', { name: 'eth0', namespace: ns });
      new Bridge(s, 'br', { name: 'br0', namespace: ns }).addPort(eth0);
    });
    expect(ofKind(lines, 'port')).toEqual(['port ns eth0 br0 -']);
    const msg = refusal((s) => {
      const eth0 = Interface.fromName(s, 'eth0', { name: 'eth0' });
      new Bridge(s, 'br', { name: 'br0', namespace: new Namespace(s, 'ns') }).addPort(eth0);
    });
    expect(msg).toContain('bridge port "eth0" is in the host namespace but bridge "br0" is in namespace "ns"');
  });

  test('its name is checked, and it is one interface of its namespace like the others', () => {
    expectNamed(
      refusal((s) => Interface.fromName(s, 'e', { name: 'eth 0' })),
      'stack/e',
    );
    expectNamed(
      refusal((s) => Interface.fromName(s, 'e', { name: 'up' })),
      'stack/e',
    );
    expect(refusal((s) => Interface.fromName(s, 'e', undefined as any))).toContain('stack/e: props are required');
    const twice = refusal((s) => {
      Interface.fromName(s, 'e', { name: 'eth0' });
      Interface.fromName(s, 'e2', { name: 'eth0' });
    });
    expect(twice).toContain('stack/e2: interface name is already used in the host namespace by stack/e');
    const clash = refusal((s) => {
      Interface.fromName(s, 'e', { name: 'eth0' });
      new VethPair(s, 'p', { a: { name: 'eth0' }, b: { name: 'b' } });
    });
    expect(clash).toContain('stack/p: interface name is already used in the host namespace by stack/e');
  });
});

describe('Namespace.fromName: a namespace made elsewhere', () => {
  test('appears as an `extns NAME` line, is never given a `ns` line, and objects placed in it name it', () => {
    const lines = accepted((s) => {
      const other = Namespace.fromName(s, 'other', 'made-elsewhere');
      const pair = new VethPair(s, 'p', {
        a: { name: 'to-other', addresses: ['10.9.0.1/24'] },
        b: { name: 'eth0', namespace: other, addresses: ['10.9.0.2/24'] },
      });
      new VlanInterface(s, 'v', { parent: pair.b, vlanId: 5, addresses: ['10.5.0.1/24'] });
      new Bridge(s, 'br', { name: 'br0', namespace: other, addresses: ['10.7.0.1/24'] });
      new Route(s, 'r', { namespace: other, destination: 'default', via: '10.9.0.1' });
    });
    expect(ofKind(lines, 'extns')).toEqual(['extns made-elsewhere']);
    expect(ofKind(lines, 'ns')).toEqual([]);
    expect(ofKind(lines, 'nsysctl')).toEqual([]);
    expect(ofKind(lines, 'veth').map((l) => fields(l).slice(0, 5).join(' '))).toEqual(['veth - to-other made-elsewhere eth0']);
    expect(ofKind(lines, 'vlan').map((l) => fields(l).slice(0, 5).join(' '))).toEqual(['vlan made-elsewhere eth0.5 eth0 5']);
    expect(ofKind(lines, 'bridge').map((l) => fields(l).slice(0, 3).join(' '))).toEqual(['bridge made-elsewhere br0']);
    expect(ofKind(lines, 'addr')).toEqual(
      expect.arrayContaining(['addr made-elsewhere eth0 10.9.0.2/24', 'addr made-elsewhere eth0.5 10.5.0.1/24', 'addr made-elsewhere br0 10.7.0.1/24']),
    );
    expect(ofKind(lines, 'route')).toEqual(['route made-elsewhere 4 default 10.9.0.1']);
    // checked before anything is put in it
    expect(lines[0]).toBe('extns made-elsewhere');
  });

  test('no name prefix is added to it (a declared Namespace gets one)', () => {
    const lines = accepted(
      (s) => {
        Namespace.fromName(s, 'other', 'theirs');
        new Namespace(s, 'mine');
      },
      { 'cdktf-netns:prefix': 'lab-' },
    );
    expect(ofKind(lines, 'extns')).toEqual(['extns theirs']);
    expect(ofKind(lines, 'ns').map((l) => fields(l)[1])).toEqual(['lab-mine']);
  });

  test('its name clashing with a declared Namespace or Router is refused, whichever comes first', () => {
    const after = refusal((s) => {
      new Namespace(s, 'n', { name: 'shared' });
      Namespace.fromName(s, 'imp', 'shared');
    });
    expectNamed(after, 'stack/imp');
    expect(after).toContain('namespace name is already used by stack/n (got "shared")');
    const before = refusal((s) => {
      Namespace.fromName(s, 'imp', 'shared');
      new Router(s, 'r', { name: 'shared' });
    });
    expectNamed(before, 'stack/r');
    expect(before).toContain('namespace name is already used by stack/imp (got "shared")');
    // with the prefix, the clash is with the prefixed name
    const prefixed = refusal(
      (s) => {
        new Namespace(s, 'n', { name: 'a' });
        Namespace.fromName(s, 'imp', 'lab-a');
      },
      { 'cdktf-netns:prefix': 'lab-' },
    );
    expect(prefixed).toContain('stack/imp: namespace name is already used by stack/n (got "lab-a")');
    // importing one namespace twice is refused too
    expect(
      refusal((s) => {
        Namespace.fromName(s, 'a', 'x');
        Namespace.fromName(s, 'b', 'x');
      }),
    ).toContain('stack/b: namespace name is already used by stack/a');
  });

  test('its name is checked like any namespace name', () => {
    for (const name of ['', 'a b', 'all', '-x', 'x'.repeat(65), 'a$b']) {
      const msg = refusal((s) => Namespace.fromName(s, 'imp', name));
      expectNamed(msg, 'stack/imp');
      expect(msg).toContain(`(got ${JSON.stringify(name)})`);
    }
  });

  test('it can be a Router.connect target and get a default route via the router', () => {
    const lines = accepted((s) => {
      const other = Namespace.fromName(s, 'other', 'theirs');
      new Router(s, 'r', { name: 'rtr' }).connect('o', other, { address: '10.8.0.1/24', peerAddress: '10.8.0.2/24', peerDefaultRoute: true });
    });
    expect(ofKind(lines, 'veth').map((l) => fields(l).slice(0, 5).join(' '))).toEqual(['veth rtr o-rtr theirs o']);
    expect(ofKind(lines, 'route')).toEqual(['route theirs 4 default 10.8.0.1']);
  });
});

describe('ok.ts (the type-level fixture that compiles) also synthesizes', () => {
  test('every handle of it lands in the data file where it should', () => {
    const lines = accepted((s) => okFixture(s));
    expect(lines).toEqual(
      expect.arrayContaining([
        'extns other-ns',
        'port - eth1 br0 -',
        'port - qinq br0 p20u',
        'port - lan br0 -',
        'port - ro-b br0 t10,t20',
        'route other-ns 4 default 10.9.0.1',
        'hsysctl net.ipv4.ip_forward 1',
      ]),
    );
    expect(ofKind(lines, 'vlan').map((l) => fields(l).slice(0, 5).join(' '))).toEqual([
      'vlan - eth0.10 eth0 10',
      'vlan - qinq eth0.10 20',
      'vlan - eth2.30 eth2 30',
    ]);
    expect(
      ofKind(lines, 'ns')
        .map((l) => fields(l)[1])
        .sort(),
    ).toEqual(['ns1', 'router']);
  });
});

describe('Tokens are refused: values are needed at synth', () => {
  const expectTokenRefusal = (msg: string, path: string) => {
    expectNamed(msg, path);
    expect(msg).toContain('is a Token');
    expect(msg).toContain('needs every value at synth time');
  };

  test('an address from TerraformVariable.stringValue', () => {
    const msg = refusal((s) => new VethPair(s, 'p', { a: { name: 'a', addresses: [new TerraformVariable(s, 'addr', {}).stringValue] }, b: { name: 'b' } }));
    expectTokenRefusal(msg, 'stack/p');
    expect(msg).toContain('a.addresses[0] is a Token');
    // not the old message
    expect(msg).not.toContain('not an IPv4 or IPv6 address');
  });

  test('an address of a Bridge and of a VlanInterface, a gateway, a peer address of Router.connect', () => {
    expectTokenRefusal(
      refusal((s) => new Bridge(s, 'br', { name: 'br0', addresses: [new TerraformVariable(s, 'v', {}).stringValue] })),
      'stack/br',
    );
    expectTokenRefusal(
      refusal((s) => new VlanInterface(s, 'vl', { parent: 'eth0', vlanId: 10, addresses: [new TerraformVariable(s, 'v', {}).stringValue] })),
      'stack/vl',
    );
    expectTokenRefusal(
      refusal((s) => new Route(s, 'r', { namespace: new Namespace(s, 'ns'), destination: 'default', via: new TerraformVariable(s, 'v', {}).stringValue })),
      'stack/r',
    );
    expectTokenRefusal(
      refusal((s) =>
        new Router(s, 'r').connect('x', new Namespace(s, 'ns'), {
          address: '10.0.0.1/24',
          peerAddress: new TerraformVariable(s, 'v', {}).stringValue,
        }),
      ),
      'stack/r/x',
    );
  });

  test('a vlanId from TerraformVariable.numberValue', () => {
    const msg = refusal((s) => new VlanInterface(s, 'vl', { parent: 'eth0', vlanId: new TerraformVariable(s, 'vid', {}).numberValue }));
    expectTokenRefusal(msg, 'stack/vl');
    expect(msg).toContain('vlanId is a Token');
  });

  test('an MTU and an interface name', () => {
    expectTokenRefusal(
      refusal((s) => new VethPair(s, 'p', { a: { name: 'a', mtu: new TerraformVariable(s, 'v', {}).numberValue }, b: { name: 'b' } })),
      'stack/p',
    );
    expectTokenRefusal(
      refusal((s) => new VethPair(s, 'p', { a: { name: new TerraformVariable(s, 'v', {}).stringValue }, b: { name: 'b' } })),
      'stack/p',
    );
  });

  // a Token standing for the whole list (its elements are list markers, not Tokens themselves)
  test('a Token list as addresses', () => {
    for (const list of [
      (s: TerraformStack) => new TerraformVariable(s, 'v', {}).listValue,
      (s: TerraformStack) => Token.asList(new TerraformVariable(s, 'v', {}).value),
    ]) {
      const msg = refusal((s) => new VethPair(s, 'p', { a: { name: 'a', addresses: list(s) }, b: { name: 'b' } }));
      expectTokenRefusal(msg, 'stack/p');
    }
  });

  test('a Token namespace name: a Namespace, a Router and Namespace.fromName', () => {
    expectTokenRefusal(
      refusal((s) => new Namespace(s, 'n', { name: new TerraformVariable(s, 'v', {}).stringValue })),
      'stack/n',
    );
    expectTokenRefusal(
      refusal((s) => new Router(s, 'r', { name: new TerraformVariable(s, 'v', {}).stringValue })),
      'stack/r',
    );
    expectTokenRefusal(
      refusal((s) => Namespace.fromName(s, 'imp', new TerraformVariable(s, 'v', {}).stringValue)),
      'stack/imp',
    );
  });

  test('a literal beside the Token variable is fine (the check is about the value, not the stack)', () => {
    expect(
      accepted((s) => {
        new TerraformVariable(s, 'unused', {});
        new VethPair(s, 'p', { a: { name: 'a', addresses: ['10.0.0.1/24'] }, b: { name: 'b' } });
      }),
    ).toContain('addr - a 10.0.0.1/24');
  });
});

describe('booleans are checked', () => {
  const NOT_BOOLEANS: unknown[] = ['no', 'true', 'false', 1, 0, null, 'yes', {}];

  test.each(NOT_BOOLEANS)('Router ipv6Forwarding: %p is refused', (v) => {
    const msg = refusal((s) => new Router(s, 'r', { ipv6Forwarding: v as any }));
    expectNamed(msg, 'stack/r');
    expect(msg).toContain('ipv6Forwarding must be true or false');
    expect(msg).toContain('Fix: pass a boolean');
  });

  test.each(NOT_BOOLEANS)('HostRouter ipv6Forwarding: %p is refused', (v) => {
    const msg = refusal((s) => new HostRouter(s, 'hr', { ipv6Forwarding: v as any }));
    expectNamed(msg, 'stack/hr');
    expect(msg).toContain('ipv6Forwarding must be true or false');
  });

  test.each(NOT_BOOLEANS)('Router.connect peerDefaultRoute: %p is refused', (v) => {
    const msg = refusal((s) =>
      new Router(s, 'r').connect('x', new Namespace(s, 'n'), { address: '10.0.0.1/24', peerAddress: '10.0.0.2/24', peerDefaultRoute: v as any }),
    );
    expectNamed(msg, 'stack/r');
    expect(msg).toContain('connect("x"): peerDefaultRoute must be true or false');
  });

  test.each(NOT_BOOLEANS)('Bridge vlanFiltering: %p is refused', (v) => {
    const msg = refusal((s) => new Bridge(s, 'br', { name: 'br0', vlanFiltering: v as any }));
    expectNamed(msg, 'stack/br');
    expect(msg).toContain('vlanFiltering must be true or false');
  });

  test.each(NOT_BOOLEANS.filter((v) => v !== null))('BridgePortVlans untagged: %p is refused (veth end and addPort)', (v) => {
    const byEnd = refusal((s) => {
      const br = new Bridge(s, 'br', { name: 'br0', vlanFiltering: true });
      new VethPair(s, 'p', { a: { name: 'a' }, b: { name: 'b', bridge: br, bridgeVlans: { pvid: 10, untagged: v as any } } });
    });
    expectNamed(byEnd, 'stack/br');
    expect(byEnd).toContain('port "b": untagged must be true or false');
    const byAddPort = refusal((s) => {
      const pair = new VethPair(s, 'p', { a: { name: 'a' }, b: { name: 'b' } });
      new Bridge(s, 'br', { name: 'br0', vlanFiltering: true }).addPort(pair.b, { pvid: 10, untagged: v as any });
    });
    expect(byAddPort).toContain('port "b": untagged must be true or false');
  });

  test('ipv6Forwarding "no" never switches forwarding on (it is refused), false leaves it off, true turns it on', () => {
    const routerLines = (v: boolean | undefined) => accepted((s) => new Router(s, 'r', { name: 'rtr', ipv6Forwarding: v }));
    expect(ofKind(routerLines(true), 'nsysctl')).toEqual(['nsysctl rtr net.ipv4.ip_forward 1', 'nsysctl rtr net.ipv6.conf.all.forwarding 1']);
    expect(ofKind(routerLines(false), 'nsysctl')).toEqual(['nsysctl rtr net.ipv4.ip_forward 1']);
    expect(ofKind(routerLines(undefined), 'nsysctl')).toEqual(['nsysctl rtr net.ipv4.ip_forward 1']);
    const hostLines = (v: boolean | undefined) => accepted((s) => new HostRouter(s, 'hr', { ipv6Forwarding: v }));
    expect(ofKind(hostLines(true), 'hsysctl')).toEqual(['hsysctl net.ipv4.ip_forward 1', 'hsysctl net.ipv6.conf.all.forwarding 1']);
    expect(ofKind(hostLines(false), 'hsysctl')).toEqual(['hsysctl net.ipv4.ip_forward 1']);
  });

  test('peerDefaultRoute true gives the peer a default route, false none', () => {
    const connect = (peerDefaultRoute: boolean) =>
      accepted((s) =>
        new Router(s, 'r', { name: 'rtr' }).connect('x', new Namespace(s, 'n'), { address: '10.0.0.1/24', peerAddress: '10.0.0.2/24', peerDefaultRoute }),
      );
    expect(ofKind(connect(true), 'route')).toEqual(['route n 4 default 10.0.0.1']);
    expect(ofKind(connect(false), 'route')).toEqual([]);
  });

  test('vlanFiltering true and false, untagged true and false', () => {
    const lines = accepted((s) => {
      const plain = new Bridge(s, 'plain', { name: 'br-plain', vlanFiltering: false });
      const vlan = new Bridge(s, 'vlan', { name: 'br-vlan', vlanFiltering: true });
      expect([plain.vlanFiltering, vlan.vlanFiltering]).toEqual([false, true]);
      new VethPair(s, 'p1', { a: { name: 'p1a' }, b: { name: 'p1b', bridge: vlan, bridgeVlans: { pvid: 10, untagged: true } } });
      new VethPair(s, 'p2', { a: { name: 'p2a' }, b: { name: 'p2b', bridge: vlan, bridgeVlans: { pvid: 20, untagged: false } } });
    });
    expect(ofKind(lines, 'bridge').map((l) => fields(l).slice(0, 3).concat(fields(l)[5]).join(' '))).toEqual(['bridge - br-plain 0', 'bridge - br-vlan 1']);
    expect(ofKind(lines, 'port')).toEqual(['port - p1b br-vlan p10u', 'port - p2b br-vlan p20']);
  });
});

describe("a route whose gateway is its namespace's own address is refused", () => {
  test('IPv4, in a namespace', () => {
    const msg = refusal((s) => {
      const ns = new Namespace(s, 'n');
      new VethPair(s, 'p', { a: { name: 'a', namespace: ns, addresses: ['10.0.0.2/24'] }, b: { name: 'b', addresses: ['10.0.0.1/24'] } });
      new Route(s, 'r', { namespace: ns, destination: 'default', via: '10.0.0.2' });
    });
    expectNamed(msg, 'stack/r');
    expect(msg).toContain('gateway 10.0.0.2 is an address of namespace "n" itself (interface "a")');
    expect(msg).toContain('Fix: use the address of the next hop');
  });

  test('IPv6 (in another spelling), on another interface of the namespace', () => {
    const msg = refusal((s) => {
      const ns = new Namespace(s, 'n');
      new VethPair(s, 'p', { a: { name: 'a', namespace: ns, addresses: ['fd00:1::2/64'] }, b: { name: 'b', addresses: ['fd00:1::1/64'] } });
      new VethPair(s, 'q', { a: { name: 'c', namespace: ns, addresses: ['fd00:2::2/64'] }, b: { name: 'd', addresses: ['fd00:2::1/64'] } });
      new Route(s, 'r', { namespace: ns, destination: 'fd00:9::/64', via: 'fd00:2:0::2' });
    });
    expectNamed(msg, 'stack/r');
    expect(msg).toContain('gateway fd00:2::2 is an address of namespace "n" itself (interface "c")');
  });

  test('in the host namespace (an error, not the warning for unknown host gateways)', () => {
    const msg = refusal((s) => {
      new VethPair(s, 'p', { a: { name: 'a', addresses: ['10.0.0.1/24'] }, b: { name: 'b', namespace: new Namespace(s, 'n'), addresses: ['10.0.0.2/24'] } });
      new Route(s, 'r', { namespace: Namespace.HOST, destination: '10.1.0.0/16', via: '10.0.0.1' });
    });
    expect(msg).toContain('stack/r: gateway 10.0.0.1 is an address of the host namespace itself (interface "a")');
  });

  test("the peer's address, on the same subnet, is accepted", () => {
    expect(
      ofKind(
        accepted((s) => {
          const ns = new Namespace(s, 'n');
          new VethPair(s, 'p', { a: { name: 'a', namespace: ns, addresses: ['10.0.0.2/24'] }, b: { name: 'b', addresses: ['10.0.0.1/24'] } });
          new Route(s, 'r', { namespace: ns, destination: 'default', via: '10.0.0.1' });
        }),
        'route',
      ),
    ).toEqual(['route n 4 default 10.0.0.1']);
  });
});

describe('a copied or forged brand is not a handle', () => {
  const forge = (brands: string[], extra: Record<string, unknown> = {}) => Object.assign(Object.fromEntries(brands.map((b) => [Symbol.for(b), true])), extra);

  test('a spread copy of a Namespace, or an object carrying the brand symbol, is refused as a namespace', () => {
    for (const make of [
      (s: TerraformStack) => ({ ...new Namespace(s, 'real') }),
      () => forge(['cdktf-netns.INamespace'], { namespaceName: 'forged', isHost: false }),
    ]) {
      expect(Namespace.isNamespace(make(testStack()))).toBe(false);
      const msg = refusal((s) => new VethPair(s, 'p', { a: { name: 'a', namespace: make(s) as any }, b: { name: 'b' } }));
      expect(msg).toMatch(/stack\/p: a: namespace is not a namespace handle of cdktf-netns/);
    }
  });

  test('an object carrying the bridge and interface brands is refused as a bridge (its addPort is never called)', () => {
    let called = false;
    const fake = forge(['cdktf-netns.IBridge', 'cdktf-netns.IInterface'], {
      interfaceName: 'br-x',
      namespace: Namespace.HOST,
      addresses: [],
      vlanFiltering: false,
      addPort: () => {
        called = true;
      },
    });
    expect(Bridge.isBridge(fake)).toBe(false);
    expect(refusal((s) => new VethPair(s, 'p', { a: { name: 'a', bridge: fake as any }, b: { name: 'b' } }))).toMatch(
      /a\.bridge is not a bridge handle of cdktf-netns/,
    );
    expect(refusal((s) => new Router(s, 'r').connect('x', fake as any, { address: '10.0.0.1/24' }))).toMatch(
      /the target is neither a namespace nor a bridge handle/,
    );
    expect(called).toBe(false);
  });
});
