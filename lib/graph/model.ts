import { nsLabel } from '../engine/kind';
import { NetnsPlan, PlannedObject } from '../engine/plan-reader';
import { ruleText } from '../kinds/nft';
import { impairmentText } from '../kinds/qdisc';

/**
 * The picture of a lab, drawn offline from its synthesized plan (the kernel is
 * never read): what `cdktf-netns graph` renders as mermaid, DOT or SVG.
 *
 * Nodes: one per namespace (the host's root namespace too when the lab puts
 * objects there; routers, namespaces with forwarding on, and imported
 * namespaces marked as such), per bridge, per VLAN sub-interface, and per
 * existing interface the lab makes a bridge port. Edges: one per veth pair
 * between the namespaces (or bridges) its ends sit in, labelled with both ends'
 * names and addresses; one from each bridge and VLAN interface to the namespace
 * it lives in, labelled with its addresses; one per bridge port that is not a
 * veth end. Overlays add lines to a node's notes (`--routes`) or edges of their
 * own style.
 *
 * Everything is sorted by name, so a plan read from a stack's JSON or from its
 * data file draws the same picture, byte for byte.
 */

/** What a node stands for; the renderers give each its own shape (`address`: an address outside the lab, for overlays). */
export type GraphNodeKind = 'namespace' | 'router' | 'imported' | 'host' | 'bridge' | 'vlan' | 'interface' | 'address';

/** How an edge is drawn: links solid, "lives in" without an address dotted, overlays dashed. */
export type GraphEdgeStyle = 'solid' | 'dotted' | 'dashed';

export interface GraphNode {
  /** Stable id, made from the object's names (`ns_sales`, `br_host__br0`). */
  readonly id: string;
  readonly kind: GraphNodeKind;
  /** Label lines. */
  readonly label: readonly string[];
  /** Lines overlays add (drawn under the label). */
  readonly notes: string[];
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** Label lines (none: an unlabelled edge). */
  readonly label: readonly string[];
  readonly style: GraphEdgeStyle;
  /** An arrow at `to` (overlays: "from reaches to"); links have none. */
  readonly directed: boolean;
}

/** Which overlays to draw. */
export interface GraphOverlays {
  /**
   * Static routes (`DEST via GATEWAY`), as notes of the namespace they are in.
   * @default false
   */
  readonly routes?: boolean;
  /**
   * Connectivity intents (Reachable, Unreachable): a dashed arrow from the namespace the
   * probe runs in to the namespace that holds the address (or to the address itself, when
   * the lab holds it nowhere), labelled `reaches` / `must not reach` with the protocol, port
   * and first hop.
   * @default false
   */
  readonly intents?: boolean;
}

/** Nodes and edges, in drawing order. */
export class NetGraph {
  public readonly nodes: GraphNode[] = [];
  public readonly edges: GraphEdge[] = [];
  private readonly byId = new Map<string, GraphNode>();

  /** Add a node; an id already present keeps its first node (and is returned). */
  public addNode(id: string, kind: GraphNodeKind, label: readonly string[]): GraphNode {
    const have = this.byId.get(id);
    if (have) return have;
    const node: GraphNode = { id, kind, label, notes: [] };
    this.nodes.push(node);
    this.byId.set(id, node);
    return node;
  }

  public node(id: string): GraphNode | undefined {
    return this.byId.get(id);
  }

  /** Add an edge between two nodes of the graph. */
  public addEdge(from: string, to: string, label: readonly string[], style: GraphEdgeStyle = 'solid', directed = false): GraphEdge {
    for (const id of [from, to]) if (!this.byId.has(id)) throw new Error(`internal: graph edge to unknown node ${id}`);
    const edge: GraphEdge = { from, to, label, style, directed };
    this.edges.push(edge);
    return edge;
  }

  /** Add a note line to a node. */
  public note(id: string, line: string): void {
    const node = this.byId.get(id);
    if (!node) throw new Error(`internal: note on unknown node ${id}`);
    node.notes.push(line);
  }
}

/** The sysctls (canonical keys, as the plan holds them) that make a namespace a router, and the family each forwards. */
export const FORWARDING_SYSCTLS: Readonly<Record<string, string>> = { 'net.ipv4.ip_forward': 'IPv4', 'net.ipv6.conf.all.forwarding': 'IPv6' };

/** The plan's namespace field for the host's root namespace. */
const HOST = '-';

