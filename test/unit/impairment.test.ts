/**
 * LinkImpairment at synth time and in the planner: the data line (netem or tbf is the
 * engine's choice, from which values are set), its place in the order (after its interface,
 * re-applied when the interface is re-created), and the refusals that need more than one value.
 * Single bad values are in the hostile corpus; the qdiscs themselves are proven on a real
 * kernel (test/e2e/impairment.test.ts, and netem in the UML guest).
 */
import { spawnSync } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { Interface, LinkImpairment, Namespace, VethPair } from '../../lib';
import { kindsTable } from '../../lib/kinds';
import { impairmentText, qdiscKind } from '../../lib/kinds/qdisc';
import { setupNetnsMatchers } from '../../lib/testing';
import { freshDir, plan, runPlanner, testStack, thrownMessage } from '../support/helpers';

setupNetnsMatchers();

function lab() {
  const stack = testStack();
  const far = new Namespace(stack, 'far');
  const link = new VethPair(stack, 'link', {
    a: { name: 'wan0', addresses: ['10.7.0.1/24'] },
    b: { name: 'eth0', namespace: far, addresses: ['10.7.0.2/24'] },
  });
  return { stack, far, link };
}

test('the data line: microseconds, thousandths of a percent, kbit/s; `-` for what is not set', () => {
  const { stack, link } = lab();
  new LinkImpairment(stack, 'wan', { interface: link.a, delayMs: 20.5, jitterMs: 2, lossPercent: 0.25, rateMbit: 10 });
  new LinkImpairment(stack, 'back', { interface: link.b, rateMbit: 1.5 });
  const p = plan(stack);
  expect(p.get('qdisc:host/wan0').line).toBe('qdisc - wan0 20500 2000 250 10000');
  expect(p.get('qdisc:far/eth0').line).toBe('qdisc far eth0 - - - 1500');
  expect(qdiscKind(p.get('qdisc:wan0').values)).toBe('netem');
  expect(qdiscKind(p.get('qdisc:eth0').values)).toBe('tbf');
  expect(impairmentText(p.get('qdisc:wan0').values)).toBe('delay 20.5 ms ± 2 ms, loss 0.25%, rate 10 Mbit/s');
  // after its interface, and re-applied when the interface is re-created
  expect(p).toRunAfter('qdisc:wan0', 'veth:wan0');
  expect(p).toCascadeFrom('qdisc:eth0', 'namespace:far');
});

test('the qdisc the engine writes: netem with every value set, tbf for a rate alone (qdisc.awk)', () => {
  const dir = freshDir('qdisc');
  const awk = (line: string) => {
    writeFileSync(join(dir, 'main.awk'), `BEGIN { n = split("${line}", f, " "); print qdisc_spec(f) }\n`);
    const lib = (f: string) => join(__dirname, '../../lib', f);
    const r = spawnSync('awk', ['-f', lib('engine/lib.awk'), '-f', lib('kinds/qdisc.awk'), '-f', join(dir, 'main.awk')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout.trim();
  };
  expect(awk('qdisc - wan0 20500 2000 250 10000')).toBe('netem delay 20500us 2000us loss 0.250% rate 10000kbit');
  expect(awk('qdisc - wan0 20000 - - -')).toBe('netem delay 20000us');
  expect(awk('qdisc - wan0 - - 10000 -')).toBe('netem loss 10.000%');
  // tbf: a bucket of 10 ms of traffic, at least 3200 bytes
  expect(awk('qdisc - wan0 - - - 100000')).toBe('tbf rate 100000kbit burst 125000 latency 50ms');
  expect(awk('qdisc - wan0 - - - 64')).toBe('tbf rate 64kbit burst 3200 latency 50ms');
});

test('the planner re-applies an unchanged impairment when its interface is re-created', () => {
  const table = kindsTable();
  const data = (lines: string[]) => [...table, ...lines].join('\n');
  const before = ['ns a m:a', 'veth - wan0 a eth0 m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02', 'qdisc - wan0 - - - 1000'];
  // the veth's far end moves to another namespace: the pair is re-created, the qdisc with it
  const after = ['ns b m:b', 'veth - wan0 b eth0 m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02', 'qdisc - wan0 - - - 1000'];
  const ops = runPlanner('apply', data(before), data(after));
  expect(ops).toContain('C qdisc - wan0 - - - 1000');
  // and nothing is done to it when nothing changed
  expect(runPlanner('apply', data(before), data(before))).toEqual([]);
});

describe('refusals that need more than one value', () => {
  test.each([
    ['jitter without a delay', { jitterMs: 2 }, 'jitterMs needs delayMs (jitter varies a delay) (got 2). Fix: set delayMs as well'],
    ['jitter above the delay', { delayMs: 2, jitterMs: 3 }, 'jitterMs (3) is larger than delayMs (2)'],
    ['nothing to impair', {}, 'nothing to impair'],
  ])('%s', (_, values, message) => {
    const { stack, link } = lab();
    expect(thrownMessage(() => new LinkImpairment(stack, 'wan', { interface: link.a, ...values }))).toContain(`cdktf-netns: stack/wan: ${message}`);
  });

  test('an imported interface (the lab does not own it) and a hand-made handle', () => {
    const { stack } = lab();
    const eth = Interface.fromName(stack, 'uplink', { name: 'eth9' });
    expect(thrownMessage(() => new LinkImpairment(stack, 'wan', { interface: eth, rateMbit: 1 }))).toContain(
      'stack/wan: interface "eth9" is imported (Interface.fromName): the lab does not own it',
    );
    expect(thrownMessage(() => new LinkImpairment(stack, 'x', { interface: { interfaceName: 'wan0' } as never, rateMbit: 1 }))).toContain(
      'stack/x: interface is not an interface handle of cdktf-netns',
    );
  });

  test('two impairments of one interface: refused at synth, naming both', () => {
    const { stack, link } = lab();
    new LinkImpairment(stack, 'one', { interface: link.a, rateMbit: 1 });
    new LinkImpairment(stack, 'two', { interface: link.a, rateMbit: 2 });
    expect(() => plan(stack)).toThrow(/stack\/two: .* is also declared by stack\/one, with other values/);
  });
});
