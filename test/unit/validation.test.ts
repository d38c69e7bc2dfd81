/**
 * Every validation rule: the error names the construct path, shows the bad
 * value and says how to fix it. Construction-time rules throw a NetnsError;
 * cross-construct rules fail `Testing.synth(stack, true)`. Ends with an
 * injection corpus run against every string a user can pass.
 */
import { AnnotationMetadataEntryType, TerraformStack, Testing } from 'cdktf';
import { Bridge, HostRouter, HostSysctl, Namespace, NetnsError, Route, Router, VethPair, VlanInterface } from '../../lib';
// the module object itself (an `import * as` namespace cannot be spied on)
import fs = require('fs');
import { Construct } from 'constructs';
import { IP_KEYWORDS } from '../../lib/core/validate';
import { deploymentToken, kernelMarker, macOf, MAX_KERNEL_MARKER, ownerOf } from '../../lib/core/settings';
import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { dataText, expectHelpfulError, synthDoc, testApp, testStack, thrownMessage } from './helpers';

/** Expect `fn` to throw a NetnsError at construction time naming path and value. */
function expectRefused(fn: (stack: TerraformStack) => unknown, path: string, value: unknown, context: Record<string, unknown> = {}): string {
  const stack = testStack('terraform_data', context);
  let err: unknown;
  try {
    fn(stack);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(NetnsError);
  const msg = (err as Error).message;
  expectHelpfulError(msg, path, value);
  return msg;
}

/** Expect construction to succeed and synthesis to fail, naming path and value. */
function expectSynthRefused(fn: (stack: TerraformStack) => unknown, path: string, value: unknown): string {
  const stack = testStack();
  fn(stack);
  const msg = thrownMessage(() => Testing.synth(stack, true));
  expectHelpfulError(msg, path, value);
  return msg;
}

function expectAccepted(fn: (stack: TerraformStack) => unknown, context: Record<string, unknown> = {}): NetnsPlan {
  const stack = testStack('terraform_data', context);
  fn(stack);
  return NetnsPlan.fromStack(stack);
}

setupNetnsMatchers();

const CYRILLIC_E = '\u0435';

describe('namespace names', () => {
  test.each([
    ['empty', ''],
    ['space', 'a b'],
    ['slash', 'a/b'],
    ['dollar', 'ns$'],
    ['non-ASCII', 'caf\u00e9'],
    ['leading dash', '-ns'],
    ['leading dot', '.ns'],
    ['"."', '.'],
    ['".."', '..'],
    ['65 characters', 'n'.repeat(65)],
  ])('%s is refused', (_, name) => {
    expectRefused((s) => new Namespace(s, 'ns', { name }), 'stack/ns', name);
  });

  test('the construct id is validated when it is the name', () => {
    expectRefused((s) => new Namespace(s, 'my ns'), 'stack/my ns', 'my ns');
  });

  test.each(['all', 'help'])('%p, a word ip(8) reads as a keyword where a namespace name stands, is refused', (name) => {
    const msg = expectRefused((s) => new Namespace(s, 'ns', { name }), 'stack/ns', name);
    expect(msg).toContain('keyword');
    // as the construct id, as a Router, and when the prefix makes the name
    expectRefused((s) => new Namespace(s, name), `stack/${name}`, name);
    expectRefused((s) => new Router(s, 'r', { name }), 'stack/r', name);
    expectRefused((s) => new Namespace(s, 'ns', { name: name.slice(1) }), 'stack/ns', name, { 'cdktf-netns:prefix': name.slice(0, 1) });
    // a longer name that contains it is fine
    expect(expectAccepted((s) => new Namespace(s, 'ns', { name: `${name}0` }))).toCreateNamespace(`${name}0`);
  });

  test('64 characters and the full charset are accepted', () => {
    const long = 'n'.repeat(64);
    const plan = expectAccepted((s) => {
      new Namespace(s, 'a', { name: long });
      new Namespace(s, 'b', { name: 'A.b-c_9' });
    });
    expect(plan).toCreateNamespace(long);
    expect(plan).toCreateNamespace('A.b-c_9');
  });

  test('a Router is a namespace and shares the uniqueness rule', () => {
    expectRefused(
      (s) => {
        new Namespace(s, 'a', { name: 'x' });
        new Router(s, 'b', { name: 'x' });
      },
      'stack/b',
      'x',
    );
  });

  test('duplicate names are refused, naming the first user', () => {
    const msg = expectRefused(
      (s) => {
        new Namespace(s, 'a', { name: 'x' });
        new Namespace(s, 'b', { name: 'x' });
      },
      'stack/b',
      'x',
    );
    expect(msg).toContain('stack/a');
  });
});

describe('interface names', () => {
  const BAD: Array<[string, string]> = [
    ['empty', ''],
    ['16 bytes', 'i'.repeat(16)],
    ['16 bytes in 8 characters', '\u00e9'.repeat(8)],
    ['slash', 'a/b'],
    ['colon', 'a:b'],
    ['space', 'a b'],
    ['tab', 'a\tb'],
    ['"."', '.'],
    ['".."', '..'],
    ['leading dash', '-veth'],
    ['Cyrillic look-alike', `v${CYRILLIC_E}th`],
    ['reserved "lo"', 'lo'],
    ['reserved "all"', 'all'],
    ['reserved "default"', 'default'],
  ];
  const WHERE: Array<[string, (s: TerraformStack, name: string) => unknown, string]> = [
    ['veth end in the host', (s, name) => new VethPair(s, 'p', { a: { name }, b: { name: 'ok', namespace: new Namespace(s, 'ns') } }), 'stack/p'],
    ['veth end in a namespace', (s, name) => new VethPair(s, 'p', { a: { name: 'ok' }, b: { name, namespace: new Namespace(s, 'ns') } }), 'stack/p'],
    ['bridge', (s, name) => new Bridge(s, 'br', { name }), 'stack/br'],
    ['VLAN interface', (s, name) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, name }), 'stack/v'],
    ['VLAN parent given by name', (s, name) => new VlanInterface(s, 'v', { parent: name, vlanId: 10, name: 'v10' }), 'stack/v'],
    [
      'router side of Router.connect',
      (s, name) => new Router(s, 'r').connect('lan', new Namespace(s, 'ns'), { address: '10.0.0.1/24', interfaceName: name }),
      'stack/r/lan',
    ],
  ];

  describe.each(WHERE)('%s', (_, build, path) => {
    test.each(BAD)('%s is refused', (__, name) => {
      expectRefused((s) => build(s, name), path, name);
    });

    test('15 bytes and the full charset are accepted', () => {
      expectAccepted((s) => build(s, 'i'.repeat(15)));
      expectAccepted((s) => build(s, 'V_e.t-h0'));
    });
  });

  describe.each(WHERE)('%s: a word ip(8) reads as a keyword is refused', (_, build, path) => {
    test.each(['up', 'type', 'peer', 'dev', 'netns', 'help', 'master', 'UP', 'Peer'])('%p', (name) => {
      const msg = expectRefused((s) => build(s, name), path, name);
      expect(msg).toContain('keyword');
    });

    test('words that merely contain one are accepted', () => {
      expectAccepted((s) => build(s, 'up0'));
      expectAccepted((s) => build(s, 'peer-a'));
    });
  });

  test('the keyword list is lower case and holds the words that would change an ip command line', () => {
    for (const k of IP_KEYWORDS) expect(k).toBe(k.toLowerCase());
    for (const k of ['add', 'del', 'dev', 'up', 'down', 'type', 'peer', 'name', 'netns', 'link', 'address', 'master', 'mtu', 'all', 'help', 'via'])
      expect(IP_KEYWORDS.has(k)).toBe(true);
  });

  test('a host-side name that becomes a keyword with the prefix is refused, naming the construct and the prefixed name', () => {
    const msg = expectRefused((s) => new Bridge(s, 'br', { name: 'p' }), 'stack/br', 'up', { 'cdktf-netns:prefix': 'u' });
    expect(msg).toContain('keyword');
  });

  test('the host-side prefix counts towards the 15-byte limit; inside a namespace it does not apply', () => {
    const ctx = { 'cdktf-netns:prefix': 'abcdefghijkl' };
    const msg = expectRefused((s) => new Bridge(s, 'br', { name: 'brid' }), 'stack/br', 'abcdefghijklbrid', ctx);
    expect(msg).toContain('prefix');
    const plan = expectAccepted((s) => new Bridge(s, 'br', { name: 'brid', namespace: new Namespace(s, 'ns') }), ctx);
    expect(plan).toCreateInterface('brid', 'abcdefghijklns');
  });

  test('a default VLAN name that does not fit is refused', () => {
    expectRefused((s) => new VlanInterface(s, 'v', { parent: 'enp0s31f6abc', vlanId: 100 }), 'stack/v', 'enp0s31f6abc.100');
  });

  test('duplicate names in one namespace are refused, in different namespaces accepted', () => {
    const msg = expectRefused(
      (s) => {
        const ns = new Namespace(s, 'ns');
        new VethPair(s, 'p1', { a: { name: 'v0', namespace: ns }, b: { name: 'h1' } });
        new VethPair(s, 'p2', { a: { name: 'v0', namespace: ns }, b: { name: 'h2' } });
      },
      'stack/p2',
      'v0',
    );
    expect(msg).toContain('stack/p1');
    expectRefused(
      (s) => {
        new VethPair(s, 'p', { a: { name: 'x0' }, b: { name: 'x1' } });
        new Bridge(s, 'br', { name: 'x1' });
      },
      'stack/br',
      'x1',
    );
    expectAccepted((s) => new VethPair(s, 'p', { a: { name: 'v0', namespace: new Namespace(s, 'n1') }, b: { name: 'v0', namespace: new Namespace(s, 'n2') } }));
  });

  test('a veth pair with both ends in the same namespace under the same name is refused', () => {
    expectRefused(
      (s) => {
        const ns = new Namespace(s, 'ns');
        new VethPair(s, 'p', { a: { name: 'v0', namespace: ns }, b: { name: 'v0', namespace: ns } });
      },
      'stack/p',
      'v0',
    );
    expectRefused((s) => new VethPair(s, 'p', { a: { name: 'v0' }, b: { name: 'v0' } }), 'stack/p', 'v0');
  });
});

