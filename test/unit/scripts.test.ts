/**
 * The shell side (lib/core/scripts.ts) and the address arithmetic (lib/core/ip.ts):
 * scripts parse as POSIX sh and survive Terraform's template engine verbatim;
 * addresses are parsed strictly and rendered in the exact text the kernel's
 * tools print, because the generated shell compares strings.
 */
import { spawnSync } from 'child_process';
import { TerraformStack } from 'cdktf';
import * as scripts from '../../lib/core/scripts';
import { PRELUDE, script, SWEEP, terraformEscape } from '../../lib/core/scripts';
import { parseCidr, parseIp, subnetContains } from '../../lib/core/ip';
import { Namespace, Route, VethPair } from '../../lib';
import { NetnsPlan } from '../../lib/testing';
import { WorkshopStack } from '../../examples/workshop/stack';
import { HostRouterStack } from '../../examples/host-router/stack';
import { BACKENDS, localExecs, resources, synthDoc, testApp, testStack } from './helpers';

/** Script bodies: every exported constant except the prelude (which `script` always adds). */
const BODIES = Object.entries(scripts)
  .filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'PRELUDE');

const SHELLS: Array<[string, string[]]> = [['sh', ['-n']], ['dash', ['-n']], ['bash', ['--posix', '-n']]];
const available = SHELLS.filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0);

function syntaxCheck(shell: [string, string[]], text: string): string | undefined {
  const r = spawnSync(shell[0], shell[1], { input: text, encoding: 'utf8' });
  return r.status === 0 ? undefined : `${shell[0]}: ${r.stderr}`;
}

