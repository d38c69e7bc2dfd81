/**
 * Traffic policy on this kernel (issue 12): examples/edge, a home router with NAT, a port
 * forward and a drop-policy firewall, deployed in a private sandbox; then what an operator and
 * an attacker would do to it: rules deleted by hand, tables others made, a table wearing our name.
 */
import { EdgeStack } from '../../examples/edge/stack';
import { Reachable, Unreachable } from '../../lib';
import { shellQuote, Sandbox } from '../support/sandbox';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNothingLeft } from '../support/expect';
import { netnsCli } from '../support/lab';

jest.setTimeout(300_000);

const sb = useSandbox();
const newLab = useLabs(sb);

/** A process started in a namespace of the sandbox; its PID, to end it (and only it) later. */
function startIn(sandbox: Sandbox, ns: string, script: string): number {
  const pid = Number(sandbox.ok(`ip netns exec ${ns} node -e ${shellQuote(script)} >/dev/null 2>&1 & echo $!`).trim());
  expect(pid).toBeGreaterThan(1);
  sandbox.ok(`for i in $(seq 50); do ip netns exec ${ns} ss -Hltn | grep -q . && exit 0; sleep 0.1; done; exit 1`);
  return pid;
}
const stop = (pid: number) => sb.sh(`kill ${pid}; while kill -0 ${pid} 2>/dev/null; do sleep 0.05; done`);

/** An HTTP server answering who asked: `<name>: you are <remote address>`. */
const whoami = (name: string, port: number) =>
  `require('http').createServer((q, s) => s.end('${name}: you are ' + q.socket.remoteAddress.replace(/^::ffff:/, ''))).listen(${port})`;

/** GET a page from inside a namespace (3 s); the body, or '' when nothing answered. */
function fetchIn(ns: string, url: string): string {
  const js = `require('http').get(${JSON.stringify(url)}, { timeout: 3000 }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => process.stdout.write(b)); }).on('timeout', function () { this.destroy(); }).on('error', () => {});`;
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
    new Reachable(stack, 'lan-reaches-gw-service', { from: stack.lan1, to: '192.168.1.1', protocol: 'tcp', port: 9000 });
    new Unreachable(stack, 'internet-cannot-reach-gw-service', { from: stack.internet, to: '203.0.113.1', protocol: 'tcp', port: 9000, timeout: 2 });
    new Reachable(stack, 'internet-reaches-web', { from: stack.internet, to: '203.0.113.1', protocol: 'tcp', port: 8080 });
    return stack;
  });
  // first apply: the network is made, but nothing listens yet: the two Reachable tcp intents fail the deploy
  const first = lab.apply();
  expect(first.code).not.toBe(0);
  expect(first.stdout + first.stderr).toMatch(/2 of 7 intents failed: edge\/lan-reaches-gw-service edge\/internet-reaches-web/);
  const pids = [startIn(sb, 'gw', whoami('gw', 9000)), startIn(sb, 'web', whoami('web', 80)), startIn(sb, 'internet', whoami('internet', 80))];
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
    expect(fetchIn('internet', 'http://192.168.1.20/')).toBe('');
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
    expect(fetchIn('internet', 'http://192.168.1.20/')).toBe('');
    sb.ok('ip netns exec internet ip route del 192.168.1.0/24 via 203.0.113.1');

    // a declared rule deleted by hand: verify reports it by what it does; repair restores it
    expect(cli(`verify ${lab.dir}`)).toMatchObject({ code: 0 });
    nftIn('gw', `delete rule inet ${table} postrouting handle ${handleOf('gw', table, 'postrouting', 'nat.masq')}`);
    expect(fetchIn('lan1', 'http://203.0.113.10/')).toBe('');
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
    for (const p of pids) stop(p);
  }
  lab.destroyOk();
  expectNothingLeft(sb);
});
