import { execFileSync } from 'child_process';
import { join } from 'path';
import { useLabs, useSandbox } from '../support/e2e';
import { netnsCli } from '../support/lab';
import { expectNothingLeft } from '../support/expect';
import { salesReachesDev, workshopStack } from '../support/stacks';

jest.setTimeout(300_000);

const sb = useSandbox();
const lab = useLabs(sb)('workshop');
beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: join(__dirname, '../..') }); // the CLI under test is the built one
  lab.synth(workshopStack);
  lab.applyOk();
});

const cli = (cmd: 'verify' | 'repair') => netnsCli(sb, `${cmd} ${lab.dir}`);

test('verify: a fresh deploy is in line', () => {
  const r = cli('verify');
  expect(r.stdout).toMatch(/verify: 12 object\(s\) checked, in line/);
  expect(r.code).toBe(0);
});

test.each([
  [
    'a veth pair deleted by hand',
    'ip -n router link del veth-d-rtr',
    [
      /DRIFT veth dev\/veth-d router\/veth-d-rtr: interface 'veth-d' is missing from namespace 'dev'/,
      /DRIFT route dev default: route to default via 172.16.20.1 is missing/,
    ],
  ],
  ['a whole namespace deleted by hand', 'ip netns del dev', [/DRIFT namespace dev: namespace 'dev' is missing/, /DRIFT route dev default/]],
  [
    'an address removed',
    'ip -n router addr del 172.16.10.1/24 dev veth-s-rtr',
    [/DRIFT address router\/veth-s-rtr 172.16.10.1\/24: address 172.16.10.1\/24 is missing/],
  ],
  [
    'forwarding switched off',
    'ip netns exec router sh -c "echo 0 > /proc/sys/net/ipv4/ip_forward"',
    [/DRIFT sysctl router net.ipv4.ip_forward: sysctl net.ipv4.ip_forward in namespace 'router' is 0, declared 1/],
  ],
  [
    'an object of ours that the code no longer declares',
    'ip -n sales link add ghost type veth peer name ghost2 && ip -n sales link set ghost alias cdktf-netns:workshop@TOKEN/ghost',
    [/DRIFT undeclared: not declared but owned by this lab: interface ghost \(sales\)/],
  ],
])('drift: %s is detected by verify and repaired by repair', (_what, damage, expected) => {
  sb.ok(damage.replace('TOKEN', lab.deployment()));
  const v = cli('verify');
  expect(v.code).toBe(2);
  for (const re of expected) expect(v.stdout).toMatch(re);
  const r = cli('repair');
  expect(r.stdout).toMatch(/verify: 12 object\(s\) checked, in line/);
  expect(r.code).toBe(0);
  expect(salesReachesDev(sb)).toBe(true);
  expect(Object.keys(sb.links('sales'))).toEqual(['veth-s']);
  expect(sb.sysctl('router', 'net.ipv4.ip_forward')).toBe('1');
  expect(lab.planExitCode()).toBe(0); // Terraform's view is unchanged: same objects, same ids
});

test('after the drift matrix, destroy still leaves nothing', () => {
  lab.destroyOk();
  expectNothingLeft(sb);
});
