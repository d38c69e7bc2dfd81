/**
 * Firewall, Masquerade and PortForward at synth time and in the engine's generator: the data
 * lines, the nftables text nft.awk writes from them (a table per namespace, its base rules,
 * every match), and the refusals that need more than one value (forwarding, one Firewall per
 * namespace, an interface of another namespace, a port without tcp/udp...). Single bad values
 * are in the hostile corpus; the rules themselves are proven on a real kernel (test/e2e/edge.test.ts).
 */
import { spawnSync } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { AnnotationMetadataEntryType, Testing } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { Bridge, Firewall, HostRouter, Masquerade, Namespace, PortForward, Router, VethPair } from '../../lib';
import { ruleText } from '../../lib/kinds/nft';
import { setupNetnsMatchers } from '../../lib/testing';
import { freshDir, plan, runPlanner, testStack, thrownMessage } from '../support/helpers';
import { kindsTable } from '../../lib/kinds';

setupNetnsMatchers();

const warningsOf = (c: IConstruct) => c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));

/** A router `gw` with a LAN bridge and an uplink, as in examples/edge (smaller). */
function edge(opts: { forwarding?: boolean } = {}) {
  const stack = testStack();
  const gw = opts.forwarding === false ? new Namespace(stack, 'gw') : new Router(stack, 'gw', { ipv6Forwarding: true });
  const far = new Namespace(stack, 'far');
  const lan = new Bridge(stack, 'lan', { name: 'br-lan', namespace: gw, addresses: ['192.168.1.1/24'] });
  const up = new VethPair(stack, 'up', {
    a: { name: 'wan', namespace: gw, addresses: ['203.0.113.1/24'] },
    b: { name: 'eth0', namespace: far, addresses: ['203.0.113.10/24'] },
  });
  return { stack, gw, far, lan, up };
}

const nftLines = (stack: ReturnType<typeof testStack>) =>
  plan(stack)
    .objects.filter((o) => o.kind === 'nft')
    .map((o) => o.line);

test('the data lines: a policy line per chain, one line per rule, `-` for what a rule does not match; ids from the construct path', () => {
  const { stack, gw, lan, up } = edge();
  new Firewall(stack, 'fw', {
    namespace: gw,
    input: {
      policy: 'drop',
      allow: [
        { inInterface: lan, protocol: 'tcp', port: [8000, 8099] },
        { from: 'FD00:1::/64', protocol: 'icmp' },
      ],
    },
    forward: { policy: 'drop', allow: [{ inInterface: lan, outInterface: up.a }] },
  });
  new Masquerade(stack, 'nat', { namespace: gw, outInterface: up.a, source: '192.168.1.0/24' });
  new PortForward(stack, 'pf', { namespace: gw, protocol: 'udp', port: [5000, 5010], to: '[fd00:1::20]:53', inInterface: 'wan' });
  expect(nftLines(stack)).toEqual([
    'nft gw input policy - - - - - - drop - -',
    'nft gw input fw.input.0 tcp - - br-lan - 8000-8099 accept - -',
    'nft gw input fw.input.1 icmp fd00:1::/64 - - - - accept - -',
    'nft gw forward policy - - - - - - drop - -',
    'nft gw forward fw.forward.0 - - - br-lan wan - accept - -',
    'nft gw postrouting nat.masq - 192.168.1.0/24 - - wan - masquerade - -',
    'nft gw prerouting pf.dnat udp - - wan - 5000-5010 dnat fd00:1::20 53',
    // the forward's own way through the drop policy: only connections it translated
    'nft gw forward pf.open udp - fd00:1::20 - - 53 dnatok - -',
  ]);
  const p = plan(stack);
  expect(ruleText(p.get('nft:gw/input/fw.input.0').values)).toBe('input: allow tcp port 8000-8099 in br-lan');
  expect(ruleText(p.get('nft:gw/forward/policy').values)).toBe('forward policy drop');
  expect(ruleText(p.get('nft:gw/postrouting/nat.masq').values)).toBe('masquerade from 192.168.1.0/24 out wan');
  expect(ruleText(p.get('nft:gw/prerouting/pf.dnat').values)).toBe('port forward udp 5000-5010 in wan to [fd00:1::20]:53');
  // in the namespace's trigger, after the links: re-written when the namespace is re-created
  expect(p).toCascadeFrom('nft:gw/postrouting/nat.masq', 'namespace:gw');
});

