import { Construct } from 'constructs';
import { Lab } from '../engine/lab';
import {
  DEFAULT_INTENT_TIMEOUT,
  INTENT_PROTOCOLS,
  INTENT_TIMEOUT_CONTEXT,
  IntentEntry,
  IntentProtocol,
  MAX_INTENT_TIMEOUT,
  MIN_INTENT_TIMEOUT,
} from '../engine/intents';
import { fail } from './errors';
import { ParsedIp } from './ip';
import { INamespace } from './types';
import { isPort, validateIp, validateNamespaceHandle } from './validate';

/** What every connectivity intent says: from where, to what, how. */
export interface IntentProps {
  /** The namespace the probe runs in (`Namespace.HOST` for the host's root namespace). */
  readonly from: INamespace;
  /** The address probed: IPv4 or IPv6, without a prefix length. */
  readonly to: string;
  /**
   * How to probe: `icmp` (ping), `tcp` (a connection to `port` is accepted) or `udp` (a datagram
   * to `port` gets an answer).
   * @default 'icmp'
   */
  readonly protocol?: IntentProtocol;
  /**
   * The port of a tcp or udp probe (required for them; not allowed with icmp).
   * @default - none (icmp)
   */
  readonly port?: number;
  /**
   * Seconds the probe has: a Reachable retries until it gets an answer within this time, an
   * Unreachable listens this long for any answer.
   * @default - the context `cdktf-netns:intentTimeout` of the scope, else 5
   */
  readonly timeout?: number;
}

/** Base of Reachable and Unreachable: validates the props and registers the intent with the lab. */
export abstract class IntentConstruct extends Construct {
  /** The namespace the probe runs in. */
  public readonly from: INamespace;
  /** The address probed. */
  public readonly to: string;
  /** How the probe asks: icmp, tcp or udp. */
  public readonly protocol: IntentProtocol;
  /** The port of a tcp or udp probe. */
  public readonly port?: number;
  /** Seconds the probe has. */
  public readonly timeout: number;
  /** @internal The expected first hop, canonical (Reachable's `via`). */
  protected readonly firstHop?: string;

  /** @internal */
  protected constructor(scope: Construct, id: string, props: IntentProps, expect: 'reach' | 'unreach', via?: unknown) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { from, to }');
    validateNamespaceHandle(this, 'from', props.from, (handles) => `pass the namespace the probe runs in: ${handles}`);
    const to = validateIp(this, 'to', props.to);
    const protocol = props.protocol ?? 'icmp';
    if (!INTENT_PROTOCOLS.includes(protocol)) fail(this, 'protocol is not one the probe knows', protocol, `use one of ${INTENT_PROTOCOLS.join(', ')}`);
    if (protocol === 'icmp' && props.port !== undefined) {
      fail(this, 'port is set on an icmp intent (ping has no ports)', props.port, "drop the port, or set protocol: 'tcp' or 'udp'");
    }
    if (protocol !== 'icmp' && !isPort(props.port)) {
      fail(this, `port of a ${protocol} intent must be a whole number from 1 to 65535`, props.port, 'set the port the service listens on, e.g. 80');
    }
    let gw: ParsedIp | undefined;
    if (via !== undefined) {
      gw = validateIp(this, 'via', via);
      if (gw.family !== to.family)
        fail(this, `via is IPv${gw.family} but to is IPv${to.family}`, via, 'give the first hop of the same address family as the target');
    }
    const fromContext = props.timeout === undefined;
    const timeout = props.timeout ?? this.node.tryGetContext(INTENT_TIMEOUT_CONTEXT) ?? DEFAULT_INTENT_TIMEOUT;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < MIN_INTENT_TIMEOUT || timeout > MAX_INTENT_TIMEOUT) {
      fail(
        this,
        `${fromContext ? `context "${INTENT_TIMEOUT_CONTEXT}"` : 'timeout'} must be a number of seconds from ${MIN_INTENT_TIMEOUT} to ${MAX_INTENT_TIMEOUT}`,
        timeout,
        'use e.g. 5 (seconds)',
      );
    }
    this.from = props.from;
    this.to = to.text;
    this.protocol = protocol;
    this.port = props.port;
    this.timeout = timeout;
    this.firstHop = gw?.text;
    const entry: IntentEntry = { owner: this, expect, from: props.from, to, protocol, port: props.port, via: gw, timeoutMs: Math.round(timeout * 1000) };
    Lab.of(this).registerIntent(entry);
  }
}
