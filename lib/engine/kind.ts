/**
 * What the engine knows about one kind of kernel object. Each kind lives in
 * one module of lib/kinds/: this spec (the schema of its values, its plan key
 * and labels, its description, its drift check) next to its awk module
 * (`lib/kinds/<module>.awk`: create / update / delete as iproute2 batch lines).
 *
 * An object is one line of the lab's data file: `<kind> <field>...`, fields
 * separated by one space, `-` for "none" and for the host namespace.
 */

/** The field values of one object, by field name. */
export type Values = Readonly<Record<string, string>>;

/** Kernel state read back by `cdktf-netns verify`, per namespace ("-" = the host). */
export interface NamespaceFacts {
  /** False when the namespace does not exist (or could not be entered). */
  readonly exists: boolean;
  /** `ip -j -d addr show`, parsed. */
  readonly links: ReadonlyArray<LinkFact>;
  /** `ip -j route show` (IPv4 and IPv6), parsed. */
  readonly routes: ReadonlyArray<{ dst: string; gateway?: string; protocol?: string | number; family: 4 | 6 }>;
  /** Values of the sysctls asked for. */
  readonly sysctls: Readonly<Record<string, string>>;
  /** `tc -j qdisc show`, parsed (only where a read asks for it): each interface's queueing disciplines (root: the one at its root). */
  readonly qdiscs?: ReadonlyArray<{ dev: string; kind: string; root: boolean }>;
  /** The lab's nftables table (only where a read asks for it; undefined when there is none). */
  readonly nft?: NftTableFact;
}

export interface LinkFact {
  readonly ifname: string;
  readonly ifalias?: string;
  readonly master?: string;
  readonly flags?: string[];
  readonly mtu?: number;
  readonly address?: string;
  readonly linkinfo?: { info_kind?: string; info_data?: { id?: number; vlan_filtering?: number } };
  readonly addr_info?: Array<{ local: string; prefixlen: number; scope?: string }>;
}

/** The lab's nftables table in one namespace, as `nft` lists it. */
export interface NftTableFact {
  readonly name: string;
  /** The table's comment ('' when it has none). */
  readonly comment: string;
  /** The comment the lab gives it: its kernel marker for this deployment. */
  readonly marker: string;
  /** Its chains: policy (for base chains) and the comments of their rules, in order. */
  readonly chains: ReadonlyArray<{ name: string; policy?: string; rules: string[] }>;
}

export interface Facts {
  ns(name: string): NamespaceFacts;
  /** The lab's nftables table in a namespace (undefined when there is none); read only where a read asks for it. */
  nft?(name: string): NftTableFact | undefined;
  /** Host sysctl values (key -> value). */
  readonly hostSysctls: Readonly<Record<string, string>>;
}

/** A reference from one object to another it hangs off (for ordering and cascades). */
export type ParentRef = { readonly ns: string } | { readonly iface: readonly [string, string] } | { readonly gatewayOf: readonly [string, string] };

/** What verify reads in a namespace. */
export interface FactRead {
  readonly ns: string;
  readonly sysctl?: string;
  readonly qdiscs?: boolean;
  readonly nft?: boolean;
}

export interface Kind {
  /** The kind token that starts its data lines, e.g. `veth`. */
  readonly name: string;
  /** The awk module that implements it (lib/kinds/<module>.awk). */
  readonly module: string;
  /** Field names, in line order. */
  readonly fields: readonly string[];
  /** How many leading fields identify the object (a change there is a new object). */
  readonly identity: number;
  /** Creation order (deletion runs in reverse). */
  readonly phase: number;
  /** 1-based indexes of the fields that name a namespace. */
  readonly namespaceFields: readonly number[];
  /** The key of the object: readable and unique in a lab. */
  key(v: Values): string;
  /**
   * The namespace the plan groups the object under (its "home"): the plan's
   * triggers have one key per home, so `terraform plan` names the namespaces
   * that change and shows the changed lines. `linkHome` gives the home of an
   * interface declared earlier.
   */
  home(v: Values, linkHome: (ns: string, ifname: string) => string | undefined): string;
  /** Interfaces the object creates, `[ns, ifname]`. */
  links(v: Values): Array<[string, string]>;
  /** Selectors of the testing helpers (`veth:NAME`, `route:NS/DEST`, ...). */
  labels(v: Values): string[];
  /** A human description, as the engine's log prints it. */
  describe(v: Values): string;
  /** What the object hangs off. */
  parents(v: Values): ParentRef[];
  /** Drift: what differs between the kernel and the declared object (empty = in line). */
  verify(v: Values, facts: Facts): string[];
  /** Namespaces whose facts verify needs, the sysctls it reads there, and whether it needs their qdiscs or the lab's nftables table. */
  reads(v: Values): Array<FactRead>;
}

/** A token the engine can carry: no blanks, quotes, shell or template characters. */
const TOKEN = /^[A-Za-z0-9_.:/~,@+=-]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s) && !s.includes('${') && !s.includes('%{');
}

/** Build a data line, checking every field (a last line of defence behind the constructs' validation). */
export function line(kind: Kind, v: Values): string {
  const parts = [kind.name];
  for (const f of kind.fields) {
    const value = v[f];
    if (value === undefined || !isToken(value)) {
      throw new Error(`internal: ${kind.name}.${f} is not a safe token (${JSON.stringify(value)}); the construct should have refused it`);
    }
    parts.push(value);
  }
  return parts.join(' ');
}

/** Parse a data line back into values (undefined when the kind or the field count does not match). */
export function parseLine(kinds: ReadonlyMap<string, Kind>, text: string): { kind: Kind; values: Values } | undefined {
  const parts = text.split(' ');
  const kind = kinds.get(parts[0]);
  if (!kind || parts.length !== kind.fields.length + 1) return undefined;
  const values: Record<string, string> = {};
  kind.fields.forEach((f, i) => {
    values[f] = parts[i + 1];
  });
  return { kind, values };
}

/** The engine's identity of an object: kind plus its identity fields. */
export function identityOf(kind: Kind, v: Values): string {
  return [kind.name, ...kind.fields.slice(0, kind.identity).map((f) => v[f])].join(' ');
}

/** Printable namespace: "host" for the root namespace. */
export const nsLabel = (ns: string): string => (ns === '-' ? 'host' : ns);
/** `name` or `name (ns)`, as the engine's log writes interfaces. */
export const at = (ns: string, ifname: string): string => (ns === '-' ? ifname : `${ifname} (${ns})`);
export const where = (ns: string): string => (ns === '-' ? 'the host namespace' : `namespace '${ns}'`);

/** Shared drift checks of links (veth ends, bridges, VLAN interfaces). */
export function verifyLink(facts: Facts, ns: string, ifname: string, marker: string, mtu?: string): { drift: string[]; link?: LinkFact } {
  const nf = facts.ns(ns);
  if (!nf.exists) return { drift: [`${where(ns)} is missing`] };
  const link = nf.links.find((l) => l.ifname === ifname);
  if (!link) return { drift: [`interface '${ifname}' is missing from ${where(ns)}`] };
  const drift: string[] = [];
  if (link.ifalias !== marker) drift.push(`interface '${ifname}' in ${where(ns)} does not carry the marker ${marker}`);
  if (!(link.flags ?? []).includes('UP')) drift.push(`interface '${ifname}' in ${where(ns)} is down`);
  if (mtu && mtu !== '-' && String(link.mtu) !== mtu) drift.push(`interface '${ifname}' in ${where(ns)} has MTU ${link.mtu}, declared ${mtu}`);
  return { drift, link };
}
