/**
 * VxlanLink at synth time and in the planner: the data lines of its two ends (and their bridge
 * ports), the refusals that need more than one value (families, one address, one bridge, one
 * namespace, a local address the namespace does not have, a loop), the MTU warning, and the
 * planner's cascade. Single bad values are in the hostile corpus; the tunnel itself is proven on
 * a real kernel (test/e2e/vxlan.test.ts) and across simulated machines (test/e2e/hosts.test.ts).
 */
import { AnnotationMetadataEntryType, Testing } from 'cdktf';
import { Bridge, Namespace, renderGraph, VethPair, VxlanLink } from '../../lib';
import { kindsTable } from '../../lib/kinds';
import { setupNetnsMatchers } from '../../lib/testing';
import { plan, runPlanner, testStack, thrownMessage } from '../support/helpers';

setupNetnsMatchers();

function sites(mtu?: number) {
  const stack = testStack();
  const sa = new Namespace(stack, 'sa');
  const sb = new Namespace(stack, 'sb');
  new VethPair(stack, 'u', { a: { name: 'wan', namespace: sa, addresses: ['192.0.2.1/30'] }, b: { name: 'wan', namespace: sb, addresses: ['192.0.2.2/30'] } });
  const a = new Bridge(stack, 'ba', { name: 'br0', namespace: sa });
  const b = new Bridge(stack, 'bb', { name: 'br0', namespace: sb });
  const h = new Namespace(stack, 'h');
  new VethPair(stack, 'hp', { a: { name: 'eth0', namespace: h, addresses: ['10.9.0.1/24'], mtu }, b: { name: 'p-h', namespace: sa, bridge: a, mtu } });
  return { stack, sa, sb, a, b, h };
}

const warnings = (c: { node: { metadata: Array<{ type: string; data: unknown }> } }) =>
  c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));

test('the data lines: a VXLAN interface at each end, remote = the other end, port 4789, MTU 1450 by default; each a port of its bridge', () => {
  const { stack, a, b } = sites(1450);
  const link = new VxlanLink(stack, 'vx', { vni: 100, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: b, local: '192.0.2.2' } });
  const p = plan(stack);
  expect(p.get('vxlan:sa/vx100').values).toMatchObject({ vni: '100', local: '192.0.2.1', remote: '192.0.2.2', port: '4789', mtu: '1450' });
  expect(p.get('vxlan:sb/vx100').values).toMatchObject({ vni: '100', local: '192.0.2.2', remote: '192.0.2.1', port: '4789', mtu: '1450' });
  expect(p.get('vxlan:sa/vx100').values.mac).not.toBe(p.get('vxlan:sb/vx100').values.mac);
  expect(p.get('port:sa/vx100').values).toMatchObject({ master: 'br0' });
  expect(p).toRunAfter('port:sa/vx100', 'interface:sa/br0');
  expect(p).toRunAfter('port:sa/vx100', 'vxlan:sa/vx100');
  expect(link.mtu).toBe(1450);
  expect(warnings(link)).toEqual([]);
});

test('one layer-2 segment: an address used on both sides of the tunnel is refused', () => {
  const { stack, a, b, sb } = sites(1450);
  const far = new Namespace(stack, 'far');
  new VethPair(stack, 'fp', {
    a: { name: 'eth0', namespace: far, addresses: ['10.9.0.1/24'], mtu: 1450 },
    b: { name: 'p-far', namespace: sb, bridge: b, mtu: 1450 },
  });
  new VxlanLink(stack, 'vx', { vni: 7, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: b, local: '192.0.2.2' } });
  expect(thrownMessage(() => Testing.synth(stack, true))).toMatch(/address 10\.9\.0\.1 of interface "eth0" is also used on the same layer-2 segment/);
});

test('a tunnel between bridges already joined closes a loop: refused at synth', () => {
  const { stack, a, b } = sites(1450);
  new VxlanLink(stack, 'one', { vni: 1, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: b, local: '192.0.2.2' } });
  new VxlanLink(stack, 'two', { vni: 2, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: b, local: '192.0.2.2' } });
  expect(thrownMessage(() => Testing.synth(stack, true))).toContain(
    'stack/two: this VXLAN link closes a loop: its two bridges are on one layer-2 segment already',
  );
});

test('ports that take bigger frames than the tunnel carries: a warning naming them and the fix', () => {
  const { stack, a, b } = sites();
  const link = new VxlanLink(stack, 'vx', { vni: 100, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: b, local: '192.0.2.2' } });
  Testing.synth(stack, true);
  expect(warnings(link)).toEqual([
    expect.stringMatching(/ports of bridge "br0" take bigger frames than the tunnel carries \(MTU 1450\): "p-h".*Fix: set mtu: 1450/),
  ]);
});

