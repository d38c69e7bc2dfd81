import { Construct } from 'constructs';
import { Annotations, ITerraformDependable } from './core/cdk';
import { fail } from './core/errors';
import { interfaceIn, nftRule, PortSpec, ruleId, TrafficProtocol, validateMatchCidr, validatePorts, validateProtocol } from './core/traffic';
import { IInterface, INamespace } from './core/types';
import { knownKeys, validateNamespaceHandle } from './core/validate';
import { Lab, nsToken } from './engine/lab';
import { Values } from './engine/kind';
import { NFT } from './kinds';

/** What one allow rule matches (every field it sets must match; none set: everything). */
export interface FirewallRule {
  /**
   * Source network (CIDR, no host bits) or address.
   * @default - any source
   */
  readonly from?: string;
  /**
   * Destination network (CIDR, no host bits) or address; of the same family as `from`.
   * @default - any destination
   */
  readonly to?: string;
  /**
   * The interface the traffic arrives on: one of the namespace's (a handle) or a name.
   * @default - any interface
   */
  readonly inInterface?: IInterface | string;
  /**
   * The interface the traffic leaves by (forward rules only).
   * @default - any interface
   */
  readonly outInterface?: IInterface | string;
  /**
   * The protocol: `icmp` (ICMP and ICMPv6, or the family of `from`/`to`), `tcp` or `udp`.
   * @default - any protocol
   */
  readonly protocol?: TrafficProtocol;
  /**
   * Destination port or inclusive range `[from, to]`; needs protocol tcp or udp.
   * @default - any port
   */
  readonly port?: PortSpec;
}

/** One filter chain: its policy, and what it accepts besides. */
export interface FirewallChain {
  /** What happens to traffic no rule accepts. */
  readonly policy: 'accept' | 'drop';
  /**
   * The rules whose traffic is accepted.
   * @default - none: only the base rules (established and related traffic, and on input loopback and IPv6 neighbour discovery)
   */
  readonly allow?: readonly FirewallRule[];
}

/** Options of a Firewall: the namespace, and the chains it filters. */
export interface FirewallProps {
  /** The namespace whose traffic is filtered (`Namespace.HOST`, a Namespace, a Router, an imported namespace). */
  readonly namespace: INamespace;
  /**
   * Traffic to the namespace itself.
   * @default - not filtered
   */
  readonly input?: FirewallChain;
  /**
   * Traffic the namespace routes (a Router, or a namespace with forwarding on).
   * @default - not filtered
   */
  readonly forward?: FirewallChain;
}

type ChainName = 'input' | 'forward';

/**
 * A stateful nftables firewall for one namespace, IPv4 and IPv6 alike (an `inet` table the lab
 * owns). Established and related traffic is always accepted, and on input loopback and IPv6
 * neighbour discovery too, so a drop policy does not break a dual-stack lab. One Firewall per
 * namespace; PortForwards in the namespace open their own path through it. Another table's drop
 * (Docker's, say, in the host namespace) still drops: nftables runs every table's chains.
 */
