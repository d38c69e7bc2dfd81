/**
 * `cdktf-netns graph` and renderGraph (lib/graph/): the topology of every
 * example stack as mermaid and DOT (jest snapshots), the --routes overlay, a
 * lab with every kind of node (imported namespace, existing interface, VLAN on
 * a bridge, a bridge port of a bridge, a dual-stack router, a host router),
 * label escaping, SVG rendered for real by Graphviz compiled to WebAssembly
 * (which also proves each DOT text valid), byte-for-byte determinism, and the
 * command itself on a synthesized stack directory (in-process and as the bin).
 * No kernel state is read or changed.
 */
import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Bridge, HostRouter, Interface, Namespace, Reachable, Route, Router, Unreachable, VethPair, VlanInterface } from '../../lib';
import { EXIT, main } from '../../lib/cli';
import { NetnsPlan } from '../../lib/engine/plan-reader';
import { buildGraph, dotToSvg, renderGraph, toDot, toMermaid } from '../../lib/graph';
import { dotString } from '../../lib/graph/dot';
import { mermaidText } from '../../lib/graph/mermaid';
import { describePortVlans, idPart } from '../../lib/graph/model';
import { BridgeLanStack } from '../../examples/bridge-lan/stack';
import { EdgeStack } from '../../examples/edge/stack';
import { HostRouterStack } from '../../examples/host-router/stack';
import { VethHostStack } from '../../examples/veth-host/stack';
import { VlanStack } from '../../examples/vlan/stack';
import { WanStack } from '../../examples/wan/stack';
import { WorkshopStack } from '../../examples/workshop/stack';
import { freshDir, fullSynth, testApp, writtenData } from '../support/helpers';

type StackClass = new (scope: Construct, id: string) => TerraformStack;

/** Every node kind in one lab. */
class EverythingStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const edge = new Router(this, 'edge', { name: 'edge', ipv6Forwarding: true });
    const ext = Namespace.fromName(this, 'ext', 'ext-ns');
    const host = new HostRouter(this, 'host-router');
    const lan = new Bridge(this, 'lan', { name: 'br-lan', vlanFiltering: true, addresses: ['10.9.0.1/24'] });
    const inner = new Bridge(this, 'inner', { name: 'br-inner' });
    lan.addPort(inner, { pvid: 30, untagged: false, tagged: [40] });
    lan.addPort(Interface.fromName(this, 'uplink', { name: 'eth9' }), { tagged: [10, 20] });
    new VlanInterface(this, 'lan10', { parent: lan, vlanId: 10, addresses: ['10.10.0.1/24'] });
    new VethPair(this, 'e', {
      a: { name: 'e-lan', namespace: edge, addresses: ['10.9.0.2/24', 'fd00:9::2/64'] },
      b: { name: 'e-br', bridge: lan, bridgeVlans: { pvid: 10 } },
    });
    new VethPair(this, 'x', { a: { name: 'x0', namespace: ext, addresses: ['10.8.0.2/30'] }, b: { name: 'x1', namespace: host, addresses: ['10.8.0.1/30'] } });
    new Route(this, 'edge-default', { namespace: edge, destination: 'default', via: '10.9.0.1' });
    new Route(this, 'edge-v6', { namespace: edge, destination: 'fd00:1::/64', via: 'fd00:9::1' });
    new Route(this, 'ext-default', { namespace: ext, destination: 'default', via: '10.8.0.1' });
  }
}

const STACKS: Array<[string, StackClass]> = [
  ['workshop', WorkshopStack],
  ['bridge-lan', BridgeLanStack],
  ['host-router', HostRouterStack],
  ['veth-host', VethHostStack],
  ['edge', EdgeStack],
  ['vlan', VlanStack],
  ['wan', WanStack],
  ['everything', EverythingStack],
];

const planOf = (cls: StackClass, name: string) => NetnsPlan.fromStack(new cls(testApp(), name));