describe('addresses', () => {
  const addr = (s: TerraformStack, a: unknown) =>
    new VethPair(s, 'p', { a: { name: 'v0', addresses: [a as string] }, b: { name: 'v1', namespace: new Namespace(s, 'ns') } });

  test.each([
    ['an IPv4 octet over 255', '10.0.0.256/24'],
    ['a leading zero in an octet', '010.0.0.1/24'],
    ['three octets', '10.0.1/24'],
    ['IPv4 prefix 33', '10.0.0.1/33'],
    ['a leading zero in the prefix', '10.0.0.1/024'],
    ['a negative prefix', '10.0.0.1/-1'],
    ['no IPv4 prefix', '10.0.0.1'],
    ['an IPv4 network address', '10.0.0.0/24'],
    ['an IPv4 broadcast address', '10.0.0.255/24'],
    ['IPv6 prefix 129', 'fd00::1/129'],
    ['no IPv6 prefix', 'fd00::1'],
    ['an IPv6 network address', 'fd00::/64'],
    ['a bad IPv6 group', 'fd00::g/64'],
    ['two IPv6 "::"', 'fd00::1::2/64'],
    ['a trailing space', '10.0.0.1/24 '],
    ['a number', 42],
  ])('%s is refused', (_, value) => {
    expectRefused((s) => addr(s, value), 'stack/p', value);
  });

  test('addresses must be a list', () => {
    expectRefused((s) => new Bridge(s, 'br', { name: 'br0', addresses: '10.0.0.1/24' as unknown as string[] }), 'stack/br', '10.0.0.1/24');
  });

  test('an address listed twice (in any spelling) is refused', () => {
    expectRefused((s) => new Bridge(s, 'br', { name: 'br0', addresses: ['FD00::1/64', 'fd00:0::1/64'] }), 'stack/br', 'fd00::1/64');
  });

  test.each([
    ['/32', '10.0.0.1/32', '10.0.0.1/32'],
    ['a /31 network address (RFC 3021)', '10.0.0.0/31', '10.0.0.0/31'],
    ['.255 inside a /23', '10.0.0.255/23', '10.0.0.255/23'],
    ['an IPv6 /127 network address (RFC 6164)', 'fd00::/127', 'fd00::/127'],
    ['IPv6, canonicalised', 'FD00:0:0::1/64', 'fd00::1/64'],
  ])('%s is accepted', (_, value, canonical) => {
    const plan = expectAccepted((s) => addr(s, value));
    // each address of an interface is an object of its own, in the canonical text the kernel prints
    expect(plan.findAll('addresses:host/v0').map((o) => o.values.cidr)).toEqual([canonical]);
    expect(plan.get(`address:host/${canonical}`).values).toEqual({ ns: '-', if: 'v0', cidr: canonical });
  });
});

