import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { LinkImpairment, Namespace, Reachable, VethPair } from '../../lib';

/**
 * A branch office on a bad WAN link:
 *
 *   [ hq ] wan-hq ===================== wan-br [ branch ]
 *   10.80.0.1/24   hq -> branch: 40 ms ± 5 ms, 10% loss
 *                  branch -> hq: 10 Mbit/s
 *
 * An impairment shapes what leaves its interface: the two ends set the two directions.
 * Delay, jitter and loss need netem in the kernel (sch_netem); a rate alone uses tbf.
 */
export class WanStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const hq = new Namespace(this, 'hq', { name: 'hq' });
    const branch = new Namespace(this, 'branch', { name: 'branch' });
    const wan = new VethPair(this, 'wan', {
      a: { name: 'wan-hq', namespace: hq, addresses: ['10.80.0.1/24'] },
      b: { name: 'wan-br', namespace: branch, addresses: ['10.80.0.2/24'] },
    });
    new LinkImpairment(this, 'hq-to-branch', { interface: wan.a, delayMs: 40, jitterMs: 5, lossPercent: 10 });
    new LinkImpairment(this, 'branch-to-hq', { interface: wan.b, rateMbit: 10 });
    // with 10% loss one way, a single ping may go unanswered: the intent retries within its timeout
    new Reachable(this, 'branch-reaches-hq', { from: branch, to: '10.80.0.1' });
  }
}
