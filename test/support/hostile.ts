/**
 * The one corpus of hostile inputs. test/unit/validation.test.ts asserts that
 * every entry is refused at synth time with a helpful error (the construct
 * path, the offending value as the library shows it, a "Fix:"); the
 * reliability matrix's row 9 (scripts/reliability/rows/hostile-input.ts)
 * feeds the same entries to real synthesis, with a canary file the payloads
 * try to create, before deploying a lab whose ids carry the payloads.
 *
 * Plain data and construct builders, no test framework: both sides load it.
 *
 *  - TARGETS: every value a user can pass (a construct property, a method
 *    argument, a context value), each with the field it is (which values of
 *    HOSTILE_VALUES apply), a valid value, and the construct path the error
 *    names.
 *  - injections(file): shell and Terraform template payloads, each trying to
 *    create `file`; every string target must refuse each of them, alone and
 *    around a valid value.
 *  - HOSTILE_VALUES: malformed values per field (bad names, look-alikes,
 *    overlong names, ip(8) keywords, bad CIDRs, out-of-range numbers,
 *    non-net sysctls, unsafe state directories...), each refused on every
 *    target of its field, with the error fragment the tests expect.
 *  - NEAR_MISSES: values at the edge of each field that must be accepted (the
 *    checks are not simply refusing everything).
 *  - SCENARIOS: hostile constructions that no single value makes (duplicate
 *    names and addresses, unreachable gateways, a veth whose two ends are one
 *    interface, props of the wrong type...), refused at construction or at
 *    synthesis.
 *
 * Construct paths are given below the stack ("ns", "r/lan"); the consumers
 * put their own stack id in front.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  Bridge,
  Firewall,
  Host,
  HostSysctl,
  INamespace,
  LinkImpairment,
  Masquerade,
  Namespace,
  PortForward,
  Reachable,
  Route,
  Router,
  Unreachable,
  VethPair,
  VlanInterface,
  VxlanLink,
} from '../../lib';

/** What kind of value a target takes: the values of HOSTILE_VALUES[field] apply to it. */
export type HostileField =
  | 'construct id'
  | 'namespace name'
  | 'interface name'
  | 'address'
  | 'route destination'
  | 'gateway'
  | 'VLAN id'
  | 'MTU'
  | 'sysctl key'
  | 'sysctl value'
  | 'port VLANs'
  | 'prefix'
  | 'state directory'
  | 'backend'
  | 'port'
  | 'protocol'
  | 'timeout'
  | 'delay'
  | 'loss'
  | 'rate'
  | 'rule port'
  | 'rule CIDR'
  | 'forward target'
  | 'VNI'
  | 'host name'
  | 'SSH port'
  | 'key file'
  | 'host key';

export interface HostileTarget {
  /** What is set, e.g. "veth host-side name". */
  readonly name: string;
  readonly field: HostileField;
  /** A valid value: accepted as it is, and the carrier injection payloads are put around. */
  readonly valid: unknown;
  /** The construct path (below the stack) the error names; for a construct id, the path is made of the value. */
  readonly path: string | ((value: unknown) => string);
  /** The error names `path` or a construct below it (the construct that refuses the value is made by the target). */
  readonly orBelow?: boolean;
  /** What the error shows as the offending value when the target derives another value from it (default: the value). */
  readonly shows?: (value: unknown) => unknown;
  /** The value is given as this context key (and `build` declares a small lab). */
  readonly context?: string;
  /** Declare the target, set to `value`, in `stack`. */
  readonly build: (stack: TerraformStack, value: any) => void;
}

export interface HostileValue {
  readonly label: string;
  readonly value: unknown;
  /** What the error shows as the offending value (`(got ...)`), when not the value itself. */
  readonly shown?: unknown;
  /** A fragment the error must contain besides path, value and fix. */
  readonly error?: string | RegExp;
}

export interface NearMiss {
  readonly label: string;
  readonly value: unknown;
  /** For addresses: the canonical text the plan carries. */
  readonly canonical?: string;
}

export interface HostileScenario {
  readonly label: string;
  readonly build: (stack: TerraformStack) => void;
  /** The construct path (below the stack) the error names. */
  readonly path: string;
  /** What the error shows as the offending value (`(got ...)`). */
  readonly shown: unknown;
  /** Refused when the constructs are made (a NetnsError), or only when the app is synthesized (a cross-construct validation). */
  readonly stage: 'construction' | 'synth';
  readonly context?: Record<string, unknown>;
  readonly error?: string | RegExp;
  /** Other constructs (paths below the stack) the error must name, e.g. the first user of a name. */
  readonly mentions?: readonly string[];
}

export interface Injection {
  readonly label: string;
  readonly value: string;
  /** It creates the file when it reaches a shell (as a command-line word, unquoted, double- or single-quoted). */
  readonly live: boolean;
}

// ---- builders -------------------------------------------------------------------------------------------------

/** A veth pair `p`: v0 (10.0.0.1/24) in the host, v1 (10.0.0.2/24) in namespace `ns` (made unless given). */
function pair(s: TerraformStack, a: object = {}, b: object = {}, ns?: INamespace): VethPair {
  return new VethPair(s, 'p', {
    a: { name: 'v0', addresses: ['10.0.0.1/24'], ...a },
    b: { name: 'v1', namespace: ns ?? new Namespace(s, 'ns'), addresses: ['10.0.0.2/24'], ...b },
  });
}
/** Namespace `ns`, wired to the host by `pair` (so 10.0.0.1 is a reachable gateway in it). */
function inNs(s: TerraformStack): Namespace {
  const ns = new Namespace(s, 'ns');
  pair(s, {}, {}, ns);
  return ns;
}
/** A Firewall `fw` in Router `r` with one allow rule (on input, or forward). */
function fw(s: TerraformStack, rule: object, chain: 'input' | 'forward' = 'input'): void {
  new Firewall(s, 'fw', { namespace: new Router(s, 'r', { ipv6Forwarding: true }), [chain]: { policy: 'drop', allow: [rule] } });
}
/** A PortForward `pf` in Router `r`: tcp 8080 to 10.0.0.2:80, with `o` over it. */
function forward(s: TerraformStack, o: object): void {
  new PortForward(s, 'pf', { namespace: new Router(s, 'r', { ipv6Forwarding: true }), protocol: 'tcp', port: 8080, to: '10.0.0.2:80', ...o });
}
/** VxlanLink `vx` between bridges in namespaces `sa` and `sb` (an underlay veth between them), `o` over its props. */
function tunnel(s: TerraformStack, o: object, localA = '192.0.2.1'): void {
  const sa = new Namespace(s, 'sa');
  const sb = new Namespace(s, 'sb');
  new VethPair(s, 'u', { a: { name: 'u0', namespace: sa, addresses: ['192.0.2.1/30'] }, b: { name: 'u1', namespace: sb, addresses: ['192.0.2.2/30'] } });
  const a = new Bridge(s, 'ba', { name: 'br0', namespace: sa });
  const b = new Bridge(s, 'bb', { name: 'br0', namespace: sb });
  new VxlanLink(s, 'vx', { vni: 100, a: { bridge: a, local: localA }, b: { bridge: b, local: '192.0.2.2' }, ...o });
}
/** Router `r` connected to a new namespace `ns` as `id`. */
function connect(s: TerraformStack, id: string, o: object): void {
  new Router(s, 'r').connect(id, new Namespace(s, 'ns'), { address: '10.0.5.1/24', ...o });
}
/** A VLAN-filtering bridge `br` and veth `p` whose host end v1 is added as a port with `vlans`. */
function port(s: TerraformStack, vlans: unknown, vlanFiltering = true): void {
  const br = new Bridge(s, 'br', { name: 'br0', vlanFiltering });
  const p = new VethPair(s, 'p', { a: { name: 'v0', namespace: new Namespace(s, 'ns') }, b: { name: 'v1' } });
  br.addPort(p.b, vlans as object);
}
/**
 * The construct path of an id as errors show it: constructs sanitize the id (every version
 * replaces "/" with "--"; 10.5 and later also the newline, its address separator: asked of the
 * installed constructs, not copied), then the library escapes control characters.
 */
