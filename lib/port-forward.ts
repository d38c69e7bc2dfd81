import { Construct } from 'constructs';
import { ITerraformDependable } from './core/cdk';
import { fail } from './core/errors';
import { parseIp } from './core/ip';
import { interfaceIn, nftRule, PortSpec, ruleId, validatePorts } from './core/traffic';
import { IInterface, INamespace } from './core/types';
import { isPort, knownKeys, validateIp, validateNamespaceHandle } from './core/validate';
import { Lab, nsToken } from './engine/lab';
import { NFT } from './kinds';

/** Options of a PortForward: what arrives where, and where it goes. */
export interface PortForwardProps {
  /** The namespace that forwards (a Router, or `Namespace.HOST` with a HostRouter). */
  readonly namespace: INamespace;
  /** The protocol forwarded. */
  readonly protocol: 'tcp' | 'udp';
  /** The port that arrives, or an inclusive range `[from, to]` (all of it goes to the one port of `to`). */
  readonly port: PortSpec;
  /** Where it goes: `IP:PORT`, `[IPv6]:PORT` for IPv6. */
  readonly to: string;
  /**
   * Forward only what arrives on this interface (a handle in `namespace`, or a name).
   * @default - any interface
   */
  readonly inInterface?: IInterface | string;
  /**
   * Forward only what is addressed to this address (the namespace's outside address, say).
   * @default - any destination address
   */
  readonly toAddress?: string;
}

/** `10.0.0.5:80` or `[fd00::5]:80`: the address and the port. */
function parseTarget(v: unknown): { ip: ReturnType<typeof parseIp>; port: number } | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(v);
  if (!m) return undefined;
  const ip = parseIp(m[1] ?? m[2]);
  const port = Number(m[3]);
  if (!ip || (m[1] !== undefined) !== (ip.family === 6) || !isPort(port)) return undefined;
  return { ip, port };
}

/**
 * Destination NAT: connections to a port of a namespace go on to another address and port (a
 * server behind the router). It opens its own path through the namespace's Firewall, whose
 * forward policy may be drop: only the forwarded connections pass. Refused in a namespace that
 * does not forward. Traffic the namespace sends itself is not forwarded (prerouting only).
 */
export class PortForward extends Construct implements ITerraformDependable {
  /** The namespace that forwards. */
  public readonly namespace: INamespace;
  /** The target address (canonical). */
  public readonly targetAddress: string;
  /** The target port. */
  public readonly targetPort: number;
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: PortForwardProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { namespace, protocol, port, to }');
    knownKeys(this, 'props', props, ['namespace', 'protocol', 'port', 'to', 'inInterface', 'toAddress']);
    validateNamespaceHandle(this, 'namespace', props.namespace, (handles) => `pass the namespace that forwards: ${handles}`);
    if (props.protocol !== 'tcp' && props.protocol !== 'udp')
      fail(this, "protocol must be 'tcp' or 'udp'", props.protocol, "use 'tcp' or 'udp' (ports belong to them)");
    const ports = validatePorts(this, 'port', props.port);
    const target = parseTarget(props.to);
    if (!target) fail(this, 'to is not IP:PORT', props.to, 'write e.g. "192.168.1.20:80", or "[fd00:1::20]:80" for IPv6');
    const dst = props.toAddress === undefined ? undefined : validateIp(this, 'toAddress', props.toAddress);
    if (dst && dst.family !== target.ip!.family)
      fail(
        this,
        `toAddress is IPv${dst.family} but to is IPv${target.ip!.family}`,
        props.toAddress,
        'forward within one family (NAT between IPv4 and IPv6 is not this)',
      );
    this.namespace = props.namespace;
    this.targetAddress = target.ip!.text;
    this.targetPort = target.port;
    const iif = interfaceIn(this, 'inInterface', this.namespace, props.inInterface);
    this.lab = Lab.of(this);
    this.lab.registerPortForward(this, this.namespace, props.protocol, ports, iif, dst?.text ?? '-');
    this.lab.requireForwarding(this, this.namespace, 'PortForward', [target.ip!.family], 'the connections it forwards would not be routed on');
    const ns = nsToken(this.namespace);
    const id0 = ruleId(this, 'dnat');
    this.lab.add(
      this,
      () => {
        const common = { ns, proto: props.protocol, action: 'dnatok', to: this.targetAddress, ports: String(this.targetPort) };
        // through the Firewall: forwarded connections on forward, or on input when the target is the namespace itself
        const fw = this.lab.firewallIn(this.namespace);
        const own = this.lab.connectedSubnets(this.namespace).some((s) => s.cidr.text === this.targetAddress);
        return [
          [
            NFT,
            nftRule({
              ns,
              chain: 'prerouting',
              id: id0,
              proto: props.protocol,
              to: dst?.text,
              iif,
              ports,
              action: 'dnat',
              toaddr: this.targetAddress,
              toport: String(this.targetPort),
            }),
          ],
          ...(fw?.forward && !own ? [[NFT, nftRule({ ...common, chain: 'forward', id: ruleId(this, 'open') })] as const] : []),
          ...(fw?.input && own ? [[NFT, nftRule({ ...common, chain: 'input', id: ruleId(this, 'open') })] as const] : []),
        ] as Array<[typeof NFT, ReturnType<typeof nftRule>]>;
      },
      this.namespace.host,
    );
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.lab.dependableOn(this.namespace.host).fqn;
  }
}