export class Firewall extends Construct implements ITerraformDependable {
  /** The namespace whose traffic is filtered. */
  public readonly namespace: INamespace;
  /** The input chain's policy (undefined: input is not filtered). */
  public readonly inputPolicy?: 'accept' | 'drop';
  /** The forward chain's policy (undefined: forwarding is not filtered). */
  public readonly forwardPolicy?: 'accept' | 'drop';
  private readonly rules: Record<ChainName, Values[]> = { input: [], forward: [] };
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: FirewallProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { namespace, input?, forward? }');
    knownKeys(this, 'props', props, ['namespace', 'input', 'forward']);
    validateNamespaceHandle(this, 'namespace', props.namespace, (handles) => `pass the namespace to filter: ${handles}`);
    if (props.input === undefined && props.forward === undefined)
      fail(this, 'no chain to filter', props, 'give input and/or forward, e.g. { input: { policy: "drop", allow: [...] } }');
    this.namespace = props.namespace;
    this.lab = Lab.of(this);
    const policies: Partial<Record<ChainName, 'accept' | 'drop'>> = {};
    for (const chain of ['input', 'forward'] as const) {
      const c = props[chain];
      if (c === undefined) continue;
      if (!c || typeof c !== 'object') fail(this, `${chain} must be an object`, c, `pass { policy: 'drop', allow: [...] }`);
      knownKeys(this, chain, c, ['policy', 'allow']);
      if (c.policy !== 'accept' && c.policy !== 'drop')
        fail(this, `${chain}.policy must be 'accept' or 'drop'`, c.policy, "use 'drop' (only what is allowed passes) or 'accept'");
      policies[chain] = c.policy;
      if (c.allow !== undefined && !Array.isArray(c.allow))
        fail(this, `${chain}.allow must be a list of rules`, c.allow, 'pass e.g. allow: [{ protocol: "tcp", port: 22 }]');
      for (const r of c.allow ?? []) this.allow(chain, r);
    }
    this.inputPolicy = policies.input;
    this.forwardPolicy = policies.forward;
    this.lab.registerFirewall(this, this.namespace, policies, () => this.rules.forward.length > 0);
    if (this.namespace.isHost && policies.input === 'drop') {
      Annotations.of(this).addWarning(
        `cdktf-netns: ${this.node.path}: input policy drop in the host namespace drops every connection to this machine that no rule allows (SSH too). Allow what you need, e.g. { protocol: 'tcp', port: 22 }`,
      );
    }
    this.lab.add(
      this,
      () =>
        (['input', 'forward'] as const)
          .filter((chain) => policies[chain] !== undefined)
          .flatMap((chain) => [
            [NFT, nftRule({ ns: nsToken(this.namespace), chain, id: 'policy', action: policies[chain]! })] as [typeof NFT, Values],
            ...this.rules[chain].map((v) => [NFT, v] as [typeof NFT, Values]),
          ]),
      this.namespace.host,
    );
  }

  /** Accept more traffic on input (the input chain must be declared). */
  public allowInput(r: FirewallRule): void {
    if (this.inputPolicy === undefined) fail(this, 'allowInput: this Firewall does not filter input', r, 'declare input: { policy } in its props');
    this.allow('input', r);
  }

  /** Accept more forwarded traffic (the forward chain must be declared). */
  public allowForward(r: FirewallRule): void {
    if (this.forwardPolicy === undefined) fail(this, 'allowForward: this Firewall does not filter forwarding', r, 'declare forward: { policy } in its props');
    this.allow('forward', r);
  }

  private allow(chain: ChainName, r: FirewallRule): void {
    const n = this.rules[chain].length;
    const what = `${chain}.allow[${n}]`;
    if (!r || typeof r !== 'object') fail(this, `${what} must be an object`, r, 'pass e.g. { protocol: "tcp", port: 22 }');
    knownKeys(this, what, r, ['from', 'to', 'inInterface', 'outInterface', 'protocol', 'port']);
    const from = r.from === undefined ? undefined : validateMatchCidr(this, `${what}.from`, r.from);
    const to = r.to === undefined ? undefined : validateMatchCidr(this, `${what}.to`, r.to);
    if (from && to && from.family !== to.family)
      fail(this, `${what}: from is IPv${from.family} but to is IPv${to.family}`, r, 'a rule matches one family: split it in two');
    const proto = r.protocol === undefined ? undefined : validateProtocol(this, `${what}.protocol`, r.protocol);
    if (r.port !== undefined && proto !== 'tcp' && proto !== 'udp')
      fail(this, `${what}: a port needs protocol 'tcp' or 'udp'`, r.port, "add protocol: 'tcp' (or 'udp'), or drop the port");
    if (chain === 'input' && r.outInterface !== undefined)
      fail(
        this,
        `${what}: outInterface in an input rule (traffic to the namespace itself leaves by no interface)`,
        r.outInterface,
        'drop outInterface, or make it a forward rule',
      );
    this.rules[chain].push(
      nftRule({
        ns: nsToken(this.namespace),
        chain,
        id: ruleId(this, `${chain}.${n}`),
        proto: proto ?? '-',
        from: from?.text ?? '-',
        to: to?.text ?? '-',
        iif: interfaceIn(this, `${what}.inInterface`, this.namespace, r.inInterface),
        oif: interfaceIn(this, `${what}.outInterface`, this.namespace, r.outInterface),
        ports: r.port === undefined ? '-' : validatePorts(this, `${what}.port`, r.port),
        action: 'accept',
      }),
    );
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.lab.dependableOn(this.namespace.host).fqn;
  }
}