describe('refusals that need more than one value', () => {
  test.each([
    ['two families', { b: { local: 'fd00::2' } }, 'a.local is IPv4 but b.local is IPv6'],
    ['one address at both ends', { b: { local: '192.0.2.1' } }, 'a.local and b.local are the same address'],
  ])('%s', (_, o, msg) => {
    const { stack, a, b } = sites(1450);
    const bo = (o as { b: { local: string } }).b;
    expect(thrownMessage(() => new VxlanLink(stack, 'vx', { vni: 1, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: b, local: bo.local } }))).toContain(
      `stack/vx: ${msg}`,
    );
  });

  test('one bridge, one namespace, not a bridge', () => {
    const { stack, a, sa } = sites(1450);
    expect(thrownMessage(() => new VxlanLink(stack, 'v1', { vni: 1, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: a, local: '192.0.2.2' } }))).toContain(
      'stack/v1: both ends are on the same bridge',
    );
    const other = new Bridge(stack, 'b2', { name: 'br1', namespace: sa });
    expect(
      thrownMessage(() => new VxlanLink(stack, 'v2', { vni: 1, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: other, local: '192.0.2.2' } })),
    ).toContain('stack/v2: both bridges are in namespace "sa"');
    expect(
      thrownMessage(() => new VxlanLink(stack, 'v3', { vni: 1, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: {} as never, local: '192.0.2.2' } })),
    ).toContain('stack/v3: b.bridge is not a Bridge of cdktf-netns');
  });

  test('a local address its namespace does not have: refused in a namespace of the lab, a warning in the host namespace', () => {
    const { stack, a, b } = sites(1450);
    new VxlanLink(stack, 'vx', { vni: 1, a: { bridge: a, local: '192.0.2.9' }, b: { bridge: b, local: '192.0.2.2' } });
    expect(thrownMessage(() => Testing.synth(stack, true))).toContain('stack/vx: a.local 192.0.2.9 is no address of namespace "sa"');
    const host = sites(1450);
    const hb = new Bridge(host.stack, 'hb', { name: 'br-host' });
    const link = new VxlanLink(host.stack, 'vx', { vni: 1, a: { bridge: hb, local: '198.51.100.7' }, b: { bridge: host.b, local: '192.0.2.2' } });
    Testing.synth(host.stack, true);
    expect(warnings(link)).toEqual([expect.stringContaining('a.local 198.51.100.7 is no address of the host namespace')]);
  });
});

test('the planner: another bridge takes the tunnel port over in place; another VNI re-creates the tunnel interface, and its port with it', () => {
  const data = (lines: string[]) => [...kindsTable(), ...lines].join('\n');
  const vx = (vni: string) => `vxlan sa vx1 ${vni} 192.0.2.1 192.0.2.2 4789 m:vx 1450 02:00:00:00:00:01`;
  const base = (br: string, vni = '1') => ['ns sa m:sa', `bridge sa br0 ${br} - 0 02:00:00:00:00:02`, vx(vni), 'port sa vx1 br0 -'];
  expect(runPlanner('apply', data(base('m:br')), data(base('m:br')))).toEqual([]);
  // another bridge: the tunnel's port moves to it (a port changes its master in place)
  const ops = runPlanner('apply', data(base('m:br')), data(['ns sa m:sa', 'bridge sa br1 m:br - 0 02:00:00:00:00:02', vx('1'), 'port sa vx1 br1 -']));
  expect(ops).toContain('U port sa vx1 br1 -');
  expect(ops.some((o) => o.startsWith('D vxlan') || o.startsWith('C vxlan'))).toBe(false);
  const re = runPlanner('apply', data(base('m:br')), data(base('m:br', '2')));
  expect(re).toEqual(expect.arrayContaining([`D ${vx('1')}`, `C ${vx('2')}`, 'C port sa vx1 br0 -']));
});

test('the graph joins the two bridges with the tunnel (not as an unknown port)', async () => {
  const { stack, a, b } = sites(1450);
  new VxlanLink(stack, 'vx', { vni: 100, a: { bridge: a, local: '192.0.2.1' }, b: { bridge: b, local: '192.0.2.2' } });
  const text = await renderGraph(plan(stack), { format: 'mermaid' });
  expect(text).toMatch(/br_sa__br0 -\.-\|"VXLAN 100 \(udp 4789\)<br>192\.0\.2\.1 - 192\.0\.2\.2"\| br_sb__br0/);
  expect(text).not.toContain('existing interface');
});

test('in the host namespace the tunnel interface gets the scope prefix, as every interface there does', () => {
  const stack = testStack('terraform_data', { 'cdktf-netns:prefix': 'a-' });
  const far = new Namespace(stack, 'far');
  new VethPair(stack, 'u', { a: { name: 'wan', addresses: ['192.0.2.1/30'] }, b: { name: 'wan', namespace: far, addresses: ['192.0.2.2/30'] } });
  const hb = new Bridge(stack, 'hb', { name: 'br0' });
  const fb = new Bridge(stack, 'fb', { name: 'br0', namespace: far });
  new VxlanLink(stack, 'vx', { vni: 5, a: { bridge: hb, local: '192.0.2.1' }, b: { bridge: fb, local: '192.0.2.2' } });
  const p = plan(stack);
  expect(p.get('vxlan:host/a-vx5').values.local).toBe('192.0.2.1');
  expect(p.get('vxlan:a-far/vx5').values.remote).toBe('192.0.2.1');
});
