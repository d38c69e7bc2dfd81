import { Construct } from 'constructs';
import { IntentConstruct, IntentProps } from './core/intent-construct';

/** Options of a Reachable: the probe, and the first hop it must take. */
export interface ReachableProps extends IntentProps {
  /**
   * The expected first hop: the gateway the kernel's routing decision in `from` picks
   * (`ip route get TO`). Checked at synth to be on a connected subnet of `from`, like a Route's
   * gateway; at probe time a different first hop fails the intent.
   * @default - any first hop
   */
  readonly via?: string;
}

/**
 * A connectivity intent: `from` must reach `to` (a ping answered, a tcp connection
 * accepted, a udp datagram answered), optionally through the first hop `via`. Probed at
 * the end of every deploy that changes the lab (a false intent fails the deploy, naming
 * this construct) and by `cdktf-netns check`.
 */
export class Reachable extends IntentConstruct {
  constructor(scope: Construct, id: string, props: ReachableProps) {
    super(scope, id, props, 'reach', props?.via);
  }

  /** The expected first hop (canonical form), if any. */
  public get via(): string | undefined {
    return this.firstHop;
  }
}