describe('layer-2 segments and namespaces: no duplicate addresses', () => {
  test('the two ends of a veth pair', () => {
    expectSynthRefused(
      (s) =>
        new VethPair(s, 'p', {
          a: { name: 'v0', namespace: new Namespace(s, 'n1'), addresses: ['10.0.0.1/24'] },
          b: { name: 'v1', namespace: new Namespace(s, 'n2'), addresses: ['10.0.0.1/24'] },
        }),
      'stack/p',
      '10.0.0.1/24',
    );
  });

  test('peers of two ports of one bridge (the port added by addPort included)', () => {
    const msg = expectSynthRefused(
      (s) => {
        const br = new Bridge(s, 'br', { name: 'br0' });
        new VethPair(s, 'p1', { a: { name: 'v', namespace: new Namespace(s, 'n1'), addresses: ['10.0.0.5/24'] }, b: { name: 'p1', bridge: br } });
        const p2 = new VethPair(s, 'p2', { a: { name: 'v', namespace: new Namespace(s, 'n2'), addresses: ['10.0.0.5/24'] }, b: { name: 'p2' } });
        br.addPort(p2.b);
      },
      'stack/p2',
      '10.0.0.5/24',
    );
    expect(msg).toContain('same layer-2 segment');
  });

  test('a bridge and a host behind it', () => {
    expectSynthRefused(
      (s) => {
        const br = new Bridge(s, 'br', { name: 'br0', addresses: ['10.0.0.1/24'] });
        new VethPair(s, 'p', { a: { name: 'v', namespace: new Namespace(s, 'n1'), addresses: ['10.0.0.1/24'] }, b: { name: 'p', bridge: br } });
      },
      'stack/p',
      '10.0.0.1/24',
    );
  });

  test('the same VLAN on both ends of a trunk', () => {
    expectSynthRefused(
      (s) => {
        const t = new VethPair(s, 't', { a: { name: 't0', namespace: new Namespace(s, 'n1') }, b: { name: 't1', namespace: new Namespace(s, 'n2') } });
        new VlanInterface(s, 'l', { parent: t.a, vlanId: 10, addresses: ['10.0.10.1/24'] });
        new VlanInterface(s, 'r', { parent: t.b, vlanId: 10, addresses: ['10.0.10.1/24'] });
      },
      'stack/r',
      '10.0.10.1/24',
    );
  });

  test('two interfaces of one namespace, even with different prefix lengths', () => {
    expectSynthRefused(
      (s) => {
        const ns = new Namespace(s, 'ns');
        new VethPair(s, 'p1', { a: { name: 'v1', namespace: ns, addresses: ['10.0.0.1/24'] }, b: { name: 'h1' } });
        new VethPair(s, 'p2', { a: { name: 'v2', namespace: ns, addresses: ['10.0.0.1/16'] }, b: { name: 'h2' } });
      },
      'stack/p2',
      '10.0.0.1/16',
    );
  });

  test('separate segments in separate namespaces, or separate VLANs, may reuse an address', () => {
    expectAccepted((s) => {
      for (const n of ['1', '2']) {
        new VethPair(s, `p${n}`, {
          a: { name: 'v0', namespace: new Namespace(s, `a${n}`), addresses: ['10.0.0.1/24'] },
          b: { name: 'v1', namespace: new Namespace(s, `b${n}`), addresses: ['10.0.0.2/24'] },
        });
      }
      const t = new VethPair(s, 't', { a: { name: 't0', namespace: new Namespace(s, 'l') }, b: { name: 't1', namespace: new Namespace(s, 'r') } });
      new VlanInterface(s, 'l10', { parent: t.a, vlanId: 10, addresses: ['10.9.0.1/24'] });
      new VlanInterface(s, 'r20', { parent: t.b, vlanId: 20, addresses: ['10.9.0.1/24'] });
    });
  });
});

describe('bridge ports', () => {
  test('a port in another namespace than its bridge is refused', () => {
    expectRefused(
      (s) => {
        const br = new Bridge(s, 'br', { name: 'br0', namespace: new Namespace(s, 'ns') });
        new VethPair(s, 'p', { a: { name: 'v0', bridge: br }, b: { name: 'v1' } });
      },
      'stack/br',
      'v0',
    );
  });

  test('a port with addresses is refused', () => {
    expectRefused(
      (s) => {
        const br = new Bridge(s, 'br', { name: 'br0' });
        new VethPair(s, 'p', { a: { name: 'v0', bridge: br, addresses: ['10.0.0.1/24'] }, b: { name: 'v1' } });
      },
      'stack/br',
      ['10.0.0.1/24'],
    );
  });

  test(`a bridge takes ${Bridge.MAX_PORTS} ports (the kernel's limit), and refuses one more`, () => {
    expect(Bridge.MAX_PORTS).toBe(1023);
    const fill = (s: TerraformStack, n: number) => {
      const br = new Bridge(s, 'br', { name: 'br0' });
      for (let i = 0; i < n; i++) new VethPair(s, `p${i}`, { a: { name: `a${i}` }, b: { name: `b${i}`, bridge: br } });
      return br;
    };
    const msg = expectRefused((s) => fill(s, Bridge.MAX_PORTS + 1), 'stack/br', `b${Bridge.MAX_PORTS}`);
    expect(msg).toContain('several bridges');
    const stack = testStack();
    const br = fill(stack, Bridge.MAX_PORTS);
    // adding a port it already has is not one more
    const again = stack.node.findChild('p0') as VethPair;
    expect(() => br.addPort(again.b)).not.toThrow();
    expect(NetnsPlan.fromStack(stack).objects.filter((o) => o.kind === 'port')).toHaveLength(Bridge.MAX_PORTS);
  });

  test('a port of two bridges is refused', () => {
    expectRefused(
      (s) => {
        const b1 = new Bridge(s, 'b1', { name: 'br1' });
        const b2 = new Bridge(s, 'b2', { name: 'br2' });
        const p = new VethPair(s, 'p', { a: { name: 'v0', bridge: b1 }, b: { name: 'v1' } });
        b2.addPort(p.a);
      },
      'stack/b2',
      'br2',
    );
  });
});