const idPath = (v: unknown) =>
  new Construct(new Construct(undefined as unknown as Construct, ''), String(v)).node.id
    // eslint-disable-next-line no-control-regex -- control characters are exactly what the library escapes
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// ---- targets --------------------------------------------------------------------------------------------------

export const TARGETS: readonly HostileTarget[] = [
  { name: 'Namespace id (its default name)', field: 'construct id', valid: 'ns', path: idPath, build: (s, v) => new Namespace(s, v) },
  // the router's end is named after the id: "<id>-rtr" is what is refused, by connect (too long) or by the end it makes
  {
    name: 'Router.connect id',
    field: 'construct id',
    valid: 'lan',
    path: 'r',
    orBelow: true,
    shows: (v) => `${v}-rtr`,
    build: (s, v) => connect(s, v, {}),
  },
  { name: 'Namespace name', field: 'namespace name', valid: 'ns', path: 'ns', build: (s, v) => new Namespace(s, 'ns', { name: v }) },
  { name: 'Router name', field: 'namespace name', valid: 'rt', path: 'r', build: (s, v) => new Router(s, 'r', { name: v }) },
  { name: 'veth host-side name', field: 'interface name', valid: 'v0', path: 'p', build: (s, v) => pair(s, { name: v }) },
  { name: 'veth namespace-side name', field: 'interface name', valid: 'v1', path: 'p', build: (s, v) => pair(s, {}, { name: v }) },
  { name: 'Bridge name', field: 'interface name', valid: 'br0', path: 'br', build: (s, v) => new Bridge(s, 'br', { name: v }) },
  {
    name: 'VlanInterface name',
    field: 'interface name',
    valid: 'v10',
    path: 'v',
    build: (s, v) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, name: v }),
  },
  {
    name: 'VlanInterface parent given by name',
    field: 'interface name',
    valid: 'eth0',
    path: 'v',
    build: (s, v) => new VlanInterface(s, 'v', { parent: v, vlanId: 10, name: 'v10' }),
  },
  { name: 'Router.connect interfaceName', field: 'interface name', valid: 'lan-r', path: 'r/lan', build: (s, v) => connect(s, 'lan', { interfaceName: v }) },
  {
    name: 'Router.connect peerInterfaceName',
    field: 'interface name',
    valid: 'lan',
    path: 'r/lan',
    build: (s, v) => connect(s, 'lan', { peerInterfaceName: v }),
  },
  { name: 'veth host-side address', field: 'address', valid: '10.0.0.1/24', path: 'p', build: (s, v) => pair(s, { addresses: [v] }) },
  { name: 'veth namespace-side address', field: 'address', valid: '10.0.0.2/24', path: 'p', build: (s, v) => pair(s, { addresses: [] }, { addresses: [v] }) },
  { name: 'Bridge address', field: 'address', valid: '10.0.1.1/24', path: 'br', build: (s, v) => new Bridge(s, 'br', { name: 'br0', addresses: [v] }) },
  {
    name: 'VlanInterface address',
    field: 'address',
    valid: '10.0.10.1/24',
    path: 'v',
    build: (s, v) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, addresses: [v] }),
  },
  { name: 'Router.connect address', field: 'address', valid: '10.0.5.1/24', path: 'r/lan', build: (s, v) => connect(s, 'lan', { address: v }) },
  { name: 'Router.connect peerAddress', field: 'address', valid: '10.0.5.2/24', path: 'r/lan', build: (s, v) => connect(s, 'lan', { peerAddress: v }) },
  {
    name: 'Route destination (in a namespace)',
    field: 'route destination',
    valid: '10.0.2.0/24',
    path: 'rt',
    build: (s, v) => new Route(s, 'rt', { namespace: inNs(s), destination: v, via: '10.0.0.1' }),
  },
  {
    name: 'Route destination (in the host)',
    field: 'route destination',
    valid: '10.0.2.0/24',
    path: 'rt',
    build: (s, v) => {
      pair(s);
      new Route(s, 'rt', { namespace: Namespace.HOST, destination: v, via: '10.0.0.2' });
    },
  },
  {
    name: 'Route via (in a namespace)',
    field: 'gateway',
    valid: '10.0.0.1',
    path: 'rt',
    build: (s, v) => new Route(s, 'rt', { namespace: inNs(s), destination: 'default', via: v }),
  },
  {
    name: 'Route via (in the host)',
    field: 'gateway',
    valid: '10.0.0.2',
    path: 'rt',
    build: (s, v) => {
      pair(s);
      new Route(s, 'rt', { namespace: Namespace.HOST, destination: 'default', via: v });
    },
  },
  // connectivity intents: the address probed, the expected first hop, the probe's port, protocol and timeout
  { name: 'Reachable to', field: 'gateway', valid: '10.0.0.1', path: 'i', build: (s, v) => new Reachable(s, 'i', { from: inNs(s), to: v }) },
  { name: 'Unreachable to', field: 'gateway', valid: '10.0.9.9', path: 'i', build: (s, v) => new Unreachable(s, 'i', { from: inNs(s), to: v }) },
  {
    name: 'Reachable via',
    field: 'gateway',
    valid: '10.0.0.1',
    path: 'i',
    build: (s, v) => new Reachable(s, 'i', { from: inNs(s), to: '10.0.9.9', via: v }),
  },
  {
    name: 'Reachable port',
    field: 'port',
    valid: 80,
    path: 'i',
    build: (s, v) => new Reachable(s, 'i', { from: inNs(s), to: '10.0.0.1', protocol: 'tcp', port: v }),
  },
  {
    name: 'Unreachable protocol',
    field: 'protocol',
    valid: 'udp',
    path: 'i',
    build: (s, v) => new Unreachable(s, 'i', { from: inNs(s), to: '10.0.0.1', protocol: v, port: 53 }),
  },
  { name: 'Reachable timeout', field: 'timeout', valid: 5, path: 'i', build: (s, v) => new Reachable(s, 'i', { from: inNs(s), to: '10.0.0.1', timeout: v }) },
  // link impairments: delay (and jitter under it), loss, rate
  { name: 'LinkImpairment delayMs', field: 'delay', valid: 20, path: 'w', build: (s, v) => new LinkImpairment(s, 'w', { interface: pair(s).a, delayMs: v }) },
  {
    name: 'LinkImpairment jitterMs',
    field: 'delay',
    valid: 5,
    path: 'w',
    build: (s, v) => new LinkImpairment(s, 'w', { interface: pair(s).a, delayMs: 60_000, jitterMs: v }),
  },
  {
    name: 'LinkImpairment lossPercent',
    field: 'loss',
    valid: 1,
    path: 'w',
    build: (s, v) => new LinkImpairment(s, 'w', { interface: pair(s).a, lossPercent: v }),
  },
  { name: 'LinkImpairment rateMbit', field: 'rate', valid: 10, path: 'w', build: (s, v) => new LinkImpairment(s, 'w', { interface: pair(s).a, rateMbit: v }) },
  // traffic policy: every value of a rule (Firewall, Masquerade, PortForward) reaches an nft file
  { name: 'Firewall rule port', field: 'rule port', valid: 22, path: 'fw', build: (s, v) => fw(s, { protocol: 'tcp', port: v }) },
  { name: 'Firewall rule from', field: 'rule CIDR', valid: '10.0.0.0/24', path: 'fw', build: (s, v) => fw(s, { from: v }) },
  { name: 'Firewall rule to', field: 'rule CIDR', valid: '10.0.0.0/24', path: 'fw', build: (s, v) => fw(s, { to: v }, 'forward') },
  { name: 'Firewall rule protocol', field: 'protocol', valid: 'udp', path: 'fw', build: (s, v) => fw(s, { protocol: v }) },
  { name: 'Firewall rule inInterface', field: 'interface name', valid: 'eth0', path: 'fw', build: (s, v) => fw(s, { inInterface: v }) },
  { name: 'Firewall rule outInterface', field: 'interface name', valid: 'eth1', path: 'fw', build: (s, v) => fw(s, { outInterface: v }, 'forward') },
  {
    name: 'Masquerade outInterface',
    field: 'interface name',
    valid: 'wan',
    path: 'nat',
    build: (s, v) => new Masquerade(s, 'nat', { namespace: new Router(s, 'r', { ipv6Forwarding: true }), outInterface: v }),
  },
  {
    name: 'Masquerade source',
    field: 'rule CIDR',
    valid: '10.0.0.0/24',
    path: 'nat',
    build: (s, v) => new Masquerade(s, 'nat', { namespace: new Router(s, 'r', { ipv6Forwarding: true }), outInterface: 'wan', source: v }),
  },
  { name: 'PortForward port', field: 'rule port', valid: 8080, path: 'pf', build: (s, v) => forward(s, { port: v }) },
  { name: 'PortForward to', field: 'forward target', valid: '10.0.0.2:80', path: 'pf', build: (s, v) => forward(s, { to: v }) },
  { name: 'PortForward protocol', field: 'protocol', valid: 'udp', path: 'pf', build: (s, v) => forward(s, { protocol: v }) },
  { name: 'PortForward toAddress', field: 'gateway', valid: '10.0.0.1', path: 'pf', build: (s, v) => forward(s, { toAddress: v }) },
  { name: 'PortForward inInterface', field: 'interface name', valid: 'wan', path: 'pf', build: (s, v) => forward(s, { inInterface: v }) },
  // VXLAN: the VNI, the underlay addresses, the MTU, the interface name
  { name: 'VxlanLink vni', field: 'VNI', valid: 100, path: 'vx', build: (s, v) => tunnel(s, { vni: v }) },
  { name: 'VxlanLink a.local', field: 'gateway', valid: '192.0.2.1', path: 'vx', build: (s, v) => tunnel(s, {}, v) },
  { name: 'VxlanLink mtu', field: 'MTU', valid: 1450, path: 'vx', orBelow: true, build: (s, v) => tunnel(s, { mtu: v }) },
  { name: 'VxlanLink interfaceName', field: 'interface name', valid: 'vx-a', path: 'vx', orBelow: true, build: (s, v) => tunnel(s, { interfaceName: v }) },
  { name: 'VlanInterface vlanId', field: 'VLAN id', valid: 10, path: 'v', build: (s, v) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: v }) },
  { name: 'veth end mtu', field: 'MTU', valid: 1500, path: 'p', build: (s, v) => pair(s, { mtu: v }) },
  { name: 'Bridge mtu', field: 'MTU', valid: 1500, path: 'br', build: (s, v) => new Bridge(s, 'br', { name: 'br0', mtu: v }) },
  { name: 'VlanInterface mtu', field: 'MTU', valid: 1500, path: 'v', build: (s, v) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 5, mtu: v }) },
  {
    name: 'namespace sysctl key',
    field: 'sysctl key',
    valid: 'net.ipv4.ip_forward',
    path: 'ns',
    build: (s, v) => new Namespace(s, 'ns', { sysctls: { [v]: '1' } }),
  },
  { name: 'HostSysctl key', field: 'sysctl key', valid: 'net.ipv4.ip_forward', path: 'k', build: (s, v) => new HostSysctl(s, 'k', { key: v, value: '1' }) },
  {
    name: 'namespace sysctl value',
    field: 'sysctl value',
    valid: '1',
    path: 'ns',
    build: (s, v) => new Namespace(s, 'ns', { sysctls: { 'net.ipv4.ip_forward': v } }),
  },
  {
    name: 'Namespace.addSysctl value',
    field: 'sysctl value',
    valid: '1',
    path: 'ns',
    build: (s, v) => new Namespace(s, 'ns').addSysctl('net.ipv4.ip_forward', v),
  },
  {
    name: 'HostSysctl value',
    field: 'sysctl value',
    valid: '1',
    path: 'k',
    build: (s, v) => new HostSysctl(s, 'k', { key: 'net.ipv4.ip_forward', value: v }),
  },
  { name: 'Bridge.addPort VLAN options', field: 'port VLANs', valid: { pvid: 10 }, path: 'br', build: (s, v) => port(s, v) },
  // context values: detected by the first construct (the namespace of `pair`), or by the stack's Lab it makes
  { name: 'context cdktf-netns:prefix', field: 'prefix', valid: 'lab-', path: 'ns', context: 'cdktf-netns:prefix', build: (s) => pair(s) },
  {
    name: 'context cdktf-netns:stateDir',
    field: 'state directory',
    valid: '/run/lab',
    path: 'cdktf-netns',
    context: 'cdktf-netns:stateDir',
    build: (s) => pair(s),
  },
  {
    name: 'context cdktf-netns:backend',
    field: 'backend',
    valid: 'terraform_data',
    path: 'cdktf-netns',
    context: 'cdktf-netns:backend',
    build: (s) => pair(s),
  },
  { name: 'Host address', field: 'gateway', valid: '10.0.0.11', path: 'h', build: (s, v) => new Host(s, 'h', { address: v }) },
  { name: 'Host name', field: 'host name', valid: 'rack1', path: 'h', build: (s, v) => new Host(s, 'h', { address: '10.0.0.11', name: v }) },
  { name: 'Host port', field: 'SSH port', valid: 2222, path: 'h', build: (s, v) => new Host(s, 'h', { address: '10.0.0.11', port: v }) },
  {
    name: 'Host privateKeyFile',
    field: 'key file',
    valid: '/root/.ssh/lab_ed25519',
    path: 'h',
    build: (s, v) => new Host(s, 'h', { address: '10.0.0.11', privateKeyFile: v }),
  },
  {
    name: 'Host hostKey',
    field: 'host key',
    valid: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIProLFkGzIb5YfZ9MBU/clH3uJZ1nJRnLgIFti6H0se8',
    path: 'h',
    build: (s, v) => new Host(s, 'h', { address: '10.0.0.11', hostKey: v }),
  },
];

