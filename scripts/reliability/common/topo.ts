/**
 * Lab topologies of the reliability matrix, written as plain data. From one
 * description we (1) build the constructs and (2) derive, independently of
 * the library, the kernel state the lab must produce: namespaces with their
 * marker and forwarding, interfaces with kind, marker, bridge, state and
 * addresses, and routes. Rows compare that with what `ip -j` reports.
 */
import { Construct } from 'constructs';
import { Bridge, HostRouter, INamespace, Namespace, Route, Router, VethPair } from '../../../lib';

export interface TopoNs { id: string; name?: string; router?: boolean }
export interface TopoEnd { name: string; ns?: string; addresses?: string[]; bridge?: string }
export interface TopoBridge { id: string; name: string; ns?: string; addresses?: string[] }
export interface TopoVeth { id: string; a: TopoEnd; b: TopoEnd }
export interface TopoRoute { id: string; ns: string; dest: string; via: string }
export interface Topo {
  namespaces: TopoNs[];
  bridges?: TopoBridge[];
  veths: TopoVeth[];
  routes?: TopoRoute[];
  /** A HostRouter with this construct id: the host forwards, `ns: '@host'` ends live in the host. */
  hostRouter?: string;
}

/** The tutorial's workshop (examples/workshop/stack.ts), as data. */
export const WORKSHOP: Topo = {
  namespaces: [{ id: 'sales', name: 'sales' }, { id: 'dev', name: 'dev' }, { id: 'router', name: 'router', router: true }],
  veths: [
    { id: 's', a: { name: 'veth-s', ns: 'sales', addresses: ['172.16.10.10/24'] }, b: { name: 'veth-s-rtr', ns: 'router', addresses: ['172.16.10.1/24'] } },
    { id: 'd', a: { name: 'veth-d', ns: 'dev', addresses: ['172.16.20.10/24'] }, b: { name: 'veth-d-rtr', ns: 'router', addresses: ['172.16.20.1/24'] } },
  ],
  routes: [
    { id: 'sales-default', ns: 'sales', dest: 'default', via: '172.16.10.1' },
    { id: 'dev-default', ns: 'dev', dest: 'default', via: '172.16.20.1' },
  ],
};

/** examples/bridge-lan/stack.ts, as data. */
export const BRIDGE_LAN: Topo = {
  namespaces: [{ id: 'ns_web' }, { id: 'ns_db' }],
  bridges: [{ id: 'br0', name: 'br0', addresses: ['192.168.100.1/24'] }],
  veths: [
    { id: 'web', a: { name: 'veth-web', ns: 'ns_web', addresses: ['192.168.100.10/24'] }, b: { name: 'veth-web-br', bridge: 'br0' } },
    { id: 'db', a: { name: 'veth-db', ns: 'ns_db', addresses: ['192.168.100.20/24'] }, b: { name: 'veth-db-br', bridge: 'br0' } },
  ],
};

/** examples/host-router/stack.ts, as data. */
export const HOST_ROUTER: Topo = {
  hostRouter: 'host',
  namespaces: [{ id: 'ns_web' }, { id: 'ns_db' }],
  veths: [
    { id: 'web', a: { name: 'veth-web', ns: 'ns_web', addresses: ['10.0.1.10/24'] }, b: { name: 'veth-web-host', ns: '@host', addresses: ['10.0.1.1/24'] } },
    { id: 'db', a: { name: 'veth-db', ns: 'ns_db', addresses: ['10.0.2.20/24'] }, b: { name: 'veth-db-host', ns: '@host', addresses: ['10.0.2.1/24'] } },
  ],
  routes: [
    { id: 'web-to-db', ns: 'ns_web', dest: '10.0.2.0/24', via: '10.0.1.1' },
    { id: 'db-to-web', ns: 'ns_db', dest: '10.0.1.0/24', via: '10.0.2.1' },
  ],
};

/** A deep copy, to derive variants. */
export function clone(t: Topo): Topo {
  return JSON.parse(JSON.stringify(t));
}