describe('VLAN options of bridge ports', () => {
  const port = (s: TerraformStack, vlans: unknown, vlanFiltering = true) => {
    const br = new Bridge(s, 'br', { name: 'br0', vlanFiltering });
    const p = new VethPair(s, 'p', { a: { name: 'v0', namespace: new Namespace(s, 'ns') }, b: { name: 'v1' } });
    br.addPort(p.b, vlans as object);
  };

  test.each([
    ['a PVID of 0', { pvid: 0 }, 0],
    ['a tagged VLAN of 4095', { tagged: [10, 4095] }, 4095],
    ['an empty tagged list', { tagged: [] }, []],
    ['a VLAN tagged twice', { tagged: [10, 10] }, [10, 10]],
    ['the PVID also tagged', { pvid: 10, tagged: [10] }, { pvid: 10, tagged: [10] }],
    ['untagged without a PVID', { untagged: true }, { untagged: true }],
    ['no VLAN at all', {}, {}],
    ['an unknown option', { vid: 10 }, { vid: 10 }],
  ])('%s is refused', (_, vlans, shown) => {
    expectRefused((s) => port(s, vlans), 'stack/br', shown);
  });

  test('VLAN options on a bridge that does not filter VLANs are refused', () => {
    expectRefused((s) => port(s, { pvid: 10 }, false), 'stack/br', { pvid: 10 });
  });

  test('an access port and a trunk are accepted', () => {
    const plan = expectAccepted((s) => port(s, { pvid: 10, untagged: false, tagged: [20, 30] }));
    expect(plan.get('port:v1').values).toEqual({ ns: '-', if: 'v1', master: 'br0', vlans: 'p10,t20,t30' });
    const access = expectAccepted((s) => port(s, { pvid: 10 }));
    expect(access.get('port:host/v1').values.vlans).toBe('p10u');
    const trunk = expectAccepted((s) => port(s, { tagged: [20, 30] }));
    expect(trunk.get('port:host/v1').values.vlans).toBe('t20,t30');
  });
});

describe('routes', () => {
  const wired = (s: TerraformStack) => {
    const ns = new Namespace(s, 'ns');
    new VethPair(s, 'p', {
      a: { name: 'v0', namespace: ns, addresses: ['10.0.1.2/24', 'fd00:1::2/64'] },
      b: { name: 'v1', addresses: ['10.0.1.1/24', 'fd00:1::1/64'] },
    });
    return ns;
  };

  test.each([
    ['IPv4 host bits', '10.0.2.1/24', '10.0.2.0/24'],
    ['IPv6 host bits', 'fd00:2::1/64', 'fd00:2::/64'],
  ])('a destination with %s is refused, suggesting the network', (_, destination, network) => {
    const msg = expectRefused((s) => new Route(s, 'r', { namespace: wired(s), destination, via: '10.0.1.1' }), 'stack/r', destination);
    expect(msg).toContain(network);
  });

  test.each([
    ['no prefix', '10.0.2.0'],
    ['a word', 'anywhere'],
    ['empty', ''],
  ])('a destination with %s is refused', (_, destination) => {
    expectRefused((s) => new Route(s, 'r', { namespace: wired(s), destination, via: '10.0.1.1' }), 'stack/r', destination);
  });

  test.each([
    ['a prefix', '10.0.1.1/24'],
    ['a name', 'gateway'],
    ['empty', ''],
  ])('a gateway with %s is refused', (_, via) => {
    expectRefused((s) => new Route(s, 'r', { namespace: wired(s), destination: 'default', via }), 'stack/r', via);
  });

  test('a gateway of the other address family is refused', () => {
    expectRefused((s) => new Route(s, 'r', { namespace: wired(s), destination: 'fd00:2::/64', via: '10.0.1.1' }), 'stack/r', '10.0.1.1');
  });

  test('two routes to one destination in one namespace are refused', () => {
    expectRefused(
      (s) => {
        const ns = wired(s);
        new Route(s, 'r1', { namespace: ns, destination: '10.0.2.0/24', via: '10.0.1.1' });
        new Route(s, 'r2', { namespace: ns, destination: '10.0.2.0/24', via: '10.0.1.1' });
      },
      'stack/r2',
      '10.0.2.0/24',
    );
  });

  test('"default" and "0.0.0.0/0" are the same destination', () => {
    expectRefused(
      (s) => {
        const ns = wired(s);
        new Route(s, 'r1', { namespace: ns, destination: 'default', via: '10.0.1.1' });
        new Route(s, 'r2', { namespace: ns, destination: '0.0.0.0/0', via: '10.0.1.1' });
      },
      'stack/r2',
      '0.0.0.0/0',
    );
  });

  test('a gateway on no connected subnet of a namespace fails the synthesis', () => {
    const msg = expectSynthRefused((s) => new Route(s, 'r', { namespace: wired(s), destination: 'default', via: '10.0.9.1' }), 'stack/r', '10.0.9.1');
    expect(msg).toContain('10.0.1.0/24');
    expectSynthRefused((s) => new Route(s, 'r', { namespace: new Namespace(s, 'lonely'), destination: 'default', via: '10.0.9.1' }), 'stack/r', '10.0.9.1');
  });

  test.each([
    ['Namespace.HOST', () => Namespace.HOST],
    ['a HostRouter', (s: TerraformStack) => new HostRouter(s, 'host')],
  ])('a gateway on no managed subnet of the host (%s) is only a warning', (_, host) => {
    const stack = testStack();
    wired(stack);
    const route = new Route(stack, 'r', { namespace: host(stack), destination: '10.0.2.0/24', via: '192.168.1.1' });
    const plan = NetnsPlan.fromStack(stack);
    expect(plan).toCreateRoute('host', '10.0.2.0/24', '192.168.1.1');
    const warnings = route.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
    expect(warnings.length).toBeGreaterThan(0);
    expectHelpfulError(warnings[0], 'stack/r', '192.168.1.1');
  });

  test('a gateway on a managed host subnet gives no warning', () => {
    const stack = testStack();
    wired(stack);
    const route = new Route(stack, 'r', { namespace: Namespace.HOST, destination: '10.0.2.0/24', via: '10.0.1.2' });
    Testing.synth(stack, true);
    expect(route.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN)).toEqual([]);
  });
});

