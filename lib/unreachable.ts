import { Construct } from 'constructs';
import { fail } from './core/errors';
import { IntentConstruct, IntentProps } from './core/intent-construct';

/** Options of an Unreachable: the probe that must get no answer. */
export type UnreachableProps = IntentProps;

/**
 * A connectivity intent: `from` must not reach `to` (no ping answer, no tcp connection,
 * no udp answer within the timeout). A probe that cannot run at all (the tool is
 * missing, the namespace is gone) is an error, never a passing Unreachable. Probed at the
 * end of every deploy that changes the lab and by `cdktf-netns check`.
 */
export class Unreachable extends IntentConstruct {
  constructor(scope: Construct, id: string, props: UnreachableProps) {
    if (props && typeof props === 'object' && 'via' in props) {
      // checked before the construct exists: the message names the path it would have
      fail(`${scope.node.path}/${id}`, 'an Unreachable has no first hop (via)', (props as { via?: unknown }).via, 'drop via, or use a Reachable');
    }
    super(scope, id, props, 'unreach');
  }
}
