/**
 * Connectivity intents on a real kernel (issue 11), inside a private sandbox: the probes
 * run at the end of every deploy that changes the lab (a false intent fails the deploy,
 * naming it, and leaves a lab that destroys cleanly), `cdktf-netns check` tracks the live
 * kernel, tcp and udp probes need something listening, and a probe that cannot run is an
 * error, never a passing Unreachable.
 */
import { TerraformStack } from 'cdktf';
import { Namespace, Reachable, Router, Unreachable, VethPair } from '../../lib';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNoChangesThenNothingLeft, expectNothingLeft } from '../support/expect';
import { Lab, netnsCli } from '../support/lab';

jest.setTimeout(300_000);

const sb = useSandbox();
const newLab = useLabs(sb);

/**
 * sales and dev, routed through a router; sales also has a second link, to the host
 * (10.9.0.0/24), so a wrong first hop is possible. IPv6 on the sales–router link.
 */
function routedLab(s: TerraformStack): { sales: Namespace; dev: Namespace } {
  const sales = new Namespace(s, 'sales', { name: 'in-sales' });
  const dev = new Namespace(s, 'dev', { name: 'in-dev' });
  const router = new Router(s, 'router', { name: 'in-rtr', ipv6Forwarding: true });
  router.connect('in-s', sales, { address: ['10.61.1.1/24', 'fd61:1::1/64'], peerAddress: ['10.61.1.10/24', 'fd61:1::10/64'], peerDefaultRoute: true });
  router.connect('in-d', dev, { address: '10.61.2.1/24', peerAddress: '10.61.2.10/24', peerDefaultRoute: true });
  new VethPair(s, 'side', { a: { name: 'in-side', addresses: ['10.9.0.1/24'] }, b: { name: 'side0', namespace: sales, addresses: ['10.9.0.10/24'] } });
  return { sales, dev };
}

function check(lab: Lab): { code: number; out: string } {
  const r = netnsCli(sb, `check ${lab.dir}`);
  return { code: r.code, out: r.stdout + r.stderr };
}

test('true intents pass at the end of the deploy (IPv4 and a fresh IPv6 address, with their first hops); a second plan is empty', () => {
  const lab = newLab('intents-ok');
  lab.synthStack((s) => {
    const { sales, dev } = routedLab(s);
    new Reachable(s, 'sales-dev', { from: sales, to: '10.61.2.10', via: '10.61.1.1' });
    new Reachable(s, 'dev-sales', { from: dev, to: '10.61.1.10' });
    new Reachable(s, 'sales-router-v6', { from: sales, to: 'fd61:1::1' });
    new Reachable(s, 'sales-host-direct', { from: sales, to: '10.9.0.1' });
    new Unreachable(s, 'dev-host-side', { from: dev, to: '10.9.0.1', timeout: 1.5 });
    // from the host's root namespace (the sandbox's)
    new Reachable(s, 'host-sales', { from: Namespace.HOST, to: '10.9.0.10' });
  });
  const out = lab.applyOk();
  expect(out).toMatch(/intent intents-ok\/sales-dev: holds: in-sales reached 10\.61\.2\.10 \(first hop 10\.61\.1\.1\)/);
  // without a via, the first hop is not looked up (one process per probe)
  expect(out).toMatch(/intent intents-ok\/dev-sales: holds: in-dev reached 10\.61\.1\.10$/m);
  expect(out).toMatch(/intent intents-ok\/sales-router-v6: holds: in-sales reached fd61:1::1$/m);
  expect(out).toMatch(/intent intents-ok\/sales-host-direct: holds: in-sales reached 10\.9\.0\.1$/m);
  // the host has no route back to 10.61.2.0/24: dev's pings to 10.9.0.1 get no answer
  expect(out).toMatch(/intent intents-ok\/dev-host-side: holds: in-dev got no answer from 10\.9\.0\.1 within 1\.5 s/);
  expect(out).toMatch(/intent intents-ok\/host-sales: holds: host reached 10\.9\.0\.10$/m);
  expect(out).toMatch(/intents: 6 hold, 0 failed, 0 could not run/);
  expect(check(lab)).toMatchObject({ code: 0 });
  expectNoChangesThenNothingLeft(sb, lab);
});

