/**
 * IPv4/IPv6 address and prefix arithmetic, used by validation (is this a
 * CIDR? are host bits set? is this gateway on a connected subnet?) and to
 * canonicalise addresses into the exact text the kernel prints, so that the
 * generated shell can compare strings.
 */

export type Family = 4 | 6;

export interface ParsedIp {
  readonly family: Family;
  /** The address as an unsigned integer. */
  readonly value: bigint;
  /** Canonical text (IPv6 in RFC 5952 form, as iproute2 prints it). */
  readonly text: string;
}

export interface ParsedCidr extends ParsedIp {
  readonly prefix: number;
  /** `text/prefix`, canonical. */
  readonly cidr: string;
  /** True when bits beyond the prefix are set (an interface address, not a network). */
  readonly hostBitsSet: boolean;
  /** The network (host bits cleared), canonical `net/prefix`. */
  readonly network: string;
}

const V4_OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$/;

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!V4_OCTET.test(p)) return undefined;
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const dbl = s.split('::');
  if (dbl.length > 2) return undefined;
  const toGroups = (part: string, allowV4: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it.includes('.')) {
        if (!allowV4 || i !== items.length - 1) return undefined;
        const v4 = parseV4(it);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  // an embedded IPv4 address may only be the last 32 bits
  const head = toGroups(dbl[0], dbl.length === 1);
  const tail = dbl.length === 2 ? toGroups(dbl[1], true) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (dbl.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

function formatV6(v: bigint): string {
  // RFC 5952 section 5 (and glibc's inet_ntop): IPv4-mapped addresses end in dotted form
  if (v >> 32n === 0xffffn) return `::ffff:${formatV4(v & 0xffffffffn)}`;
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups, first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

/** Parse a bare IPv4 or IPv6 address; undefined when it is not one. */
export function parseIp(s: string): ParsedIp | undefined {
  if (typeof s !== 'string') return undefined;
  const v4 = parseV4(s);
  if (v4 !== undefined) return { family: 4, value: v4, text: formatV4(v4) };
  if (s.includes(':')) {
    const v6 = parseV6(s);
    if (v6 !== undefined) return { family: 6, value: v6, text: formatV6(v6) };
  }
  return undefined;
}

function bits(f: Family): number {
  return f === 4 ? 32 : 128;
}

function mask(f: Family, prefix: number): bigint {
  const total = BigInt(bits(f));
  const p = BigInt(prefix);
  return ((1n << total) - 1n) ^ ((1n << (total - p)) - 1n);
}

function format(f: Family, v: bigint): string {
  return f === 4 ? formatV4(v) : formatV6(v);
}

/** Parse `addr/prefix`; undefined when it is not a valid CIDR. */
export function parseCidr(s: string): ParsedCidr | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  if (!ip) return undefined;
  const prefix = Number(m[2]);
  if (prefix > bits(ip.family)) return undefined;
  const net = ip.value & mask(ip.family, prefix);
  return {
    ...ip,
    prefix,
    cidr: `${ip.text}/${prefix}`,
    hostBitsSet: net !== ip.value,
    network: `${format(ip.family, net)}/${prefix}`,
  };
}

/** Whether `ip` lies inside the subnet of `cidr`. */
export function subnetContains(cidr: ParsedCidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false;
  const m = mask(cidr.family, cidr.prefix);
  return (cidr.value & m) === (ip.value & m);
}
