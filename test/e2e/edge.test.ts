/**
 * Traffic policy on this kernel (issue 12): examples/edge, a home router with NAT, a port
 * forward and a drop-policy firewall, deployed in a private sandbox; then what an operator and
 * an attacker would do to it: rules deleted by hand, tables others made, a table wearing our name.
 */
import { EdgeStack } from '../../examples/edge/stack';
import { Firewall, HostRouter, Masquerade, Namespace, Reachable, Route, Unreachable, VethPair } from '../../lib';
import { shellQuote } from '../support/sandbox';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNothingLeft } from '../support/expect';
import { netnsCli } from '../support/lab';
import { killedApply, restoreCutState } from '../support/kill';

jest.setTimeout(300_000);

const sb = useSandbox();
const newLab = useLabs(sb);

/** An HTTP server answering who asked: `<name>: you are <remote address>`. */
const whoami = (name: string, port: number) =>
  `require('http').createServer((q, s) => s.end('${name}: you are ' + q.socket.remoteAddress.replace(/^::ffff:/, ''))).listen(${port})`;

/** GET a page from inside a namespace (within `ms`); the body, or '' when nothing answered. */
function fetchIn(ns: string, url: string, ms = 3000): string {
  const js = `require('http').get(${JSON.stringify(url)}, { timeout: ${ms} }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => process.stdout.write(b)); }).on('timeout', function () { this.destroy(); }).on('error', () => {});`;
  return sb.sh(`ip netns exec ${ns} node -e ${shellQuote(js)}`).stdout;
}

const nftIn = (ns: string, args: string) => sb.sh(`${ns ? `ip netns exec ${ns} ` : ''}nft ${args}`);
const tables = (ns: string) => sb.ok(`${ns ? `ip netns exec ${ns} ` : ''}nft list tables`).trim();
const cli = (args: string) => {
  const r = netnsCli(sb, args);
  return { code: r.code, out: r.stdout + r.stderr };
};
/** The handle of the rule with this comment in a chain of a table. */
function handleOf(ns: string, table: string, chain: string, comment: string): number {
  const j = JSON.parse(nftIn(ns, `-j list chain inet ${table} ${chain}`).stdout) as { nftables: Array<{ rule?: { comment?: string; handle: number } }> };
  const r = j.nftables.find((x) => x.rule?.comment === comment);
  if (!r) throw new Error(`no rule ${comment} in ${table} ${chain}`);
  return r.rule!.handle;
}