test('a false intent fails the deploy naming the intent and what was seen; the lab destroys cleanly', () => {
  const lab = newLab('intents-false');
  lab.synthStack((s) => {
    const { sales } = routedLab(s);
    new Reachable(s, 'sales-dev', { from: sales, to: '10.61.2.10' });
    new Unreachable(s, 'sales-must-not-reach-dev', { from: sales, to: '10.61.2.10', timeout: 1 });
    // the kernel picks the router (the default route), not the host side
    new Reachable(s, 'via-the-side', { from: sales, to: '10.61.2.10', via: '10.9.0.1' });
  });
  const r = lab.apply();
  const out = r.stdout + r.stderr;
  expect(r.code).not.toBe(0);
  expect(out).toMatch(/intent intents-false\/sales-must-not-reach-dev: FAILED: in-sales reached 10\.61\.2\.10 but must not/);
  expect(out).toMatch(/intent intents-false\/via-the-side: FAILED: first hop was 10\.61\.1\.1, expected 10\.9\.0\.1/);
  expect(out).toMatch(/intent intents-false\/sales-dev: holds/);
  expect(out).toMatch(/2 of 3 intents failed: intents-false\/sales-must-not-reach-dev intents-false\/via-the-side/);
  // the objects exist (the intents run after them); the failed step is tried again on the next apply
  expect(sb.namespaces()).toEqual(['in-dev', 'in-rtr', 'in-sales']);
  expect(lab.planExitCode()).toBe(2);
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('check tracks the live kernel: exit 0, then 2 naming the intent after a link is taken down by hand, 0 again once it is up', () => {
  const lab = newLab('intents-check');
  lab.synthStack((s) => {
    const { sales } = routedLab(s);
    new Reachable(s, 'sales-dev', { from: sales, to: '10.61.2.10', timeout: 1 });
  });
  lab.applyOk();
  const ok = check(lab);
  expect(ok.code).toBe(0);
  expect(ok.out).toMatch(/^check: deployment [0-9a-f]{12} of lab cdktf-netns:intents-check\/$/m);
  expect(ok.out).toMatch(/^intent intents-check\/sales-dev: holds: in-sales reached 10\.61\.2\.10/m);
  sb.ok('ip -n in-rtr link set in-d-rtr down');
  const down = check(lab);
  expect(down.code).toBe(2);
  expect(down.out).toMatch(/^intent intents-check\/sales-dev: FAILED: in-sales did not reach 10\.61\.2\.10 within 1 s/m);
  expect(down.out).toMatch(/^intents: 0 hold, 1 failed, 0 could not run/m);
  sb.ok('ip -n in-rtr link set in-d-rtr up');
  expect(check(lab).code).toBe(0);
  lab.destroyOk();
  // not deployed any more: said so, exit 2
  expect(check(lab)).toEqual({
    code: 2,
    out: expect.stringContaining("check: lab cdktf-netns:intents-check/ is not deployed on this machine: run 'cdktf deploy'"),
  });
  expectNothingLeft(sb);
});

test('tcp and udp intents: they pass against a listener and fail without one; a refused port is "no answer" for an Unreachable', () => {
  const lab = newLab('intents-tcp');
  lab.synthStack((s) => {
    const { sales } = routedLab(s);
    new Reachable(s, 'web', { from: sales, to: '10.61.2.10', protocol: 'tcp', port: 8080, timeout: 1.5 });
    new Reachable(s, 'dns', { from: sales, to: '10.61.2.10', protocol: 'udp', port: 5353, timeout: 1.5 });
    new Unreachable(s, 'no-ssh', { from: sales, to: '10.61.2.10', protocol: 'tcp', port: 22, timeout: 1 });
  });
  // without listeners the deploy fails on both
  const r = lab.apply();
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/intent intents-tcp\/web: FAILED: in-sales did not reach 10\.61\.2\.10:8080 within 1\.5 s/);
  expect(r.stdout + r.stderr).toMatch(/intent intents-tcp\/dns: FAILED: in-sales did not reach 10\.61\.2\.10:5353 within 1\.5 s/);
  expect(r.stdout + r.stderr).toMatch(/intent intents-tcp\/no-ssh: holds: in-sales got no answer from 10\.61\.2\.10:22/);
  const tcp = sb.startIn('in-dev', "require('net').createServer((c) => c.end()).listen(8080, '10.61.2.10')", 8080);
  const udp = sb.startIn(
    'in-dev',
    "const s = require('dgram').createSocket('udp4'); s.on('message', (m, r) => s.send(m, r.port, r.address)); s.bind(5353, '10.61.2.10')",
    5353,
  );
  try {
    // the failed step is re-run by the next apply: now it passes
    const out = lab.applyOk();
    expect(out).toMatch(/intent intents-tcp\/web: holds: in-sales reached 10\.61\.2\.10:8080/);
    expect(out).toMatch(/intent intents-tcp\/dns: holds: in-sales reached 10\.61\.2\.10:5353/);
    expect(check(lab).code).toBe(0);
    sb.stop(tcp);
    const c = check(lab);
    expect(c.code).toBe(2);
    expect(c.out).toMatch(/intent intents-tcp\/web: FAILED/);
    expect(c.out).toMatch(/intent intents-tcp\/dns: holds/);
  } finally {
    sb.stop(tcp);
    sb.stop(udp);
  }
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('a probe that cannot run is an error (exit 1), never a passing Unreachable: ping missing, then the namespace removed by hand', () => {
  const lab = newLab('intents-broken');
  lab.synthStack((s) => {
    const { dev } = routedLab(s);
    new Unreachable(s, 'dev-host-side', { from: dev, to: '10.9.0.1', timeout: 1 });
    new Reachable(s, 'dev-sales', { from: dev, to: '10.61.1.10', timeout: 1 });
  });
  lab.applyOk();
  expect(check(lab).code).toBe(0);
  // ping gone (in the sandbox's own mount namespace: /dev/null, not executable, over the binary)
  const ping = sb.ok('readlink -f "$(command -v ping)"').trim();
  sb.ok(`mount --bind /dev/null ${ping}`);
  try {
    const c = check(lab);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/^intent intents-broken\/dev-host-side: ERROR: the probe could not run: 'ping' is not installed \(iputils-ping\)/m);
    expect(c.out).toMatch(/^intents: 0 hold, 0 failed, 2 could not run/m);
  } finally {
    sb.ok(`umount ${ping}`);
  }
  expect(check(lab).code).toBe(0);
  sb.ok('ip netns del in-dev');
  const c = check(lab);
  expect(c.code).toBe(1);
  expect(c.out).toMatch(/^intent intents-broken\/dev-host-side: ERROR: the probe could not run: namespace in-dev does not exist/m);
  expect(c.out).toMatch(/^intent intents-broken\/dev-sales: ERROR: the probe could not run: namespace in-dev does not exist/m);
  expect(c.out).toMatch(/^intents: 0 hold, 0 failed, 2 could not run/m);
  expect(c.out).not.toMatch(/holds/);
  // a plain file where the namespace was (not a namespace): cannot be entered, an error too
  sb.ok('touch /run/netns/in-dev');
  const planted = check(lab);
  expect(planted.code).toBe(1);
  expect(planted.out).toMatch(/^intent intents-broken\/dev-host-side: ERROR: the probe could not run: cannot enter namespace in-dev \(nsenter: /m);
  expect(planted.out).not.toMatch(/holds/);
  sb.ok('rm /run/netns/in-dev');
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('changing only an intent replaces only the seal: the next deploy probes again, touching no kernel object', () => {
  const lab = newLab('intents-change');
  const build = (to: string) =>
    lab.synthStack((s) => {
      const { sales } = routedLab(s);
      new Reachable(s, 'sales-x', { from: sales, to, timeout: 1 });
    });
  build('10.61.2.10');
  lab.applyOk();
  build('10.61.2.1');
  const out = lab.applyOk();
  expect(out).toMatch(/cdktf-netns: lab cdktf-netns:intents-change\/: complete/);
  expect(out).toMatch(/intent intents-change\/sales-x: holds: in-sales reached 10\.61\.2\.1$/m);
  expect(out).not.toMatch(/created|removed/);
  expectNoChangesThenNothingLeft(sb, lab);
});