/** What an error about `target` set to `value` must name and show, for `refusalProblems`. */
export function expectedOf(target: HostileTarget, value: unknown): { path: string; orBelow?: boolean; shown: unknown } {
  return {
    path: typeof target.path === 'function' ? target.path(value) : target.path,
    orBelow: target.orBelow,
    shown: target.shows ? target.shows(value) : value,
  };
}

/** The targets that take strings (where injection payloads can go). */
export const STRING_TARGETS: readonly HostileTarget[] = TARGETS.filter((t) => typeof t.valid === 'string');

// ---- injection payloads ---------------------------------------------------------------------------------------

/** Shell and Terraform template payloads; the live ones create `file` when they reach a shell. */
export function injections(file: string): Injection[] {
  const touch = `touch ${file}`;
  return [
    { label: 'command substitution', value: `$(${touch})`, live: true },
    { label: 'backticks', value: `\`${touch}\``, live: true },
    { label: 'command separator', value: `;${touch}`, live: true },
    { label: 'command separator and a space', value: `; ${touch}`, live: true },
    { label: 'pipe', value: `|${touch}`, live: true },
    { label: 'and-list', value: `&&${touch}`, live: true },
    { label: 'newline and a command', value: `\n${touch}`, live: true },
    { label: 'quote breakout', value: `'";${touch};"'`, live: true },
    { label: 'a lone newline', value: '\n', live: false },
    { label: 'Terraform interpolation', value: '${path.root}', live: false },
    { label: 'Terraform function call and a command substitution', value: `$(${touch})\${file("${file}")}`, live: true },
    { label: 'Terraform directive', value: '%{ if true }', live: false },
    { label: 'Terraform directive around a command substitution', value: `%{ if true }$(${touch})%{ endif }`, live: true },
    { label: 'a lone NUL', value: '\0', live: false },
    // a NUL cannot be passed to a shell at all: not live
    { label: 'NUL before a command substitution', value: `x\0$(${touch})`, live: false },
  ];
}

