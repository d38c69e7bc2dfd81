import { TerraformStack } from './core/cdk';
import { describeIntent, IntentProtocol, PlannedIntent } from './engine/intents';
import { NetnsPlan } from './engine/plan-reader';

/** What toDeclareIntent checks beyond from and to (each optional). */
export interface IntentExpectation {
  /** @default 'reachable' */
  readonly expect?: 'reachable' | 'unreachable';
  /** @default - any first hop */
  readonly via?: string;
  /** @default - any protocol */
  readonly protocol?: IntentProtocol;
  /** @default - any port */
  readonly port?: number;
}

/**
 * Helpers for testing synthesized cdktf-netns plans with jest:
 *
 * ```ts
 * import { NetnsPlan, setupNetnsMatchers } from 'cdktf-netns/testing';
 * setupNetnsMatchers();
 * const plan = NetnsPlan.fromStack(stack);
 * expect(plan).toCreateNamespace('sales');
 * expect(plan).toRunAfter('route:sales/default', 'addresses:sales/veth-s');
 * expect(plan).toDeclareIntent('sales', '172.16.20.10', { via: '172.16.10.1' });
 * ```
 *
 * Selectors: `namespace:NAME`, `interface:NAME` or `interface:NS/NAME`
 * (NS = `host` for the host namespace), `veth:NAME`, `bridge:NAME`,
 * `vlan:NAME`, `port:NAME`, `addresses:NS/NAME` (every address of that
 * interface), `address:NS/CIDR`, `route:NS/DEST`, `sysctl:KEY` (host) and
 * `sysctl:NS/KEY`; or an object's key in the plan (`veth host/veth-s sales/eth0`).
 */

export { NetnsPlan, PlannedObject } from './engine/plan-reader';
export { PlannedIntent } from './engine/intents';
export { renderGraph, GraphOptions, GraphOverlays, GraphFormat, GRAPH_FORMATS } from './graph';

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
  /**
   * The plan declares an intent from `from` (a namespace name, or `host`) to `to`; `expected`
   * narrows it (`expect: 'unreachable'`, `via`, `protocol`, `port`). Default: a Reachable.
   */
  toDeclareIntent(received: unknown, from: string, to: string, expected: IntentExpectation = {}): MatcherResult {
    const plan = asPlan(received);
    const want = { expect: 'reachable' as const, ...expected };
    const found = plan.intentsBetween(from, to);
    const matches = (i: PlannedIntent) =>
      i.expect === want.expect &&
      (want.via === undefined || i.via === want.via) &&
      (want.protocol === undefined || i.protocol === want.protocol) &&
      (want.port === undefined || i.port === want.port);
    const pass = found.some(matches);
    const wanted = describeIntent({
      path: '',
      from,
      to,
      protocol: want.protocol ?? 'icmp',
      port: want.port,
      via: want.via,
      expect: want.expect,
      timeoutMs: 0,
      line: '',
    });
    const seen = plan.intents.length
      ? `; the plan declares: ${plan.intents.map((i) => `${describeIntent(i)} [${i.path}]`).join('; ')}`
      : '; the plan declares no intents';
    return { pass, message: () => `expected the plan ${pass ? 'not ' : ''}to declare the intent "${wanted}"${pass ? '' : seen}` };
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
      toDeclareIntent(from: string, to: string, expected?: IntentExpectation): R;
    }
  }
}
