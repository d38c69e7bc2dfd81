import { GraphEdge, GraphNode, GraphNodeKind, NetGraph } from './model';

/**
 * A NetGraph as a mermaid `flowchart` (renders on GitHub in a ```mermaid
 * block). Every label is quoted, with mermaid's entity codes for the
 * characters its parser reads (`#`, `"`, `<`, `>`, `&`); lines are joined by
 * `<br>`. Shapes: namespace a box, router a hexagon, imported namespace a
 * parallelogram, bridge a subroutine box, VLAN interface a stadium, existing
 * interface a flag, address a circle. Solid edges `---`, dotted and dashed `-.-` (dotted ones
 * finer, by a `linkStyle`), directed ones end in an arrow.
 */

const SHAPES: Record<GraphNodeKind, [string, string]> = {
  host: ['[', ']'],
  namespace: ['[', ']'],
  router: ['{{', '}}'],
  imported: ['[/', '/]'],
  bridge: ['[[', ']]'],
  vlan: ['([', '])'],
  interface: ['>', ']'],
  address: ['((', '))'],
};

/** Text as mermaid reads it inside a quoted label. */
export function mermaidText(s: string): string {
  return s.replace(/[#"<>&]/g, (c) => `#${c.charCodeAt(0)};`);
}

const label = (lines: readonly string[]): string => `"${lines.map(mermaidText).join('<br>')}"`;

function node(n: GraphNode): string {
  const [open, close] = SHAPES[n.kind];
  return `  ${n.id}${open}${label([...n.label, ...n.notes])}${close}`;
}

function edge(e: GraphEdge): string {
  const line = (e.style === 'solid' ? '---' : '-.-').replace(/-$/, e.directed ? '->' : '-');
  return `  ${e.from} ${line}${e.label.length ? `|${label(e.label)}|` : ''} ${e.to}`;
}

export function toMermaid(g: NetGraph): string {
  const out = ['flowchart LR', ...g.nodes.map(node), ...g.edges.map(edge)];
  const dotted = g.edges.flatMap((e, i) => (e.style === 'dotted' ? [i] : []));
  if (dotted.length) out.push(`  linkStyle ${dotted.join(',')} stroke-dasharray:2 3`);
  const imported = g.nodes.filter((n) => n.kind === 'imported' || n.kind === 'interface').map((n) => n.id);
  if (imported.length) out.push('  classDef existing stroke-dasharray:5 3', `  class ${imported.join(',')} existing`);
  return `${out.join('\n')}\n`;
}
