import { ITerraformDependable } from './cdk';

/*
 * Handles. Other constructs take these interfaces, never implementation
 * classes, so a namespace made by a Namespace, a Router, Namespace.HOST, a
 * HostRouter or Namespace.fromName can stand wherever a namespace is wanted,
 * and a veth end, a Bridge, a VlanInterface or Interface.fromName wherever an
 * interface is. Each carries a brand (a symbol this package does not export),
 * so only this library makes them: an object written by hand does not
 * type-check as a handle, and is refused at synth by the `isXxx()` checks
 * (which also ask the registry of handles the library made, so a copied or
 * forged brand is refused too).
 */

/** Brand of namespace handles. */
export const NAMESPACE_BRAND: unique symbol = Symbol.for('cdktf-netns.INamespace');
/** Brand of interface handles. */
export const INTERFACE_BRAND: unique symbol = Symbol.for('cdktf-netns.IInterface');
/** Brand of bridge handles. */
export const BRIDGE_BRAND: unique symbol = Symbol.for('cdktf-netns.IBridge');

/**
 * A network namespace: one a `Namespace` or `Router` creates, one that exists
 * already (`Namespace.fromName`), or the host's own (root) namespace
 * (`Namespace.HOST`, `HostRouter`), which is never created or destroyed.
 */
export interface INamespace {
  /** Kernel name of the namespace (`ip netns` name); the empty string for the host namespace. */
  readonly namespaceName: string;
  /** True for the host (root) namespace. */
  readonly isHost: boolean;
  /**
   * The machine the namespace lives on (a `Host`, reached over SSH).
   * @default - the local machine (the one running Terraform)
   */
  readonly host?: IHost;
  /** Brand: namespace handles are made by this library only. */
  readonly [NAMESPACE_BRAND]: true;
}

/** Brand of host handles. */
export const HOST_BRAND: unique symbol = Symbol.for('cdktf-netns.IHost');

/**
 * A Linux machine a lab puts kernel objects on, reached by Terraform's own SSH
 * communicator (`new Host(...)`). Constructs without a host live on the local
 * machine, the one running Terraform.
 */
export interface IHost {
  /** The host's name in the lab: unique in the stack, part of its resources' names and of its files' paths. */
  readonly hostName: string;
  /** The host's IP address (where Terraform connects, and the default underlay address of its VXLAN ends). */
  readonly address: string;
  /** The host's own (root) network namespace: what `Namespace.HOST` is on the local machine. */
  readonly rootNamespace: INamespace;
  /** Brand: host handles are made by this library only. */
  readonly [HOST_BRAND]: true;
}

/**
 * A network interface: one this library manages (a veth end, a bridge, a VLAN
 * interface) or one that exists already (`Interface.fromName`, e.g. `eth0`).
 * Other constructs take it as a VLAN parent, a bridge port or a peer; user
 * resources can `dependsOn` it: it is ready once the lab has applied.
 */
export interface IInterface extends ITerraformDependable {
  /** Kernel interface name (with the scope's prefix applied when the library made it in the host namespace). */
  readonly interfaceName: string;
  /** The namespace the interface lives in. */
  readonly namespace: INamespace;
  /** Addresses this library gives it (canonical `addr/prefix`); none for an imported interface. */
  readonly addresses: readonly string[];
  /** Brand: interface handles are made by this library only. */
  readonly [INTERFACE_BRAND]: true;
}

/** VLAN membership of a port on a VLAN-filtering bridge. */
export interface BridgePortVlans {
  /**
   * The port's PVID: untagged frames arriving on the port belong to this VLAN
   * (an access port).
   * @default - the bridge's default PVID (1)
   */
  readonly pvid?: number;
  /**
   * Whether frames of the PVID leave the port untagged.
   * @default true
   */
  readonly untagged?: boolean;
  /**
   * VLANs carried tagged on the port (a trunk). Must not repeat the PVID.
   * @default - none
   */
  readonly tagged?: readonly number[];
}

/** A Linux bridge this library manages: an interface that takes ports. */
export interface IBridge extends IInterface {
  /** Whether the bridge filters VLANs (its ports may then carry `BridgePortVlans`). */
  readonly vlanFiltering: boolean;
  /**
   * Make an interface a port of this bridge (it must live in the bridge's
   * namespace); on a VLAN-filtering bridge, optionally with its VLANs.
   */
  addPort(port: IInterface, vlans?: BridgePortVlans): void;
  /** Brand: bridge handles are made by this library only. */
  readonly [BRIDGE_BRAND]: true;
}

/*
 * The handles the library made, by kind. The brand alone can be copied (`{ ...handle }`) or forged
 * with Symbol.for; membership here cannot be, short of writing into it on purpose. Kept on
 * globalThis under a Symbol.for key, so two copies of the package in one process share it.
 */
interface HandleRegistry {
  readonly namespaces: WeakSet<object>;
  readonly interfaces: WeakSet<object>;
  readonly bridges: WeakSet<object>;
  readonly hosts?: WeakSet<object>;
}
const REGISTRY_KEY = Symbol.for('cdktf-netns.handles');
const registry: HandleRegistry =
  ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] as HandleRegistry | undefined) ??
  (((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] = {
    namespaces: new WeakSet(),
    interfaces: new WeakSet(),
    bridges: new WeakSet(),
  }) as HandleRegistry);

/** Record a namespace handle the library made. */
export function registerNamespaceHandle(x: object): void {
  registry.namespaces.add(x);
}
/** Record an interface handle the library made. */
export function registerInterfaceHandle(x: object): void {
  registry.interfaces.add(x);
}
/** Record a host handle the library made. */
export function registerHostHandle(x: object): void {
  ((registry as { hosts?: WeakSet<object> }).hosts ??= new WeakSet()).add(x);
}
/** Record a bridge handle the library made. */
export function registerBridgeHandle(x: object): void {
  registry.bridges.add(x);
  registry.interfaces.add(x);
}

const branded = (x: unknown, brand: symbol): boolean =>
  x !== null && (typeof x === 'object' || typeof x === 'function') && (x as Record<symbol, unknown>)[brand] === true;

/** Whether a value is a namespace handle of this library. */
export const isNamespaceHandle = (x: unknown): x is INamespace => branded(x, NAMESPACE_BRAND) && registry.namespaces.has(x as object);
/** Whether a value is an interface handle of this library. */
export const isInterfaceHandle = (x: unknown): x is IInterface => branded(x, INTERFACE_BRAND) && registry.interfaces.has(x as object);
/** Whether a value is a host handle of this library. */
export const isHostHandle = (x: unknown): x is IHost => branded(x, HOST_BRAND) && (registry.hosts?.has(x as object) ?? false);
/** Whether a value is a bridge handle of this library. */
export const isBridgeHandle = (x: unknown): x is IBridge => branded(x, BRIDGE_BRAND) && registry.bridges.has(x as object);

/** A printable name for a namespace in messages. */
export function describeNamespace(ns: INamespace): string {
  const where = ns.host ? ` on host "${ns.host.hostName}"` : '';
  return ns.isHost ? (ns.host ? `the root namespace of host "${ns.host.hostName}"` : 'the host namespace') : `namespace "${ns.namespaceName}"${where}`;
}

/** The name of the machine a namespace lives on: '' for the local machine. */
export const hostKeyOf = (ns: INamespace): string => ns.host?.hostName ?? '';

/** Whether two namespace handles are the same namespace (same machine, same name). */
export const sameNamespace = (a: INamespace, b: INamespace): boolean => a.namespaceName === b.namespaceName && hostKeyOf(a) === hostKeyOf(b);