/** An id fragment: letters and digits as they are, anything else `_` and two hex digits (so `__` never occurs in one). */
export function idPart(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Node id of a namespace (`-`: the host). */
export const namespaceId = (ns: string): string => (ns === HOST ? 'host' : `ns_${idPart(ns)}`);
/** Node id of an interface drawn as a node of its own (a bridge `br`, a VLAN interface `vlan`, an existing interface `if`). */
export const interfaceId = (prefix: 'br' | 'vlan' | 'if', ns: string, ifname: string): string => `${prefix}_${idPart(nsLabel(ns))}__${idPart(ifname)}`;

const byKey = (a: PlannedObject, b: PlannedObject): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** A port's VLANs (`p10u`, `p10`, `t20` tokens) in words: `PVID 10 untagged, tagged 20, 30`. */
export function describePortVlans(tokens: string): string | undefined {
  if (tokens === '-') return undefined;
  const parts: string[] = [];
  const tagged: string[] = [];
  for (const t of tokens.split(',')) {
    const pvid = /^p(\d+)(u?)$/.exec(t);
    if (pvid) parts.push(`PVID ${pvid[1]} ${pvid[2] ? 'untagged' : 'tagged'}`);
    else if (/^t\d+$/.test(t)) tagged.push(t.slice(1));
    else throw new Error(`internal: port VLAN token ${JSON.stringify(t)} is not p<ID>u, p<ID> or t<ID>`);
  }
  if (tagged.length) parts.push(`tagged ${tagged.join(', ')}`);
  return parts.join(', ');
}

/** Build the graph of a plan, with the overlays asked for. */
export function buildGraph(plan: NetnsPlan, overlays: GraphOverlays = {}): NetGraph {
  const g = new NetGraph();
  const sorted = [...plan.objects].sort(byKey);
  const of = (kind: string) => sorted.filter((o) => o.kind === kind);
  const at = (ns: string, ifname: string) => `${ns} ${ifname}`;

  const addresses = new Map<string, string[]>();
  for (const a of of('addr')) addresses.set(at(a.values.ns, a.values.if), [...(addresses.get(at(a.values.ns, a.values.if)) ?? []), a.values.cidr]);
  const ports = new Map(of('port').map((p) => [at(p.values.ns, p.values.if), p]));
  /** `name addr, addr` of an interface, with its port VLANs when it is one. */
  const ifLine = (ns: string, ifname: string) => {
    const vlans = ports.has(at(ns, ifname)) ? describePortVlans(ports.get(at(ns, ifname))!.values.vlans) : undefined;
    const port = ports.has(at(ns, ifname)) ? [`(${vlans ?? 'port'})`] : [];
    return [ifname, ...(addresses.get(at(ns, ifname)) ?? []), ...port].join(' ');
  };

  // namespaces: the host first when the lab puts anything there, then by name
  const forwarding = new Map<string, string[]>();
  for (const s of [...of('nsysctl'), ...of('hsysctl')]) {
    const family = FORWARDING_SYSCTLS[s.values.key];
    const ns = s.kind === 'hsysctl' ? HOST : s.values.ns;
    if (family && s.values.value === '1') forwarding.set(ns, [...(forwarding.get(ns) ?? []), family]);
  }
  const routerLine = (ns: string) => `router (${forwarding.get(ns)!.sort().join(', ')} forwarding)`;
  const usesHost = plan.objects.some((o) => {
    const kind = plan.kindOf(o);
    return o.kind === 'hsysctl' || kind.namespaceFields.some((i) => o.values[kind.fields[i - 1]] === HOST);
  });
  if (usesHost)
    g.addNode(namespaceId(HOST), forwarding.has(HOST) ? 'router' : 'host', ['host', 'root namespace', ...(forwarding.has(HOST) ? [routerLine(HOST)] : [])]);
  const namespaces = [...of('ns'), ...of('extns')].sort((a, b) => (a.values.name < b.values.name ? -1 : a.values.name > b.values.name ? 1 : 0));
  for (const n of namespaces) {
    const ns = n.values.name;
    const role = forwarding.has(ns) ? [routerLine(ns)] : [];
    if (n.kind === 'extns') g.addNode(namespaceId(ns), 'imported', [ns, 'imported namespace', ...role]);
    else g.addNode(namespaceId(ns), forwarding.has(ns) ? 'router' : 'namespace', [ns, ...role]);
  }

  // bridges, each joined to its namespace by its own interface (with the bridge's addresses)
  for (const b of of('bridge')) {
    const id = interfaceId('br', b.values.ns, b.values.if);
    g.addNode(id, 'bridge', [b.values.if, b.values.vlan_filtering === '1' ? 'bridge, VLAN filtering' : 'bridge']);
    const own = addresses.get(at(b.values.ns, b.values.if)) ?? [];
    g.addEdge(namespaceId(b.values.ns), id, own, own.length ? 'solid' : 'dotted');
  }
  /** Where an interface plugs in: the bridge it is a port of, else its namespace. */
  const attachment = (ns: string, ifname: string) => {
    const p = ports.get(at(ns, ifname));
    return p ? interfaceId('br', p.values.ns, p.values.master) : namespaceId(ns);
  };

  for (const v of of('veth')) {
    g.addEdge(attachment(v.values.ns_a, v.values.if_a), attachment(v.values.ns_b, v.values.if_b), [
      ifLine(v.values.ns_a, v.values.if_a),
      ifLine(v.values.ns_b, v.values.if_b),
    ]);
  }

  // VLAN sub-interfaces: a node each, joined to their namespace by their addresses
  for (const v of of('vlan')) {
    const id = interfaceId('vlan', v.values.ns, v.values.if);
    g.addNode(id, 'vlan', [v.values.if, `VLAN ${v.values.vid} on ${v.values.parent}`]);
    const own = addresses.get(at(v.values.ns, v.values.if)) ?? [];
    g.addEdge(namespaceId(v.values.ns), id, own, own.length ? 'solid' : 'dotted');
  }

  // ports that are no veth end (those plug their link into the bridge): a bridge or VLAN interface
  // of the lab, or an existing interface (Interface.fromName), joined to the bridge by its VLANs
  const vethEnds = new Set(of('veth').flatMap((v) => [at(v.values.ns_a, v.values.if_a), at(v.values.ns_b, v.values.if_b)]));
  // VXLAN tunnels: an edge between the two bridges they join (their ends are those bridges' ports)
  const masterOf = new Map(of('port').map((p) => [at(p.values.ns, p.values.if), p.values.master]));
  const tunnelEnds = new Set<string>();
  for (const v of of('vxlan')) {
    tunnelEnds.add(at(v.values.ns, v.values.if));
    const peer = of('vxlan').find((w) => w.values.vni === v.values.vni && w.values.local === v.values.remote && w.values.remote === v.values.local);
    const mine = masterOf.get(at(v.values.ns, v.values.if));
    if (!peer || !mine || v.values.local > peer.values.local) continue;
    const theirs = masterOf.get(at(peer.values.ns, peer.values.if));
    if (!theirs) continue;
    g.addEdge(
      interfaceId('br', v.values.ns, mine),
      interfaceId('br', peer.values.ns, theirs),
      [`VXLAN ${v.values.vni} (udp ${v.values.port})`, `${v.values.local} - ${peer.values.local}`],
      'dashed',
    );
  }
  for (const p of of('port')) {
    const { ns, if: ifname, master, vlans } = p.values;
    if (vethEnds.has(at(ns, ifname)) || tunnelEnds.has(at(ns, ifname))) continue;
    let id = [interfaceId('br', ns, ifname), interfaceId('vlan', ns, ifname)].find((i) => g.node(i));
    if (!id) {
      id = interfaceId('if', ns, ifname);
      g.addNode(id, 'interface', [ifname, 'existing interface']);
      g.addEdge(namespaceId(ns), id, [], 'dotted');
    }
    g.addEdge(id, interfaceId('br', ns, master), [describePortVlans(vlans) ?? 'port']);
  }

  // link impairments: a note on the namespace of the interface they shape (what leaves it)
  for (const q of of('qdisc')) g.note(namespaceId(q.values.ns), `${q.values.if} sends: ${impairmentText(q.values)}`);

  // traffic policy: the NAT and the port forwards, and the firewall's policies, as notes of their namespace
  const firewalls = new Map<string, { chains: string[]; allows: number }>();
  for (const r of of('nft')) {
    const { ns, id, action, chain } = r.values;
    if (action === 'masquerade' || action === 'dnat') g.note(namespaceId(ns), `NAT: ${ruleText(r.values)}`);
    else if (action !== 'dnatok') {
      const f = firewalls.get(ns) ?? { chains: [], allows: 0 };
      if (id === 'policy') f.chains.push(`${chain} ${action}`);
      else f.allows++;
      firewalls.set(ns, f);
    }
  }
  for (const [ns, f] of firewalls)
    g.note(namespaceId(ns), `firewall: ${f.chains.join(', ')}${f.allows ? ` (${f.allows} allow rule${f.allows > 1 ? 's' : ''})` : ''}`);

  // overlays: notes on nodes, or edges of their own (dashed, directed: `g.addEdge(from, to, [what], 'dashed', true)`)
  if (overlays.routes) {
    for (const r of of('route')) g.note(namespaceId(r.values.ns), `route ${r.values.dest} via ${r.values.via}`);
  }
  if (overlays.intents) {
    const holder = new Map<string, string>();
    for (const a of of('addr')) holder.set(a.values.cidr.split('/')[0], a.values.ns);
    for (const i of plan.intents) {
      const from = namespaceId(i.from === 'host' ? HOST : i.from);
      if (!g.node(from)) g.addNode(from, i.from === 'host' ? 'host' : 'namespace', i.from === 'host' ? ['host', 'root namespace'] : [i.from]);
      const ns = holder.get(i.to);
      const to = ns !== undefined ? namespaceId(ns) : `addr_${idPart(i.to)}`;
      if (!g.node(to)) g.addNode(to, 'address', [i.to]);
      const what = [i.protocol, ...(i.port === undefined ? [] : [`port ${i.port}`]), ...(i.via ? [`via ${i.via}`] : [])].join(' ');
      g.addEdge(from, to, [`${i.expect === 'reachable' ? 'reaches' : 'must not reach'} ${i.to}`, what], 'dashed', true);
    }
  }
  return g;
}