/** What a mermaid flowchart line may be: a node with a quoted label, an edge, a style line. */
const MERMAID_LINE = [
  /^flowchart LR$/,
  /^ {2}[A-Za-z0-9_]+(\[|\{\{|\[\/|\[\[|\(\[|>|\(\()"[^"]*"(\]|\}\}|\/\]|\]\]|\]\)|\))$/,
  /^ {2}[A-Za-z0-9_]+ (---|-\.-|-->|-\.->)(\|"[^"]*"\|)? [A-Za-z0-9_]+$/,
  /^ {2}linkStyle [0-9,]+ stroke-dasharray:2 3$/,
  /^ {2}classDef existing stroke-dasharray:5 3$/,
  /^ {2}class [A-Za-z0-9_,]+ existing$/,
];

describe.each(STACKS)('%s', (name, cls) => {
  test('mermaid and DOT snapshots; every mermaid line is a quoted node, an edge or a style line', async () => {
    const plan = planOf(cls, name);
    const mermaid = await renderGraph(plan);
    const dot = await renderGraph(plan, { format: 'dot' });
    expect(mermaid).toMatchSnapshot('mermaid');
    expect(dot).toMatchSnapshot('dot');
    expect(mermaid.endsWith('\n') && !mermaid.endsWith('\n\n')).toBe(true);
    for (const line of mermaid.trimEnd().split('\n')) expect(MERMAID_LINE.some((re) => re.test(line)) ? line : `not mermaid: ${line}`).toBe(line);
    // every namespace of the plan is drawn, by name
    for (const ns of plan.objects.filter((o) => o.kind === 'ns' || o.kind === 'extns')) expect(mermaid).toContain(`"${ns.values.name}`);
  });

  test('the --routes overlay adds each route to its namespace, and nothing else', async () => {
    const plan = planOf(cls, name);
    const plain = buildGraph(plan);
    const routed = buildGraph(plan, { routes: true });
    expect(routed.edges).toEqual(plain.edges);
    const routes = plan.objects.filter((o) => o.kind === 'route');
    const plainNotes = plain.nodes.flatMap((n) => n.notes);
    expect(
      routed.nodes
        .flatMap((n) => n.notes)
        .filter((n) => !plainNotes.includes(n))
        .sort(),
    ).toEqual(routes.map((r) => `route ${r.values.dest} via ${r.values.via}`).sort());
    for (const r of routes) {
      const line = `route ${r.values.dest} via ${r.values.via}`;
      expect(toMermaid(routed)).toContain(line);
      expect(toDot(routed)).toContain(line);
    }
    if (routes.length) expect(await renderGraph(plan, { format: 'dot', routes: true })).toMatchSnapshot('dot --routes');
  });

  test('the --intents overlay adds one dashed arrow per intent, from its namespace to the one holding the address', async () => {
    const plan = planOf(cls, name);
    const plain = buildGraph(plan);
    const g = buildGraph(plan, { intents: true });
    const added = g.edges.slice(plain.edges.length);
    expect(g.edges.slice(0, plain.edges.length)).toEqual(plain.edges);
    expect(added).toHaveLength(plan.intents.length);
    for (const [k, i] of plan.intents.entries()) {
      expect(added[k]).toMatchObject({ style: 'dashed', directed: true, from: `ns_${idPart(i.from)}` });
      expect(added[k].label[0]).toBe(`${i.expect === 'reachable' ? 'reaches' : 'must not reach'} ${i.to}`);
    }
    if (plan.intents.length) {
      expect(toMermaid(g)).toMatch(/ -\.->\|"reaches /);
      expect(await renderGraph(plan, { format: 'mermaid', intents: true })).toMatchSnapshot('mermaid --intents');
      expect(await renderGraph(plan, { format: 'svg', intents: true })).toContain('reaches');
    }
  });

  test('link impairments are notes of the namespace whose interface they shape', () => {
    const plan = planOf(cls, name);
    const g = buildGraph(plan);
    for (const q of plan.objects.filter((o) => o.kind === 'qdisc')) {
      expect(g.node(`ns_${idPart(q.values.ns)}`)?.notes).toContainEqual(expect.stringMatching(new RegExp(`^${q.values.if} sends: `)));
    }
  });

  test('DOT is valid Graphviz: the WebAssembly renderer draws it as an SVG naming every node', async () => {
    const plan = planOf(cls, name);
    const svg = await renderGraph(plan, { format: 'svg', routes: true });
    expect(svg).toMatch(/^<\?xml [^\n]*\n<!DOCTYPE svg/);
    expect(svg).toContain('<svg ');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const n of buildGraph(plan).nodes) expect(svg).toContain(`>${n.label[0].replace(/-/g, '&#45;')}</text>`);
  });

  test('deterministic: the same plan from the stack or from its data file draws the same bytes, every time', async () => {
    const app = testApp();
    new cls(app, name);
    const stackDir = fullSynth(app, name);
    const fromData = NetnsPlan.fromData(writtenData(stackDir));
    const fromJson = NetnsPlan.fromJson(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    for (const format of ['mermaid', 'dot', 'svg'] as const) {
      const first = await renderGraph(fromData, { format, routes: true });
      expect(await renderGraph(fromData, { format, routes: true })).toBe(first);
      expect(await renderGraph(fromJson, { format, routes: true })).toBe(first);
    }
  });
});

describe('the model', () => {
  test('routers, imported namespaces and the host are marked; veth links name both ends with their addresses', () => {
    const g = buildGraph(planOf(EverythingStack, 'everything'));
    const node = (id: string) => g.nodes.find((n) => n.id === id);
    expect(node('ns_edge')).toMatchObject({ kind: 'router', label: ['edge', 'router (IPv4, IPv6 forwarding)'] });
    expect(node('ns_ext_2dns')).toMatchObject({ kind: 'imported', label: ['ext-ns', 'imported namespace'] });
    expect(node('host')).toMatchObject({ kind: 'router', label: ['host', 'root namespace', 'router (IPv4 forwarding)'] });
    expect(node('br_host__br_2dlan')).toMatchObject({ kind: 'bridge', label: ['br-lan', 'bridge, VLAN filtering'] });
    expect(node('vlan_host__br_2dlan_2e10')).toMatchObject({ kind: 'vlan', label: ['br-lan.10', 'VLAN 10 on br-lan'] });
    expect(node('if_host__eth9')).toMatchObject({ kind: 'interface', label: ['eth9', 'existing interface'] });
    const edge = (from: string, to: string) => g.edges.filter((e) => e.from === from && e.to === to);
    expect(edge('ns_edge', 'br_host__br_2dlan')).toEqual([
      { from: 'ns_edge', to: 'br_host__br_2dlan', label: ['e-lan 10.9.0.2/24 fd00:9::2/64', 'e-br (PVID 10 untagged)'], style: 'solid', directed: false },
    ]);
    expect(edge('host', 'br_host__br_2dlan')).toEqual([{ from: 'host', to: 'br_host__br_2dlan', label: ['10.9.0.1/24'], style: 'solid', directed: false }]);
    expect(edge('host', 'br_host__br_2dinner')).toEqual([{ from: 'host', to: 'br_host__br_2dinner', label: [], style: 'dotted', directed: false }]);
    expect(edge('br_host__br_2dinner', 'br_host__br_2dlan')[0].label).toEqual(['PVID 30 tagged, tagged 40']);
    expect(edge('if_host__eth9', 'br_host__br_2dlan')[0].label).toEqual(['tagged 10, 20']);
    expect(edge('host', 'vlan_host__br_2dlan_2e10')[0].label).toEqual(['10.10.0.1/24']);
    expect(edge('ns_ext_2dns', 'host')[0].label).toEqual(['x0 10.8.0.2/30', 'x1 10.8.0.1/30']);
  });

  test('a lab without host-side objects draws no host; an empty plan draws an empty flowchart', () => {
    expect(buildGraph(planOf(WorkshopStack, 'workshop')).nodes.map((n) => n.id)).toEqual(['ns_dev', 'ns_router', 'ns_sales']);
    expect(toMermaid(buildGraph(NetnsPlan.fromData('')))).toBe('flowchart LR\n');
  });

  test('intents: the host as `from`, an address outside the lab as its own node, Unreachable with its port', () => {
    const stack = new TerraformStack(testApp(), 'i');
    const ns = new Namespace(stack, 'a');
    new VethPair(stack, 'p', { a: { name: 'v0', addresses: ['10.1.0.1/24'] }, b: { name: 'v1', namespace: ns, addresses: ['10.1.0.2/24'] } });
    new Reachable(stack, 'host-a', { from: Namespace.HOST, to: '10.1.0.2' });
    new Unreachable(stack, 'a-out', { from: ns, to: '192.0.2.7', protocol: 'tcp', port: 443 });
    const g = buildGraph(NetnsPlan.fromStack(stack), { intents: true });
    expect(g.node('addr_192_2e0_2e2_2e7')).toMatchObject({ kind: 'address', label: ['192.0.2.7'] });
    expect(g.edges.filter((e) => e.style === 'dashed')).toEqual([
      { from: 'host', to: 'ns_a', label: ['reaches 10.1.0.2', 'icmp'], style: 'dashed', directed: true },
      { from: 'ns_a', to: 'addr_192_2e0_2e2_2e7', label: ['must not reach 192.0.2.7', 'tcp port 443'], style: 'dashed', directed: true },
    ]);
  });

  test('ids are stable and distinct for names that differ only in punctuation', () => {
    expect(idPart('a-b')).toBe('a_2db');
    expect(idPart('a_b')).toBe('a_5fb');
    expect(idPart('a.b')).not.toBe(idPart('a-b'));
    expect(idPart('x')).toBe('x');
    const g = buildGraph(NetnsPlan.fromData('ns a-b m\nns a_b m\nns a.b m\n'));
    expect(new Set(g.nodes.map((n) => n.id)).size).toBe(3);
  });

  test('port VLANs in words; an unknown token is an internal error naming it', () => {
    expect(describePortVlans('-')).toBeUndefined();
    expect(describePortVlans('p10u')).toBe('PVID 10 untagged');
    expect(describePortVlans('p10,t20,t30')).toBe('PVID 10 tagged, tagged 20, 30');
    expect(() => describePortVlans('x1')).toThrow('"x1"');
  });

  test('labels are escaped for each format (names cannot hold these characters, but the renderers do not rely on it)', () => {
    expect(mermaidText('a"b#c<d>e&f')).toBe('a#34;b#35;c#60;d#62;e#38;f');
    expect(dotString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  test('Graphviz refusing a DOT text is an error quoting Graphviz', async () => {
    await expect(dotToSvg('graph { a -- }')).rejects.toThrow(/^Graphviz refused the DOT text: .*syntax error/);
  });

  test('an unknown format is refused, naming it and the formats', async () => {
    await expect(renderGraph(NetnsPlan.fromData(''), { format: 'png' as 'svg' })).rejects.toThrow("graph format 'png' is not one of mermaid, dot, svg");
  });
});

describe('cdktf-netns graph', () => {
  /** The workshop, fully synthesized (in this file's scratch space): its stack directory. */
  function workshopProject(): { stackDir: string } {
    const app = testApp('terraform_data');
    new WorkshopStack(app, 'workshop');
    return { stackDir: fullSynth(app, 'workshop') };
  }

  async function run(argv: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const code = await main(argv, (s) => lines.push(s));
    return { code, out: lines.join('\n') };
  }

  test('prints the mermaid picture of the stack directory (exit 0); the same as renderGraph', async () => {
    const { stackDir } = workshopProject();
    const r = await run(['graph', stackDir]);
    expect(r.code).toBe(EXIT.OK);
    expect(`${r.out}\n`).toBe(await renderGraph(NetnsPlan.fromData(writtenData(stackDir))));
    expect((await run(['graph', stackDir, '--routes'])).out).toContain('route default via 172.16.10.1');
    // the intents come from the stack's intents file
    expect((await run(['graph', stackDir, '--intents'])).out).toContain('ns_sales -.->|"reaches 172.16.20.10<br>icmp via 172.16.10.1"| ns_dev');
    expect((await run(['graph', stackDir, '--format', 'dot'])).out).toMatch(/^graph "cdktf-netns" \{/);
  });

  test('-o writes the file (the format from --format, else from its extension) and says so', async () => {
    const { stackDir } = workshopProject();
    const dir = freshDir('out');
    const svg = join(dir, 'lab.svg');
    expect(await run(['graph', stackDir, '-o', svg])).toEqual({ code: EXIT.OK, out: `graph: wrote ${svg} (svg)` });
    expect(readFileSync(svg, 'utf8')).toContain('<svg ');
    const dot = join(dir, 'lab.gv');
    expect((await run(['graph', stackDir, '-o', dot, '--routes'])).out).toBe(`graph: wrote ${dot} (dot)`);
    expect(readFileSync(dot, 'utf8')).toBe(await renderGraph(NetnsPlan.fromData(writtenData(stackDir)), { format: 'dot', routes: true }));
    const txt = join(dir, 'lab.txt');
    expect((await run(['graph', stackDir, '-o', txt])).out).toBe(`graph: wrote ${txt} (mermaid)`);
    expect(readFileSync(txt, 'utf8')).toMatch(/^flowchart LR\n/);
    const forced = join(dir, 'forced.svg');
    await run(['graph', stackDir, '-o', forced, '--format', 'mermaid']);
    expect(readFileSync(forced, 'utf8')).toMatch(/^flowchart LR\n/);
  });

  test('the bin: svg on stdout (exit 0); a bad --format exits 1 naming the bad value and the allowed ones, writing nothing', () => {
    const { stackDir } = workshopProject();
    const bin = (...args: string[]) =>
      spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', '..', 'lib', 'cli.ts'), 'graph', stackDir, ...args], {
        encoding: 'utf8',
      });
    const ok = bin('--format', 'svg');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^<\?xml/);
    expect(ok.stdout).toContain('>sales</text>');
    const out = join(freshDir('out'), 'x.png');
    const bad = bin('--format', 'png', '-o', out);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe("cdktf-netns: --format 'png' is not a graph format: use one of mermaid, dot, svg\n");
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  test("the README's picture of the workshop is the command's output", async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /## Seeing a lab: cdktf-netns graph[\s\S]*?```mermaid\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(await renderGraph(planOf(WorkshopStack, 'workshop')));
  });
});
