import { TerraformStack, Testing } from '../core/cdk';
import { parseCidr, parseIp, subnetContains } from '../core/ip';
import { KINDS_BY_NAME } from '../kinds';
import { parseIntents, PlannedIntent } from './intents';
import { Kind, parseLine, ParentRef, Values } from './kind';

/**
 * Reading a synthesized lab back: the kernel objects of a plan, from the lab
 * unit's triggers (one key per object) or from the stack's data file. Used
 * by the testing helpers and by the CLI, so both see a plan the same way.
 */

/** Trigger keys of the lab unit that are not objects. */
export const RESERVED_TRIGGERS = ['lab', 'state', 'owner', 'engine', 'data', 'deployment', 'machine', 'address'];

export interface PlannedObject {
  /** The object's key in the plan's triggers, e.g. `veth host/veth-s sales/eth0`. */
  readonly key: string;
  /** Kind token, e.g. `veth`, `addr`, `route`. */
  readonly kind: string;
  readonly values: Values;
  /** The data line. */
  readonly line: string;
  /** Selectors that match this object. */
  readonly labels: string[];
  /** The Terraform address of the resource that applies it. */
  readonly address: string;
}

export interface PlannedLab {
  /** Terraform address of the lab unit (`terraform_data.cdktf-netns_Lab_...`). */
  readonly unit: string;
  /** Terraform address of the teardown resource. */
  readonly teardown?: string;
  /** Terraform address of the final step (the seal). */
  readonly seal?: string;
  /** The seal's triggers (its `intents` and `intents_hash` when the lab declares intents). */
  readonly sealTriggers?: Record<string, string>;
  readonly triggers: Record<string, string>;
}

/** What findLab reads of a synthesized plan. */
interface PlanDoc {
  resource?: Record<string, Record<string, { triggers?: Record<string, string>; triggers_replace?: Record<string, string> }>>;
}

/** The Hosts a synthesized plan declares (their names, sorted). */
export function plannedMachines(json: unknown): string[] {
  const doc = json as PlanDoc | undefined;
  const names = new Set<string>();
  for (const type of ['terraform_data', 'null_resource']) {
    for (const res of Object.values(doc?.resource?.[type] ?? {})) {
      const m = (res.triggers_replace ?? res.triggers)?.machine;
      if (typeof m === 'string' && m) names.add(m);
    }
  }
  return [...names].sort();
}

/** Find the lab unit of a machine ('' the local one, else a Host's name), its teardown and its seal, among a synthesized stack's resources. */
export function findLab(json: unknown, machine = ''): PlannedLab | undefined {
  const doc = json as PlanDoc | undefined;
  let unit: PlannedLab | undefined;
  let teardown: string | undefined;
  let seal: string | undefined;
  let sealTriggers: Record<string, string> | undefined;
  for (const type of ['terraform_data', 'null_resource']) {
    for (const [name, res] of Object.entries(doc?.resource?.[type] ?? {})) {
      const t = res.triggers_replace ?? res.triggers;
      // a Host's three resources name the machine ('' or absent: the local machine's)
      if (!t || (t.machine ?? '') !== machine) continue;
      if (typeof t.unit === 'string' && typeof t.deployment === 'string') {
        seal = `${type}.${name}`;
        sealTriggers = t;
        continue;
      }
      if (!t || typeof t.lab !== 'string' || typeof t.state !== 'string') continue;
      if (typeof t.data === 'string') unit = { unit: `${type}.${name}`, triggers: t };
      else teardown = `${type}.${name}`;
    }
  }
  return unit && { ...unit, teardown, seal, sealTriggers };
}

/** A read-only view of the kernel objects a plan declares. */
export class NetnsPlan {
  /** Synthesize a stack (running its validations) and read its plan: the objects of one machine (a Host's name; '' the local machine). */
  public static fromStack(stack: TerraformStack, machine = ''): NetnsPlan {
    return NetnsPlan.fromJson(Testing.synth(stack, true), machine);
  }

  /** Read a plan from synthesized JSON (a string or a parsed object): the objects of one machine (a Host's name; '' the local machine). */
  public static fromJson(json: string | object, machine = ''): NetnsPlan {
    const doc = typeof json === 'string' ? JSON.parse(json) : json;
    const lab = findLab(doc, machine);
    if (!lab) return new NetnsPlan([], undefined);
    const lines = Object.entries(lab.triggers)
      .filter(([k]) => !RESERVED_TRIGGERS.includes(k))
      .flatMap(([, v]) => v.split('\n'));
    return new NetnsPlan(NetnsPlan.parse(lines, lab.unit), lab, parseIntents(lab.sealTriggers?.intents ?? ''));
  }

