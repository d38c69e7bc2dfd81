import { IConstruct } from 'constructs';
import { fail } from './errors';
import { implementationOf } from './interface';
import { parseCidr, parseIp } from './ip';
import { markerOf, ownerOf, shortHash } from './settings';
import { NFT } from '../kinds/nft';
import { Values } from '../engine/kind';
import { describeNamespace, IInterface, INamespace, sameNamespace } from './types';
import { isPort, validateInterfaceName } from './validate';

/**
 * Shared validation of the traffic-policy constructs (Firewall, Masquerade, PortForward): the
 * values of their nftables rules. Every value is checked here, before it is written into a data
 * line (and from there into an `nft -f` file): ports, CIDRs, interface names, protocols.
 */

/** A protocol a rule can match. */
export type TrafficProtocol = 'icmp' | 'tcp' | 'udp';
export const TRAFFIC_PROTOCOLS: readonly TrafficProtocol[] = ['icmp', 'tcp', 'udp'];

/** A port, or an inclusive range `[from, to]`. */
export type PortSpec = number | readonly [number, number];

/** `80` or `1000-2000`, as nft writes them. */
export function validatePorts(scope: IConstruct, what: string, v: unknown): string {
  if (isPort(v)) return String(v);
  if (Array.isArray(v) && v.length === 2 && isPort(v[0]) && isPort(v[1])) {
    if (v[0] > v[1]) fail(scope, `${what}: the range [${v[0]}, ${v[1]}] runs backwards`, v, `write it as [${v[1]}, ${v[0]}]`);
    return v[0] === v[1] ? String(v[0]) : `${v[0]}-${v[1]}`;
  }
  return fail(scope, `${what} must be a port (a whole number from 1 to 65535) or a range [from, to]`, v, 'write e.g. 80 or [8000, 8099]');
}

/** A protocol of a rule ('icmp', 'tcp', 'udp'). */
export function validateProtocol(scope: IConstruct, what: string, v: unknown): TrafficProtocol {
  if (!TRAFFIC_PROTOCOLS.includes(v as TrafficProtocol))
    fail(scope, `${what} is not a protocol a rule can match`, v, `use one of ${TRAFFIC_PROTOCOLS.join(', ')}`);
  return v as TrafficProtocol;
}

/** A source or destination to match: a network CIDR (no host bits) or a bare address; canonical. */
export function validateMatchCidr(scope: IConstruct, what: string, v: unknown): { text: string; family: 4 | 6 } {
  if (typeof v === 'string') {
    const ip = parseIp(v);
    if (ip) return { text: ip.text, family: ip.family };
    const c = parseCidr(v);
    if (c) {
      if (c.hostBitsSet) fail(scope, `${what} has host bits set`, v, `use the network ${c.network}, or a bare address for one host`);
      return { text: c.prefix === (c.family === 4 ? 32 : 128) ? c.text : c.network, family: c.family };
    }
  }
  return fail(scope, `${what} is not a CIDR or an address`, v, 'write e.g. "192.168.1.0/24", "fd00:1::/64" or "192.168.1.20"');
}

/**
 * An interface of a rule: a handle, which must live in `ns`, or a name (an interface the lab may
 * not make: a host's uplink, say). Returns the kernel name.
 */
export function interfaceIn(scope: IConstruct, what: string, ns: INamespace, v: IInterface | string | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return validateInterfaceName(scope, what, v);
  const impl = implementationOf(v);
  if (!impl)
    fail(scope, `${what} is neither an interface handle of cdktf-netns nor an interface name`, v, "pass one of the lab's interfaces (e.g. pair.a) or its name");
  if (!sameNamespace(impl.namespace, ns)) {
    fail(
      scope,
      `${what}: interface "${impl.interfaceName}" lives in ${describeNamespace(impl.namespace)}, not in ${describeNamespace(ns)} where the rule is`,
      impl.interfaceName,
      `pass an interface of ${describeNamespace(ns)} (a rule sees only the interfaces of its own namespace)`,
    );
  }
  return impl.interfaceName;
}

const MAX_RULE_ID = 100;

/**
 * The id of one rule: the construct's path (below the stack) and a suffix, as the rule's comment
 * carries it (nft keeps 128 bytes of a comment); a long path is cut and keeps a hash of itself.
 */
export function ruleId(scope: IConstruct, suffix: string): string {
  const path = markerOf(scope).slice(ownerOf(scope).length);
  const id = `${path}.${suffix}`;
  return id.length <= MAX_RULE_ID ? id : `${path.slice(0, MAX_RULE_ID - suffix.length - 11)}~${shortHash(path, 8)}.${suffix}`;
}

/** An nft data line's values, `-` for every field not given. */
export function nftRule(v: { ns: string; chain: string; id: string; action: string } & Readonly<Record<string, string | undefined>>): Values {
  return Object.fromEntries(NFT.fields.map((f) => [f, v[f] ?? '-']));
}