test('allowInput / allowForward add rules after construction; a chain the Firewall does not filter is refused', () => {
  const { stack, gw, lan } = edge();
  const fw = new Firewall(stack, 'fw', { namespace: gw, forward: { policy: 'drop' } });
  fw.allowForward({ from: '192.168.1.0/24', protocol: 'icmp' });
  expect(nftLines(stack)).toContain('nft gw forward fw.forward.0 icmp 192.168.1.0/24 - - - - accept - -');
  expect(thrownMessage(() => fw.allowInput({ inInterface: lan }))).toContain('stack/fw: allowInput: this Firewall does not filter input');
});

test('the port forward opens the input chain instead when its target is the namespace itself, and nothing without a Firewall', () => {
  const { stack, gw } = edge();
  new Firewall(stack, 'fw', { namespace: gw, input: { policy: 'drop' }, forward: { policy: 'drop' } });
  new PortForward(stack, 'ssh', { namespace: gw, protocol: 'tcp', port: 2222, to: '192.168.1.1:22' });
  expect(nftLines(stack).filter((l) => l.includes('ssh.'))).toEqual([
    'nft gw prerouting ssh.dnat tcp - - - - 2222 dnat 192.168.1.1 22',
    'nft gw input ssh.open tcp - 192.168.1.1 - - 22 dnatok - -',
  ]);
  const bare = edge();
  new PortForward(bare.stack, 'web', { namespace: bare.gw, protocol: 'tcp', port: 80, to: '192.168.1.20:80' });
  expect(nftLines(bare.stack)).toEqual(['nft gw prerouting web.dnat tcp - - - - 80 dnat 192.168.1.20 80']);
});

