/**
 * The star lab of the benchmark, as plain data, and its cdktf-netns rendering.
 *
 * N namespaces ns0..nsN-1, each with one veth pair: `eth0` inside the
 * namespace (one address) and `vethI` in the root namespace, a port of a host
 * bridge. A Linux bridge takes at most 1023 ports, so every 1000 namespaces
 * get their own bridge brK with its own /16: bridge K is 10.K.0.1/16 and its
 * namespaces get host addresses 10.K.0.2 .. 10.K.3.233 (never the network or
 * broadcast address). Each namespace has a default route via its bridge.
 *
 * The same data drives the two shell baselines (baselines.ts), the
 * cdktf-netns stack (buildStar) and the completeness checks (kernel.ts), so
 * all three methods build, and are checked against, the very same lab.
 *
 * Run as a program it synthesizes one star lab, for the synthesis timing:
 *
 *   npx ts-node scripts/bench/star.ts --size N --outdir DIR [--steps a,b,c,d,e]
 *
 * and prints `{"buildMs":..,"synthMs":..}` (in-process times) on stdout.
 */
import { App, TerraformStack } from 'cdktf';
import { Bridge, Firewall, Namespace, Route, VethPair } from '../../lib';

/** Ports per bridge (the kernel's limit is 1023). */
export const PORTS_PER_BRIDGE = 1000;
/** The cdktf stack name of the lab. */
export const STACK = 'star';

export interface StarBridge {
  name: string;
  /** Addresses of the bridge, first one the namespaces' default gateway. */
  addresses: string[];
}

export interface StarMember {
  /** Stable index: construct ids and interface names derive from it. */
  index: number;
  ns: string;
  /** Root-namespace end of the pair (a bridge port); the namespace end is always `eth0`. */
  veth: string;
  /** Index into StarSpec.bridges. */
  bridge: number;
  /** Address of eth0, `a.b.c.d/16`. */
  address: string;
  /** Gateway of the default route. */
  gateway: string;
}

export interface StarSpec {
  bridges: StarBridge[];
  members: StarMember[];
  /** Every namespace has a Firewall: input policy drop, ICMP from its bridge's /16 accepted (step e). */
  firewall?: boolean;
}

/** The network of a member's bridge (what its Firewall accepts ICMP from). */
export const bridgeNetwork = (m: StarMember): string => `10.${m.bridge}.0.0/16`;

/** Host address number `offset` (>= 1) inside 10.K.0.0/16, as a dotted quad. */
function hostAddress(bridge: number, offset: number): string {
  return `10.${bridge}.${Math.floor(offset / 256)}.${offset % 256}`;
}

function member(index: number, bridge: number, offset: number): StarMember {
  return {
    index,
    ns: `ns${index}`,
    veth: `veth${index}`,
    bridge,
    address: `${hostAddress(bridge, offset)}/16`,
    gateway: hostAddress(bridge, 1),
  };
}

/** The star lab with `n` namespaces. */
export function starSpec(n: number): StarSpec {
  if (!Number.isInteger(n) || n < 1) throw new Error(`star lab size must be a positive integer, got ${n}`);
  if (n > 250 * PORTS_PER_BRIDGE) throw new Error(`star lab size ${n} needs more than 250 bridges (10.K.0.0/16, K < 256)`);
  const bridgeCount = Math.ceil(n / PORTS_PER_BRIDGE);
  const bridges = Array.from({ length: bridgeCount }, (_, k) => ({ name: `br${k}`, addresses: [`${hostAddress(k, 1)}/16`] }));
  // offsets 2..1001: .1 is the bridge
  const members = Array.from({ length: n }, (_, i) => member(i, Math.floor(i / PORTS_PER_BRIDGE), (i % PORTS_PER_BRIDGE) + 2));
  return checkSpec({ bridges, members });
}

/**
 * Guard against a lab the kernel would take but the bench would mis-measure:
 * two objects with one name or one address, or a bridge over its port limit.
 */
export function checkSpec(spec: StarSpec): StarSpec {
  const seen = new Set<string>();
  const once = (key: string): void => {
    if (seen.has(key)) throw new Error(`star lab: ${key} used twice`);
    seen.add(key);
  };
  for (const b of spec.bridges) {
    once(`interface ${b.name}`);
    b.addresses.forEach((a) => once(`address ${a.split('/')[0]}`));
  }
  for (const m of spec.members) {
    once(`namespace ${m.ns}`);
    once(`interface ${m.veth}`);
    once(`address ${m.address.split('/')[0]}`);
  }
  spec.bridges.forEach((b, k) => {
    const ports = spec.members.filter((m) => m.bridge === k).length;
    if (ports > 1023) throw new Error(`star lab: bridge ${b.name} has ${ports} ports (the kernel takes at most 1023)`);
  });
  return spec;
}

function cloneSpec(s: StarSpec): StarSpec {
  return JSON.parse(JSON.stringify(s));
}

/** One incremental change of a deployed lab. */
export interface Step {
  id: StepId;
  title: string;
  /** A few words, for the table. */
  short: string;
  /** The lab after the change. */
  apply(spec: StarSpec): StarSpec;
  /**
   * Namespaces whose objects (the namespace, its eth0, its veth) the change
   * may re-create, add or remove; every other kernel object must keep its
   * identity. Computed on the lab before the change.
   */
  touches(spec: StarSpec): string[];
}

