import { TerraformStack, Testing } from 'cdktf';

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
 * `vlan:NAME`, `addresses:NS/NAME`, `route:NS/DEST`, `sysctl:KEY`,
 * `sweep`, `teardown`.
 */

export interface PlannedObject {
  /** Terraform address, e.g. `terraform_data.sales_16F9C3E7`. */
  readonly address: string;
  readonly kind: string;
  readonly triggers: Record<string, string>;
  /** Addresses this object depends on directly. */
  readonly dependsOn: string[];
  /** Selectors that match this object. */
  readonly labels: string[];
  /** The resource as synthesized (provisioners included). */
  readonly body: any;
}

const nsLabel = (ns: string | undefined) => (ns ? ns : 'host');

function labelsOf(kind: string, t: Record<string, string>): string[] {
  const iface = (ns: string, name: string) => [`interface:${name}`, `interface:${nsLabel(ns)}/${name}`];
  switch (kind) {
    case 'namespace': return [`namespace:${t.ns}`];
    case 'veth': return [`veth:${t.if_a}`, `veth:${t.if_b}`, ...iface(t.ns_a, t.if_a), ...iface(t.ns_b, t.if_b)];
    case 'bridge': return [`bridge:${t.if}`, ...iface(t.ns, t.if)];
    case 'vlan': return [`vlan:${t.if}`, ...iface(t.ns, t.if)];
    case 'addresses': return [`addresses:${t.if}`, `addresses:${nsLabel(t.ns)}/${t.if}`];
    case 'route': return [`route:${nsLabel(t.ns)}/${t.dest}`];
    case 'host-sysctl': return [`sysctl:${t.key}`];
    default: return [kind];
  }
}

const stripRef = (s: string) => s.replace(/^\$\{(.*)\}$/, '$1');

/** A read-only view of the kernel objects in a synthesized stack. */
export class NetnsPlan {
  /** Synthesize a stack (running its validations) and read its plan. */
  public static fromStack(stack: TerraformStack): NetnsPlan {
    return NetnsPlan.fromJson(Testing.synth(stack, true));
  }

  /** Read a plan from synthesized JSON (a string or a parsed object). */
  public static fromJson(json: string | object): NetnsPlan {
    const doc = typeof json === 'string' ? JSON.parse(json) : json;
    const objects: PlannedObject[] = [];
    for (const type of ['terraform_data', 'null_resource']) {
      for (const [name, res] of Object.entries<any>(doc.resource?.[type] ?? {})) {
        const triggers = res.triggers_replace ?? res.triggers;
        if (!triggers || typeof triggers.kind !== 'string') continue;
        objects.push({
          address: `${type}.${name}`,
          kind: triggers.kind,
          triggers,
          dependsOn: (res.depends_on ?? []).map(stripRef),
          labels: labelsOf(triggers.kind, triggers),
          body: res,
        });
      }
    }
    return new NetnsPlan(objects);
  }

  private readonly byAddress: Map<string, PlannedObject>;

  private constructor(public readonly objects: PlannedObject[]) {
    this.byAddress = new Map(objects.map((o) => [o.address, o]));
  }

  /** All objects a selector matches. */
  public findAll(selector: string): PlannedObject[] {
    return this.objects.filter((o) => o.labels.includes(selector) || o.address === selector);
  }

  /** The single object a selector matches; throws when none or several match. */
  public get(selector: string): PlannedObject {
    const found = this.findAll(selector);
    if (found.length !== 1) {
      throw new Error(`selector "${selector}" matches ${found.length} objects; known: ${this.objects.flatMap((o) => o.labels).join(', ')}`);
    }
    return found[0];
  }

  /** All objects, each after everything it depends on (ties broken by address). */
  public inDependencyOrder(): PlannedObject[] {
    const ordered: PlannedObject[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (o: PlannedObject) => {
      if (state.get(o.address) === 'done') return;
      if (state.get(o.address) === 'visiting') throw new Error(`dependency cycle at ${o.address}`);
      state.set(o.address, 'visiting');
      for (const d of o.dependsOn) { const dep = this.byAddress.get(d); if (dep) visit(dep); }
      state.set(o.address, 'done');
      ordered.push(o);
    };
    [...this.objects].sort((a, b) => a.address.localeCompare(b.address)).forEach(visit);
    return ordered;
  }

  /** Whether `later` is ordered after `earlier` through depends_on (transitively). */
  public runsAfter(later: string, earlier: string): boolean {
    const target = this.get(earlier).address;
    const seen = new Set<string>();
    const stack = [...this.get(later).dependsOn];
    while (stack.length) {
      const a = stack.pop()!;
      if (a === target) return true;
      if (seen.has(a)) continue;
      seen.add(a);
      stack.push(...(this.byAddress.get(a)?.dependsOn ?? []));
    }
    return false;
  }

  /** Whether replacing `parent` re-creates `child`: the child's triggers reference the parent's id. */
  public cascades(parent: string, child: string): boolean {
    const p = this.get(parent).address;
    return Object.values(this.get(child).triggers).some((v) => typeof v === 'string' && v.includes(`${p}.id`));
  }
}

function asPlan(received: unknown): NetnsPlan {
  if (received instanceof NetnsPlan) return received;
  if (received instanceof TerraformStack) return NetnsPlan.fromStack(received);
  return NetnsPlan.fromJson(received as string);
}

type MatcherResult = { pass: boolean; message: () => string };

/** Jest matchers; `received` is a NetnsPlan, a TerraformStack or synthesized JSON. */
export const netnsMatchers = {
  toCreateNamespace(received: unknown, name: string): MatcherResult {
    const pass = asPlan(received).findAll(`namespace:${name}`).length === 1;
    return { pass, message: () => `expected the plan ${pass ? 'not ' : ''}to create namespace "${name}"` };
  },
  toCreateInterface(received: unknown, name: string, namespace?: string): MatcherResult {
    const sel = namespace === undefined ? `interface:${name}` : `interface:${namespace}/${name}`;
    const pass = asPlan(received).findAll(sel).length >= 1;
    return { pass, message: () => `expected the plan ${pass ? 'not ' : ''}to create interface ${sel.slice(10)}` };
  },
  toCreateRoute(received: unknown, namespace: string, destination: string, via?: string): MatcherResult {
    const found = asPlan(received).findAll(`route:${namespace}/${destination}`);
    const pass = found.length === 1 && (via === undefined || found[0].triggers.via === via);
    return { pass, message: () => `expected the plan ${pass ? 'not ' : ''}to create a route to ${destination} in ${namespace}${via ? ` via ${via}` : ''}` };
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
