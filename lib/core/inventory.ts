import { Annotations, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { message, NetnsError } from './errors';
import { ParsedCidr, ParsedIp, subnetContains } from './ip';
import { KernelResource, KernelResourceProps } from './resource';
import { SWEEP } from './scripts';
import { ownerOf, stateDirOf } from './settings';
import { describeNamespace, INamespace } from './types';

/** What the inventory needs to know of a managed interface. */
export interface InventoryInterface {
  readonly owner: IConstruct;
  readonly interfaceName: string;
  readonly namespace: INamespace;
  readonly parsedAddresses: ParsedCidr[];
  readonly marker: string;
  readonly addressResource?: KernelResource;
  /** VLAN id and parent, for the L2 segment computation. */
  readonly vlan?: { parent: InventoryInterface | string; vid: number };
}

interface RouteEntry {
  readonly owner: IConstruct;
  /** The destination as the user wrote it (for messages). */
  readonly rawDestination: string;
  readonly namespace: INamespace;
  readonly family: 4 | 6;
  readonly destination: string;
  readonly via: ParsedIp;
  readonly claim: string;
}

const INVENTORY_ID = 'cdktf-netns';

/**
 * One per stack: the declared kernel objects of the stack. It owns two
 * resources that bracket everything else:
 *  - `Teardown` (created first, destroyed last): on destroy it removes every
 *    object that still carries this stack's marker, so a destroy leaves
 *    nothing behind even after failed or tainted creates;
 *  - `Sweep` (replaced whenever the declared set changes, before any object is
 *    created): removes objects carrying this stack's marker that the code no
 *    longer declares, because Terraform does not run destroy provisioners of
 *    resources removed from the configuration.
 * It also runs the cross-construct validations (addresses per L2 segment,
 * gateways on connected subnets).
 */
export class Inventory extends Construct {
  public static of(scope: IConstruct): Inventory {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(INVENTORY_ID);
    if (existing) return existing as Inventory;
    return new Inventory(stack, INVENTORY_ID);
  }

  public readonly owner: string;
  public readonly stateDir: string;
  public readonly teardown: KernelResource;
  public readonly sweep: KernelResource;

  private readonly namespaces = new Map<string, { owner: IConstruct; marker: string }>();
  private readonly interfaces: InventoryInterface[] = [];
  private readonly routes: RouteEntry[] = [];
  private readonly sysctls: Array<{ key: string; id: string; owner: IConstruct }> = [];
  private readonly links: Array<[InventoryInterface, InventoryInterface]> = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.owner = ownerOf(this);
    this.stateDir = stateDirOf(this);
    const base = () => ({ owner: this.owner, state_dir: this.stateDir });
    this.teardown = new KernelResource(this, 'Teardown', {
      kind: 'teardown',
      create: ':',
      destroy: `INVENTORY=""\n${SWEEP}`,
      triggers: () => ({ ...base(), inventory: '' }),
    });
    this.sweep = new KernelResource(this, 'Sweep', {
      kind: 'sweep',
      create: SWEEP,
      triggers: () => {
        // the cross-construct rules run here too, so `skipValidation` cannot let a bad lab through
        const errors = this.validate();
        if (errors.length) throw new NetnsError(errors.join('\n'));
        return { ...base(), inventory: this.lines().join('\n') };
      },
      dependsOn: () => [this.teardown],
    });
    this.node.addValidation({ validate: () => this.validate() });
  }

  /** Create a kernel resource that runs after the sweep (every object but the two brackets). */
  public resource(scope: Construct, id: string, props: KernelResourceProps): KernelResource {
    return new KernelResource(scope, id, {
      ...props,
      dependsOn: () => [this.sweep, ...(props.dependsOn?.() ?? [])],
    });
  }

  public registerNamespace(owner: IConstruct, name: string, marker: string): void {
    const prev = this.namespaces.get(name);
    if (prev) {
      throw new NetnsError(message(owner, `namespace name is already used by ${prev.owner.node.path}`, name,
        'give each Namespace a distinct name (or set a different cdktf-netns:prefix on one of the scopes)'));
    }
    this.namespaces.set(name, { owner, marker });
  }

  public registerInterface(iface: InventoryInterface): void {
    const clash = this.interfaces.find((o) => o.namespace.namespaceName === iface.namespace.namespaceName &&
      o.interfaceName === iface.interfaceName);
    if (clash) {
      throw new NetnsError(message(iface.owner, `interface name is already used in ${describeNamespace(iface.namespace)} by ${clash.owner.node.path}`,
        iface.interfaceName, 'interface names must be unique within a namespace: choose another name'));
    }
    this.interfaces.push(iface);
  }

  /** Record a layer-2 connection (veth pair, bridge port). */
  public connect(a: InventoryInterface, b: InventoryInterface): void {
    this.links.push([a, b]);
  }

  public registerRoute(entry: RouteEntry): void {
    const dup = this.routes.find((r) => r.namespace.namespaceName === entry.namespace.namespaceName &&
      r.family === entry.family && r.destination === entry.destination);
    if (dup) {
      throw new NetnsError(message(entry.owner, `a route to this destination in ${describeNamespace(entry.namespace)} is already declared by ${dup.owner.node.path}`,
        entry.rawDestination, 'declare each destination once per namespace'));
    }
    this.routes.push(entry);
  }

  public registerSysctl(owner: IConstruct, key: string, id: string): void {
    this.sysctls.push({ key, id, owner });
  }

  /** Addresses of managed interfaces in a namespace, with the interface that carries them. */
  public connectedSubnets(ns: INamespace): Array<{ cidr: ParsedCidr; iface: InventoryInterface }> {
    return this.interfaces
      .filter((i) => i.namespace.namespaceName === ns.namespaceName)
      .flatMap((iface) => iface.parsedAddresses.map((cidr) => ({ cidr, iface })));
  }

  /** Inventory lines consumed by the sweep script (sorted, deterministic). */
  public lines(): string[] {
    const nsKey = (ns: INamespace) => (ns.isHost ? '-' : ns.namespaceName);
    const out: string[] = [];
    for (const [name, { marker }] of this.namespaces) out.push(`ns ${name} ${marker}`);
    for (const i of this.interfaces) {
      out.push(`link ${nsKey(i.namespace)} ${i.interfaceName} ${i.marker}`);
      for (const a of i.parsedAddresses) out.push(`addr ${nsKey(i.namespace)} ${i.interfaceName} ${a.cidr}`);
    }
    for (const r of this.routes) {
      out.push(`route ${nsKey(r.namespace)} ${r.family} ${r.destination}`);
      if (r.namespace.isHost) out.push(`hostroute ${r.claim}`);
    }
    for (const s of this.sysctls) out.push(`sysctl ${s.key} ${s.id}`);
    return out.sort();
  }

  private warned = false;

  private validate(): string[] {
    const errors: string[] = [];
    const warn = !this.warned;
    this.warned = true;
    // Layer-2 segments: union-find over interfaces joined by veth pairs and bridge ports.
    const parent = new Map<InventoryInterface, InventoryInterface>();
    const find = (x: InventoryInterface): InventoryInterface => {
      let p = parent.get(x) ?? x;
      while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
      parent.set(x, p);
      return p;
    };
    const union = (a: InventoryInterface, b: InventoryInterface) => { parent.set(find(a), find(b)); };
    for (const [a, b] of this.links) union(a, b);
    const segmentIds = new Map<InventoryInterface, number>();
    let next = 0;
    const segmentOf = (i: InventoryInterface): string => {
      if (i.vlan) {
        const p = i.vlan.parent;
        const base = typeof p === 'string' ? `host:${i.namespace.namespaceName}:${p}` : segmentOf(p);
        return `${base}/vlan${i.vlan.vid}`;
      }
      const root = find(i);
      if (!segmentIds.has(root)) segmentIds.set(root, next++);
      return `seg${segmentIds.get(root)}`;
    };
    const seen = new Map<string, InventoryInterface>();
    for (const i of this.interfaces) {
      const seg = segmentOf(i);
      for (const a of i.parsedAddresses) {
        for (const key of [`L2 ${seg} ${a.text}`, `NS ${i.namespace.namespaceName} ${a.text}`]) {
          const other = seen.get(key);
          if (other && other !== i) {
            const where = key.startsWith('L2') ? 'on the same layer-2 segment' : `in ${describeNamespace(i.namespace)}`;
            errors.push(message(i.owner, `address ${a.text} of interface "${i.interfaceName}" is also used ${where} by interface "${other.interfaceName}" (${other.owner.node.path})`,
              a.cidr, 'give every interface on a segment its own address'));
          } else {
            seen.set(key, i);
          }
        }
      }
    }
    // Routes: the gateway must be on a connected subnet of the route's namespace.
    for (const r of this.routes) {
      const onLink = this.connectedSubnets(r.namespace).some(({ cidr }) => subnetContains(cidr, r.via));
      if (!onLink) {
        const problem = `gateway ${r.via.text} is on no connected subnet of ${describeNamespace(r.namespace)}`;
        if (r.namespace.isHost) {
          // The host may have interfaces this app does not declare (eth0...): warn only.
          if (warn) Annotations.of(r.owner).addWarning(message(r.owner, problem, r.via.text, 'check the gateway; ignore this warning if it is on a host interface not managed here'));
        } else {
          const subnets = this.connectedSubnets(r.namespace).map((s) => s.cidr.network);
          errors.push(message(r.owner, problem, r.via.text,
            subnets.length ? `use an address inside one of ${subnets.join(', ')}` : 'give the namespace an interface with an address on the gateway\'s subnet'));
        }
      }
    }
    return errors;
  }
}