describe('VLAN ids and MTUs', () => {
  test.each([[0], [4095], [-1], [1.5], ['10'], [NaN]])('VLAN id %p is refused', (vlanId) => {
    expectRefused((s) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: vlanId as number }), 'stack/v', vlanId);
  });

  test('VLAN ids 1 and 4094 are accepted', () => {
    const plan = expectAccepted((s) => {
      new VlanInterface(s, 'v1', { parent: 'eth0', vlanId: 1 });
      new VlanInterface(s, 'v2', { parent: 'eth0', vlanId: 4094 });
    });
    expect(plan.get('vlan:eth0.4094').values).toMatchObject({ ns: '-', parent: 'eth0', vid: '4094' });
    expect(plan.get('vlan:eth0.1').values.vid).toBe('1');
  });

  const MTU_AT: Array<[string, (s: TerraformStack, mtu: number) => unknown, string]> = [
    ['veth end', (s, mtu) => new VethPair(s, 'x', { a: { name: 'v0', mtu }, b: { name: 'v1' } }), 'stack/x'],
    ['bridge', (s, mtu) => new Bridge(s, 'x', { name: 'br0', mtu }), 'stack/x'],
    ['VLAN interface', (s, mtu) => new VlanInterface(s, 'x', { parent: 'eth0', vlanId: 5, mtu }), 'stack/x'],
  ];
  describe.each(MTU_AT)('%s', (_, build, path) => {
    test.each([[67], [65536], [1500.5], ['1500'], [-1]])('MTU %p is refused', (mtu) => {
      expectRefused((s) => build(s, mtu as number), path, mtu);
    });
    test('MTUs 68 and 65535 are accepted', () => {
      expectAccepted((s) => build(s, 68));
      expectAccepted((s) => build(s, 65535));
    });
  });
});

