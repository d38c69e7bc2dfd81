/**
 * VxlanLink on this kernel, in a private sandbox: two "sites" (namespaces) joined by an underlay
 * veth, a bridge in each, a host on each bridge; the tunnel joins the bridges and the hosts ping
 * each other across it (one layer-2 segment). Verified, repaired, re-planned empty, destroyed to
 * nothing. (Across machines, on simulated hosts: test/e2e/hosts.test.ts.)
 */
import { TerraformStack } from 'cdktf';
import { Bridge, Namespace, VethPair, VxlanLink } from '../../lib';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNothingLeft } from '../support/expect';
import { netnsCli } from '../support/lab';

jest.setTimeout(300_000);

const sb = useSandbox();
const newLab = useLabs(sb);

function sites(s: TerraformStack, vni = 100, port?: number): void {
  const siteA = new Namespace(s, 'site-a', { name: 'site-a' });
  const siteB = new Namespace(s, 'site-b', { name: 'site-b' });
  new VethPair(s, 'underlay', {
    a: { name: 'wan', namespace: siteA, addresses: ['192.0.2.1/30'] },
    b: { name: 'wan', namespace: siteB, addresses: ['192.0.2.2/30'] },
  });
  const brA = new Bridge(s, 'br-a', { name: 'br-lan', namespace: siteA });
  const brB = new Bridge(s, 'br-b', { name: 'br-lan', namespace: siteB });
  for (const [i, site, br] of [
    [1, 'a', brA],
    [2, 'b', brB],
  ] as const) {
    const host = new Namespace(s, `h${site}`, { name: `h${site}` });
    new VethPair(s, `h${site}-link`, {
      a: { name: 'eth0', namespace: host, addresses: [`10.90.0.${i}/24`], mtu: 1450 },
      b: { name: `p-h${site}`, namespace: site === 'a' ? siteA : siteB, bridge: br, mtu: 1450 },
    });
  }
  new VxlanLink(s, 'tunnel', { vni, port, a: { bridge: brA, local: '192.0.2.1' }, b: { bridge: brB, local: '192.0.2.2' } });
}

test('two bridges in two namespaces joined by VXLAN: the hosts behind them ping across; verify, repair, an empty re-plan, a changed VNI re-creates the tunnel, destroy leaves nothing', () => {
  const lab = newLab('vxlan');
  lab.synthStack((s) => sites(s));
  expect(lab.applyOk()).toMatch(/created VXLAN interface vx100 \(site-a\) \(VNI 100, 192\.0\.2\.1 -> 192\.0\.2\.2 port 4789\)/);
  const vx = sb.ipJson('site-a', '-d link show vx100')[0];
  expect(vx).toMatchObject({
    master: 'br-lan',
    mtu: 1450,
    linkinfo: { info_kind: 'vxlan', info_data: { id: 100, local: '192.0.2.1', remote: '192.0.2.2', port: 4789 } },
  });
  expect(sb.ping('ha', '10.90.0.2')).toBe(true);
  // the frames really cross the tunnel: without it the hosts are cut off
  sb.ok('ip -n site-a link set vx100 down');
  expect(sb.ping('ha', '10.90.0.2', 1)).toBe(false);
  const v = netnsCli(sb, `verify ${lab.dir}`);
  expect(v.code).toBe(2);
  expect(v.stdout).toMatch(/DRIFT vxlan site-a\/vx100: interface 'vx100' in namespace 'site-a' is down/);
  expect(netnsCli(sb, `repair ${lab.dir}`).code).toBe(0);
  expect(sb.ping('ha', '10.90.0.2')).toBe(true);
  expect(netnsCli(sb, `verify ${lab.dir}`).code).toBe(0);
  expect(lab.planExitCode()).toBe(0);
  // another VNI and port: a new tunnel (the old one goes), still one segment
  lab.synthStack((s) => sites(s, 200, 4790));
  const out = lab.applyOk();
  expect(out).toMatch(/removed VXLAN interface vx100 \(site-b\)/);
  expect(out).toMatch(/created VXLAN interface vx200 \(site-b\) \(VNI 200, 192\.0\.2\.2 -> 192\.0\.2\.1 port 4790\)/);
  expect(sb.ping('hb', '10.90.0.1')).toBe(true);
  expect(lab.planExitCode()).toBe(0);
  lab.destroyOk();
  expectNothingLeft(sb);
});
