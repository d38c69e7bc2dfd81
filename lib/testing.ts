import { TerraformStack } from './core/cdk';
import { NetnsPlan } from './engine/plan-reader';

/**
 * Helpers for testing synthesized cdktf-netns plans with jest:
 *
 * ```ts
 * import { NetnsPlan, setupNetnsMatchers } from 'cdktf-netns/testing';
 * setupNetnsMatchers();
 * const plan = NetnsPlan.fromStack(stack);
 * expect(plan).toCreateNamespace('sales');
 * expect(plan).toRunAfter('route:sales/default', 'addresses:sales/veth-s');
 * ```
 *
 * Selectors: `namespace:NAME`, `interface:NAME` or `interface:NS/NAME`
 * (NS = `host` for the host namespace), `veth:NAME`, `bridge:NAME`,
 * `vlan:NAME`, `port:NAME`, `addresses:NS/NAME` (every address of that
 * interface), `address:NS/CIDR`, `route:NS/DEST`, `sysctl:KEY` (host) and
 * `sysctl:NS/KEY`; or an object's key in the plan (`veth host/veth-s sales/eth0`).
 */

export { NetnsPlan, PlannedObject } from './engine/plan-reader';

function asPlan(received: unknown): NetnsPlan {
  if (received instanceof NetnsPlan) return received;
  if (received instanceof TerraformStack) return NetnsPlan.fromStack(received);
  return NetnsPlan.fromJson(received as string);
}

type MatcherResult = { pass: boolean; message: () => string };

/** Jest matchers; `received` is a NetnsPlan, a TerraformStack or synthesized JSON. */
export const netnsMatchers = {
  toCreateNamespace(received: unknown, name: string): MatcherResult {
    const plan = asPlan(received);
    const pass = plan.findAll(`namespace:${name}`).length === 1;
    return { pass, message: () => `expected the plan ${pass ? 'not ' : ''}to create namespace "${name}"${pass ? '' : plan.nearest(`namespace:${name}`)}` };
  },
  toCreateInterface(received: unknown, name: string, namespace?: string): MatcherResult {
    const plan = asPlan(received);
    const sel = namespace === undefined ? `interface:${name}` : `interface:${namespace}/${name}`;
    const pass = plan.findAll(sel).length >= 1;
    return { pass, message: () => `expected the plan ${pass ? 'not ' : ''}to create interface ${sel.slice(10)}${pass ? '' : plan.nearest(sel)}` };
  },
  toCreateRoute(received: unknown, namespace: string, destination: string, via?: string): MatcherResult {
    const plan = asPlan(received);
    const sel = `route:${namespace}/${destination}`;
    const found = plan.findAll(sel);
    const pass = found.length === 1 && (via === undefined || found[0].values.via === via);
    const seen = found.length === 1 ? ` (it goes via ${found[0].values.via})` : plan.nearest(sel);
    return {
      pass,
      message: () => `expected the plan ${pass ? 'not ' : ''}to create a route to ${destination} in ${namespace}${via ? ` via ${via}` : ''}${pass ? '' : seen}`,
    };
  },
  toRunAfter(received: unknown, later: string, earlier: string): MatcherResult {
    const pass = asPlan(received).runsAfter(later, earlier);
    return { pass, message: () => `expected ${later} ${pass ? 'not ' : ''}to run after ${earlier}` };
  },
  toCascadeFrom(received: unknown, child: string, parent: string): MatcherResult {
    const pass = asPlan(received).cascades(parent, child);
    return { pass, message: () => `expected replacing ${parent} ${pass ? 'not ' : ''}to re-create ${child}` };
  },
};

/** Register the matchers with jest's global `expect`. */
export function setupNetnsMatchers(): void {
  const g = globalThis as unknown as { expect?: { extend(m: object): void } };
  if (!g.expect) throw new Error('setupNetnsMatchers() must run inside jest (no global expect)');
  g.expect.extend(netnsMatchers);
}

/* eslint-disable @typescript-eslint/no-namespace */
declare global {
  namespace jest {
    interface Matchers<R> {
      toCreateNamespace(name: string): R;
      toCreateInterface(name: string, namespace?: string): R;
      toCreateRoute(namespace: string, destination: string, via?: string): R;
      toRunAfter(later: string, earlier: string): R;
      toCascadeFrom(child: string, parent: string): R;
    }
  }
}
