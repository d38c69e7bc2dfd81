import { IConstruct } from 'constructs';
import { fail, show } from './errors';
import { ParsedCidr, ParsedIp, parseCidr, parseIp } from './ip';
import { IHost, INamespace, isHostHandle, isNamespaceHandle } from './types';

/**
 * Synth-time validation of every user value that may reach a shell command or
 * a Terraform string. The rules are deliberately strict ASCII allow-lists:
 * anything outside them (shell metacharacters, `${`/`%{`, newlines, NULs,
 * unicode look-alikes) is refused before it is ever written into a plan.
 */

const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NSNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const RESERVED_IFNAMES = new Set(['.', '..', 'all', 'default', 'lo']);
/**
 * Words ip(8) and bridge(8) read as keywords where a name may stand (`ip link
 * add up type veth` makes a kernel-named veth nobody cleans up; `ip netns del
 * all` deletes every namespace): refused as interface and namespace names.
 */
/** Namespace names ip(8) treats specially where a namespace name stands (`ip netns del all`, `ip -n all`). */
const RESERVED_NSNAMES = new Set(['all', 'help']);
export const IP_KEYWORDS: ReadonlySet<string> = new Set([
  'add',
  'address',
  'addr',
  'alias',
  'all',
  'allmulticast',
  'arp',
  'attach',
  'brd',
  'broadcast',
  'change',
  'del',
  'delete',
  'dev',
  'down',
  'dynamic',
  'exec',
  'flush',
  'get',
  'group',
  'help',
  'identify',
  'index',
  'link',
  'list',
  'list-id',
  'lladdr',
  'master',
  'mode',
  'monitor',
  'mtu',
  'multicast',
  'name',
  'netns',
  'nomaster',
  'none',
  'nopeer',
  'peer',
  'pids',
  'promisc',
  'qlen',
  'replace',
  'set',
  'show',
  'state',
  'to',
  'trailers',
  'txqlen',
  'txqueuelen',
  'type',
  'up',
  'via',
  'vrf',
]);

/** Kernel limit IFNAMSIZ-1. */
export const MAX_IFNAME = 15;
/** Keep namespace names short enough for paths and messages. */
export const MAX_NSNAME = 64;

export function validateInterfaceName(scope: IConstruct, what: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    fail(scope, `${what}: an interface name is required`, name, 'give a name of 1 to 15 characters from A-Z a-z 0-9 _ . -');
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_IFNAME) {
    fail(
      scope,
      `${what}: interface name is longer than ${MAX_IFNAME} bytes (the kernel's IFNAMSIZ limit, prefix included)`,
      name,
      'shorten the name (or the cdktf-netns:prefix context value)',
    );
  }
  if (!IFNAME.test(name) || RESERVED_IFNAMES.has(name)) {
    fail(
      scope,
      `${what}: interface name is not allowed`,
      name,
      'use only A-Z a-z 0-9 _ . - (not starting with . or -), and not ".", "..", "lo", "all" or "default"',
    );
  }
  if (IP_KEYWORDS.has(name.toLowerCase())) {
    fail(scope, `${what}: interface name is a word ip(8) reads as a keyword`, name, 'choose another name (e.g. add a suffix: "up0")');
  }
  return name;
}

export function validateNamespaceName(scope: IConstruct, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    fail(scope, 'namespace name is empty', name, 'give a name of 1 to 64 characters from A-Z a-z 0-9 _ . -');
  }
  if (name.length > MAX_NSNAME) {
    fail(scope, `namespace name is longer than ${MAX_NSNAME} characters`, name, 'shorten the name');
  }
  if (!NSNAME.test(name) || name === '.' || name === '..') {
    fail(scope, 'namespace name is not allowed', name, 'use only A-Z a-z 0-9 _ . - and do not start with . or -');
  }
  if (RESERVED_NSNAMES.has(name)) {
    fail(
      scope,
      'namespace name is a word ip(8) reads as a keyword ("ip netns del all" deletes every namespace)',
      name,
      'choose another name (e.g. add a suffix: "all0")',
    );
  }
  return name;
}

/** An interface address: `addr/prefix`, host bits normally set. Returns the canonical form. */
export function validateInterfaceAddress(scope: IConstruct, what: string, value: unknown): ParsedCidr {
  const parsed = typeof value === 'string' ? parseCidr(value) : undefined;
  if (!parsed) {
    fail(scope, `${what}: not an IPv4 or IPv6 address with prefix length`, value, 'write it as address/prefix, e.g. "172.16.10.10/24" or "fd00:10::10/64"');
  }
  const max = parsed.family === 4 ? 32 : 128;
  if (parsed.hostBitsSet === false && parsed.prefix < max - 1) {
    fail(
      scope,
      `${what}: this is the network address of its subnet, not an interface address`,
      value,
      `pick a host address inside ${parsed.network}, e.g. the first usable one`,
    );
  }
  if (parsed.family === 4 && parsed.prefix < 31) {
    const hostMask = (1n << BigInt(32 - parsed.prefix)) - 1n;
    if ((parsed.value & hostMask) === hostMask) {
      fail(scope, `${what}: this is the broadcast address of its subnet`, value, `pick a host address inside ${parsed.network}`);
    }
  }
  return parsed;
}

/** A route destination: "default" or a network CIDR with no host bits set. */
export function validateDestination(scope: IConstruct, value: unknown): { text: string; family?: 4 | 6; cidr?: ParsedCidr } {
  if (value === 'default') return { text: 'default' };
  const parsed = typeof value === 'string' ? parseCidr(value) : undefined;
  if (!parsed) {
    fail(scope, 'route destination is neither "default" nor a CIDR', value, 'write e.g. "default", "10.0.2.0/24" or "fd00:2::/64"');
  }
  if (parsed.hostBitsSet) {
    fail(scope, 'route destination has host bits set', value, `use the network address ${parsed.network}`);
  }
  // the text `ip route show` prints: "default" for /0, a bare address for a host route
  const max = parsed.family === 4 ? 32 : 128;
  const text = parsed.prefix === 0 ? 'default' : parsed.prefix === max ? parsed.text : parsed.cidr;
  return { text, family: parsed.family, cidr: parsed };
}

