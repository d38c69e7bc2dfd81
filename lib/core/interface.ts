import { Construct, IConstruct } from 'constructs';
import { Token } from './cdk';
import { fail, isToken } from './errors';
import { ParsedCidr } from './ip';
import { Lab, LabInterface, nsToken } from '../engine/lab';
import { ADDRESS, PORT } from '../kinds';
import { markerOf, prefixOf } from './settings';
import { BridgePortVlans, describeNamespace, IInterface, INamespace, INTERFACE_BRAND, registerInterfaceHandle, sameNamespace } from './types';

export { BridgePortVlans };
import { knownKeys, validateInterfaceAddress, validateInterfaceName, validateMtu, validateNamespaceHandle, validateVlanId } from './validate';

function validatePortVlans(scope: Construct, what: string, v: unknown): BridgePortVlans {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(scope, `${what}: VLAN options must be an object`, v, 'pass { pvid?, untagged?, tagged? }');
  const o = v as BridgePortVlans;
  knownKeys(scope, `${what}: VLAN options`, o, ['pvid', 'untagged', 'tagged']);
  if (o.pvid !== undefined) validateVlanId(scope, `${what}: pvid`, o.pvid);
  if (o.untagged !== undefined && typeof o.untagged !== 'boolean') fail(scope, `${what}: untagged must be true or false`, o.untagged, 'pass a boolean');
  if (o.untagged !== undefined && o.pvid === undefined)
    fail(scope, `${what}: untagged applies to the PVID, but no pvid is given`, v, 'set pvid, or drop untagged');
  if (o.tagged !== undefined) {
    if (!Array.isArray(o.tagged) || o.tagged.length === 0)
      fail(scope, `${what}: tagged must be a non-empty list of VLAN ids`, o.tagged, 'pass e.g. tagged: [10, 20]');
    o.tagged.forEach((id, i) => validateVlanId(scope, `${what}: tagged[${i}]`, id));
    const dup = o.tagged.find((id, i) => o.tagged!.indexOf(id) !== i);
    if (dup !== undefined) fail(scope, `${what}: VLAN ${dup} is listed twice in tagged`, o.tagged, 'list each VLAN once');
    if (o.pvid !== undefined && o.tagged.includes(o.pvid)) {
      fail(scope, `${what}: VLAN ${o.pvid} is both the PVID and tagged`, v, 'drop it from tagged (use untagged: false to send the PVID tagged)');
    }
  }
  if (o.pvid === undefined && o.tagged === undefined)
    fail(scope, `${what}: VLAN options name no VLAN`, v, 'give a pvid (access port) and/or tagged VLANs (trunk)');
  return { pvid: o.pvid, untagged: o.pvid === undefined ? undefined : (o.untagged ?? true), tagged: o.tagged ? [...o.tagged] : undefined };
}

/** Encode port VLANs for the engine: `p10u` (PVID 10 untagged), `p10` (PVID 10 tagged), `t20` (tagged 20). */
function portVlanTokens(v?: BridgePortVlans): string {
  if (!v) return '-';
  const out: string[] = [];
  if (v.pvid !== undefined) out.push(`p${v.pvid}${v.untagged === false ? '' : 'u'}`);
  for (const t of v.tagged ?? []) out.push(`t${t}`);
  return out.join(',');
}

export interface ManagedInterfaceOptions {
  /** The construct that owns the link (VethPair, Bridge, VlanInterface). */
  readonly owner: Construct;
  /** Label used in messages, e.g. "a" or "b" for veth ends. */
  readonly label: string;
  readonly name: unknown;
  readonly namespace: INamespace;
  readonly addresses?: unknown;
  readonly mtu?: unknown;
  readonly vlan?: { parent: ManagedInterface | string; vid: number };
  /** Whether to add the scope prefix in the host namespace. @default true */
  readonly applyPrefix?: boolean;
  /**
   * An interface that exists already (`Interface.fromName`): never created,
   * marked or deleted; it may be a VLAN parent or a bridge port.
   * @default false
   */
  readonly imported?: boolean;
}

/** The kernel name an interface the library makes gets: in the host namespace, the scope's prefix comes first. */
export function kernelInterfaceName(owner: IConstruct, namespace: INamespace, name: string, applyPrefix = true): string {
  return namespace.isHost && applyPrefix ? prefixOf(owner) + name : name;
}

/** The implementation behind each interface handle (veth ends are their own; Bridge and VlanInterface wrap one). */
const IMPLEMENTATIONS = new WeakMap<object, ManagedInterface>();

/** The library's implementation of an interface handle, or undefined for anything else. */
export function implementationOf(handle: unknown): ManagedInterface | undefined {
  return handle !== null && typeof handle === 'object' ? IMPLEMENTATIONS.get(handle) : undefined;
}

/** Register the handle (a construct) that stands for an implementation. */
export function registerHandle(handle: object, impl: ManagedInterface): void {
  IMPLEMENTATIONS.set(handle, impl);
  registerInterfaceHandle(handle);
}

/**
 * Shared implementation of a managed interface: name and address validation,
 * the host-namespace name prefix, registration in the stack's lab (its
 * addresses and its bridge membership are objects of their own), and the
 * dependable handle.
 */