describe('refusals that need more than one value', () => {
  test('NAT and forward rules in a namespace that does not forward: refused at synth, saying why and how', () => {
    for (const build of [
      (e: ReturnType<typeof edge>) => new Masquerade(e.stack, 'x', { namespace: e.gw, outInterface: e.up.a }),
      (e: ReturnType<typeof edge>) => new PortForward(e.stack, 'x', { namespace: e.gw, protocol: 'tcp', port: 80, to: '192.168.1.20:80' }),
      (e: ReturnType<typeof edge>) => new Firewall(e.stack, 'x', { namespace: e.gw, forward: { policy: 'drop', allow: [{ protocol: 'icmp' }] } }),
    ]) {
      const e = edge({ forwarding: false });
      build(e);
      expect(() => Testing.synth(e.stack, true)).toThrow(
        /cdktf-netns: stack\/x: (Masquerade|PortForward|a Firewall with forward rules) in namespace "gw", which does not forward \(net\.ipv[46]\S* (or \S+ )?is not 1\): .*Fix: make the namespace a Router, or addSysctl/,
      );
    }
    // a forward policy alone (defence in depth, no rule to match) is fine; so is input filtering
    const e = edge({ forwarding: false });
    new Firewall(e.stack, 'x', { namespace: e.gw, input: { policy: 'drop' }, forward: { policy: 'drop' } });
    expect(() => Testing.synth(e.stack, true)).not.toThrow();
  });

  test('IPv6 forwarding for an IPv6 port forward: IPv4 forwarding alone is not enough', () => {
    const stack = testStack();
    const gw = new Router(stack, 'gw');
    new PortForward(stack, 'x', { namespace: gw, protocol: 'tcp', port: 80, to: '[fd00::20]:80' });
    expect(() => Testing.synth(stack, true)).toThrow(/which does not forward \(net\.ipv6\.conf\.all\.forwarding is not 1\)/);
  });

  test('in the host namespace the setting is not known: a warning, gone with a HostRouter', () => {
    const warnings = (withRouter: boolean) => {
      const stack = testStack();
      if (withRouter) new HostRouter(stack, 'hr');
      const nat = new Masquerade(stack, 'nat', { namespace: Namespace.HOST, outInterface: 'eth0' });
      Testing.synth(stack, true);
      return warningsOf(nat).filter((w) => /does not forward/.test(w));
    };
    expect(warnings(false)).toEqual([expect.stringContaining('stack/nat: Masquerade in the host namespace, which does not forward')]);
    expect(warnings(false)[0]).toContain('declare a HostRouter');
    expect(warnings(true)).toEqual([]);
  });

  test('a drop policy on the host input warns that it locks out SSH', () => {
    const stack = testStack();
    const fw = new Firewall(stack, 'fw', { namespace: Namespace.HOST, input: { policy: 'drop' } });
    Testing.synth(stack, true);
    expect(warningsOf(fw)).toEqual([expect.stringMatching(/stack\/fw: input policy drop in the host namespace .*SSH too/)]);
  });

  test('overlapping port forwards: refused, naming the first; told apart by interface or address, accepted', () => {
    const { stack, gw } = edge();
    new PortForward(stack, 'one', { namespace: gw, protocol: 'tcp', port: [8000, 8010], to: '192.168.1.20:80' });
    expect(thrownMessage(() => new PortForward(stack, 'two', { namespace: gw, protocol: 'tcp', port: 8005, to: '192.168.1.21:80' }))).toContain(
      'stack/two: tcp port 8005 in namespace "gw" is also forwarded by stack/one (8000-8010): the first rule would take it all',
    );
    new PortForward(stack, 'udp', { namespace: gw, protocol: 'udp', port: 8005, to: '192.168.1.21:80' });
    new PortForward(stack, 'next', { namespace: gw, protocol: 'tcp', port: 8011, to: '192.168.1.21:80' });
    const two = edge();
    new PortForward(two.stack, 'a', { namespace: two.gw, protocol: 'tcp', port: 80, inInterface: 'wan', to: '192.168.1.20:80' });
    new PortForward(two.stack, 'b', { namespace: two.gw, protocol: 'tcp', port: 80, inInterface: 'br-lan', to: '192.168.1.21:80' });
    expect(thrownMessage(() => new PortForward(two.stack, 'c', { namespace: two.gw, protocol: 'tcp', port: 80, to: '192.168.1.22:80' }))).toContain(
      'is also forwarded by stack/a',
    );
  });

  test('one Firewall per namespace, naming the first', () => {
    const { stack, gw } = edge();
    new Firewall(stack, 'one', { namespace: gw, input: { policy: 'drop' } });
    expect(thrownMessage(() => new Firewall(stack, 'two', { namespace: gw, forward: { policy: 'drop' } }))).toContain(
      'stack/two: namespace "gw" already has a Firewall (stack/one)',
    );
  });

  test.each([
    ['a port without tcp or udp', { port: 22 }, "a port needs protocol 'tcp' or 'udp'"],
    ['a port with icmp', { protocol: 'icmp', port: 22 }, "a port needs protocol 'tcp' or 'udp'"],
    ['from and to of two families', { from: '10.0.0.0/8', to: 'fd00::/8' }, 'from is IPv4 but to is IPv6'],
    ['a misspelt key (it would match everything)', { ports: 22 }, 'unknown option(s) "ports"'],
    ['outInterface on input', { outInterface: 'wan' }, 'outInterface in an input rule'],
  ])('%s', (_, rule, message) => {
    const { stack, gw } = edge();
    expect(thrownMessage(() => new Firewall(stack, 'fw', { namespace: gw, input: { policy: 'drop', allow: [rule as never] } }))).toContain(
      `cdktf-netns: stack/fw: input.allow[0]`,
    );
    expect(thrownMessage(() => new Firewall(testStack(), 'fw', { namespace: Namespace.HOST, input: { policy: 'drop', allow: [rule as never] } }))).toContain(
      message,
    );
  });

  test('an interface of another namespace, no chain at all, a policy that is neither, a target of another family', () => {
    const { stack, gw, far, up } = edge();
    expect(thrownMessage(() => new Masquerade(stack, 'nat', { namespace: gw, outInterface: up.b }))).toContain(
      `stack/nat: outInterface: interface "eth0" lives in namespace "far", not in namespace "gw" where the rule is`,
    );
    void far;
    expect(thrownMessage(() => new Firewall(stack, 'f1', { namespace: gw }))).toContain('stack/f1: no chain to filter');
    expect(thrownMessage(() => new Firewall(stack, 'f2', { namespace: gw, input: { policy: 'reject' as never } }))).toContain(
      "stack/f2: input.policy must be 'accept' or 'drop'",
    );
    expect(
      thrownMessage(() => new PortForward(stack, 'pf', { namespace: gw, protocol: 'tcp', port: 80, to: '[fd00::2]:80', toAddress: '203.0.113.1' })),
    ).toContain('stack/pf: toAddress is IPv4 but to is IPv6');
    expect(thrownMessage(() => new PortForward(stack, 'pf2', { namespace: gw, protocol: 'icmp' as never, port: 80, to: '10.0.0.2:80' }))).toContain(
      "stack/pf2: protocol must be 'tcp' or 'udp'",
    );
  });
});

