/**
 * Link impairments on this kernel (issue 12, first part), in a private sandbox: a rate limit
 * (tbf) is applied with its interface, measured as throughput, changed in place, re-applied
 * when its interface is re-created, reported by verify when removed by hand and restored by
 * repair, and removed when dropped from the code. This kernel has no netem: a delay is refused
 * at deploy time, saying so (delay, jitter and loss are proven in the UML guest).
 */
import { TerraformStack } from 'cdktf';
import { LinkImpairment, Namespace, VethPair } from '../../lib';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNothingLeft } from '../support/expect';
import { netnsCli } from '../support/lab';
import { measureMbit } from '../support/throughput';

jest.setTimeout(300_000);

const sb = useSandbox();
const newLab = useLabs(sb);

function wan(s: TerraformStack, impair: { rateMbit?: number; delayMs?: number } | undefined, name = 'wan-host', farName = 'wan-far'): void {
  const far = new Namespace(s, 'far', { name: farName });
  const link = new VethPair(s, 'link', { a: { name, addresses: ['10.71.0.1/24'] }, b: { name: 'eth0', namespace: far, addresses: ['10.71.0.2/24'] } });
  if (impair) new LinkImpairment(s, 'slow', { interface: link.a, ...impair });
}

const rootQdisc = (ns: string, dev: string) =>
  sb.ipJson(ns, `-d link show dev ${dev}`) && JSON.parse(sb.ok(`${ns ? `ip netns exec ${ns} ` : ''}tc -j qdisc show dev ${dev} root`))[0];

test('a rate limit (tbf): applied with its interface and measured, changed in place, verified, repaired, re-applied with a new interface, removed with the code', () => {
  const lab = newLab('wan');
  lab.synthStack((s) => wan(s, { rateMbit: 20 }));
  expect(lab.applyOk()).toMatch(/set impairment of wan-host: tbf rate 20000kbit/);
  expect(rootQdisc('', 'wan-host')).toMatchObject({ kind: 'tbf' });
  const limited = measureMbit(sb, '', 'wan-far', '10.71.0.2', 5001);
  expect(limited).toBeGreaterThan(20 * 0.8);
  expect(limited).toBeLessThan(20 * 1.2);
  // only the host side is limited: what leaves the far end is not
  expect(measureMbit(sb, 'wan-far', '', '10.71.0.1', 5002)).toBeGreaterThan(limited * 3);
  expect(lab.planExitCode()).toBe(0);
  // changed in place: the new rate, nothing re-created
  lab.synthStack((s) => wan(s, { rateMbit: 5 }));
  const changed = lab.applyOk();
  expect(changed).toMatch(/changed impairment of wan-host: tbf rate 5000kbit/);
  expect(changed).not.toMatch(/created veth/);
  const five = measureMbit(sb, '', 'wan-far', '10.71.0.2', 5003);
  expect(five).toBeGreaterThan(5 * 0.8);
  expect(five).toBeLessThan(5 * 1.2);
  // removed by hand: verify says so (exit 2), repair puts it back
  sb.ok('tc qdisc del dev wan-host root');
  const drift = netnsCli(sb, `verify ${lab.dir}`);
  expect(drift.code).toBe(2);
  // (a veth without its impairment is back to noqueue)
  expect(drift.stdout).toMatch(/DRIFT qdisc host\/wan-host: the root qdisc of wan-host in the host namespace is noqueue, declared tbf \(rate 5 Mbit\/s\)/);
  expect(netnsCli(sb, `repair ${lab.dir}`).code).toBe(0);
  expect(rootQdisc('', 'wan-host')).toMatchObject({ kind: 'tbf' });
  // its interface re-created (a new name): the impairment comes with it
  lab.synthStack((s) => wan(s, { rateMbit: 5 }, 'wan-host2'));
  lab.applyOk();
  expect(rootQdisc('', 'wan-host2')).toMatchObject({ kind: 'tbf' });
  // dropped from the code: the interface's default qdisc again
  lab.synthStack((s) => wan(s, undefined, 'wan-host2'));
  expect(lab.applyOk()).toMatch(/removed impairment of wan-host2/);
  expect(rootQdisc('', 'wan-host2').kind).not.toBe('tbf');
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('a delay on a kernel without netem: the deploy is refused, saying so; the rest of the lab destroys cleanly', () => {
  const lab = newLab('wan2');
  lab.synthStack((s) => wan(s, { delayMs: 20 }, 'wan2-host', 'wan2-far'));
  const r = lab.apply();
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/this kernel has no netem \(module sch_netem missing or not loadable: try 'modprobe sch_netem'\)/);
  lab.destroyOk();
  expectNothingLeft(sb);
});