export function validateIp(scope: IConstruct, what: string, value: unknown): ParsedIp {
  const parsed = typeof value === 'string' ? parseIp(value) : undefined;
  if (!parsed) {
    fail(scope, `${what}: not an IPv4 or IPv6 address`, value, 'write a bare address such as "172.16.10.1" (no prefix length)');
  }
  return parsed;
}

export function validateVlanId(scope: IConstruct, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 4094) {
    fail(scope, `${what}: VLAN id must be a whole number from 1 to 4094 (0 and 4095 are reserved by 802.1Q)`, value, 'choose an id between 1 and 4094');
  }
  return value;
}

/** A TCP or UDP port: a whole number from 1 to 65535. */
export const isPort = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;

/** Refuse unknown keys of an options object, naming them (a typo would otherwise be ignored, or match everything). */
export function knownKeys(scope: IConstruct, what: string, v: object, keys: readonly string[]): void {
  const unknown = Object.keys(v).filter((k) => !keys.includes(k));
  if (unknown.length) fail(scope, `${what}: unknown option(s) ${unknown.map((k) => show(k)).join(', ')}`, v, `use ${keys.join(', ')}`);
}

export function validateMtu(scope: IConstruct, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 68 || value > 65535) {
    fail(scope, `${what}: MTU must be a whole number from 68 to 65535`, value, 'use e.g. 1500, or 9000 for jumbo frames');
  }
  return value;
}

// sysctl(8)'s dotted form: a dot inside an interface name is written `/` (net.ipv4.conf.eth0/10.rp_filter)
const SYSCTL_KEY = /^net\.[a-z0-9_]+(\.[a-zA-Z0-9_][a-zA-Z0-9_/-]*)+$/;
const SYSCTL_VALUE = /^[0-9A-Za-z_.:-]{1,64}$/;

/** Per-namespace sysctls are limited to the net.* tree, which is what a network namespace owns. */
export function validateSysctl(scope: IConstruct, key: unknown, value: unknown, host = false): [string, string] {
  if (typeof key !== 'string' || !SYSCTL_KEY.test(key)) {
    fail(
      scope,
      'sysctl key is not an allowed net.* key',
      key,
      'use a dotted net.* key such as "net.ipv4.ip_forward" (a dot inside an interface name is written "/": "net.ipv4.conf.eth0/10.rp_filter")',
    );
  }
  if (host && key.includes('/')) {
    fail(
      scope,
      'host sysctl keys of interfaces with a dot in their name are not supported',
      key,
      'set it on an interface without a dot in its name, or from a namespace',
    );
  }
  const v = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof v !== 'string' || !SYSCTL_VALUE.test(v)) {
    fail(scope, `sysctl ${key}: value is not allowed`, value, 'use a plain value such as "1" or "0"');
  }
  return [canonicalSysctl(key), v];
}

/**
 * One spelling per kernel setting: `net.ipv4.conf.all.forwarding` and
 * `net.ipv4.ip_forward` are the same switch (writing either sets both), so
 * they are one object, one saved original and one owner count.
 */
export function canonicalSysctl(key: string): string {
  return key === 'net.ipv4.conf.all.forwarding' ? 'net.ipv4.ip_forward' : key;
}

/** Reject anything that is not a boolean where a boolean is expected (JS callers have no types). */
export function validateBoolean(scope: IConstruct, what: string, value: unknown, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value !== 'boolean') fail(scope, `${what} must be true or false`, value, 'pass a boolean');
  return value;
}

/** The handles a namespace prop takes, as the errors list them. */
const NAMESPACE_HANDLES = 'a Namespace, a Router, Namespace.HOST, a HostRouter or Namespace.fromName(...)';

/** A namespace prop must be one of the library's namespace handles; `fix` words the fix around the list of them. */
export function validateNamespaceHandle(scope: IConstruct, what: string, value: unknown, fix: (handles: string) => string): INamespace {
  if (!isNamespaceHandle(value)) fail(scope, `${what} is not a namespace handle of cdktf-netns`, value, fix(NAMESPACE_HANDLES));
  return value;
}

/** An optional `host` prop: a Host of this library, or undefined (the local machine). */
export function validateHost(scope: IConstruct, what: string, value: unknown): IHost | undefined {
  if (value === undefined) return undefined;
  if (!isHostHandle(value))
    fail(
      scope,
      `${what} is not a Host of cdktf-netns`,
      value,
      'pass a Host construct (new Host(scope, id, { address })), or leave it out for the local machine',
    );
  return value;
}

/** The namespace a construct with a `host` prop lives in: the given one (which must be on that host), else the host's root namespace. */
export function namespaceOnHost(scope: IConstruct, what: string, ns: INamespace | undefined, host: IHost | undefined, local: INamespace): INamespace {
  if (ns === undefined) return host ? host.rootNamespace : local;
  // (a value that is no namespace handle is refused, with its own message, where it is used)
  if (host !== undefined && isNamespaceHandle(ns) && ns.host !== host) {
    fail(
      scope,
      `${what}: the namespace is on ${ns.host ? `host "${ns.host.hostName}"` : 'the local machine'}, not on host "${host.hostName}"`,
      ns.namespaceName || '(root)',
      'leave host out (a construct follows its namespace), or pass a namespace of that host',
    );
  }
  return ns;
}