  /** Read a lab's data file (its lines, in creation order), and its intents file if given. */
  public static fromData(text: string, address = 'lab', intents = ''): NetnsPlan {
    const lines = text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('kind '));
    return new NetnsPlan(NetnsPlan.parse(lines, address), undefined, parseIntents(intents));
  }

  private static parse(lines: string[], address: string): PlannedObject[] {
    const out: PlannedObject[] = [];
    for (const l of lines) {
      const p = parseLine(KINDS_BY_NAME, l);
      if (!p) throw new Error(`not a cdktf-netns object line: ${JSON.stringify(l)}`);
      out.push({ key: p.kind.key(p.values), kind: p.kind.name, values: p.values, line: l, labels: p.kind.labels(p.values), address });
    }
    return out;
  }

  private readonly byKey: Map<string, PlannedObject>;

  private constructor(
    public readonly objects: PlannedObject[],
    public readonly lab: PlannedLab | undefined,
    /** The lab's connectivity intents (Reachable, Unreachable), in declaration order. */
    public readonly intents: readonly PlannedIntent[] = [],
  ) {
    this.byKey = new Map(objects.map((o) => [o.key, o]));
  }

  public kindOf(o: PlannedObject): Kind {
    return KINDS_BY_NAME.get(o.kind)!;
  }

  /** All objects a selector matches (a label such as `veth:NAME`, or an object key). */
  public findAll(selector: string): PlannedObject[] {
    return this.objects.filter((o) => o.labels.includes(selector) || o.key === selector);
  }

  /** The single object a selector matches; throws when none or several match, naming the nearest selectors. */
  public get(selector: string): PlannedObject {
    const found = this.findAll(selector);
    if (found.length !== 1) throw new Error(`selector "${selector}" matches ${found.length} objects${this.nearest(selector)}`);
    return found[0];
  }

  /** Up to 5 known selectors closest to `selector`, for error messages. */
  public nearest(selector: string): string {
    const all = [...new Set(this.objects.flatMap((o) => o.labels))];
    const [kind] = selector.split(':');
    const score = (s: string) => (s.startsWith(`${kind}:`) ? 0 : 100) + distance(s, selector);
    const near = all.sort((a, b) => score(a) - score(b)).slice(0, 5);
    return near.length ? `; nearest: ${near.join(', ')}` : '; the plan declares no objects';
  }

  /** The objects an object hangs off (resolved references). */
  public parentsOf(o: PlannedObject): PlannedObject[] {
    return this.kindOf(o)
      .parents(o.values)
      .flatMap((r) => this.resolve(r));
  }

  private resolve(r: ParentRef): PlannedObject[] {
    if ('ns' in r) return r.ns === '-' ? [] : this.objects.filter((o) => (o.kind === 'ns' || o.kind === 'extns') && o.values.name === r.ns);
    if ('iface' in r) {
      const [ns, ifname] = r.iface;
      return this.objects.filter((o) =>
        this.kindOf(o)
          .links(o.values)
          .some(([n, i]) => n === ns && i === ifname),
      );
    }
    const [ns, via] = r.gatewayOf;
    const gw = parseIp(via);
    return this.objects.filter((o) => {
      if (o.kind !== 'addr' || o.values.ns !== ns || !gw) return false;
      const c = parseCidr(o.values.cidr);
      return !!c && subnetContains(c, gw);
    });
  }

  /** Whether `later` hangs (transitively) off `earlier`: it is created after it, and re-created when it is. */
  public dependsOn(later: PlannedObject, earlier: PlannedObject): boolean {
    const seen = new Set<string>();
    const stack = this.parentsOf(later);
    while (stack.length) {
      const o = stack.pop()!;
      if (o.key === earlier.key) return true;
      if (seen.has(o.key)) continue;
      seen.add(o.key);
      stack.push(...this.parentsOf(o));
    }
    return false;
  }

  /** Every object matching `later` runs after some object matching `earlier`. */
  public runsAfter(later: string, earlier: string): boolean {
    const ls = this.findAll(later);
    const es = this.findAll(earlier);
    if (!ls.length) throw new Error(`selector "${later}" matches no object${this.nearest(later)}`);
    if (!es.length) throw new Error(`selector "${earlier}" matches no object${this.nearest(earlier)}`);
    return ls.every((l) => es.some((e) => this.dependsOn(l, e)));
  }

  /** Whether re-creating `parent` re-creates `child` (the engine's cascade follows what hangs off what). */
  public cascades(parent: string, child: string): boolean {
    return this.runsAfter(child, parent);
  }

  /** All objects, each after everything it hangs off (creation order). */
  public inDependencyOrder(): PlannedObject[] {
    const ordered: PlannedObject[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (o: PlannedObject) => {
      if (state.get(o.key) === 'done') return;
      if (state.get(o.key) === 'visiting') throw new Error(`dependency cycle at ${o.key}`);
      state.set(o.key, 'visiting');
      for (const p of this.parentsOf(o)) visit(p);
      state.set(o.key, 'done');
      ordered.push(o);
    };
    [...this.objects].sort((a, b) => this.kindOf(a).phase - this.kindOf(b).phase).forEach(visit);
    return ordered;
  }

  /** The intents probed from `from` (a namespace name, or `host`) to `to`. */
  public intentsBetween(from: string, to: string): PlannedIntent[] {
    return this.intents.filter((i) => i.from === from && i.to === to);
  }

  public byObjectKey(key: string): PlannedObject | undefined {
    return this.byKey.get(key);
  }
}

/** Levenshtein distance (small strings: selectors). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}
