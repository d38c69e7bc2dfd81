import { GraphEdge, GraphNode, GraphNodeKind, namespaceId, NetGraph } from './model';

/**
 * A NetGraph in Graphviz's DOT language (an undirected `graph`; overlay
 * edges get `dir=forward`). Every id and label is a quoted string, with `\`
 * and `"` escaped; lines are joined by `\n`. Shapes: namespace a box, the
 * host a bold box, router a hexagon, imported namespace a dashed box, bridge a
 * rounded grey box, VLAN interface an ellipse, existing interface a dashed
 * rounded box, address a dashed ellipse.
 */

const ATTRS: Record<GraphNodeKind, string> = {
  host: 'shape=box, style=bold',
  namespace: 'shape=box',
  router: 'shape=hexagon',
  imported: 'shape=box, style=dashed',
  bridge: 'shape=box, style="rounded,filled", fillcolor="#e8e8e8"',
  vlan: 'shape=ellipse',
  interface: 'shape=box, style="rounded,dashed"',
  address: 'shape=ellipse, style=dashed',
};

/** A DOT quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

const label = (lines: readonly string[]): string => dotString(lines.join('\n'));

function node(n: GraphNode): string {
  const attrs = ATTRS[n.kind] + (n.kind === 'router' && n.id === namespaceId('-') ? ', style=bold' : '');
  return `  ${dotString(n.id)} [${attrs}, label=${label([...n.label, ...n.notes])}];`;
}

function edge(e: GraphEdge): string {
  const attrs = [
    ...(e.label.length ? [`label=${label(e.label)}`] : []),
    ...(e.style === 'solid' ? [] : [`style=${e.style}`]),
    ...(e.directed ? ['dir=forward'] : []),
  ];
  return `  ${dotString(e.from)} -- ${dotString(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`;
}

export function toDot(g: NetGraph): string {
  return [
    'graph "cdktf-netns" {',
    '  graph [rankdir=LR, fontname="Helvetica"];',
    '  node [fontname="Helvetica", fontsize=11, margin="0.2,0.08"];',
    '  edge [fontname="Helvetica", fontsize=9];',
    ...g.nodes.map(node),
    ...g.edges.map(edge),
    '}',
    '',
  ].join('\n');
}
