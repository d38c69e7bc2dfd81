/**
 * Every validation rule: the error names the construct path, shows the bad
 * value and says how to fix it. Construction-time rules throw a NetnsError;
 * cross-construct rules fail `Testing.synth(stack, true)`. The hostile inputs
 * themselves (bad names, CIDRs, sysctl keys, shell and Terraform template
 * payloads on every string a user can pass, hostile constructions) are the
 * shared corpus of test/support/hostile.ts, which the reliability matrix
 * feeds to real deployments too; this file asserts each is refused, and keeps
 * the rules that are not single hostile inputs (what is accepted and how it
 * is planned, limits, warnings, markers, MACs).
 */
import { AnnotationMetadataEntryType, TerraformStack, Testing } from 'cdktf';
import { Bridge, HostRouter, HostSysctl, Namespace, NetnsError, Route, Router, VethPair, VlanInterface } from '../../lib';
// the module object itself (an `import * as` namespace cannot be spied on)
import fs = require('fs');
import { Construct } from 'constructs';
import { IP_KEYWORDS } from '../../lib/core/validate';
import { deploymentToken, kernelMarker, macOf, MAX_KERNEL_MARKER, ownerOf } from '../../lib/core/settings';
import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { dataText, expectHelpfulError, testApp, testStack, thrownMessage } from '../support/helpers';
import {
  expectedOf,
  HOSTILE_VALUES,
  HostileTarget,
  injectionForms,
  injections,
  NEAR_MISSES,
  refusalProblems,
  SCENARIOS,
  STRING_TARGETS,
  TARGETS,
  tryHostile,
} from '../support/hostile';

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

function expectAccepted(fn: (stack: TerraformStack) => unknown, context: Record<string, unknown> = {}): NetnsPlan {
  const stack = testStack('terraform_data', context);
  fn(stack);
  return NetnsPlan.fromStack(stack);
}

setupNetnsMatchers();

setupNetnsMatchers();

/** A target set to `value` in a fresh test stack (a context value: in the stack's app), then synthesized with validations. */
function attempt(t: HostileTarget, value: unknown) {
  const synth = (s: TerraformStack) => void Testing.synth(s, true);
  if (t.context)
    return tryHostile(
      () => testStack('terraform_data', { [t.context!]: value }),
      (s) => t.build(s, undefined),
      synth,
    );
  return tryHostile(
    () => testStack(),
    (s) => t.build(s, value),
    synth,
  );
}

describe('the hostile-input corpus (test/support/hostile.ts): every value a user can pass', () => {
  describe.each(TARGETS.map((t) => [`${t.name} (${t.field})`, t] as const))('%s', (_, t) => {
    test('its valid value is accepted', () => {
      expect(attempt(t, t.valid)).toMatchObject({ stage: 'accepted' });
    });

    test.each(HOSTILE_VALUES[t.field].map((v) => [v.label, v] as const))('%s is refused when it is constructed, with a helpful error', (__, v) => {
      const o = attempt(t, v.value);
      expect(o.stage).toBe('construction');
      expect(o.error).toBeInstanceOf(NetnsError);
      const want = expectedOf(t, v.value);
      expect(refusalProblems(o.message, { stackId: 'stack', ...want, shown: v.shown ?? want.shown, error: v.error })).toEqual([]);
    });

    const near = NEAR_MISSES[t.field] ?? [];
    if (near.length) {
      test.each(near.map((v) => [v.label, v] as const))('near miss %s is accepted', (__, v) => {
        expect(attempt(t, v.value)).toMatchObject({ stage: 'accepted' });
      });
    }
  });
});

describe('the hostile-input corpus: shell and Terraform template payloads in every string a user can pass', () => {
  const PAYLOADS = injections('/tmp/cdktf-netns-unit-canary');
  let refused = 0;
  afterAll(() => {
    console.log(`${refused} refused (of ${STRING_TARGETS.length * PAYLOADS.length * 3} injection attempts)`);
  });

  describe.each(STRING_TARGETS.map((t) => [t.name, t] as const))('%s', (_, t) => {
    test.each(PAYLOADS.map((p) => [p.label, p.value] as const))('%s is refused (alone, as suffix and as infix)', (__, payload) => {
      for (const [, v] of injectionForms(t.valid as string, payload)) {
        const o = attempt(t, v);
        expect(o.stage).not.toBe('accepted');
        // the value is shown quoted and escaped, never raw
        expect(o.message).toMatch(/^cdktf-netns: .*Fix: /s);
        expect(refusalProblems(o.message, { stackId: 'stack', ...expectedOf(t, v) })).toEqual([]);
        refused++;
      }
    });
  });
});