describe('sysctls', () => {
  const BAD_KEYS = [
    'kernel.panic',
    'vm.swappiness',
    'net',
    'net.ipv4',
    'net..ipv4.x',
    'net.ipv4.ip_forward ',
    'net.ipv4.ip_forward/../x',
    '../net.ipv4.ip_forward',
  ];
  test.each(BAD_KEYS)('namespace key %p is refused', (key) => {
    expectRefused((s) => new Namespace(s, 'ns', { sysctls: { [key]: '1' } }), 'stack/ns', key);
  });
  test.each(BAD_KEYS)('host key %p is refused', (key) => {
    expectRefused((s) => new HostSysctl(s, 'k', { key, value: '1' }), 'stack/k', key);
  });
  test.each([['1 2'], [''], [1.5], ['x'.repeat(65)]])('value %p is refused', (value) => {
    expectRefused((s) => new Namespace(s, 'ns').addSysctl('net.ipv4.ip_forward', value as string), 'stack/ns', value);
  });
  test('net.* keys with interface names and numeric values are accepted', () => {
    const plan = expectAccepted((s) => new Namespace(s, 'ns', { sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.veth-a.rp_filter': 2 } }));
    expect(plan.get('sysctl:ns/net.ipv4.conf.veth-a.rp_filter').values).toEqual({ ns: 'ns', key: 'net.ipv4.conf.veth-a.rp_filter', value: '2' });
    expect(plan.get('sysctl:ns/net.ipv4.ip_forward').values.value).toBe('1');
    // in key order, whatever the order they were declared in
    expect(plan.objects.filter((o) => o.kind === 'nsysctl').map((o) => o.values.key)).toEqual(['net.ipv4.conf.veth-a.rp_filter', 'net.ipv4.ip_forward']);
  });

  describe('net.ipv4.conf.all.forwarding and net.ipv4.ip_forward are one setting (writing either sets both)', () => {
    test('two host constructs using the two spellings with the same value are one object, under the canonical key', () => {
      const plan = expectAccepted((s) => {
        new HostSysctl(s, 'a', { key: 'net.ipv4.conf.all.forwarding', value: 1 });
        new HostSysctl(s, 'b', { key: 'net.ipv4.ip_forward', value: '1' });
        new HostRouter(s, 'host');
      });
      expect(plan.objects.filter((o) => o.kind === 'hsysctl').map((o) => o.line)).toEqual(['hsysctl net.ipv4.ip_forward 1']);
      expect(plan.findAll('sysctl:net.ipv4.conf.all.forwarding')).toEqual([]);
    });

    test('the two spellings with different values conflict, naming the first construct', () => {
      const stack = testStack();
      new HostSysctl(stack, 'a', { key: 'net.ipv4.conf.all.forwarding', value: 1 });
      new HostSysctl(stack, 'b', { key: 'net.ipv4.ip_forward', value: 0 });
      expect(thrownMessage(() => NetnsPlan.fromStack(stack))).toMatch(
        /stack\/b: host sysctl net\.ipv4\.ip_forward=0 is also declared by stack\/a, with other values/,
      );
    });

    test('a HostSysctl construct exposes the canonical key', () => {
      const stack = testStack();
      const h = new HostSysctl(stack, 'a', { key: 'net.ipv4.conf.all.forwarding', value: 1 });
      expect([h.key, h.value]).toEqual(['net.ipv4.ip_forward', '1']);
    });

    test('in a namespace too: one object under the canonical key', () => {
      const plan = expectAccepted((s) => new Namespace(s, 'ns', { sysctls: { 'net.ipv4.conf.all.forwarding': 1, 'net.ipv4.ip_forward': '1' } }));
      expect(plan.objects.filter((o) => o.kind === 'nsysctl').map((o) => o.line)).toEqual(['nsysctl ns net.ipv4.ip_forward 1']);
      const router = expectAccepted((s) => new Router(s, 'r').addSysctl('net.ipv4.conf.all.forwarding', 1));
      expect(router.objects.filter((o) => o.kind === 'nsysctl').map((o) => o.line)).toEqual(['nsysctl r net.ipv4.ip_forward 1']);
    });

    test('other forwarding keys keep their own spelling (IPv6, one interface)', () => {
      const plan = expectAccepted((s) => {
        new HostSysctl(s, 'v6', { key: 'net.ipv6.conf.all.forwarding', value: 1 });
        new HostSysctl(s, 'one', { key: 'net.ipv4.conf.eth0.forwarding', value: 1 });
      });
      expect(plan.objects.map((o) => o.line).sort()).toEqual(['hsysctl net.ipv4.conf.eth0.forwarding 1', 'hsysctl net.ipv6.conf.all.forwarding 1']);
    });
  });
});

describe('context values', () => {
  test.each(['local', 'NULL_RESOURCE', ''])('backend %p is refused', (backend) => {
    // detected when the stack's Lab (construct `cdktf-netns`, made by the first construct) creates its resources
    expectRefused((s) => new Namespace(s, 'ns'), 'stack/cdktf-netns', backend, { 'cdktf-netns:backend': backend });
  });

  test.each(['abcdefghijklm', 'a b', 'a.b', 'a/b'])('prefix %p is refused', (prefix) => {
    expectRefused((s) => new Namespace(s, 'ns'), 'stack/ns', prefix, { 'cdktf-netns:prefix': prefix });
  });

  test.each(['run/cdktf-netns', '/run/../etc', '/run/x y', ''])('state directory %p is refused', (dir) => {
    expectRefused((s) => new Namespace(s, 'ns'), 'stack/cdktf-netns', dir, { 'cdktf-netns:stateDir': dir });
  });

  test.each([
    '/tmp',
    '/tmp/x',
    '/tmp/',
    '//tmp//x',
    '/var/tmp/lab',
    '/dev/shm',
    '/dev/shm/lab',
    '/run/lock',
    '/var/lock/x',
    '/run/user',
    '/run/user/0/lab',
    '/',
  ])('state directory %p, in a directory every user may write to (or the root), is refused', (dir) => {
    const msg = expectRefused((s) => new Namespace(s, 'ns'), 'stack/cdktf-netns', dir, { 'cdktf-netns:stateDir': dir });
    expect(msg).toMatch(dir === '/' ? /the root directory/ : /a directory every user can write to/);
  });

  test.each(['/./run/x', '/run/.'])('state directory %p (a dot component) is refused', (dir) => {
    expectRefused((s) => new Namespace(s, 'ns'), 'stack/cdktf-netns', dir, { 'cdktf-netns:stateDir': dir });
  });

  test.each(['/run/cdktf-netns', '/var/lib/cdktf-netns', '/run/userdata/lab', '/tmpx/lab'])('state directory %p is accepted', (dir) => {
    const plan = expectAccepted((s) => new Namespace(s, 'ns'), { 'cdktf-netns:stateDir': dir });
    expect(plan.lab?.triggers.state).toBe(dir);
  });

  describe('a state directory whose existing components could be swapped or written by others is refused', () => {
    const BASE = '/opt/cdktf-netns-unit-no-such-dir';
    const realLstat = fs.lstatSync;
    const fake = (over: { symlink?: boolean; uid?: number; mode?: number }) => ({
      isSymbolicLink: () => over.symlink ?? false,
      isDirectory: () => !over.symlink,
      uid: over.uid ?? 0,
      mode: over.mode ?? 0o40755,
    });
    const withComponent = (stats: object, fn: () => void) => {
      const spy = jest
        .spyOn(fs, 'lstatSync')
        .mockImplementation(((p: fs.PathLike, o?: any) => (String(p) === BASE ? stats : realLstat(p, o))) as typeof fs.lstatSync);
      try {
        fn();
      } finally {
        spy.mockRestore();
      }
    };

    test.each([
      ['a symbolic link', { symlink: true }, 'is a symbolic link'],
      ['not owned by root', { uid: 1000 }, 'is not owned by root'],
      ['group-writable', { mode: 0o40775 }, 'is writable by group or others'],
      ['world-writable', { mode: 0o40757 }, 'is writable by group or others'],
    ])('%s', (_, over, problem) => {
      withComponent(fake(over), () => {
        const msg = expectRefused((s) => new Namespace(s, 'ns'), 'stack/cdktf-netns', `${BASE}/state`, { 'cdktf-netns:stateDir': `${BASE}/state` });
        expect(msg).toContain(`${BASE} ${problem}`);
      });
    });

    test('a root-owned component writable only by root is fine (the check can pass)', () => {
      withComponent(fake({}), () => {
        expect(expectAccepted((s) => new Namespace(s, 'ns'), { 'cdktf-netns:stateDir': `${BASE}/state` }).lab?.triggers.state).toBe(`${BASE}/state`);
      });
    });
  });

  test('a state directory is used without its trailing slash', () => {
    const plan = expectAccepted((s) => new Namespace(s, 'ns'), { 'cdktf-netns:stateDir': '/var/lib/netns-lab/' });
    expect(plan.lab?.triggers.state).toBe('/var/lib/netns-lab');
    const stack = testStack('terraform_data', { 'cdktf-netns:stateDir': '/var/lib/netns-lab/' });
    new Namespace(stack, 'ns');
    expect(dataText(stack).split('\n')).toContain('#state /var/lib/netns-lab');
  });
});

describe('markers: short enough for the kernel, distinct per stack', () => {
  const TOKEN = deploymentToken('some-terraform-id');
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

  /** A stack of the given id with objects deep in constructs of long ids. */
  const longLab = (app: ReturnType<typeof testApp>, id: string) => {
    const stack = new TerraformStack(app, id);
    let scope: Construct = stack;
    for (let i = 0; i < 6; i++) scope = new Construct(scope, `group-${i}-${'g'.repeat(40)}`);
    const ns = new Namespace(scope, `ns-${'n'.repeat(60)}`, { name: 'deep' });
    new VethPair(scope, `pair-${'p'.repeat(60)}`, { a: { name: 'v0', namespace: ns }, b: { name: 'v1' } });
    new Bridge(stack, 'br', { name: 'br0' });
    return { stack, plan: NetnsPlan.fromStack(stack) };
  };
  const markersOf = (plan: NetnsPlan) => plan.objects.map((o) => o.values.marker).filter(Boolean);

  test('a 300-character stack name gives an owner of at most 64 characters of stack, and kernel markers of at most 255 bytes', () => {
    const app = testApp();
    const { stack, plan } = longLab(app, 's'.repeat(300));
    const owner = ownerOf(stack);
    expect(plan.lab!.triggers.owner).toBe(owner);
    expect(owner).toMatch(/^cdktf-netns:s{55}~[0-9a-f]{8}\/$/);
    const markers = markersOf(plan);
    expect(markers).toHaveLength(3);
    for (const m of markers) {
      expect(m.startsWith(owner)).toBe(true);
      expect(bytes(m)).toBeLessThanOrEqual(240);
      expect(bytes(kernelMarker(m, TOKEN))).toBeLessThanOrEqual(MAX_KERNEL_MARKER);
      expect(kernelMarker(m, TOKEN)).toMatch(new RegExp(`^cdktf-netns:s{55}~[0-9a-f]{8}@${TOKEN}/`));
    }
    expect(MAX_KERNEL_MARKER).toBe(255);
    // long paths are cut, but stay apart
    expect(new Set(markers).size).toBe(markers.length);
  });

  test('two 300-character stack names that differ only at the end stay distinct (owners, lab ids, markers)', () => {
    const app = testApp();
    const a = longLab(app, `${'s'.repeat(299)}a`);
    const b = longLab(app, `${'s'.repeat(299)}b`);
    const [oa, ob] = [a.plan.lab!.triggers.owner, b.plan.lab!.triggers.owner];
    expect(oa).not.toBe(ob);
    expect(a.plan.lab!.triggers.lab).not.toBe(b.plan.lab!.triggers.lab);
    // ownership is matched by prefix: neither owns the other's objects, also as the kernel carries them
    for (const m of markersOf(b.plan)) {
      expect(m.startsWith(oa)).toBe(false);
      expect(kernelMarker(m, TOKEN).startsWith(kernelMarker(oa, TOKEN))).toBe(false);
    }
    for (const m of markersOf(a.plan)) expect(m.startsWith(ob)).toBe(false);
    expect(markersOf(a.plan).filter((m) => markersOf(b.plan).includes(m))).toEqual([]);
  });

  test('a stack name at the limit is kept as it is; one over it is shortened', () => {
    expect(ownerOf(testStack('terraform_data', {}, 'x'.repeat(64)))).toBe(`cdktf-netns:${'x'.repeat(64)}/`);
    expect(ownerOf(testStack('terraform_data', {}, 'x'.repeat(65)))).toMatch(/^cdktf-netns:x{55}~[0-9a-f]{8}\/$/);
  });

  test('an "@" in a stack name never reaches a marker (it separates the stack from the deployment in the kernel)', () => {
    const owner = ownerOf(testStack('terraform_data', {}, 'lab@0123456789ab'));
    expect(owner).not.toContain('@');
    expect(owner).toMatch(/^cdktf-netns:lab_0123456789ab~[0-9a-f]{8}\/$/);
  });
});

describe('MAC addresses (macOf): derived from the construct', () => {
  const MAC = /^02(:[0-9a-f]{2}){5}$/;
  const build = (o: { prefix?: string; names?: [string, string]; brName?: string; pairId?: string } = {}) => {
    const stack = testStack('terraform_data', o.prefix ? { 'cdktf-netns:prefix': o.prefix } : {}, 'lab');
    const [a, b] = o.names ?? ['v0', 'v1'];
    const pair = new VethPair(stack, o.pairId ?? 'p', { a: { name: a, namespace: new Namespace(stack, 'ns') }, b: { name: b } });
    const br = new Bridge(stack, 'br', { name: o.brName ?? 'br0' });
    const plan = NetnsPlan.fromStack(stack);
    const veth = plan.objects.find((x) => x.kind === 'veth')!.values;
    const bridge = plan.objects.find((x) => x.kind === 'bridge')!.values;
    return { pair, br, macs: [veth.mac_a, veth.mac_b, bridge.mac] };
  };

  test('the data lines carry macOf of the construct: one per veth end, one per bridge', () => {
    const { pair, br, macs } = build();
    expect(macs).toEqual([macOf(pair, 'a'), macOf(pair, 'b'), macOf(br, 'bridge')]);
  });

  test('locally administered unicast: first octet 02', () => {
    for (const m of build().macs) {
      expect(m).toMatch(MAC);
      const first = parseInt(m.slice(0, 2), 16);
      expect(first & 0x02).toBe(0x02); // locally administered
      expect(first & 0x01).toBe(0); // unicast
    }
  });

  test('deterministic: the same code gives the same MACs', () => {
    expect(build().macs).toEqual(build().macs);
  });

  test('the two ends of a pair, and different constructs, get different MACs', () => {
    const { macs } = build();
    expect(new Set(macs).size).toBe(3);
    const other = build({ pairId: 'q' }).macs;
    expect(other[0]).not.toBe(macs[0]);
    expect(other[1]).not.toBe(macs[1]);
  });

  test('another name prefix gives other MACs (prefixed twins on one machine differ)', () => {
    const none = build().macs;
    const l1 = build({ prefix: 'l1-' }).macs;
    const l2 = build({ prefix: 'l2-' }).macs;
    for (let i = 0; i < 3; i++) {
      expect(l1[i]).not.toBe(none[i]);
      expect(l1[i]).not.toBe(l2[i]);
    }
  });

  test("renaming an interface keeps its MAC (the same construct: neighbours' caches stay right)", () => {
    const before = build();
    const after = build({ names: ['w0', 'w1'], brName: 'br9' });
    expect(after.macs).toEqual(before.macs);
  });
});

describe('injection corpus: every string a user can pass is refused when it carries shell or template syntax', () => {
  const PAYLOADS: Array<[string, string]> = [
    ['command separator', '; rm -rf /'],
    ['command substitution', '$(id)'],
    ['backticks', '`id`'],
    ['Terraform interpolation', '${path.root}'],
    ['Terraform directive', '%{ if true }'],
    ['newline', '\n'],
    ['NUL', '\0'],
  ];

  type Build = (v: string) => TerraformStack;
  const inStack =
    (f: (s: TerraformStack, v: string) => unknown): Build =>
    (v) => {
      const s = testStack();
      f(s, v);
      return s;
    };
  const withContext =
    (key: string): Build =>
    (v) => {
      const s = new TerraformStack(testApp('terraform_data', { [key]: v }), 'stack');
      new VethPair(s, 'p', { a: { name: 'v0' }, b: { name: 'v1', namespace: new Namespace(s, 'ns') } });
      return s;
    };
  const pair = (s: TerraformStack, a: object = {}, b: object = {}) =>
    new VethPair(s, 'p', {
      a: { name: 'v0', addresses: ['10.0.0.1/24'], ...a },
      b: { name: 'v1', namespace: new Namespace(s, 'ns'), addresses: ['10.0.0.2/24'], ...b },
    });

  /** [prop, a valid value to embed payloads in, builder] */
  const PROPS: Array<[string, string, Build]> = [
    ['namespace name', 'ns', inStack((s, v) => new Namespace(s, 'ns', { name: v }))],
    ['veth host-side name', 'v0', inStack((s, v) => pair(s, { name: v }))],
    ['veth namespace-side name', 'v1', inStack((s, v) => pair(s, {}, { name: v }))],
    ['veth address', '10.0.0.1/24', inStack((s, v) => pair(s, { addresses: [v] }))],
    ['bridge name', 'br0', inStack((s, v) => new Bridge(s, 'br', { name: v }))],
    ['bridge address', '10.0.0.1/24', inStack((s, v) => new Bridge(s, 'br', { name: 'br0', addresses: [v] }))],
    ['VLAN name', 'v10', inStack((s, v) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, name: v }))],
    ['VLAN parent name', 'eth0', inStack((s, v) => new VlanInterface(s, 'v', { parent: v, vlanId: 10, name: 'v10' }))],
    ['VLAN address', '10.0.0.1/24', inStack((s, v) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, addresses: [v] }))],
    [
      'route destination',
      '10.0.2.0/24',
      inStack((s, v) => {
        pair(s);
        new Route(s, 'r', { namespace: Namespace.HOST, destination: v, via: '10.0.0.2' });
      }),
    ],
    [
      'route via',
      '10.0.0.2',
      inStack((s, v) => {
        pair(s);
        new Route(s, 'r', { namespace: Namespace.HOST, destination: 'default', via: v });
      }),
    ],
    ['namespace sysctl key', 'net.ipv4.ip_forward', inStack((s, v) => new Namespace(s, 'ns', { sysctls: { [v]: '1' } }))],
    ['namespace sysctl value', '1', inStack((s, v) => new Namespace(s, 'ns', { sysctls: { 'net.ipv4.ip_forward': v } }))],
    ['host sysctl key', 'net.ipv4.ip_forward', inStack((s, v) => new HostSysctl(s, 'k', { key: v, value: '1' }))],
    ['host sysctl value', '1', inStack((s, v) => new HostSysctl(s, 'k', { key: 'net.ipv4.ip_forward', value: v }))],
    ['Router.connect address', '10.0.0.1/24', inStack((s, v) => new Router(s, 'r').connect('lan', new Namespace(s, 'ns'), { address: v }))],
    [
      'Router.connect peer address',
      '10.0.0.2/24',
      inStack((s, v) => new Router(s, 'r').connect('lan', new Namespace(s, 'ns'), { address: '10.0.0.1/24', peerAddress: v })),
    ],
    [
      'Router.connect peer interface name',
      'lan',
      inStack((s, v) => new Router(s, 'r').connect('lan', new Namespace(s, 'ns'), { address: '10.0.0.1/24', peerInterfaceName: v })),
    ],
    ['prefix context', 'lab-', withContext('cdktf-netns:prefix')],
    ['stateDir context', '/run/lab', withContext('cdktf-netns:stateDir')],
    ['backend context', 'terraform_data', withContext('cdktf-netns:backend')],
  ];

  let refused = 0;
  afterAll(() => {
    console.log(`${refused} refused (of ${PROPS.length * PAYLOADS.length * 3} injection attempts)`);
  });

  test('the valid values used as carriers are themselves accepted', () => {
    for (const [, valid, build] of PROPS) expect(() => Testing.synth(build(valid), true)).not.toThrow();
  });

  describe.each(PROPS)('%s', (_, valid, build) => {
    test.each(PAYLOADS)('%s is refused (alone, as suffix and as infix)', (__, payload) => {
      for (const v of [payload, valid + payload, `${valid.slice(0, 1)}${payload}${valid.slice(1)}`]) {
        const msg = thrownMessage(() => synthDoc(build(v)));
        expect(msg).toMatch(/^cdktf-netns: .*Fix: /s);
        // the value is shown quoted and escaped, never raw
        expect(msg).not.toMatch(/[\n\0]/);
        refused++;
      }
    });
  });
});