test('a rule id fits in an nft comment: a long construct path is cut and keeps a hash of itself', () => {
  const { stack, gw } = edge();
  const deep = new Construct(new Construct(stack, 'a'.repeat(60)), 'b'.repeat(60));
  new Masquerade(deep, 'nat', { namespace: gw, outInterface: 'wan' });
  const id = plan(stack).objects.find((o) => o.kind === 'nft')!.values.id;
  expect(id.length).toBeLessThanOrEqual(100);
  expect(id).toMatch(/^a{60}\/b+~[0-9a-f]{8}\.masq$/);
});

/** The nft file nft.awk writes for one namespace's declared lines (the generator's END, driven alone). */
function tableText(lines: string[], facts: Record<string, string> = {}, mode = 'apply'): { nft: string[]; del: string[]; errors: string; log: string } {
  const dir = freshDir('nft');
  mkdirSync(dir, { recursive: true });
  const set = Object.entries(facts)
    .map(([k, c]) => `nfttab["${k}"] = "${c}";`)
    .join(' ');
  const decl = lines.map((l) => `${l.startsWith('bridge ') ? 'nft_bridge' : 'nft_decl'}("${l}");`).join(' ');
  writeFileSync(
    join(dir, 'main.awk'),
    `BEGIN { KOWNER = "cdktf-netns:stack@0123456789ab/"; ${set} ${decl} nftdirty["gw"] = 1; nft_flush(); close(W "/errors"); close(W "/log") }\n`,
  );
  const lib = (f: string) => join(__dirname, '../../lib', f);
  const r = spawnSync(
    'awk',
    [
      '-F',
      '\t',
      '-v',
      `W=${dir}`,
      '-v',
      `MODE=${mode}`,
      '-v',
      'LAB=feedfacecafebeef',
      '-v',
      'DEP=0123456789ab',
      '-f',
      lib('engine/lib.awk'),
      '-f',
      lib('kinds/nft.awk'),
      '-f',
      join(dir, 'main.awk'),
    ],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  const rows = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    nft: rows.filter((x) => x[2] === 'nft').map((x) => x[3]),
    del: rows.filter((x) => x[2] === 'nftdel').map((x) => x[3]),
    errors: read('errors'),
    log: read('log'),
  };
}

