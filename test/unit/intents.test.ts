/**
 * Connectivity intents at synth time (Reachable, Unreachable): what the plan and the
 * intents file hold, the checks that need the whole lab (the first hop on a connected
 * subnet of `from`, like a Route's gateway), the timeout settings and the testing matcher.
 * The probes themselves run on a real kernel: test/e2e/intents.test.ts. Bad single values
 * are in the shared hostile corpus (test/support/hostile.ts).
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { AnnotationMetadataEntryType, Testing } from 'cdktf';
import { Namespace, Reachable, Router, Unreachable, VethPair } from '../../lib';
import { decodePath, encodePath, parseIntentLine, parseIntents } from '../../lib/engine/intents';
import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { freshDir, intentsText, plan, synthDoc, testStack, thrownMessage } from '../support/helpers';

setupNetnsMatchers();

/** sales and dev, one hop apart through a router (the workshop's shape). */
function lab(context: Record<string, unknown> = {}) {
  const stack = testStack('terraform_data', context);
  const sales = new Namespace(stack, 'sales');
  const dev = new Namespace(stack, 'dev');
  const router = new Router(stack, 'router');
  router.connect('s', sales, { address: '10.1.0.1/24', peerAddress: '10.1.0.10/24', peerDefaultRoute: true });
  router.connect('d', dev, { address: '10.2.0.1/24', peerAddress: '10.2.0.10/24', peerDefaultRoute: true });
  return { stack, sales, dev, router };
}

describe('the intents in the plan', () => {
  test('every intent is a line of the intents file and of the seal\'s "intents" trigger, in declaration order', () => {
    const { stack, sales, dev } = lab();
    new Reachable(stack, 'sales-dev', { from: sales, to: '10.2.0.10', via: '10.1.0.1' });
    new Unreachable(stack, 'dev-web', { from: dev, to: '10.1.0.10', protocol: 'tcp', port: 8080, timeout: 2 });
    new Reachable(stack, 'host-sales', { from: Namespace.HOST, to: 'fd00::1', protocol: 'udp', port: 53 });
    const text = intentsText(stack)!;
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^# cdktf-netns intents v1/),
      'intent reach sales 10.2.0.10 icmp - 10.1.0.1 5000 stack/sales-dev',
      'intent unreach dev 10.1.0.10 tcp 8080 - 2000 stack/dev-web',
      'intent reach - fd00::1 udp 53 - 5000 stack/host-sales',
      '',
    ]);
    const p = plan(stack);
    expect(p.intents.map((i) => i.line)).toEqual(text.split('\n').slice(1, 4));
    // addresses are kept in their canonical form
    const v6 = new Reachable(stack, 'v6', { from: sales, to: 'FD00:0:0::0001' });
    expect([v6.to, v6.via, v6.protocol, v6.timeout]).toEqual(['fd00::1', undefined, 'icmp', 5]);
    expect(p.intents[2]).toMatchObject({ path: 'stack/host-sales', from: 'host', expect: 'reachable', protocol: 'udp', port: 53, timeoutMs: 5000 });
    expect(p.intents[1]).toMatchObject({ expect: 'unreachable', via: undefined, port: 8080, timeoutMs: 2000 });
  });

  test('a lab without intents has no intents file, and its seal has no intents trigger and runs no check', () => {
    const { stack } = lab();
    expect(intentsText(stack)).toBeUndefined();
    const seal = Object.values<any>(synthDoc(stack).resource.terraform_data).find((r) => r.triggers_replace.unit);
    expect(Object.keys(seal.triggers_replace).sort()).toEqual(['data', 'deployment', 'unit']);
    expect(JSON.stringify(seal.provisioner)).not.toContain(' check ');
  });

  test('the same code gives the same plan (no-op plans stay empty), and changing an intent changes only the seal', () => {
    const build = (to: string) => {
      const { stack, sales } = lab();
      new Reachable(stack, 'sales-dev', { from: sales, to });
      return synthDoc(stack).resource.terraform_data;
    };
    expect(JSON.stringify(build('10.2.0.10'))).toBe(JSON.stringify(build('10.2.0.10')));
    const [a, b] = [build('10.2.0.10'), build('10.2.0.1')];
    const changed = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    expect(changed).toEqual([expect.stringMatching(/^cdktf-netns_Seal_/)]);
  });

  test('construct paths with any character survive the file (percent-encoded), and bad lines are refused', () => {
    for (const p of ['stack/a b', 'stack/ü', 'stack/a%b', 'stack/$(x)\'"', 'stack/a\nb']) {
      expect(encodePath(p)).toMatch(/^[A-Za-z0-9_.:/%-]+$/);
      expect(decodePath(encodePath(p))).toBe(p);
    }
    expect(encodePath('workshop/sales-reaches-dev')).toBe('workshop/sales-reaches-dev');
    expect(parseIntentLine('intent reach sales 10.2.0.10 icmp - - 5000 a%20b')?.path).toBe('a b');
    for (const bad of [
      'intent maybe sales 10.2.0.10 icmp - - 5000 p',
      'intent reach sales 10.2.0.10 icmp - - 5000 p extra',
      'intent reach sa;les 10.2.0.10 icmp - - 5000 p',
    ]) {
      expect(parseIntentLine(bad)).toBeUndefined();
      expect(() => parseIntents(bad)).toThrow(/not a cdktf-netns intent line/);
    }
  });
});