/** The forms a payload is tried in: alone, after a valid value, and inside it. */
export function injectionForms(valid: string, payload: string): Array<[string, string]> {
  return [
    ['alone', payload],
    ['after a valid value', valid + payload],
    ['inside a valid value', `${valid.slice(0, 1)}${payload}${valid.slice(1)}`],
  ];
}

// ---- malformed values, per field ------------------------------------------------------------------------------

const CYRILLIC_E = '\u0435';
const keyword = (w: string): HostileValue => ({ label: `ip(8) keyword "${w}"`, value: w, error: 'keyword' });

export const HOSTILE_VALUES: Readonly<Record<HostileField, readonly HostileValue[]>> = {
  'host name': [
    { label: 'a space', value: 'rack 1' },
    { label: '33 characters', value: 'h'.repeat(33) },
    { label: 'a leading dash', value: '-rack' },
    { label: 'a dot', value: 'rack.1' },
    { label: 'empty', value: '' },
  ],
  'SSH port': [
    { label: '0', value: 0 },
    { label: '65536', value: 65536 },
    { label: 'a string', value: '22' },
    { label: 'a fraction', value: 22.5 },
  ],
  'key file': [
    { label: 'a relative path', value: 'id_ed25519' },
    { label: 'a home-relative path', value: '~/.ssh/id_ed25519' },
    { label: 'a parent step', value: '/root/../etc/shadow' },
    { label: 'a space', value: '/root/my key' },
    { label: 'a number', value: 42 },
  ],
  'host key': [
    { label: 'no key type', value: 'AAAAC3NzaC1lZDI1NTE5AAAAIProLFkGzIb5YfZ9MBU' },
    { label: 'an unknown key type', value: 'ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIProLFkGzIb5YfZ9MBU' },
    { label: 'not base64', value: 'ssh-ed25519 AAAA$$$$AAAAAAAAAAAAAAAA' },
    { label: 'a host name in front (ssh-keyscan with the name)', value: '10.0.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIProLFkGzIb5YfZ9MBU' },
    { label: 'empty', value: '' },
  ],
  'construct id': [{ label: 'a space', value: 'my ns' }],
  'namespace name': [
    { label: 'empty', value: '' },
    { label: 'a space', value: 'a b' },
    { label: 'a slash', value: 'a/b' },
    { label: 'a dollar', value: 'ns$' },
    { label: 'non-ASCII', value: 'caf\u00e9' },
    { label: 'a Cyrillic look-alike', value: `sal${CYRILLIC_E}s` },
    { label: 'a zero-width space', value: 'sales\u200b' },
    { label: 'a right-to-left override', value: 'sales\u202e' },
    { label: 'a leading dash', value: '-ns' },
    { label: 'option-like "-n"', value: '-n' },
    { label: 'a leading dot', value: '.ns' },
    { label: '"."', value: '.' },
    { label: '".."', value: '..' },
    { label: '65 characters', value: 'n'.repeat(65) },
    keyword('all'),
    keyword('help'),
  ],
  'interface name': [
    { label: 'empty', value: '' },
    { label: '16 bytes', value: 'i'.repeat(16) },
    { label: '16 bytes in 8 characters', value: '\u00e9'.repeat(8) },
    { label: 'a slash', value: 'a/b' },
    { label: 'a colon', value: 'a:b' },
    { label: 'a space', value: 'a b' },
    { label: 'a tab', value: 'a\tb' },
    { label: '"."', value: '.' },
    { label: '".."', value: '..' },
    { label: 'a leading dash', value: '-veth' },
    { label: 'option-like "-all"', value: '-all' },
    { label: 'a Cyrillic look-alike', value: `v${CYRILLIC_E}th` },
    { label: 'a zero-width space', value: 'veth\u200b' },
    { label: 'a right-to-left override', value: 'veth\u202e' },
    { label: 'reserved "lo"', value: 'lo' },
    { label: 'reserved "all"', value: 'all' },
    { label: 'reserved "default"', value: 'default' },
    ...['up', 'down', 'type', 'peer', 'dev', 'netns', 'help', 'master', 'UP', 'Peer'].map(keyword),
  ],
  address: [
    { label: 'an IPv4 octet over 255', value: '10.0.0.256/24' },
    { label: 'a leading zero in an octet (octal?)', value: '010.0.0.1/24' },
    { label: 'three octets', value: '10.0.1/24' },
    { label: 'fullwidth digits', value: '\uff11\uff10.0.0.1/24' },
    { label: 'IPv4 prefix 33', value: '10.0.0.1/33' },
    { label: 'a leading zero in the prefix', value: '10.0.0.1/024' },
    { label: 'a negative prefix', value: '10.0.0.1/-1' },
    { label: 'no IPv4 prefix', value: '10.0.0.1' },
    { label: 'an IPv4 network address', value: '10.0.0.0/24' },
    { label: 'an IPv4 broadcast address', value: '10.0.0.255/24' },
    { label: 'IPv6 prefix 129', value: 'fd00::1/129' },
    { label: 'no IPv6 prefix', value: 'fd00::1' },
    { label: 'an IPv6 network address', value: 'fd00::/64' },
    { label: 'a bad IPv6 group', value: 'fd00::g/64' },
    { label: 'two IPv6 "::"', value: 'fd00::1::2/64' },
    { label: 'IPv6 ":::"', value: 'fd00:::1/64' },
    { label: 'a trailing space', value: '10.0.0.1/24 ' },
    { label: 'a number', value: 42 },
  ],
  'route destination': [
    { label: 'IPv4 host bits (the network is suggested)', value: '10.0.2.1/24', error: '10.0.2.0/24' },
    { label: 'IPv6 host bits (the network is suggested)', value: 'fd00:2::1/64', error: 'fd00:2::/64' },
    { label: 'no prefix', value: '10.0.2.0' },
    { label: 'a word', value: 'anywhere' },
    { label: 'empty', value: '' },
  ],
  gateway: [
    { label: 'a prefix length', value: '10.0.0.1/24' },
    { label: 'a name', value: 'gateway' },
    { label: 'empty', value: '' },
  ],
  port: [
    { label: '0', value: 0 },
    { label: '65536', value: 65536 },
    { label: '-1', value: -1 },
    { label: '80.5', value: 80.5 },
    { label: 'a string', value: '80' },
    { label: 'NaN', value: NaN },
    { label: 'none (a tcp probe needs one)', value: undefined },
  ],
  protocol: [
    { label: 'upper case', value: 'UDP' },
    { label: 'a protocol the probe does not speak', value: 'sctp' },
    { label: 'empty', value: '' },
    { label: 'a number', value: 17 },
  ],
  timeout: [
    { label: '0', value: 0 },
    { label: 'below half a second', value: 0.4 },
    { label: 'above 300 s', value: 301 },
    { label: 'negative', value: -5 },
    { label: 'a string', value: '5' },
    { label: 'Infinity', value: Infinity },
    { label: 'NaN', value: NaN },
  ],
  delay: [
    { label: '0', value: 0 },
    { label: 'negative', value: -1 },
    { label: 'above a minute', value: 60_001 },
    { label: 'a string', value: '20' },
    { label: 'NaN', value: NaN },
    { label: 'Infinity', value: Infinity },
  ],
  loss: [
    { label: '0', value: 0 },
    { label: 'above 100', value: 100.5 },
    { label: 'negative', value: -1 },
    { label: 'a string', value: '1%' },
    { label: 'NaN', value: NaN },
  ],
  'rule port': [
    { label: '0', value: 0 },
    { label: '65536', value: 65536 },
    { label: '-1', value: -1 },
    { label: '80.5', value: 80.5 },
    { label: 'a string', value: '80' },
    { label: 'a range as a string', value: '1000-2000' },
    { label: 'NaN', value: NaN },
    { label: 'a range that runs backwards', value: [2000, 1000], error: 'runs backwards' },
    { label: 'a range of three', value: [1, 2, 3] },
    { label: 'a range from 0', value: [0, 10] },
    { label: 'a range beyond 65535', value: [65000, 70000] },
  ],
  'rule CIDR': [
    { label: 'host bits (the network is suggested)', value: '10.0.0.1/24', error: '10.0.0.0/24' },
    { label: 'IPv6 host bits', value: 'fd00::1/64', error: 'fd00::/64' },
    { label: 'prefix 33', value: '10.0.0.0/33' },
    { label: 'a word', value: 'any' },
    { label: 'empty', value: '' },
    { label: 'a trailing space', value: '10.0.0.0/24 ' },
    { label: 'a list in one string', value: '10.0.0.0/24,10.1.0.0/24' },
    { label: 'an nft set', value: '{ 10.0.0.0/24 }' },
    { label: 'a number', value: 42 },
  ],
  VNI: [
    { label: '0 (reserved)', value: 0 },
    { label: 'above 24 bits', value: 16_777_216 },
    { label: '-1', value: -1 },
    { label: '1.5', value: 1.5 },
    { label: 'a string', value: '100' },
    { label: 'NaN', value: NaN },
  ],
  'forward target': [
    { label: 'no port', value: '10.0.0.2' },
    { label: 'port 0', value: '10.0.0.2:0' },
    { label: 'port 65536', value: '10.0.0.2:65536' },
    { label: 'IPv6 without brackets', value: 'fd00::2:80' },
    { label: 'IPv4 in brackets', value: '[10.0.0.2]:80' },
    { label: 'a host name', value: 'web:80' },
    { label: 'empty', value: '' },
    { label: 'a trailing space', value: '10.0.0.2:80 ' },
    { label: 'a port range', value: '10.0.0.2:80-90' },
    { label: 'a number', value: 80 },
  ],
  rate: [
    { label: '0', value: 0 },
    { label: 'below 8 kbit/s', value: 0.001 },
    { label: 'above 100 Gbit/s', value: 100_001 },
    { label: 'a string', value: '10mbit' },
    { label: 'NaN', value: NaN },
  ],
  'VLAN id': [
    { label: '0', value: 0 },
    { label: '4095', value: 4095 },
    { label: '-1', value: -1 },
    { label: '1.5', value: 1.5 },
    { label: 'a string', value: '10' },
    { label: 'NaN', value: NaN },
  ],
  MTU: [
    { label: '67', value: 67 },
    { label: '65536', value: 65536 },
    { label: '1500.5', value: 1500.5 },
    { label: 'a string', value: '1500' },
    { label: '-1', value: -1 },
    { label: '0', value: 0 },
  ],
  'sysctl key': [
    { label: 'outside net.* (kernel.panic)', value: 'kernel.panic' },
    { label: 'outside net.* (kernel.core_pattern)', value: 'kernel.core_pattern' },
    { label: 'outside net.* (vm.swappiness)', value: 'vm.swappiness' },
    { label: '"net" alone', value: 'net' },
    { label: 'a directory (net.ipv4)', value: 'net.ipv4' },
    { label: 'an empty component', value: 'net..ipv4.x' },
    { label: 'a trailing space', value: 'net.ipv4.ip_forward ' },
    { label: 'a path traversal after the key', value: 'net.ipv4.ip_forward/../x' },
    { label: 'a path traversal out of net', value: 'net.ipv4/../../kernel/core_pattern' },
    { label: 'a path traversal before the key', value: '../net.ipv4.ip_forward' },
  ],
  'sysctl value': [
    { label: 'two words', value: '1 2' },
    { label: 'empty', value: '' },
    { label: 'a fraction', value: 1.5 },
    { label: '65 characters', value: 'x'.repeat(65) },
    { label: 'a pipe to a program (what kernel.core_pattern would run)', value: '|/tmp/x' },
  ],
  'port VLANs': [
    { label: 'a PVID of 0', value: { pvid: 0 }, shown: 0 },
    { label: 'a tagged VLAN of 4095', value: { tagged: [10, 4095] }, shown: 4095 },
    { label: 'an empty tagged list', value: { tagged: [] }, shown: [] },
    { label: 'a VLAN tagged twice', value: { tagged: [10, 10] }, shown: [10, 10] },
    { label: 'the PVID also tagged', value: { pvid: 10, tagged: [10] } },
    { label: 'untagged without a PVID', value: { untagged: true } },
    { label: 'no VLAN at all', value: {} },
    { label: 'an unknown option', value: { vid: 10 } },
  ],
  prefix: [
    { label: '13 characters', value: 'abcdefghijklm' },
    { label: 'a space', value: 'a b' },
    { label: 'a dot', value: 'a.b' },
    { label: 'a slash', value: 'a/b' },
  ],
  'state directory': [
    { label: 'relative', value: 'run/cdktf-netns' },
    { label: 'a ".." component', value: '/run/../etc' },
    { label: 'a space', value: '/run/x y' },
    { label: 'empty', value: '' },
    { label: 'a "." component', value: '/./run/x' },
    { label: 'a trailing "."', value: '/run/.' },
    { label: 'the root directory', value: '/', error: 'the root directory' },
    ...['/tmp', '/tmp/x', '/tmp/', '//tmp//x', '/var/tmp/lab', '/dev/shm', '/dev/shm/lab', '/run/lock', '/var/lock/x', '/run/user', '/run/user/0/lab'].map(
      (dir): HostileValue => ({ label: `${dir}, in a directory every user may write to`, value: dir, error: 'a directory every user can write to' }),
    ),
  ],
  backend: [
    { label: 'unknown ("local")', value: 'local' },
    { label: 'upper case', value: 'NULL_RESOURCE' },
    { label: 'empty', value: '' },
  ],
};

