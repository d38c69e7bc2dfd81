import { IConstruct } from 'constructs';
import { ParsedIp } from '../core/ip';
import { INamespace } from '../core/types';

/**
 * Connectivity intents (Reachable, Unreachable): what a lab must and must not let through,
 * probed against the live kernel at the end of every apply that changes something (the
 * lab's Seal step runs them after healing) and by `cdktf-netns check`.
 *
 * The intents file (`cdktf-netns/intents.data` beside the stack's plan; its lines are
 * also the Seal's `intents` trigger, so `terraform plan` shows a changed intent) has one
 * line per intent, fields separated by one space, `-` for none and for the host namespace:
 *
 *   intent EXPECT FROM TO PROTOCOL PORT VIA TIMEOUT_MS PATH
 *
 * EXPECT is `reach` or `unreach`; PATH is the construct path with every byte outside
 * `A-Za-z0-9_.:/-` percent-encoded, so every field is plain, validated text that the
 * engine's probe (lib/engine/probe.sh) prints and passes without quoting surprises.
 */

export type IntentProtocol = 'icmp' | 'tcp' | 'udp';
export const INTENT_PROTOCOLS: readonly IntentProtocol[] = ['icmp', 'tcp', 'udp'];

/** Context key: the default timeout of the intents in a scope, in seconds. */
export const INTENT_TIMEOUT_CONTEXT = 'cdktf-netns:intentTimeout';
/** Seconds an intent's probe retries (Reachable) or listens for an answer (Unreachable) unless set. */
export const DEFAULT_INTENT_TIMEOUT = 5;
export const MIN_INTENT_TIMEOUT = 0.5;
export const MAX_INTENT_TIMEOUT = 300;

/** One intent as the lab holds it. */
export interface IntentEntry {
  readonly owner: IConstruct;
  readonly expect: 'reach' | 'unreach';
  readonly from: INamespace;
  readonly to: ParsedIp;
  readonly protocol: IntentProtocol;
  readonly port?: number;
  readonly via?: ParsedIp;
  readonly timeoutMs: number;
}

/** An intent read back from a plan (testing helpers, the CLI, the graph). */
export interface PlannedIntent {
  /** The construct path of the Reachable / Unreachable. */
  readonly path: string;
  readonly expect: 'reachable' | 'unreachable';
  /** The namespace the probe runs in: its kernel name, or `host` for the host's root namespace. */
  readonly from: string;
  readonly to: string;
  readonly protocol: IntentProtocol;
  readonly port?: number;
  /** The expected first hop (Reachable only). */
  readonly via?: string;
  readonly timeoutMs: number;
  /** The line of the intents file. */
  readonly line: string;
}

/** The construct path as the intents file holds it. */
export function encodePath(path: string): string {
  return Array.from(Buffer.from(path, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_.:/-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

export function decodePath(text: string): string {
  return decodeURIComponent(text);
}

export function intentLine(e: IntentEntry, nsField: string): string {
  return [
    'intent',
    e.expect,
    nsField,
    e.to.text,
    e.protocol,
    e.port === undefined ? '-' : String(e.port),
    e.via ? e.via.text : '-',
    String(e.timeoutMs),
    encodePath(e.owner.node.path),
  ].join(' ');
}

const LINE = /^intent (reach|unreach) ([A-Za-z0-9_.-]+) ([0-9a-fA-F.:]+) (icmp|tcp|udp) ([0-9]+|-) ([0-9a-fA-F.:]+|-) ([0-9]+) ([A-Za-z0-9_.:/%-]+)$/;

/** Parse one line of the intents file; undefined when it is not an intent line. */
export function parseIntentLine(line: string): PlannedIntent | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return {
    path: decodePath(m[8]),
    expect: m[1] === 'reach' ? 'reachable' : 'unreachable',
    from: m[2] === '-' ? 'host' : m[2],
    to: m[3],
    protocol: m[4] as IntentProtocol,
    port: m[5] === '-' ? undefined : Number(m[5]),
    via: m[6] === '-' ? undefined : m[6],
    timeoutMs: Number(m[7]),
    line,
  };
}

/** The intents file: a header, then the lines in declaration order. */
export function intentsFile(lines: readonly string[]): string {
  return ['# cdktf-netns intents v1: written by cdktf synth; run by cdktf-netns/engine/engine.sh check', ...lines, ''].join('\n');
}

/** Parse an intents file (or the Seal's `intents` trigger): refuses a line it cannot read. */
export function parseIntents(text: string): PlannedIntent[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const p = parseIntentLine(l);
      if (!p) throw new Error(`not a cdktf-netns intent line: ${JSON.stringify(l)}`);
      return p;
    });
}

/** How an intent reads in messages: `sales reaches 172.16.20.10 (icmp) via 172.16.10.1`. */
export function describeIntent(i: PlannedIntent): string {
  const target = i.port === undefined ? i.to : i.to.includes(':') ? `[${i.to}]:${i.port}` : `${i.to}:${i.port}`;
  const verb = i.expect === 'reachable' ? 'reaches' : 'does not reach';
  return `${i.from} ${verb} ${target} (${i.protocol})${i.via ? ` via ${i.via}` : ''}`;
}
