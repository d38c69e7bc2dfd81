import { NetnsPlan } from '../engine/plan-reader';
import { toDot } from './dot';
import { toMermaid } from './mermaid';
import { buildGraph, GraphOverlays } from './model';
import { dotToSvg } from './svg';

export { buildGraph, GraphEdge, GraphEdgeStyle, GraphNode, GraphNodeKind, GraphOverlays, NetGraph } from './model';
export { toDot } from './dot';
export { toMermaid } from './mermaid';
export { dotToSvg } from './svg';

/** The formats `renderGraph` (and `cdktf-netns graph --format`) draw in. */
export const GRAPH_FORMATS = ['mermaid', 'dot', 'svg'] as const;
/** One of GRAPH_FORMATS. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Options of `renderGraph`: the format and the overlays. */
export interface GraphOptions extends GraphOverlays {
  /**
   * `mermaid` (a flowchart, for Markdown), `dot` (Graphviz) or `svg` (rendered
   * from the DOT text by Graphviz compiled to WebAssembly: no Graphviz needed).
   * @default 'mermaid'
   */
  readonly format?: GraphFormat;
}

export function isGraphFormat(s: string): s is GraphFormat {
  return (GRAPH_FORMATS as readonly string[]).includes(s);
}

/**
 * Draw a lab's topology from its plan, offline: namespaces (routers and
 * imported ones marked), bridges, veth links with both ends' names and
 * addresses, VLAN interfaces, bridge ports with their VLANs; with
 * `routes: true`, each namespace's static routes. The text is deterministic
 * (the same plan draws the same bytes), so it can be snapshot-tested.
 */
export async function renderGraph(plan: NetnsPlan, options: GraphOptions = {}): Promise<string> {
  const format = options.format ?? 'mermaid';
  if (!isGraphFormat(format)) throw new Error(`graph format '${String(format)}' is not one of ${GRAPH_FORMATS.join(', ')}`);
  const graph = buildGraph(plan, options);
  if (format === 'mermaid') return toMermaid(graph);
  const dot = toDot(graph);
  return format === 'dot' ? dot : dotToSvg(dot);
}
