import { Construct } from 'constructs';
import { ITerraformDependable } from './core/cdk';
import { fail } from './core/errors';
import { implementationOf } from './core/interface';
import { IInterface } from './core/types';
import { Lab } from './engine/lab';
import { QDISC } from './kinds';

/** What a LinkImpairment does to the traffic that leaves its interface (at least one of them). */
export interface LinkImpairmentProps {
  /**
   * The interface whose outgoing traffic is impaired: one of the lab's (a veth end, a Bridge, a
   * VlanInterface; not an imported one). For both directions of a link, impair both ends.
   */
  readonly interface: IInterface;
  /**
   * Added delay, in milliseconds (0.001 to 60000). Needs netem (`sch_netem`) in the kernel.
   * @default - no delay
   */
  readonly delayMs?: number;
  /**
   * Random variation of the delay, in milliseconds (up to the delay). Needs `delayMs`.
   * @default - no jitter
   */
  readonly jitterMs?: number;
  /**
   * Packets dropped at random, in percent (0.001 to 100). Needs netem.
   * @default - no loss
   */
  readonly lossPercent?: number;
  /**
   * The most the interface sends, in Mbit/s (0.008 to 100000). Alone it uses tbf (any kernel);
   * with a delay, jitter or loss, netem's own rate limit.
   * @default - no rate limit
   */
  readonly rateMbit?: number;
}

const DELAY_MAX_MS = 60_000;
const RATE_MAX_MBIT = 100_000;

/**
 * A WAN on a link: delay, jitter, loss and a rate limit on what leaves one of the lab's
 * interfaces (the root queueing discipline: netem, or tbf for a rate alone). Created with
 * the interface, re-applied when it is re-created, removed when dropped from the code. A kernel
 * without netem refuses a delay, jitter or loss at deploy time, saying so.
 */
export class LinkImpairment extends Construct implements ITerraformDependable {
  /** The impaired interface. */
  public readonly interface: IInterface;
  private readonly lab: Lab;

  constructor(scope: Construct, id: string, props: LinkImpairmentProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') fail(this, 'props are required', props, 'pass { interface, delayMs?, jitterMs?, lossPercent?, rateMbit? }');
    const iface = implementationOf(props.interface);
    if (!iface)
      fail(
        this,
        'interface is not an interface handle of cdktf-netns',
        props.interface,
        "pass one of the lab's interfaces, e.g. pair.a, a Bridge or a VlanInterface",
      );
    if (iface.imported) {
      fail(
        this,
        `interface "${iface.interfaceName}" is imported (Interface.fromName): the lab does not own it`,
        iface.interfaceName,
        'impair an interface the lab makes (a veth end, a Bridge, a VlanInterface)',
      );
    }
    const num = (what: string, v: unknown, min: number, max: number, unit: string): number | undefined => {
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
        fail(this, `${what} must be a number from ${min} to ${max} ${unit}`, v, `use e.g. ${what === 'lossPercent' ? '1' : '20'}`);
      return v;
    };
    const delay = num('delayMs', props.delayMs, 0.001, DELAY_MAX_MS, 'ms');
    const jitter = num('jitterMs', props.jitterMs, 0.001, DELAY_MAX_MS, 'ms');
    const loss = num('lossPercent', props.lossPercent, 0.001, 100, '%');
    const rate = num('rateMbit', props.rateMbit, 0.008, RATE_MAX_MBIT, 'Mbit/s');
    if (jitter !== undefined && delay === undefined) fail(this, 'jitterMs needs delayMs (jitter varies a delay)', jitter, 'set delayMs as well');
    if (jitter !== undefined && delay !== undefined && jitter > delay)
      fail(this, `jitterMs (${jitter}) is larger than delayMs (${delay})`, jitter, 'keep the jitter at most the delay');
    if (delay === undefined && loss === undefined && rate === undefined) fail(this, 'nothing to impair', props, 'set delayMs, lossPercent or rateMbit');
    const whole = (x: number | undefined, scale: number) => (x === undefined ? '-' : String(Math.max(1, Math.round(x * scale))));
    this.interface = props.interface;
    this.lab = Lab.of(this);
    this.lab.add(
      this,
      () => [
        [
          QDISC,
          {
            ns: iface.ns,
            if: iface.interfaceName,
            delay_us: whole(delay, 1000),
            jitter_us: whole(jitter, 1000),
            loss_mpct: whole(loss, 1000),
            rate_kbit: whole(rate, 1000),
          },
        ],
      ],
      iface.namespace.host,
    );
  }

  /** Ready once the lab has applied. */
  public get fqn(): string {
    return this.lab.dependableOn(this.interface.namespace.host).fqn;
  }
}
