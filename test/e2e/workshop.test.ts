import { useLabs, useSandbox } from '../support/e2e';
import { expectNothingLeft } from '../support/expect';
import { workshopStack } from '../support/stacks';

jest.setTimeout(300_000);

const sb = useSandbox();
const lab = useLabs(sb)('workshop');
beforeAll(() => lab.synth(workshopStack));

test('workshop: apply builds exactly the declared lab, sales reaches dev through the router, destroy leaves nothing', () => {
  const t0 = Date.now();
  const out = lab.applyOk();
  const applyMs = Date.now() - t0;
  // logs for people: one line per object changed, short commands, bounded size
  const objects = 12; // 3 namespaces, 1 namespace sysctl, 2 veth pairs, 4 addresses, 2 routes
  const intents = 2; // sales reaches dev, dev reaches sales: a line each, and their summary
  expect(out).toMatch(/created veth veth-s \(sales\) <-> veth-s-rtr \(router\)/);
  expect(out).toMatch(/cdktf-netns: lab cdktf-netns:workshop\/: 12 created, 0 changed, 0 removed/);
  expect(out).toMatch(/cdktf-netns: intents: 2 hold, 0 failed, 0 could not run/);
  expect(out.length).toBeLessThan(3072 + 250 * (objects + intents));
  expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThanOrEqual(1000);

  expect(sb.namespaces()).toEqual(['dev', 'router', 'sales']);
  const sales = sb.links('sales');
  const dev = sb.links('dev');
  const router = sb.links('router');
  expect(Object.keys(sales)).toEqual(['veth-s']);
  expect(Object.keys(dev)).toEqual(['veth-d']);
  expect(Object.keys(router).sort()).toEqual(['veth-d-rtr', 'veth-s-rtr']);
  expect(sales['veth-s']).toMatchObject({ up: true, addrs: ['172.16.10.10/24'], alias: lab.marker('cdktf-netns:workshop/s'), kind: 'veth' });
  expect(dev['veth-d']).toMatchObject({ up: true, addrs: ['172.16.20.10/24'], alias: lab.marker('cdktf-netns:workshop/d') });
  expect(router['veth-s-rtr'].addrs).toEqual(['172.16.10.1/24']);
  expect(router['veth-d-rtr'].addrs).toEqual(['172.16.20.1/24']);
  expect(sb.links('')).toEqual({}); // nothing in the "host" namespace
  expect(sb.sysctl('router', 'net.ipv4.ip_forward')).toBe('1');
  expect(sb.sysctl('sales', 'net.ipv4.ip_forward')).toBe('0');
  expect(sb.routes('sales')).toEqual(['default via 172.16.10.1']);
  expect(sb.routes('dev')).toEqual(['default via 172.16.20.1']);
  // namespace ownership marker: the alias of its lo
  expect(sb.ipJson('sales', 'link show lo')[0].ifalias).toBe(lab.marker('cdktf-netns:workshop/sales'));

  expect(sb.sh('ip netns exec sales ping -c 2 -W 2 172.16.20.10').code).toBe(0);
  expect(sb.sh('ip netns exec dev ping -c 2 -W 2 172.16.10.10').code).toBe(0);
  const trace = sb.ok('ip netns exec sales traceroute -n -w 1 -q 1 -m 5 172.16.20.10');
  const hops = trace
    .split('\n')
    .filter((l) => /^\s*\d+\s/.test(l))
    .map((l) => l.trim().split(/\s+/)[1]);
  expect(hops).toEqual(['172.16.10.1', '172.16.20.10']);

  expect(lab.planExitCode()).toBe(0); // a second plan shows no changes

  const t1 = Date.now();
  lab.destroyOk();
  const destroyMs = Date.now() - t1;
  expectNothingLeft(sb);

  console.log(`workshop E2E: apply ${applyMs} ms, destroy ${destroyMs} ms`);
});