describe('the hostile-input corpus: hostile constructions', () => {
  test.each(SCENARIOS.map((sc) => [sc.label, sc] as const))('%s is refused, with a helpful error', (_, sc) => {
    const o = tryHostile(
      () => testStack('terraform_data', sc.context ?? {}),
      sc.build,
      (s) => void Testing.synth(s, true),
    );
    expect(o.stage).toBe(sc.stage);
    if (sc.stage === 'construction') expect(o.error).toBeInstanceOf(NetnsError);
    expect(refusalProblems(o.message, { stackId: 'stack', path: sc.path, shown: sc.shown, error: sc.error, mentions: sc.mentions })).toEqual([]);
  });
});

describe('namespace names', () => {
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

  test('64 characters and the full charset are accepted, and planned as namespaces', () => {
    const long = 'n'.repeat(64);
    const plan = expectAccepted((s) => {
      new Namespace(s, 'a', { name: long });
      new Namespace(s, 'b', { name: 'A.b-c_9' });
    });
    expect(plan).toCreateNamespace(long);
    expect(plan).toCreateNamespace('A.b-c_9');
  });
});

describe('interface names', () => {
  test('the keyword list is lower case and holds the words that would change an ip command line', () => {
    for (const k of IP_KEYWORDS) expect(k).toBe(k.toLowerCase());
    for (const k of ['add', 'del', 'dev', 'up', 'down', 'type', 'peer', 'name', 'netns', 'link', 'address', 'master', 'mtu', 'all', 'help', 'via'])
      expect(IP_KEYWORDS.has(k)).toBe(true);
  });

  test('the host-side prefix counts towards the 15-byte limit (the corpus: refused); inside a namespace it does not apply', () => {
    const plan = expectAccepted((s) => new Bridge(s, 'br', { name: 'brid', namespace: new Namespace(s, 'ns') }), { 'cdktf-netns:prefix': 'abcdefghijkl' });
    expect(plan).toCreateInterface('brid', 'abcdefghijklns');
  });

  test('one name in different namespaces is accepted (in one namespace: the corpus, refused)', () => {
    expectAccepted((s) => new VethPair(s, 'p', { a: { name: 'v0', namespace: new Namespace(s, 'n1') }, b: { name: 'v0', namespace: new Namespace(s, 'n2') } }));
  });
});

describe('addresses', () => {
  const addr = (s: TerraformStack, a: unknown) =>
    new VethPair(s, 'p', { a: { name: 'v0', addresses: [a as string] }, b: { name: 'v1', namespace: new Namespace(s, 'ns') } });

  test.each(NEAR_MISSES.address!.map((m) => [m.label, m.value, m.canonical!] as const))('%s is accepted', (_, value, canonical) => {
    const plan = expectAccepted((s) => addr(s, value));
    // each address of an interface is an object of its own, in the canonical text the kernel prints
    expect(plan.findAll('addresses:host/v0').map((o) => o.values.cidr)).toEqual([canonical]);
    expect(plan.get(`address:host/${canonical}`).values).toEqual({ ns: '-', if: 'v0', cidr: canonical });
  });
});

describe('layer-2 segments and namespaces: no duplicate addresses (the refusals: the corpus)', () => {
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
});

describe('VLAN options of bridge ports', () => {
  const port = (s: TerraformStack, vlans: unknown, vlanFiltering = true) => {
    const br = new Bridge(s, 'br', { name: 'br0', vlanFiltering });
    const p = new VethPair(s, 'p', { a: { name: 'v0', namespace: new Namespace(s, 'ns') }, b: { name: 'v1' } });
    br.addPort(p.b, vlans as object);
  };

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

describe('VLAN ids', () => {
  test('VLAN ids 1 and 4094 are accepted', () => {
    const plan = expectAccepted((s) => {
      new VlanInterface(s, 'v1', { parent: 'eth0', vlanId: 1 });
      new VlanInterface(s, 'v2', { parent: 'eth0', vlanId: 4094 });
    });
    expect(plan.get('vlan:eth0.4094').values).toMatchObject({ ns: '-', parent: 'eth0', vid: '4094' });
    expect(plan.get('vlan:eth0.1').values.vid).toBe('1');
  });
});

describe('sysctls', () => {
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
  test.each(NEAR_MISSES['state directory']!.map((m) => m.value as string))('state directory %p is accepted', (dir) => {
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