test('the table nft.awk writes: the marker as its comment, base rules, every match; a table of ours that is there is replaced in the same transaction', () => {
  const lines = [
    'bridge gw br-lan m - 0 -',
    'nft gw input policy - - - - - - drop - -',
    'nft gw input fw.input.0 tcp - - br-lan - 8000-8099 accept - -',
    'nft gw input fw.input.1 icmp fd00:1::/64 - - - - accept - -',
    'nft gw input fw.input.2 icmp - - - - - accept - -',
    'nft gw forward policy - - - - - - drop - -',
    'nft gw forward fw.forward.0 udp 10.0.0.0/8 192.168.1.5 br-lan wan - accept - -',
    'nft gw postrouting nat.masq - 192.168.1.0/24 - - wan - masquerade - -',
    'nft gw prerouting pf.dnat tcp - 203.0.113.1 wan - 8080 dnat 192.168.1.20 80',
    'nft gw prerouting pf6.dnat udp - - - - 5000-5010 dnat fd00:1::20 53',
    'nft gw forward pf.open tcp - 192.168.1.20 - - 80 dnatok - -',
  ];
  const { nft } = tableText(lines);
  expect(nft.join('\n')).toBe(
    [
      'table inet cdktf_netns_feedfacecafebeef_0123456789ab {',
      '  comment "cdktf-netns:stack@0123456789ab/"',
      '  chain input {',
      '    type filter hook input priority filter; policy drop;',
      '    ct state established,related accept comment "base rule: established"',
      '    ct state invalid drop comment "base rule: invalid"',
      '    iifname "lo" accept comment "base rule: loopback"',
      '    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, nd-redirect } accept comment "base rule: nd"',
      '    iifname "br-lan" tcp dport 8000-8099 accept comment "fw.input.0"',
      '    ip6 saddr fd00:1::/64 meta l4proto ipv6-icmp accept comment "fw.input.1"',
      '    meta l4proto { icmp, ipv6-icmp } accept comment "fw.input.2"',
      '  }',
      '  chain forward {',
      '    type filter hook forward priority filter; policy drop;',
      '    ct state established,related accept comment "base rule: established"',
      '    ct state invalid drop comment "base rule: invalid"',
      '    iifname "br-lan" oifname "br-lan" accept comment "base rule: bridged on br-lan"',
      '    iifname "br-lan" oifname "wan" ip saddr 10.0.0.0/8 ip daddr 192.168.1.5 meta l4proto udp accept comment "fw.forward.0"',
      '    ct status dnat ip daddr 192.168.1.20 tcp dport 80 accept comment "pf.open"',
      '  }',
      '  chain prerouting {',
      '    type nat hook prerouting priority dstnat; policy accept;',
      '    iifname "wan" ip daddr 203.0.113.1 tcp dport 8080 dnat ip to 192.168.1.20:80 comment "pf.dnat"',
      '    meta nfproto ipv6 udp dport 5000-5010 dnat ip6 to [fd00:1::20]:53 comment "pf6.dnat"',
      '  }',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      '    oifname "wan" ip saddr 192.168.1.0/24 masquerade comment "nat.masq"',
      '  }',
      '}',
    ].join('\n'),
  );
  // where our table is already: add (a no-op), delete and define, one transaction (no moment without rules)
  const again = tableText(lines, { 'gw cdktf_netns_feedfacecafebeef_0123456789ab': 'cdktf-netns:stack@0123456789ab/' }).nft;
  expect(again.slice(0, 2)).toEqual([
    'add table inet cdktf_netns_feedfacecafebeef_0123456789ab { comment "cdktf-netns:stack@0123456789ab/"; }',
    'delete table inet cdktf_netns_feedfacecafebeef_0123456789ab',
  ]);
  expect(again.slice(2)).toEqual(nft);
});

test('ownership: the last rule gone deletes our table only; a table with our name and another comment is refused (kept on the way out); adoption removes the released one', () => {
  const name = 'cdktf_netns_feedfacecafebeef_0123456789ab';
  const ours = tableText([], { [`gw ${name}`]: 'cdktf-netns:stack@0123456789ab/' });
  expect(ours.nft).toEqual([]);
  expect(ours.del).toEqual([`delete table inet ${name}`]);
  // nothing of ours there: nothing to delete
  expect(tableText([]).del).toEqual([]);
  const forged = { [`gw ${name}`]: 'evil' };
  const write = tableText(['nft gw postrouting nat.masq - - - - wan - masquerade - -'], forged);
  expect(write.nft).toEqual([]);
  expect(write.errors).toContain(
    `an nftables table named ${name} already exists in namespace 'gw' and was not made by this deployment of the lab (its comment: 'evil')`,
  );
  const leave = tableText([], forged);
  expect(leave.del).toEqual([]);
  expect(leave.errors).toBe('');
  expect(leave.log).toContain(`kept nftables table ${name} in namespace 'gw': its comment is 'evil'`);
});

test('the planner re-writes the rules of a re-created namespace (a journaled run), and nothing when nothing changed', () => {
  const data = (lines: string[]) => [...kindsTable(), ...lines].join('\n');
  const lines = ['ns gw m:gw', 'nft gw postrouting nat.masq - - - - wan - masquerade - -'];
  expect(runPlanner('apply', data(lines), data(lines))).toEqual([]);
  const ops = runPlanner('apply', data(lines), data(lines), data(['ns gw m:gw']));
  expect(ops).toContain('C ns gw m:gw');
  expect(ops).toContain('C nft gw postrouting nat.masq - - - - wan - masquerade - -');
});