describe('checks that need the whole lab', () => {
  test('a first hop on no connected subnet of `from` is refused at synth, naming the intent and the subnets it could use', () => {
    const { stack, sales } = lab();
    new Reachable(stack, 'sales-dev', { from: sales, to: '10.2.0.10', via: '10.2.0.1' });
    const msg = thrownMessage(() => Testing.synth(stack, true));
    expect(msg).toContain(
      'cdktf-netns: stack/sales-dev: first hop 10.2.0.1 is on no connected subnet of namespace "sales" (got "10.2.0.1"). Fix: use an address inside one of 10.1.0.0/24',
    );
  });

  test("a first hop that is `from`'s own address is refused", () => {
    const { stack, sales } = lab();
    new Reachable(stack, 'self', { from: sales, to: '10.2.0.10', via: '10.1.0.10' });
    expect(thrownMessage(() => Testing.synth(stack, true))).toContain('first hop 10.1.0.10 is an address of namespace "sales" itself');
  });

  test('from the host, a first hop outside the lab is a warning only (the host has interfaces the app does not declare)', () => {
    const { stack } = lab();
    const intent = new Reachable(stack, 'host-out', { from: Namespace.HOST, to: '192.0.2.1', via: '192.168.1.1' });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    const warnings = intent.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cdktf-netns: stack/host-out: first hop 192.168.1.1 is on no connected subnet of the host namespace');
    expect(warnings[0]).toContain('Fix: check the first hop; ignore this warning if it is on a host interface not managed here');
  });

  test('a first hop of the other address family is refused when the intent is made', () => {
    const { stack, sales } = lab();
    expect(thrownMessage(() => new Reachable(stack, 'mixed', { from: sales, to: '10.2.0.10', via: 'fd00::1' }))).toContain(
      'stack/mixed: via is IPv6 but to is IPv4',
    );
  });

  test('an icmp intent with a port, and an Unreachable given a first hop (from JavaScript), are refused with the fix', () => {
    const { stack, sales } = lab();
    expect(thrownMessage(() => new Reachable(stack, 'p', { from: sales, to: '10.2.0.10', port: 80 }))).toContain(
      "stack/p: port is set on an icmp intent (ping has no ports) (got 80). Fix: drop the port, or set protocol: 'tcp' or 'udp'",
    );
    expect(thrownMessage(() => new Unreachable(stack, 'u', { from: sales, to: '10.2.0.10', via: '10.1.0.1' } as never))).toBe(
      'cdktf-netns: stack/u: an Unreachable has no first hop (via) (got "10.1.0.1"). Fix: drop via, or use a Reachable',
    );
  });

  test('`from` must be a namespace handle of the library (a hand-made object is refused)', () => {
    const { stack } = lab();
    expect(thrownMessage(() => new Reachable(stack, 'x', { from: { namespaceName: 'sales', isHost: false } as never, to: '10.2.0.10' }))).toContain(
      'stack/x: from is not a namespace handle of cdktf-netns',
    );
  });
});

describe('timeouts', () => {
  test('per intent, else the context cdktf-netns:intentTimeout of the scope, else 5 s', () => {
    const { stack, sales } = lab({ 'cdktf-netns:intentTimeout': 2.5 });
    expect(new Reachable(stack, 'a', { from: sales, to: '10.2.0.10' }).timeout).toBe(2.5);
    expect(new Reachable(stack, 'b', { from: sales, to: '10.2.0.10', timeout: 9 }).timeout).toBe(9);
    const other = lab();
    expect(new Reachable(other.stack, 'c', { from: other.sales, to: '10.2.0.10' }).timeout).toBe(5);
    expect(plan(stack).intents.map((i) => i.timeoutMs)).toEqual([2500, 9000]);
  });

  test('a bad context value is refused naming the context key', () => {
    const { stack, sales } = lab({ 'cdktf-netns:intentTimeout': '5' });
    expect(thrownMessage(() => new Reachable(stack, 'a', { from: sales, to: '10.2.0.10' }))).toContain(
      'stack/a: context "cdktf-netns:intentTimeout" must be a number of seconds from 0.5 to 300 (got "5")',
    );
  });
});

