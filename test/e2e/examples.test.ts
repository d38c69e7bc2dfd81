import { BridgeLanStack } from '../../examples/bridge-lan/stack';
import { HostRouterStack } from '../../examples/host-router/stack';
import { VethHostStack } from '../../examples/veth-host/stack';
import { VlanStack } from '../../examples/vlan/stack';
import { WanStack } from '../../examples/wan/stack';
import { vlanTrunkStack } from '../support/stacks';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNoChangesThenNothingLeft, expectNothingLeft } from '../support/expect';

jest.setTimeout(300_000);

const sb = useSandbox();
const lab = useLabs(sb);

test('veth-host: host and namespace ping each other over a veth pair', () => {
  const l = lab('veth-host');
  l.synth((app) => new VethHostStack(app, 'veth-host'));
  l.applyOk();
  expect(sb.namespaces()).toEqual(['ns_web']);
  expect(sb.links('')).toEqual({ 'veth-host': expect.objectContaining({ up: true, addrs: ['10.10.10.1/24'], kind: 'veth' }) });
  expect(sb.links('ns_web')).toEqual({ 'veth-guest': expect.objectContaining({ up: true, addrs: ['10.10.10.2/24'] }) });
  expect(sb.sh('ping -c 2 -W 2 10.10.10.2').code).toBe(0);
  expect(sb.sh('ip netns exec ns_web ping -c 2 -W 2 10.10.10.1').code).toBe(0);
  expectNoChangesThenNothingLeft(sb, l);
});

test('bridge-lan: two namespaces and the host share br0', () => {
  const l = lab('bridge-lan');
  l.synth((app) => new BridgeLanStack(app, 'bridge-lan'));
  l.applyOk();
  expect(sb.namespaces()).toEqual(['ns_db', 'ns_web']);
  const host = sb.links('');
  expect(Object.keys(host).sort()).toEqual(['br0', 'veth-db-br', 'veth-web-br']);
  expect(host.br0).toMatchObject({ kind: 'bridge', up: true, addrs: ['192.168.100.1/24'] });
  expect(host['veth-web-br']).toMatchObject({ master: 'br0', up: true, addrs: [] });
  expect(host['veth-db-br']).toMatchObject({ master: 'br0', up: true, addrs: [] });
  expect(sb.sh('ip netns exec ns_web ping -c 2 -W 2 192.168.100.20').code).toBe(0);
  expect(sb.sh('ip netns exec ns_db ping -c 2 -W 2 192.168.100.10').code).toBe(0);
  expect(sb.sh('ping -c 2 -W 2 192.168.100.10').code).toBe(0);
  expectNoChangesThenNothingLeft(sb, l);
});

test.each(['0', '1'])('host-router: the host forwards between two subnets; ip_forward=%s is restored on destroy', (before) => {
  sb.ok(`echo ${before} > /proc/sys/net/ipv4/ip_forward`);
  const l = lab('host-router');
  l.synth((app) => new HostRouterStack(app, 'host-router'));
  l.applyOk();
  expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('1');
  expect(sb.routes('ns_web')).toEqual(['10.0.2.0/24 via 10.0.1.1']);
  expect(sb.routes('ns_db')).toEqual(['10.0.1.0/24 via 10.0.2.1']);
  expect(sb.sh('ip netns exec ns_web ping -c 2 -W 2 10.0.2.20').code).toBe(0);
  expect(sb.sh('ip netns exec ns_db ping -c 2 -W 2 10.0.1.10').code).toBe(0);
  expect(l.planExitCode()).toBe(0);
  l.destroyOk();
  expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe(before);
  expectNothingLeft(sb);
});

// This kernel has neither 802.1Q nor bridge VLAN filtering: deploying VLAN constructs must fail
// with a message naming the missing feature, and leave nothing behind. The working VLAN
// scenarios run in a VLAN-capable kernel (test/e2e/vlan-guest.test.ts).
const hostHas = (probe: string) => sb.sh(`${probe}; r=$?; ip link del cdktf-probe 2>/dev/null; exit $r`).code === 0;

test('VlanInterface on a kernel without 802.1Q: deploy fails and says why; destroy cleans up', () => {
  const has8021q = hostHas('ip link add cdktf-probe type bridge && ip link add link cdktf-probe name cdktf-probe.5 type vlan id 5');
  const l = lab('vlanif');
  l.synth((app) => vlanTrunkStack(app, 'vlanif'));
  const r = l.apply();
  if (has8021q) {
    expect(r.code).toBe(0);
    expect(sb.sh('ip netns exec left ping -c 1 -W 2 10.0.10.2').code).toBe(0);
  } else {
    console.log('VlanInterface on the host kernel: connectivity NOT tested here (no 802.1Q); checked the clear failure instead');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/this kernel has no 802\.1Q VLAN support \(module 8021q/);
  }
  l.destroyOk();
  expectNothingLeft(sb);
});

test('examples/vlan on a kernel without bridge VLAN filtering: deploy fails and says why; destroy cleans up', () => {
  const hasFiltering = hostHas('ip link add cdktf-probe type bridge vlan_filtering 1');
  const l = lab('vlan');
  l.synth((app) => new VlanStack(app, 'vlan'));
  const r = l.apply();
  if (hasFiltering) {
    expect(r.stdout + r.stderr).not.toMatch(/no bridge VLAN filtering/);
  } else {
    console.log('examples/vlan on the host kernel: NOT RUN here (no bridge VLAN filtering); checked the clear failure instead');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/this kernel has no bridge VLAN filtering/);
  }
  l.destroyOk();
  expectNothingLeft(sb);
});

test('examples/wan on a kernel without netem: deploy fails and says why; destroy cleans up (the WAN itself is measured in the UML guest)', () => {
  const hasNetem = hostHas('ip link add cdktf-probe type veth peer name cdktf-probe1 && tc qdisc add dev cdktf-probe root netem delay 1ms');
  const l = lab('wan');
  l.synth((app) => new WanStack(app, 'wan'));
  const r = l.apply();
  if (hasNetem) {
    expect(r.stdout + r.stderr).not.toMatch(/this kernel has no netem/);
  } else {
    console.log('examples/wan on the host kernel: NOT RUN here (no netem); checked the clear failure instead');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/this kernel has no netem/);
  }
  l.destroyOk();
  expectNothingLeft(sb);
});
