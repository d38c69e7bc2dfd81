import { Construct } from 'constructs';
import { Lab } from './engine/lab';
import { EXT_NAMESPACE } from './kinds';
import { IHost, INamespace, NAMESPACE_BRAND, registerNamespaceHandle } from './core/types';
import { validateNamespaceName } from './core/validate';

/**
 * A namespace that exists already (made by someone else: a container runtime,
 * another tool, the administrator), imported with `Namespace.fromName`. The
 * lab's interfaces, addresses and routes can live in it; the lab never
 * creates, marks or deletes it, and checks it exists before it puts anything
 * in it. No name prefix is added: the name is the namespace's own.
 */
export class ImportedNamespace extends Construct implements INamespace {
  /** Brand of namespace handles. */
  public readonly [NAMESPACE_BRAND] = true as const;
  /** Kernel name of the namespace (`ip netns` name), as given. */
  public readonly namespaceName: string;
  /** Always false. */
  public readonly isHost = false;
  /** The machine where it exists (undefined: the local machine). */
  public readonly host?: IHost;

  constructor(scope: Construct, id: string, name: string, host?: IHost) {
    super(scope, id);
    registerNamespaceHandle(this);
    this.namespaceName = validateNamespaceName(this, name);
    this.host = host;
    const lab = Lab.of(this);
    lab.registerNamespace(this, this);
    lab.add(this, () => [[EXT_NAMESPACE, { name: this.namespaceName }]], host);
  }
}