describe('toDeclareIntent', () => {
  test('passes on a declared intent, and its failure lists what the plan declares', () => {
    const { stack, sales, dev } = lab();
    new Reachable(stack, 'sales-dev', { from: sales, to: '10.2.0.10', via: '10.1.0.1' });
    new Unreachable(stack, 'dev-sales-web', { from: dev, to: '10.1.0.10', protocol: 'tcp', port: 80 });
    const p = NetnsPlan.fromStack(stack);
    expect(p).toDeclareIntent('sales', '10.2.0.10');
    expect(p).toDeclareIntent('sales', '10.2.0.10', { via: '10.1.0.1' });
    expect(p).toDeclareIntent('dev', '10.1.0.10', { expect: 'unreachable', protocol: 'tcp', port: 80 });
    expect(p).not.toDeclareIntent('sales', '10.2.0.10', { via: '10.1.0.2' });
    expect(() => expect(p).toDeclareIntent('dev', '10.1.0.10')).toThrow(
      'expected the plan to declare the intent "dev reaches 10.1.0.10 (icmp)"; the plan declares: sales reaches 10.2.0.10 (icmp) via 10.1.0.1 [stack/sales-dev]; dev does not reach 10.1.0.10:80 (tcp) [stack/dev-sales-web]',
    );
  });
});

test("an imported namespace and the host can be the probe's `from`", () => {
  const stack = testStack();
  const ext = Namespace.fromName(stack, 'ext', 'blue');
  new VethPair(stack, 'p', { a: { name: 'v0', addresses: ['10.5.0.1/24'] }, b: { name: 'v1', namespace: ext, addresses: ['10.5.0.2/24'] } });
  new Reachable(stack, 'ext-host', { from: ext, to: '10.5.0.1', via: undefined });
  new Reachable(stack, 'host-ext', { from: Namespace.HOST, to: '10.5.0.2' });
  expect(plan(stack).intents.map((i) => i.from)).toEqual(['blue', 'host']);
});

describe("the engine's check refuses an intents file it cannot trust (before any probe runs)", () => {
  const engine = join(__dirname, '../../lib/engine/engine.sh');
  const run = (text: string, hash: string) => {
    const dir = freshDir('intents');
    writeFileSync(join(dir, 'intents.data'), text);
    const r = spawnSync('sh', [engine, 'check', 'intents.data', hash], { cwd: dir, encoding: 'utf8' });
    return { code: r.status, err: r.stderr, out: r.stdout };
  };
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');

  test('a file that is not the one the plan names (edited after synth): refused, naming both hashes', () => {
    const good = 'intent reach - 10.9.0.1 icmp - - 1000 lab/a\n';
    const r = run(good.replace('10.9.0.1', '10.9.0.2'), sha(good));
    expect(r.code).toBe(1);
    expect(r.err).toContain('does not match the plan');
    expect(r.out).toBe('');
  });

  test.each([
    ['a shell payload in a field', 'intent reach - 10.9.0.1;touch${IFS}/tmp/x icmp - - 1000 lab/a\n', 'unexpected characters'],
    ['a namespace name with a slash', 'intent reach ../x 10.9.0.1 icmp - - 1000 lab/a\n', 'unexpected characters|bad namespace'],
    ['an unknown expectation', 'intent maybe - 10.9.0.1 icmp - - 1000 lab/a\n', 'bad intent line'],
    ['an extra field', 'intent reach - 10.9.0.1 icmp - - 1000 lab/a extra\n', 'bad intent line'],
    ['a timeout that is no number', 'intent reach - 10.9.0.1 icmp - - 1s lab/a\n', 'unexpected characters|bad timeout'],
    ['a line of another kind', 'route - default 10.0.0.1\n', 'not an intent line'],
  ])('%s (with a matching hash): refused, nothing probed', (_, text, why) => {
    const r = run(text, sha(text));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(why));
    expect(r.out).not.toMatch(/intent .*: (holds|FAILED|ERROR)/);
  });
});