export class ManagedInterface implements IInterface, LabInterface {
  public readonly [INTERFACE_BRAND] = true as const;
  public readonly owner: Construct;
  /** Exists already (not created, marked or deleted by the lab). */
  public readonly imported: boolean;
  public readonly label: string;
  public readonly interfaceName: string;
  public readonly namespace: INamespace;
  public readonly parsedAddresses: ParsedCidr[];
  public readonly mtu?: number;
  public readonly marker: string;
  public readonly vlan?: { parent: ManagedInterface | string; vid: number };
  /** Bridge this interface is a port of. */
  public master?: ManagedInterface;
  /** VLAN membership of this port on a VLAN-filtering bridge. */
  public portVlans?: BridgePortVlans;
  /** Whether this interface is a bridge that filters VLANs. */
  public vlanFiltering = false;
  private readonly lab: Lab;

  constructor(opts: ManagedInterfaceOptions) {
    const what = opts.label ? `${opts.label}.name` : 'name';
    this.owner = opts.owner;
    this.label = opts.label;
    this.namespace = opts.namespace;
    validateNamespaceHandle(
      opts.owner,
      `${opts.label || 'interface'}: namespace`,
      opts.namespace,
      (handles) => `pass ${handles}, or omit it for the host namespace`,
    );
    this.imported = opts.imported === true;
    registerHandle(this, this);
    validateInterfaceName(opts.owner, what, opts.name);
    const name = kernelInterfaceName(opts.owner, opts.namespace, opts.name as string, opts.applyPrefix !== false);
    this.interfaceName = validateInterfaceName(opts.owner, what, name);
    const addrs = opts.addresses ?? [];
    // a Token standing for the whole list (its elements are list markers, not Tokens themselves)
    if (Array.isArray(addrs) && Token.isUnresolved(addrs) && !addrs.some((a) => isToken(a))) {
      fail(opts.owner, `${opts.label ? `${opts.label}.` : ''}addresses: a list`, addrs, 'pass a literal list');
    }
    if (!Array.isArray(addrs)) {
      fail(opts.owner, `${opts.label ? `${opts.label}.` : ''}addresses must be a list`, addrs, 'pass e.g. ["172.16.10.10/24"]');
    }
    this.parsedAddresses = addrs.map((a, i) => validateInterfaceAddress(opts.owner, `${opts.label ? `${opts.label}.` : ''}addresses[${i}]`, a));
    const dup = this.parsedAddresses.find((a, i) => this.parsedAddresses.findIndex((b) => b.text === a.text) !== i);
    if (dup) fail(opts.owner, `address ${dup.text} is listed twice`, dup.cidr, 'list each address once');
    if (opts.mtu !== undefined) this.mtu = validateMtu(opts.owner, `${opts.label ? `${opts.label}.` : ''}mtu`, opts.mtu);
    this.marker = markerOf(opts.owner);
    this.vlan = opts.vlan;
    this.lab = Lab.of(opts.owner);
    this.lab.registerInterface(this);
    const ns = nsToken(this.namespace);
    this.lab.add(opts.owner, () => this.parsedAddresses.map((a) => [ADDRESS, { ns, if: this.interfaceName, cidr: a.cidr }]), this.namespace.host);
  }

  /** Canonical addresses. */
  public get addresses(): string[] {
    return this.parsedAddresses.map((a) => a.cidr);
  }

  /** The engine's namespace token of this interface (`-` for the host). */
  public get ns(): string {
    return nsToken(this.namespace);
  }

  /** The MTU as an engine token (`-` when not declared). */
  public get mtuToken(): string {
    return this.mtu ? String(this.mtu) : '-';
  }

  /** Ready once the lab of its machine has applied. */
  public get fqn(): string {
    return this.lab.dependableOn(this.namespace.host).fqn;
  }

  /** Make this interface a port of `bridge` (same namespace required), optionally with VLAN membership. */
  public setMaster(bridge: ManagedInterface, by: Construct, vlans?: BridgePortVlans): void {
    if (vlans !== undefined) {
      if (!bridge.vlanFiltering) {
        fail(
          by,
          `port "${this.interfaceName}" has VLAN options but bridge "${bridge.interfaceName}" does not filter VLANs`,
          vlans,
          'create the Bridge with vlanFiltering: true, or drop the VLAN options',
        );
      }
      this.portVlans = validatePortVlans(by, `port "${this.interfaceName}"`, vlans);
    }
    if (!sameNamespace(bridge.namespace, this.namespace)) {
      fail(
        by,
        `bridge port "${this.interfaceName}" is in ${describeNamespace(this.namespace)} but bridge "${bridge.interfaceName}" is in ${describeNamespace(bridge.namespace)}`,
        this.interfaceName,
        'put the port end of the veth pair in the same namespace as the bridge',
      );
    }
    if (this.master && this.master !== bridge) {
      fail(
        by,
        `interface "${this.interfaceName}" is already a port of bridge "${this.master.interfaceName}"`,
        bridge.interfaceName,
        'an interface can be a port of one bridge only',
      );
    }
    if (this.parsedAddresses.length) {
      fail(
        by,
        `interface "${this.interfaceName}" has addresses and cannot be a bridge port`,
        this.addresses,
        'put the addresses on the bridge instead, or on the other end of the veth pair',
      );
    }
    if (this.master === bridge) return;
    this.master = bridge;
    this.lab.connect(this, bridge);
    this.lab.add(
      by,
      () => [[PORT, { ns: this.ns, if: this.interfaceName, master: bridge.interfaceName, vlans: portVlanTokens(this.portVlans) }]],
      this.namespace.host,
    );
  }
}
