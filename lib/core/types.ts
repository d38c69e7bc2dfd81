import { ITerraformDependable } from 'cdktf';

/**
 * A network namespace: one created by a `Namespace`/`Router`, or the host's
 * own (root) namespace, which is never created or destroyed.
 */
export interface INamespace {
  /** Kernel name of the namespace (`ip netns` name); the empty string for the host namespace. */
  readonly namespaceName: string;
  /** True for the host (root) namespace. */
  readonly isHost: boolean;
}

/**
 * A network interface that cdktf-netns manages (a veth end, a bridge, a VLAN
 * interface). Other constructs take it as a parent, a bridge port or a peer;
 * user resources can `dependsOn` it: it is ready once the lab has applied.
 */
export interface IInterface extends ITerraformDependable {
  /** Kernel interface name (with the scope's prefix applied when it lives in the host namespace). */
  readonly interfaceName: string;
  /** The namespace the interface lives in. */
  readonly namespace: INamespace;
  /** Addresses (canonical `addr/prefix`). */
  readonly addresses: string[];
}

/** A printable name for a namespace in messages. */
export function describeNamespace(ns: INamespace): string {
  return ns.isHost ? 'the host namespace' : `namespace "${ns.namespaceName}"`;
}