describe('Router.connect: names made from the id say where they came from', () => {
  test('a router end name "<id>-rtr" over 15 bytes names the id and suggests interfaceName', () => {
    const s = testStack();
    const r = new Router(s, 'r');
    const msg = thrownMessage(() => r.connect('to-datacenter', new Namespace(s, 'n'), { address: '10.0.0.1/24' }));
    expect(msg).toMatch(
      /r: connect\("to-datacenter"\): the name of the router's end, "to-datacenter-rtr", made from the id and "-rtr", is longer than 15 bytes/,
    );
    expect(msg).toMatch(/Fix: pass interfaceName:/);
  });

  test('a peer end (or bridge port) name "<id>" over 15 bytes suggests peerInterfaceName, counting the host prefix', () => {
    const s = testStack('null_resource', { 'cdktf-netns:prefix': 'lab7-' });
    const r = new Router(s, 'r');
    const br = new Bridge(s, 'br', { name: 'br0' });
    // 11 characters, 16 with the prefix the host-side port gets
    const msg = thrownMessage(() => r.connect('uplink-port', br, { address: '10.0.0.1/24', interfaceName: 'up-rtr' }));
    expect(msg).toMatch(/connect\("uplink-port"\): the name of the bridge port, "uplink-port", made from the id, is longer than 15 bytes/);
    expect(msg).toMatch(/Fix: pass peerInterfaceName:/);
    // with explicit names it is fine
    expect(() => r.connect('uplink-port2', br, { address: '10.0.1.1/24', interfaceName: 'up2-rtr', peerInterfaceName: 'up2' })).not.toThrow();
  });
});