test('examples/edge: the LAN reaches the internet only through NAT, a page is fetched through the port forward, dropped traffic does not pass, verify/repair, the re-plan is empty, destroy leaves nothing', () => {
  const lab = newLab('edge');
  lab.synth((app) => {
    const stack = new EdgeStack(app, 'edge');
    // port intents prove the firewall: a service on gw is open to the LAN only; the web server through the forward
    stack.firewall.allowInput({ inInterface: stack.lan, protocol: 'tcp', port: 9000 });
    new Reachable(stack, 'lan-reaches-gw-service', { from: stack.lan1, to: '192.168.1.1', protocol: 'tcp', port: 9000, timeout: 2 });
    new Unreachable(stack, 'internet-cannot-reach-gw-service', { from: stack.internet, to: '203.0.113.1', protocol: 'tcp', port: 9000, timeout: 2 });
    new Reachable(stack, 'internet-reaches-web', { from: stack.internet, to: '203.0.113.1', protocol: 'tcp', port: 8080, timeout: 2 });
    return stack;
  });
  // first apply: the network is made, but nothing listens yet: the two Reachable tcp intents fail the deploy
  const first = lab.apply();
  expect(first.code).not.toBe(0);
  expect(first.stdout + first.stderr).toMatch(/2 of 7 intents failed: edge\/lan-reaches-gw-service edge\/internet-reaches-web/);
  const pids = [sb.startIn('gw', whoami('gw', 9000), 9000), sb.startIn('web', whoami('web', 80), 80), sb.startIn('internet', whoami('internet', 80), 80)];
  try {
    // with the services up, every intent holds, the Unreachable tcp one against a live listener
    const out = lab.applyOk();
    expect(out).toMatch(/intents: 7 hold, 0 failed/);
    expect(out).toMatch(/intent edge\/internet-cannot-reach-gw-service: holds/);

    // one table of the lab's in gw, named from the lab and the deployment, carrying the marker
    const table = `cdktf_netns_${lab.header.lab}_${lab.deployment()}`;
    expect(tables('gw')).toBe(`table inet ${table}`);
    expect(nftIn('gw', `list table inet ${table}`).stdout).toContain(`comment "${lab.marker('cdktf-netns:edge/')}"`);
    expect(tables('')).toBe('');

    // NAT: the internet sees the gateway's address, never the LAN's
    expect(fetchIn('lan1', 'http://203.0.113.10/')).toBe('internet: you are 203.0.113.1');
    // the port forward: the page of the web server, which sees the real client
    expect(fetchIn('internet', 'http://203.0.113.1:8080/')).toBe('web: you are 203.0.113.10');
    // on the LAN nothing is translated
    expect(fetchIn('lan1', 'http://192.168.1.20/')).toBe('web: you are 192.168.1.10');
    // dropped: even with a route to the LAN (added by hand), the internet opens no connection into it
    sb.ok('ip netns exec internet ip route add 192.168.1.0/24 via 203.0.113.1');
    expect(fetchIn('internet', 'http://192.168.1.20/', 1500)).toBe('');
    expect(sb.ping('internet', '192.168.1.10', 1)).toBe(false);
    // the control: without the firewall's forward drop, that same request passes
    const fwd = handleOf('gw', table, 'forward', 'base rule: established');
    expect(nftIn('gw', `insert rule inet ${table} forward handle ${fwd} accept comment "intruder"`).code).toBe(0);
    expect(fetchIn('internet', 'http://192.168.1.20/')).toBe('web: you are 203.0.113.10');
    // verify names the rule nobody declared; repair removes it
    let v = cli(`verify ${lab.dir}`);
    expect(v.code).toBe(2);
    expect(v.out).toMatch(/DRIFT undeclared: .*nftables rule intruder in chain forward of cdktf_netns_/);
    expect(cli(`repair ${lab.dir}`).code).toBe(0);
    expect(fetchIn('internet', 'http://192.168.1.20/', 1500)).toBe('');
    sb.ok('ip netns exec internet ip route del 192.168.1.0/24 via 203.0.113.1');

    // a declared rule deleted by hand: verify reports it by what it does; repair restores it
    expect(cli(`verify ${lab.dir}`)).toMatchObject({ code: 0 });
    nftIn('gw', `delete rule inet ${table} postrouting handle ${handleOf('gw', table, 'postrouting', 'nat.masq')}`);
    expect(fetchIn('lan1', 'http://203.0.113.10/', 1500)).toBe('');
    v = cli(`verify ${lab.dir}`);
    expect(v.code).toBe(2);
    expect(v.out).toMatch(
      /DRIFT nft gw postrouting nat\.masq: the rule "masquerade out wan" \(comment nat\.masq\) is missing from chain postrouting in namespace 'gw'/,
    );
    // a policy turned to accept by hand
    nftIn('gw', `add chain inet ${table} input '{ policy accept; }'`);
    expect(cli(`verify ${lab.dir}`).out).toMatch(/chain input in namespace 'gw' has policy accept, declared drop/);
    const r = cli(`repair ${lab.dir}`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/added nftables rule nat\.masq/);
    expect(cli(`verify ${lab.dir}`)).toMatchObject({ code: 0 });
    expect(fetchIn('lan1', 'http://203.0.113.10/')).toBe('internet: you are 203.0.113.1');
    // the whole table deleted by hand: verify, repair
    nftIn('gw', `delete table inet ${table}`);
    expect(cli(`verify ${lab.dir}`).out).toMatch(/the lab's nftables table is missing from namespace 'gw'/);
    expect(cli(`repair ${lab.dir}`).code).toBe(0);
    expect(cli(`verify ${lab.dir}`)).toMatchObject({ code: 0 });
    expect(cli(`check ${lab.dir}`)).toMatchObject({ code: 0 });
    expect(lab.planExitCode()).toBe(0);
  } finally {
    for (const p of pids) sb.stop(p);
  }
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('in the host namespace: only our table is ours; tables others made are untouched (and their drop still wins), a table wearing our name is refused, kept on destroy', () => {
  const lab = newLab('edge-host');
  const build = (extra: boolean) =>
    lab.synthStack((s) => {
      new HostRouter(s, 'hr');
      const far = new Namespace(s, 'far', { name: 'far' });
      const inside = new Namespace(s, 'inside', { name: 'inside' });
      const up = new VethPair(s, 'up', { a: { name: 'up0', addresses: ['10.72.0.1/24'] }, b: { name: 'eth0', namespace: far, addresses: ['10.72.0.2/24'] } });
      const lan = new VethPair(s, 'lan', {
        a: { name: 'lan0', addresses: ['10.73.0.1/24'] },
        b: { name: 'eth0', namespace: inside, addresses: ['10.73.0.2/24'] },
      });
      new Route(s, 'default', { namespace: inside, destination: 'default', via: '10.73.0.1' });
      new Masquerade(s, 'nat', { namespace: Namespace.HOST, outInterface: up.a });
      const fw = new Firewall(s, 'fw', { namespace: Namespace.HOST, forward: { policy: 'drop', allow: [{ inInterface: lan.a, outInterface: up.a }] } });
      if (extra) fw.allowForward({ inInterface: lan.a, protocol: 'icmp' });
    });
  // someone else's table, there before the lab
  sb.ok(
    `nft add table inet mine && nft add chain inet mine c '{ type filter hook forward priority 10; policy accept; }' && nft add rule inet mine c counter comment theirs`,
  );
  build(false);
  lab.applyOk();
  const table = `cdktf_netns_${lab.header.lab}_${lab.deployment()}`;
  expect(tables('').split('\n').sort()).toEqual([`table inet ${table}`, 'table inet mine']);
  // far has no route back to 10.73.0.0/24: only the NAT gets the answer home
  expect(sb.ping('inside', '10.72.0.2')).toBe(true);
  expect(sb.ok('nft list table inet mine')).toMatch(/counter packets [1-9]\d* bytes \d+ comment "theirs"/);
  // another table's drop (Docker's, say) still drops: nftables runs every table's chains
  sb.ok(`nft add table inet dockerish && nft add chain inet dockerish f '{ type filter hook forward priority -10; policy drop; }'`);
  expect(sb.ping('inside', '10.72.0.2', 1)).toBe(false);
  sb.ok('nft delete table inet dockerish');
  expect(sb.ping('inside', '10.72.0.2')).toBe(true);
  expect(lab.planExitCode()).toBe(0);

  // an attacker swaps our table for one of the same name that is not ours
  sb.ok(`nft delete table inet ${table} && nft add table inet ${table} '{ comment "evil"; }'`);
  const v = cli(`verify ${lab.dir}`);
  expect(v.code).toBe(2);
  expect(v.out).toMatch(new RegExp(`the nftables table ${table} in the host namespace does not carry the marker cdktf-netns:edge-host@`));
  // a change must rewrite the table: refused, naming it; nothing of the impostor is touched
  build(true);
  const r = lab.apply();
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toContain(
    `an nftables table named ${table} already exists in the host namespace and was not made by this deployment of the lab (its comment: 'evil')`,
  );
  expect(sb.ok(`nft list table inet ${table}`)).toContain('comment "evil"');
  // destroy removes the lab, and keeps both tables it did not make
  expect(lab.destroyOk()).toMatch(new RegExp(`kept nftables table ${table} in the host namespace: its comment is 'evil'`));
  expect(tables('').split('\n').sort()).toEqual([`table inet ${table}`, 'table inet mine']);
  sb.ok(`nft delete table inet ${table} && nft delete table inet mine`);
  expectNothingLeft(sb);
});

test('rules dropped from the code go: the rule, then the table with the last one; repair sweeps a table of ours that nothing declares', () => {
  const lab = newLab('edge-sweep');
  const build = (nat: boolean, fw: boolean) =>
    lab.synthStack((s) => {
      new HostRouter(s, 'hr');
      const far = new Namespace(s, 'far', { name: 'far' });
      const up = new VethPair(s, 'up', { a: { name: 'up0', addresses: ['10.74.0.1/24'] }, b: { name: 'eth0', namespace: far, addresses: ['10.74.0.2/24'] } });
      if (nat) new Masquerade(s, 'nat', { namespace: Namespace.HOST, outInterface: up.a });
      if (fw) new Firewall(s, 'fw', { namespace: Namespace.HOST, forward: { policy: 'drop' } });
    });
  build(true, true);
  lab.applyOk();
  const table = `cdktf_netns_${lab.header.lab}_${lab.deployment()}`;
  const chains = () => [...sb.ok(`nft list table inet ${table} 2>/dev/null || true`).matchAll(/chain (\w+)/g)].map((m) => m[1]);
  expect(chains()).toEqual(['forward', 'postrouting']);
  build(false, true);
  expect(lab.applyOk()).toMatch(/removed nftables rule nat\.masq in the host namespace/);
  expect(chains()).toEqual(['forward']);
  build(false, false);
  expect(lab.applyOk()).toMatch(new RegExp(`removed nftables table ${table} in the host namespace`));
  expect(tables('')).toBe('');
  expect(lab.planExitCode()).toBe(0);
  // a table of ours that nothing declares (left by hand, or by a run that was cut short)
  sb.ok(`nft add table inet ${table} '{ comment "${lab.marker('cdktf-netns:edge-sweep/')}"; }'`);
  const v = cli(`verify ${lab.dir}`);
  expect(v.code).toBe(2);
  expect(v.out).toContain(`DRIFT undeclared: not declared but owned by this lab: nftables table ${table}`);
  expect(cli(`repair ${lab.dir}`).out).toMatch(new RegExp(`removed nftables table ${table} in the host namespace`));
  expect(tables('')).toBe('');
  expect(cli(`verify ${lab.dir}`).code).toBe(0);
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('a first deploy killed once the host table exists: destroy still removes it (the journal lists its rules); a re-apply heals', () => {
  for (const after of ['destroy', 'apply'] as const) {
    const lab = newLab(`edge-kill-${after}`);
    lab.synthStack((s) => {
      new HostRouter(s, 'hr');
      const far = new Namespace(s, 'far', { name: 'far' });
      const up = new VethPair(s, 'up', { a: { name: 'up0', addresses: ['10.75.0.1/24'] }, b: { name: 'eth0', namespace: far, addresses: ['10.75.0.2/24'] } });
      new Masquerade(s, 'nat', { namespace: Namespace.HOST, outInterface: up.a });
    });
    const k = killedApply(sb, lab, { label: 'host table', cond: 'nft list tables | grep -q cdktf_netns_' }, true);
    expect(k.killed).toBe(true);
    restoreCutState(sb, lab);
    expect(tables('')).toMatch(/^table inet cdktf_netns_/);
    if (after === 'apply') {
      lab.applyOk();
      expect(tables('')).toBe(`table inet cdktf_netns_${lab.header.lab}_${lab.deployment()}`);
      expect(lab.planExitCode()).toBe(0);
    }
    lab.destroyOk();
    expectNothingLeft(sb);
  }
});
