import { ITerraformDependable } from './core/cdk';
import { Construct } from 'constructs';
import { fail } from './core/errors';
import { Lab } from './engine/lab';
import { NAMESPACE, NS_SYSCTL } from './kinds';
import { markerOf, prefixOf } from './core/settings';
import { IHost, INamespace, isNamespaceHandle, NAMESPACE_BRAND, registerNamespaceHandle } from './core/types';
import { ImportedNamespace } from './imported-namespace';
import { validateHost, validateNamespaceName, validateSysctl } from './core/validate';

/** Options of a Namespace. */
export interface NamespaceProps {
  /**
   * Kernel name of the namespace (`ip netns` name). The scope's
   * `cdktf-netns:prefix` context value is prepended.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Sysctls of the namespace's own network stack (keys under `net.`), applied
   * after creation, e.g. `{ "net.ipv6.conf.all.disable_ipv6": "1" }`.
   * @default - none
   */
  readonly sysctls?: Record<string, string | number>;
  /**
   * The machine the namespace lives on (a `Host`, reached over SSH); what is attached to it follows.
   * @default - the local machine (the one running Terraform)
   */
  readonly host?: IHost;
}

/** Options of `Namespace.fromName`. */
export interface ImportedNamespaceOptions {
  /**
   * The machine where the namespace exists.
   * @default - the local machine
   */
  readonly host?: IHost;
}

const HOST: INamespace = Object.freeze({ namespaceName: '', isHost: true, [NAMESPACE_BRAND]: true as const });
registerNamespaceHandle(HOST);

/**
 * A network namespace: `ip netns add`, loopback up, its sysctls, and an
 * ownership marker (the alias of its `lo`). Destroying it deletes everything
 * that still lives in it.
 *
 * `Namespace.HOST` refers to the host's own (root) namespace, the default
 * location of interfaces and bridges; it is never created or destroyed.
 */
export class Namespace extends Construct implements INamespace, ITerraformDependable {
  /** The host's own (root) namespace. */
  public static readonly HOST: INamespace = HOST;

  /**
   * A namespace that exists already (`ip netns` name `name`, made by someone
   * else): interfaces, addresses and routes of this lab can live in it; the lab
   * never creates, marks or deletes it, and the deploy fails, saying so, when
   * it does not exist. No name prefix is added.
   */
  public static fromName(scope: Construct, id: string, name: string, options: ImportedNamespaceOptions = {}): INamespace {
    return new ImportedNamespace(scope, id, name, validateHost(scope, 'fromName: host', options?.host));
  }

  /** Whether `x` is a namespace handle of this library (Namespace, Router, Namespace.HOST, HostRouter, an import). */
  public static isNamespace(x: unknown): x is INamespace {
    return isNamespaceHandle(x);
  }

  /** Brand of namespace handles. */
  public readonly [NAMESPACE_BRAND] = true as const;
  /** Kernel name of the namespace (`ip netns` name), prefix included. */
  public readonly namespaceName: string;
  /** Always false: a namespace this lab creates. */
  public readonly isHost = false;
  /** The ownership marker written into the kernel (alias of the namespace's `lo`). */
  public readonly marker: string;
  /** The machine it lives on (undefined: the local machine). */
  public readonly host?: IHost;
  private readonly sysctls = new Map<string, string>();
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: NamespaceProps = {}) {
    super(scope, id);
    registerNamespaceHandle(this);
    if (props === null || typeof props !== 'object') fail(this, 'props must be an object', props, 'pass { name?, sysctls?, host? }');
    this.host = validateHost(this, 'host', props.host);
    validateNamespaceName(this, props.name ?? id);
    this.namespaceName = validateNamespaceName(this, prefixOf(this) + (props.name ?? id));
    this.marker = markerOf(this);
    for (const [k, v] of Object.entries(props.sysctls ?? {})) this.addSysctl(k, v);
    this.lab = Lab.of(this);
    this.lab.registerNamespace(this, this);
    this.lab.add(
      this,
      () => [
        [NAMESPACE, { name: this.namespaceName, marker: this.marker }],
        ...[...this.sysctls]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, value]) => [NS_SYSCTL, { ns: this.namespaceName, key, value }] as [typeof NS_SYSCTL, Record<string, string>]),
      ],
      this.host,
    );
  }

  /** Set a sysctl of this namespace's network stack (key under `net.`). */
  public addSysctl(key: string, value: string | number): void {
    const [k, v] = validateSysctl(this, key, value);
    this.sysctls.set(k, v);
  }

  /** Ready once the lab has applied (the namespace exists with loopback up and its sysctls set). */
  public get fqn(): string {
    return this.lab.dependableOn(this.host).fqn;
  }
}