/** A variant of `t`: a deep copy, changed by `f`. */
export function variant(t: Topo, f: (t: Topo) => void): Topo {
  const c = clone(t);
  f(c);
  return c;
}

/** Build the constructs of `t` as direct children of `scope` (a stack). */
export function buildTopo(scope: Construct, t: Topo): void {
  const nss = new Map<string, INamespace>();
  let host: INamespace = Namespace.HOST;
  if (t.hostRouter) host = new HostRouter(scope, t.hostRouter);
  for (const n of t.namespaces) {
    nss.set(n.id, n.router ? new Router(scope, n.id, { name: n.name }) : new Namespace(scope, n.id, { name: n.name }));
  }
  const nsOf = (id?: string): INamespace => (id === undefined || id === '@host' ? host : nss.get(id)!);
  const bridges = new Map<string, Bridge>();
  for (const b of t.bridges ?? []) {
    bridges.set(b.id, new Bridge(scope, b.id, { name: b.name, namespace: nsOf(b.ns), addresses: b.addresses }));
  }
  // a bridge port lives in its bridge's namespace
  const portNs = (e: TopoEnd) => (e.bridge ? (t.bridges ?? []).find((b) => b.id === e.bridge)!.ns : e.ns);
  const end = (e: TopoEnd) => ({ name: e.name, namespace: nsOf(portNs(e)), addresses: e.addresses, bridge: e.bridge ? bridges.get(e.bridge) : undefined });
  for (const v of t.veths) new VethPair(scope, v.id, { a: end(v.a), b: end(v.b) });
  for (const r of t.routes ?? []) new Route(scope, r.id, { namespace: nsOf(r.ns), destination: r.dest, via: r.via });
}

/**
 * The kernel state the lab must produce, as sorted canonical lines (the same
 * format as `captureLab`). `token` is the deployment's token (12 hex digits:
 * the sha256 of the Teardown's Terraform id, see `Lab.deployment()`): the
 * kernel carries it in every marker, `cdktf-netns:<stack>@<token>/<path>`
 * (written out here, not taken from the library). `prefix` is the
 * `cdktf-netns:prefix` context value: it prefixes namespace names and
 * host-side interface names.
 */
export function expectedLines(stack: string, t: Topo, token: string, prefix = ''): string[] {
  if (!/^[0-9a-f]{12}$/.test(token)) throw new Error(`expectedLines: '${token}' is not a deployment token`);
  const marker = (id: string) => `cdktf-netns:${stack}@${token}/${id}`;
  const nsName = new Map<string, string>();
  for (const n of t.namespaces) nsName.set(n.id, prefix + (n.name ?? n.id));
  const where = (id?: string) => (id === undefined || id === '@host' ? '-' : nsName.get(id)!);
  const ifName = (ns: string | undefined, name: string) => (where(ns) === '-' ? prefix + name : name);
  const out: string[] = [];
  for (const n of t.namespaces) out.push(`ns ${nsName.get(n.id)} marker=${marker(n.id)} ip_forward=${n.router ? 1 : 0}`);
  const bridgeName = new Map<string, string>();
  for (const b of t.bridges ?? []) {
    bridgeName.set(b.id, ifName(b.ns, b.name));
    out.push(`link ${where(b.ns)} ${ifName(b.ns, b.name)} kind=bridge marker=${marker(b.id)} master=- up addrs=${[...(b.addresses ?? [])].sort().join(',')}`);
  }
  for (const v of t.veths) {
    for (const e of [v.a, v.b]) {
      const ns = e.bridge ? (t.bridges ?? []).find((b) => b.id === e.bridge)!.ns : e.ns;
      out.push(`link ${where(ns)} ${ifName(ns, e.name)} kind=veth marker=${marker(v.id)} master=${e.bridge ? bridgeName.get(e.bridge) : '-'} up addrs=${[...(e.addresses ?? [])].sort().join(',')}`);
    }
  }
  for (const r of t.routes ?? []) out.push(`route ${where(r.ns)} ${r.dest.includes(':') || r.via.includes(':') ? 6 : 4} ${r.dest} via ${r.via} proto 213`);
  return out.sort();
}