// ---- near misses: accepted ------------------------------------------------------------------------------------

export const NEAR_MISSES: Readonly<Partial<Record<HostileField, readonly NearMiss[]>>> = {
  'host key': [{ label: 'with its comment', value: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIProLFkGzIb5YfZ9MBU/clH3uJZ1nJRnLgIFti6H0se8 root@rack1' }],
  'SSH port': [
    { label: 'the lowest port', value: 1 },
    { label: 'the highest port', value: 65535 },
  ],
  'host name': [{ label: '32 characters, all kinds', value: 'R4ck_-'.padEnd(32, 'x') }],
  'rule port': [
    { label: 'the lowest port', value: 1 },
    { label: 'the highest port', value: 65535 },
    { label: 'a range', value: [1000, 2000] },
    { label: 'a range of one', value: [80, 80] },
  ],
  'rule CIDR': [
    { label: 'a /8', value: '10.0.0.0/8' },
    { label: 'everything', value: '0.0.0.0/0' },
    { label: 'one address, bare', value: '10.0.0.2' },
    { label: 'IPv6 upper case', value: 'FD00::/8' },
  ],
  VNI: [
    { label: '1', value: 1 },
    { label: '16777215', value: 16_777_215 },
  ],
  'forward target': [
    { label: 'IPv6 in brackets', value: '[fd00::2]:80' },
    { label: 'the highest port', value: '10.0.0.2:65535' },
  ],
  delay: [
    { label: 'a microsecond', value: 0.001 },
    { label: 'a minute', value: 60_000 },
  ],
  loss: [
    { label: 'all of it', value: 100 },
    { label: 'a thousandth of a percent', value: 0.001 },
  ],
  rate: [
    { label: '8 kbit/s', value: 0.008 },
    { label: '100 Gbit/s', value: 100_000 },
  ],
  port: [
    { label: 'the lowest port', value: 1 },
    { label: 'the highest port', value: 65535 },
  ],
  timeout: [
    { label: 'half a second', value: 0.5 },
    { label: '300 s', value: 300 },
    { label: 'a fraction', value: 2.5 },
  ],
  'namespace name': [
    { label: '64 characters', value: 'n'.repeat(64) },
    { label: 'the full charset', value: 'A.b-c_9' },
    { label: 'a name containing a keyword', value: 'all0' },
    { label: 'another name containing a keyword', value: 'help0' },
  ],
  'interface name': [
    { label: '15 bytes', value: 'i'.repeat(15) },
    { label: 'the full charset', value: 'V_e.t-h0' },
    { label: 'a name containing a keyword', value: 'up0' },
    { label: 'another name containing a keyword', value: 'peer-a' },
  ],
  address: [
    { label: '/32', value: '10.0.0.1/32', canonical: '10.0.0.1/32' },
    { label: 'a /31 network address (RFC 3021)', value: '10.0.0.0/31', canonical: '10.0.0.0/31' },
    { label: '.255 inside a /23', value: '10.0.0.255/23', canonical: '10.0.0.255/23' },
    { label: 'an IPv6 /127 network address (RFC 6164)', value: 'fd00::/127', canonical: 'fd00::/127' },
    { label: 'IPv6, canonicalised', value: 'FD00:0:0::1/64', canonical: 'fd00::1/64' },
  ],
  'VLAN id': [
    { label: '1', value: 1 },
    { label: '4094', value: 4094 },
  ],
  MTU: [
    { label: '68', value: 68 },
    { label: '65535', value: 65535 },
  ],
  'sysctl key': [{ label: 'a key naming an interface', value: 'net.ipv4.conf.veth-a.rp_filter' }],
  'state directory': [
    { label: '/run/cdktf-netns', value: '/run/cdktf-netns' },
    { label: '/var/lib/cdktf-netns', value: '/var/lib/cdktf-netns' },
    { label: 'a name that starts like /run/user', value: '/run/userdata/lab' },
    { label: 'a name that starts like /tmp', value: '/tmpx/lab' },
  ],
};

// ---- scenarios ------------------------------------------------------------------------------------------------

export const SCENARIOS: readonly HostileScenario[] = [
  {
    label: 'two namespaces with one name (the first is named)',
    build: (s) => {
      new Namespace(s, 'a', { name: 'x' });
      new Namespace(s, 'b', { name: 'x' });
    },
    path: 'b',
    shown: 'x',
    stage: 'construction',
    mentions: ['a'],
  },
  {
    label: 'a Router with the name of a namespace',
    build: (s) => {
      new Namespace(s, 'a', { name: 'x' });
      new Router(s, 'b', { name: 'x' });
    },
    path: 'b',
    shown: 'x',
    stage: 'construction',
  },
  {
    label: 'two interfaces with one name in a namespace (the first is named)',
    build: (s) => {
      const ns = new Namespace(s, 'ns');
      new VethPair(s, 'p1', { a: { name: 'v0', namespace: ns }, b: { name: 'h1' } });
      new VethPair(s, 'p2', { a: { name: 'v0', namespace: ns }, b: { name: 'h2' } });
    },
    path: 'p2',
    shown: 'v0',
    stage: 'construction',
    mentions: ['p1'],
  },
  {
    label: 'a bridge with the name of a host veth end',
    build: (s) => {
      new VethPair(s, 'p', { a: { name: 'x0' }, b: { name: 'x1' } });
      new Bridge(s, 'br', { name: 'x1' });
    },
    path: 'br',
    shown: 'x1',
    stage: 'construction',
  },
  {
    label: 'a veth with both ends in one namespace under one name',
    build: (s) => {
      const ns = new Namespace(s, 'ns');
      new VethPair(s, 'p', { a: { name: 'v0', namespace: ns }, b: { name: 'v0', namespace: ns } });
    },
    path: 'p',
    shown: 'v0',
    stage: 'construction',
  },
  {
    label: 'a veth with both ends in the host under one name',
    build: (s) => new VethPair(s, 'p', { a: { name: 'v0' }, b: { name: 'v0' } }),
    path: 'p',
    shown: 'v0',
    stage: 'construction',
  },
  {
    label: 'a default VLAN name (parent.id) over 15 bytes',
    build: (s) => new VlanInterface(s, 'v', { parent: 'enp0s31f6abc', vlanId: 100 }),
    path: 'v',
    shown: 'enp0s31f6abc.100',
    stage: 'construction',
  },
  {
    label: 'a host-side name that the prefix makes a keyword',
    build: (s) => new Bridge(s, 'br', { name: 'p' }),
    context: { 'cdktf-netns:prefix': 'u' },
    path: 'br',
    shown: 'up',
    stage: 'construction',
    error: 'keyword',
  },
  {
    label: 'a host-side name that the prefix makes longer than 15 bytes',
    build: (s) => new Bridge(s, 'br', { name: 'brid' }),
    context: { 'cdktf-netns:prefix': 'abcdefghijkl' },
    path: 'br',
    shown: 'abcdefghijklbrid',
    stage: 'construction',
    error: 'prefix',
  },
  {
    label: 'a host veth end that the prefix makes longer than 15 bytes',
    build: (s) => pair(s, { name: 'veth-host' }),
    context: { 'cdktf-netns:prefix': 'abcdefghijkl' },
    path: 'p',
    shown: 'abcdefghijklveth-host',
    stage: 'construction',
  },
  {
    label: 'a namespace name that the prefix makes a keyword',
    build: (s) => new Namespace(s, 'ns', { name: 'll' }),
    context: { 'cdktf-netns:prefix': 'a' },
    path: 'ns',
    shown: 'all',
    stage: 'construction',
    error: 'keyword',
  },
  {
    label: 'addresses that are not a list (a bridge)',
    build: (s) => new Bridge(s, 'br', { name: 'br0', addresses: '10.0.0.1/24' as unknown as string[] }),
    path: 'br',
    shown: '10.0.0.1/24',
    stage: 'construction',
  },
  {
    label: 'addresses that are not a list (a veth end)',
    build: (s) => pair(s, { addresses: '10.0.0.1/24' }),
    path: 'p',
    shown: '10.0.0.1/24',
    stage: 'construction',
  },
  {
    label: 'one address listed twice',
    build: (s) => pair(s, { addresses: ['10.0.0.1/24', '10.0.0.1/24'] }),
    path: 'p',
    shown: '10.0.0.1/24',
    stage: 'construction',
  },
  {
    label: 'one address listed twice in two spellings',
    build: (s) => new Bridge(s, 'br', { name: 'br0', addresses: ['FD00::1/64', 'fd00:0::1/64'] }),
    path: 'br',
    shown: 'fd00::1/64',
    stage: 'construction',
  },
  {
    label: 'one address on both ends of a veth pair (host and namespace)',
    build: (s) => pair(s, {}, { addresses: ['10.0.0.1/24'] }),
    path: 'p',
    shown: '10.0.0.1/24',
    stage: 'synth',
  },
  {
    label: 'one address on both ends of a veth pair (two namespaces)',
    build: (s) =>
      new VethPair(s, 'p', {
        a: { name: 'v0', namespace: new Namespace(s, 'n1'), addresses: ['10.0.0.1/24'] },
        b: { name: 'v1', namespace: new Namespace(s, 'n2'), addresses: ['10.0.0.1/24'] },
      }),
    path: 'p',
    shown: '10.0.0.1/24',
    stage: 'synth',
  },
  {
    label: 'one address on the peers of two ports of a bridge (one added by addPort)',
    build: (s) => {
      const br = new Bridge(s, 'br', { name: 'br0' });
      new VethPair(s, 'p1', { a: { name: 'v', namespace: new Namespace(s, 'n1'), addresses: ['10.0.0.5/24'] }, b: { name: 'p1', bridge: br } });
      const p2 = new VethPair(s, 'p2', { a: { name: 'v', namespace: new Namespace(s, 'n2'), addresses: ['10.0.0.5/24'] }, b: { name: 'p2' } });
      br.addPort(p2.b);
    },
    path: 'p2',
    shown: '10.0.0.5/24',
    stage: 'synth',
    error: 'same layer-2 segment',
  },
  {
    label: 'one address on a bridge and on a host behind it',
    build: (s) => {
      const br = new Bridge(s, 'br', { name: 'br0', addresses: ['10.0.0.1/24'] });
      new VethPair(s, 'p', { a: { name: 'v', namespace: new Namespace(s, 'n1'), addresses: ['10.0.0.1/24'] }, b: { name: 'p', bridge: br } });
    },
    path: 'p',
    shown: '10.0.0.1/24',
    stage: 'synth',
  },
  {
    label: 'one address on the same VLAN at both ends of a trunk',
    build: (s) => {
      const t = new VethPair(s, 't', { a: { name: 't0', namespace: new Namespace(s, 'n1') }, b: { name: 't1', namespace: new Namespace(s, 'n2') } });
      new VlanInterface(s, 'l', { parent: t.a, vlanId: 10, addresses: ['10.0.10.1/24'] });
      new VlanInterface(s, 'r', { parent: t.b, vlanId: 10, addresses: ['10.0.10.1/24'] });
    },
    path: 'r',
    shown: '10.0.10.1/24',
    stage: 'synth',
  },
  {
    label: 'one address on two interfaces of a namespace (other prefix lengths)',
    build: (s) => {
      const ns = new Namespace(s, 'ns');
      new VethPair(s, 'p1', { a: { name: 'v1', namespace: ns, addresses: ['10.0.0.1/24'] }, b: { name: 'h1' } });
      new VethPair(s, 'p2', { a: { name: 'v2', namespace: ns, addresses: ['10.0.0.1/16'] }, b: { name: 'h2' } });
    },
    path: 'p2',
    shown: '10.0.0.1/16',
    stage: 'synth',
  },
  {
    label: 'one address on two interfaces of a namespace (a veth and a second veth)',
    build: (s) => {
      const ns = inNs(s);
      new VethPair(s, 'q', { a: { name: 'w0', namespace: ns, addresses: ['10.0.0.2/24'] }, b: { name: 'w1' } });
    },
    path: 'q',
    shown: '10.0.0.2/24',
    stage: 'synth',
  },
  {
    label: 'two interfaces with one name in a namespace (a second veth)',
    build: (s) => {
      const ns = inNs(s);
      new VethPair(s, 'q', { a: { name: 'v1', namespace: ns }, b: { name: 'w' } });
    },
    path: 'q',
    shown: 'v1',
    stage: 'construction',
  },
  {
    label: 'a bridge port in another namespace than its bridge',
    build: (s) => {
      const br = new Bridge(s, 'br', { name: 'br0', namespace: new Namespace(s, 'ns') });
      new VethPair(s, 'p', { a: { name: 'v0', namespace: Namespace.HOST, bridge: br }, b: { name: 'v1' } });
    },
    path: 'br',
    shown: 'v0',
    stage: 'construction',
  },
  {
    label: 'a bridge port whose namespace end is given a host bridge',
    build: (s) => {
      const br = new Bridge(s, 'br', { name: 'br0' });
      pair(s, {}, { bridge: br, addresses: [] });
    },
    path: 'br',
    shown: 'v1',
    stage: 'construction',
  },
  {
    label: 'a bridge port with addresses',
    build: (s) => {
      const br = new Bridge(s, 'br', { name: 'br0' });
      new VethPair(s, 'p', { a: { name: 'v0', bridge: br, addresses: ['10.0.0.1/24'] }, b: { name: 'v1' } });
    },
    path: 'br',
    shown: ['10.0.0.1/24'],
    stage: 'construction',
  },
  {
    label: 'a port of two bridges',
    build: (s) => {
      const b1 = new Bridge(s, 'b1', { name: 'br1' });
      const b2 = new Bridge(s, 'b2', { name: 'br2' });
      const p = new VethPair(s, 'p', { a: { name: 'v0', bridge: b1 }, b: { name: 'v1' } });
      b2.addPort(p.a);
    },
    path: 'b2',
    shown: 'br2',
    stage: 'construction',
  },
  {
    label: 'VLAN options on a bridge that does not filter VLANs',
    build: (s) => port(s, { pvid: 10 }, false),
    path: 'br',
    shown: { pvid: 10 },
    stage: 'construction',
  },
  {
    label: 'a gateway of the other address family (IPv4 via for an IPv6 destination)',
    build: (s) => new Route(s, 'rt', { namespace: inNs(s), destination: 'fd00:2::/64', via: '10.0.0.1' }),
    path: 'rt',
    shown: '10.0.0.1',
    stage: 'construction',
  },
  {
    label: 'a gateway of the other address family (IPv6 via for an IPv4 destination)',
    build: (s) => new Route(s, 'rt', { namespace: inNs(s), destination: '10.0.2.0/24', via: 'fd00::1' }),
    path: 'rt',
    shown: 'fd00::1',
    stage: 'construction',
  },
  {
    label: 'two routes to one destination in one namespace',
    build: (s) => {
      const ns = inNs(s);
      new Route(s, 'r1', { namespace: ns, destination: '10.0.2.0/24', via: '10.0.0.1' });
      new Route(s, 'r2', { namespace: ns, destination: '10.0.2.0/24', via: '10.0.0.1' });
    },
    path: 'r2',
    shown: '10.0.2.0/24',
    stage: 'construction',
  },
  {
    label: 'two routes to one destination spelt "default" and "0.0.0.0/0"',
    build: (s) => {
      const ns = inNs(s);
      new Route(s, 'r1', { namespace: ns, destination: 'default', via: '10.0.0.1' });
      new Route(s, 'r2', { namespace: ns, destination: '0.0.0.0/0', via: '10.0.0.1' });
    },
    path: 'r2',
    shown: '0.0.0.0/0',
    stage: 'construction',
  },
  {
    label: 'a gateway on no connected subnet of the namespace (its subnets are named)',
    build: (s) => new Route(s, 'rt', { namespace: inNs(s), destination: 'default', via: '10.9.9.9' }),
    path: 'rt',
    shown: '10.9.9.9',
    stage: 'synth',
    error: '10.0.0.0/24',
  },
  {
    label: 'a gateway in a namespace with no subnet at all',
    build: (s) => new Route(s, 'rt', { namespace: new Namespace(s, 'lonely'), destination: 'default', via: '10.0.9.1' }),
    path: 'rt',
    shown: '10.0.9.1',
    stage: 'synth',
  },
  {
    label: 'Namespace props that are not an object',
    build: (s) => new Namespace(s, 'ns', 'x' as any),
    path: 'ns',
    shown: 'x',
    stage: 'construction',
  },
  {
    label: 'a Route namespace that is not a namespace',
    build: (s) => new Route(s, 'rt', { namespace: {} as any, destination: 'default', via: '10.0.0.1' }),
    path: 'rt',
    shown: {},
    stage: 'construction',
  },
];

// ---- judging a refusal ----------------------------------------------------------------------------------------

/** How a hostile input fared: refused when the constructs were made, refused by the synthesis, or accepted. */
export interface HostileOutcome {
  readonly stage: 'construction' | 'synth' | 'accepted';
  /** What was thrown (undefined when accepted). */
  readonly error?: unknown;
  /** The library's message: at synthesis, the cdktf-netns part of cdktf's validation report. */
  readonly message: string;
}

/**
 * Declare `build` in the stack `makeStack` makes, then `synth` it (with
 * cdktf's validations: the library's cross-construct rules run there).
 */
export function tryHostile(makeStack: () => TerraformStack, build: (stack: TerraformStack) => void, synth: (stack: TerraformStack) => void): HostileOutcome {
  const stack = makeStack();
  try {
    build(stack);
  } catch (e) {
    return { stage: 'construction', error: e, message: e instanceof Error ? e.message : String(e) };
  }
  try {
    synth(stack);
  } catch (e) {
    const full = e instanceof Error ? e.message : String(e);
    const at = full.indexOf('cdktf-netns: ');
    const message = at < 0 ? full : full.slice(at).split('\n\nIf you wish')[0].trim();
    return { stage: 'synth', error: e, message };
  }
  return { stage: 'accepted', message: '' };
}

/**
 * What is wrong with the library's refusal of a hostile input ([] = a
 * helpful refusal): it must start with `cdktf-netns: STACK/PATH:` (or name a
 * construct below PATH, with `orBelow`), show the value as the library
 * prints it (`(got JSON)`, cut to 80 characters), say how to fix it, carry no raw newline or NUL
 * (values and construct paths are escaped), contain the expected fragment and
 * name the other constructs it must.
 */
export function refusalProblems(
  message: string,
  expected: { stackId: string; path: string; orBelow?: boolean; shown: unknown; error?: string | RegExp; mentions?: readonly string[] },
): string[] {
  const problems: string[] = [];
  const head = `cdktf-netns: ${expected.stackId}/${expected.path}`;
  if (!(message.startsWith(`${head}:`) || (expected.orBelow && message.startsWith(`${head}/`))))
    problems.push(`does not start with ${JSON.stringify(`${head}:`)}`);
  // as the library shows values: JSON-quoted, at most 80 characters
  const shown = JSON.stringify(expected.shown) ?? String(expected.shown);
  const got = `(got ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown})`;
  if (!message.includes(got)) problems.push(`does not show the value as ${got}`);
  if (!/Fix: \S/.test(message)) problems.push('says no "Fix:"');
  if (/[\n\0]/.test(message)) problems.push('shows a raw newline or NUL');
  const e = expected.error;
  if (e !== undefined && !(typeof e === 'string' ? message.includes(e) : e.test(message))) problems.push(`does not say ${String(e)}`);
  for (const m of expected.mentions ?? []) if (!message.includes(`${expected.stackId}/${m}`)) problems.push(`does not name ${expected.stackId}/${m}`);
  return problems;
}
