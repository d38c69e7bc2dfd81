import type { Viz } from '@viz-js/viz';

/**
 * DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no `dot`
 * binary needed. Loaded on first use (the module is large), once per process.
 */
let viz: Promise<Viz> | undefined;

export async function dotToSvg(dot: string): Promise<string> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  const r = (await viz).render(dot, { format: 'svg', engine: 'dot' });
  if (r.status !== 'success') {
    throw new Error(`Graphviz refused the DOT text: ${r.errors.map((e) => e.message.trim()).join('; ') || 'no message'}`);
  }
  return r.output;
}