/** What Terraform hands to the shell: its template escapes undone. */
function terraformUnescape(s: string): string {
  return s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

describe('shell scripts', () => {
  test('there are script bodies, and sh is available to check them', () => {
    expect(BODIES.map(([name]) => name)).toEqual(expect.arrayContaining(['NAMESPACE_CREATE', 'VETH_CREATE', 'ROUTE_DESTROY', 'SWEEP']));
    expect(available.map(([cmd]) => cmd)).toContain('sh');
  });

  test.each(available)('%s -n rejects a broken script (the check can fail)', (cmd, args) => {
    expect(syntaxCheck([cmd, args], script('if true; then echo x'))).toBeDefined();
  });

  describe.each(available)('%s', (cmd, args) => {
    test.each(BODIES)('script(%s) parses', (_, body) => {
      expect(syntaxCheck([cmd, args], script(body))).toBeUndefined();
    });

    test('the teardown script (empty inventory + sweep) parses', () => {
      expect(syntaxCheck([cmd, args], script(`INVENTORY=""\n${SWEEP}`))).toBeUndefined();
    });

    test.each(BACKENDS)('every command of a synthesized plan (%s) parses once Terraform has unescaped it', (backend) => {
      const commands = new Set<string>();
      for (const Stack of [WorkshopStack, HostRouterStack]) {
        const doc = synthDoc(new Stack(testApp(backend), 'lab') as TerraformStack);
        for (const r of resources(doc)) for (const le of localExecs(r.body)) commands.add(terraformUnescape(le.command));
      }
      expect(commands.size).toBeGreaterThanOrEqual(10);
      for (const c of commands) expect(syntaxCheck([cmd, args], c)).toBeUndefined();
    });
  });

  test.each([['PRELUDE', PRELUDE], ...BODIES])('%s contains no Terraform template sequence', (_, text) => {
    expect(text).not.toContain('${');
    expect(text).not.toContain('%{');
  });

  test('script() starts with the strict prelude and contains no unescaped template sequence', () => {
    for (const [, body] of BODIES) {
      const s = script(body);
      expect(s.startsWith('set -eu\n')).toBe(true);
      expect(s).not.toMatch(/(?<![$%])[$%]\{/);
    }
  });
});

describe('terraformEscape', () => {
  test.each([
    ['%{', '%%{'],
    ['a %{ if c }d%{ endif }', 'a %%{ if c }d%%{ endif }'],
    ['$ { % { $$ %% {} $(x)', '$ { % { $$ %% {} $(x)'],
    ['', ''],
  ])('%p -> %p', (input, output) => {
    expect(terraformEscape(input)).toBe(output);
  });

  test.each([
    ['${', '$${'],
    ['a ${b} %{c}', 'a $${b} %%{c}'],
    ['$${already}', '$$${already}'],
  ])('%p -> %p', (input, output) => {
    expect(terraformEscape(input)).toBe(output);
  });

  test('Terraform reads back exactly the original text of a "%{"', () => {
    for (const s of ['%{x}', '%%{x}', 'a%', '%{%{']) expect(terraformUnescape(terraformEscape(s))).toBe(s);
  });

  test('Terraform reads back exactly the original text of a "${"', () => {
    for (const s of ['${x}', '$${x}', '$$${x}', '${${}}']) expect(terraformUnescape(terraformEscape(s))).toBe(s);
  });
});

describe('ip.ts', () => {
  test.each([
    ['10.0.0.1', 4, '10.0.0.1'],
    ['0.0.0.0', 4, '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255'],
    ['FD00:0:0::1', 6, 'fd00::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1'],
    ['::', 6, '::'],
    ['::1', 6, '::1'],
    ['1::', 6, '1::'],
    ['1:0:0:1:0:0:0:1', 6, '1:0:0:1::1'],
    ['1:0:0:0:1:0:0:1', 6, '1::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', 6, '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7::', 6, '1:2:3:4:5:6:7:0'],
    ['64:ff9b::192.0.2.1', 6, '64:ff9b::c000:201'],
  ])('parseIp(%p) is IPv%p %p', (input, family, text) => {
    expect(parseIp(input)).toMatchObject({ family, text });
  });

  test.each([
    '', ' 10.0.0.1', '10.0.0.1 ', '10.0.0', '10.0.0.0.1', '256.0.0.1', '01.0.0.1', '1e1.0.0.1', '-1.0.0.1',
    '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1::2:3:4:5:6:7:8', ':1:2:3:4:5:6:7', '::g', ':::', 'fd00::1/64',
    '::ffff:256.0.0.1', 'localhost',
  ])('parseIp(%p) is undefined', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  test('parseIp refuses an IPv4 part that is not at the end of an IPv6 address', () => {
    expect(parseIp('1.2.3.4::1')).toBeUndefined();
  });

  test('IPv4-mapped IPv6 addresses are rendered as iproute2 prints them', () => {
    expect(parseIp('::ffff:10.0.0.1')?.text).toBe('::ffff:10.0.0.1');
  });

  test.each([
    ['FD00:0:0::1/64', { cidr: 'fd00::1/64', prefix: 64, hostBitsSet: true, network: 'fd00::/64' }],
    ['10.1.2.3/24', { cidr: '10.1.2.3/24', prefix: 24, hostBitsSet: true, network: '10.1.2.0/24' }],
    ['10.1.2.0/24', { cidr: '10.1.2.0/24', hostBitsSet: false, network: '10.1.2.0/24' }],
    ['10.1.2.3/32', { hostBitsSet: false, network: '10.1.2.3/32' }],
    ['10.1.2.3/0', { hostBitsSet: true, network: '0.0.0.0/0' }],
    ['fd00::1/128', { hostBitsSet: false, network: 'fd00::1/128' }],
    ['fd00:1:2:3:4::/63', { hostBitsSet: true, network: 'fd00:1:2:2::/63' }],
  ])('parseCidr(%p)', (input, expected) => {
    expect(parseCidr(input)).toMatchObject(expected);
  });

  test.each(['10.0.0.1', '10.0.0.1/33', 'fd00::1/129', '10.0.0.1/', '10.0.0.1/024', '10.0.0.1/-1', '10.0.0.1/24/24', '/24', 'fd00::1/64 '])(
    'parseCidr(%p) is undefined', (input) => {
      expect(parseCidr(input)).toBeUndefined();
    });

  test.each([
    ['10.0.1.0/24', '10.0.1.1', true],
    ['10.0.1.0/24', '10.0.1.255', true],
    ['10.0.1.0/24', '10.0.2.1', false],
    ['10.0.0.0/23', '10.0.1.200', true],
    ['10.0.1.7/32', '10.0.1.7', true],
    ['10.0.1.7/32', '10.0.1.8', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['fd00:1::/64', 'FD00:1::ffff', true],
    ['fd00:1::/64', 'fd00:2::1', false],
    ['::/0', 'fd00:2::1', true],
    ['0.0.0.0/0', '::1', false],
    ['::/0', '10.0.0.1', false],
    ['::ffff:0.0.0.0/96', '10.0.0.1', false],
  ])('subnetContains(%p, %p) is %p', (cidr, ip, inside) => {
    expect(subnetContains(parseCidr(cidr)!, parseIp(ip)!)).toBe(inside);
  });
});

describe('inventory text matches what iproute2 prints (the sweep compares strings)', () => {
  const inventory = (stack: TerraformStack) => NetnsPlan.fromStack(stack).get('sweep').triggers.inventory.split('\n');
  const routed = (destination: string, via = '10.0.1.1') => {
    const stack = testStack();
    const ns = new Namespace(stack, 'ns');
    new VethPair(stack, 'p', { a: { name: 'v0', namespace: ns, addresses: ['10.0.1.2/24', 'fd00:1::2/64'] }, b: { name: 'v1', addresses: ['10.0.1.1/24', 'fd00:1::1/64'] } });
    new Route(stack, 'r', { namespace: ns, destination, via });
    return inventory(stack);
  };

  test('addresses in canonical CIDR form, networks as written by `ip route`', () => {
    const stack = testStack();
    new VethPair(stack, 'p', { a: { name: 'v0', namespace: new Namespace(stack, 'ns'), addresses: ['FD00:0:0::2/64'] }, b: { name: 'v1', addresses: ['10.0.1.1/24'] } });
    expect(inventory(stack)).toEqual(expect.arrayContaining(['addr ns v0 fd00::2/64', 'addr - v1 10.0.1.1/24']));
    expect(routed('10.0.2.0/24')).toContain('route ns 4 10.0.2.0/24');
    expect(routed('FD00:2:0::/64', 'fd00:1::1')).toContain('route ns 6 fd00:2::/64');
    expect(routed('default')).toContain('route ns 4 default');
  });

  test('a host route is recorded without its /32', () => {
    expect(routed('10.0.2.5/32')).toContain('route ns 4 10.0.2.5');
  });

  test('a /0 route is recorded as "default"', () => {
    expect(routed('0.0.0.0/0')).toContain('route ns 4 default');
  });
});