export type StepId = 'a' | 'b' | 'c' | 'd' | 'e';
export const STEP_IDS: StepId[] = ['a', 'b', 'c', 'd', 'e'];

/*
 * The steps pick members by position (first, second, third) so that they
 * apply cumulatively in order a, b, c, d to any lab of 3 or more namespaces.
 * New addresses (10.K.200.1, 10.K.201.1, the second gateway 10.K.255.254)
 * lie far above the star's 10.K.0.2 .. 10.K.3.233, so they never collide.
 */
export const STEPS: Record<StepId, Step> = {
  a: {
    id: 'a',
    title: 'change one eth0 address',
    short: 'eth0 address',
    apply(spec) {
      const s = cloneSpec(spec);
      s.members[0].address = `${hostAddress(s.members[0].bridge, 200 * 256 + 1)}/16`;
      return s;
    },
    touches: (spec) => [spec.members[0].ns],
  },
  b: {
    id: 'b',
    title: 'add one namespace (+veth, route)',
    short: 'add namespace',
    apply(spec) {
      const s = cloneSpec(spec);
      const index = Math.max(...s.members.map((m) => m.index)) + 1;
      // on the last bridge: it has at most 1000 ports, so one more fits (limit 1023)
      s.members.push(member(index, s.bridges.length - 1, 201 * 256 + 1));
      return s;
    },
    touches: (spec) => [`ns${Math.max(...spec.members.map((m) => m.index)) + 1}`],
  },
  c: {
    id: 'c',
    title: 'remove one namespace (+veth, route)',
    short: 'remove namespace',
    apply(spec) {
      const s = cloneSpec(spec);
      s.members.splice(1, 1);
      return s;
    },
    touches: (spec) => [spec.members[1].ns],
  },
  d: {
    id: 'd',
    title: 'change one default route gateway',
    short: 'route gateway',
    apply(spec) {
      // a second address on the bridge, and one namespace's default route via it
      const s = cloneSpec(spec);
      const m = s.members[2];
      const gateway = hostAddress(m.bridge, 255 * 256 + 254); // 10.K.255.254, the subnet's last host address
      const bridge = s.bridges[m.bridge];
      if (!bridge.addresses.includes(`${gateway}/16`)) bridge.addresses.push(`${gateway}/16`);
      m.gateway = gateway;
      return s;
    },
    // a route and a bridge address change: no namespace or interface may be re-created
    touches: () => [],
  },
  e: {
    id: 'e',
    title: 'a Firewall in every namespace (input drop, ICMP from the bridge accepted)',
    short: 'firewall everywhere',
    apply(spec) {
      const s = cloneSpec(spec);
      s.firewall = true;
      return s;
    },
    // an nftables table in each namespace: no namespace or interface may be re-created
    touches: () => [],
  },
};

/** The lab after applying `steps` in order to the star lab of size n. */
export function specAfter(n: number, steps: StepId[]): StarSpec {
  return steps.reduce((spec, id) => checkSpec(STEPS[id].apply(spec)), starSpec(n));
}

/**
 * The cdktf-netns constructs of `spec`, as direct children of `stack`.
 * Construct ids derive from the member index, so Terraform addresses stay
 * stable when other members are added or removed.
 */
export function buildStar(stack: TerraformStack, spec: StarSpec): void {
  const bridges = spec.bridges.map((b) => new Bridge(stack, b.name, { name: b.name, addresses: b.addresses }));
  for (const m of spec.members) {
    const ns = new Namespace(stack, m.ns, { name: m.ns });
    new VethPair(stack, `p${m.index}`, {
      a: { name: 'eth0', namespace: ns, addresses: [m.address] },
      b: { name: m.veth, bridge: bridges[m.bridge] },
    });
    new Route(stack, `r${m.index}`, { namespace: ns, destination: 'default', via: m.gateway });
    if (spec.firewall) new Firewall(stack, `fw${m.index}`, { namespace: ns, input: { policy: 'drop', allow: [{ from: bridgeNetwork(m), protocol: 'icmp' }] } });
  }
}

/** Synthesize `spec` as stack STACK into `outdir` (terraform_data backend); in-process timings. */
export function synthStar(spec: StarSpec, outdir: string): { buildMs: number; synthMs: number } {
  const t0 = performance.now();
  const app = new App({ outdir, context: { 'cdktf-netns:backend': 'terraform_data' } });
  buildStar(new TerraformStack(app, STACK), spec);
  const t1 = performance.now();
  app.synth();
  return { buildMs: t1 - t0, synthMs: performance.now() - t1 };
}

function cliMain(argv: string[]): void {
  const opt = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const size = Number(opt('--size'));
  const outdir = opt('--outdir');
  const steps = (opt('--steps') ?? '').split(',').filter(Boolean);
  const bad = steps.filter((s) => !(STEP_IDS as string[]).includes(s));
  if (!outdir || bad.length) throw new Error(`usage: star.ts --size N --outdir DIR [--steps a,b,c,d,e]${bad.length ? ` (unknown step ${bad.join(',')})` : ''}`);
  const timings = synthStar(specAfter(size, steps as StepId[]), outdir);
  process.stdout.write(`${JSON.stringify(timings)}\n`);
}

if (require.main === module) {
  try {
    cliMain(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
