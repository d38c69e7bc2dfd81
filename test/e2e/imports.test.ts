/**
 * Imported objects (issue 9): a namespace someone else made
 * (`Namespace.fromName`) holds our veth end, and an existing interface
 * (`Interface.fromName`) is a port of our bridge; the lab never creates, marks
 * or deletes either. Inside a private sandbox.
 */
import { Bridge, Interface, Namespace, VethPair } from '../../lib';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNothingLeft } from '../support/expect';

jest.setTimeout(300_000);

const sb = useSandbox();
const newLab = useLabs(sb);

test('a veth end in a namespace made outside the lab: deployed, pinged, and destroy removes our veth and leaves the namespace (and what else lives in it)', () => {
  sb.ok('ip netns add outside && ip -n outside link add keep0 type veth peer name keep1 && ip -n outside link set lo up');
  const inode = sb.ok('stat -L -c %i /run/netns/outside').trim();
  const lab = newLab('imp');
  try {
    lab.synthStack((s) => {
      const outside = Namespace.fromName(s, 'outside', 'outside');
      new VethPair(s, 'link', {
        a: { name: 'eth-imp', namespace: outside, addresses: ['10.33.0.2/24'] },
        b: { name: 'imp-host', addresses: ['10.33.0.1/24'] },
      });
    });
    const out = lab.applyOk();
    expect(out).not.toMatch(/created namespace/);
    expect(sb.links('outside')['eth-imp']).toMatchObject({ up: true, addrs: ['10.33.0.2/24'], alias: lab.marker('cdktf-netns:imp/link') });
    // the namespace itself is not marked, not re-made
    expect(sb.ipJson('outside', 'link show lo')[0].ifalias).toBeUndefined();
    expect(sb.ok('stat -L -c %i /run/netns/outside').trim()).toBe(inode);
    expect(sb.sh('ip netns exec outside ping -c 1 -W 2 10.33.0.1').code).toBe(0);
    expect(lab.planExitCode()).toBe(0);
    lab.destroyOk();
    expect(sb.namespaces()).toEqual(['outside']);
    expect(Object.keys(sb.links('outside')).sort()).toEqual(['keep0', 'keep1']);
    expect(sb.ok('stat -L -c %i /run/netns/outside').trim()).toBe(inode);
    sb.ok('ip netns del outside');
    expectNothingLeft(sb);
  } finally {
    sb.sh('ip netns del outside 2>/dev/null');
  }
});

test('an imported namespace that does not exist: the deploy is refused, saying so, and creates nothing', () => {
  const lab = newLab('imp2');
  lab.synthStack((s) => {
    new VethPair(s, 'link', { a: { name: 'eth0', namespace: Namespace.fromName(s, 'o', 'not-there') }, b: { name: 'imp2-host' } });
  });
  const r = lab.apply();
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/namespace 'not-there' \(imported with Namespace.fromName\) does not exist: create it first/);
  expect(sb.namespaces()).toEqual([]);
  expect(sb.links('')).toEqual({});
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('an existing host interface as a port of our bridge: attached, released when the port goes, never deleted', () => {
  sb.ok('ip link add uplink0 type veth peer name uplink1');
  const lab = newLab('imp3');
  const build = (withPort: boolean) =>
    lab.synthStack((s) => {
      const br = new Bridge(s, 'lan', { name: 'br-imp', addresses: ['10.34.0.1/24'] });
      if (withPort) br.addPort(Interface.fromName(s, 'uplink', { name: 'uplink0' }));
      const h = new Namespace(s, 'imp3-h');
      new VethPair(s, 'h', { a: { name: 'eth0', namespace: h, addresses: ['10.34.0.2/24'] }, b: { name: 'imp3-h-br', bridge: br } });
    });
  try {
    build(true);
    lab.applyOk();
    expect(sb.links('')['uplink0'].master).toBe('br-imp');
    expect(sb.links('')['uplink0'].alias).toBeUndefined(); // never marked
    expect(sb.sh('ip netns exec imp3-h ping -c 1 -W 2 10.34.0.1').code).toBe(0);
    build(false);
    const out = lab.applyOk();
    expect(out).toMatch(/released port uplink0 of bridge br-imp/);
    expect(sb.links('')['uplink0'].master).toBeUndefined();
    build(true);
    lab.applyOk();
    expect(sb.links('')['uplink0'].master).toBe('br-imp');
    lab.destroyOk();
    expect(Object.keys(sb.links('')).sort()).toEqual(['uplink0', 'uplink1']);
    sb.ok('ip link del uplink0');
    expectNothingLeft(sb);
  } finally {
    sb.sh('ip link del uplink0 2>/dev/null');
  }
});
