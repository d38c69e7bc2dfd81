/**
 * The cdktf app of row 8: two copies of the workshop topology in one app, as
 * stacks "a" and "b", kept apart by the `cdktf-netns:prefix` context value
 * (set on each stack before its children): namespaces a-sales, a-dev,
 * a-router and b-sales, b-dev, b-router. Deployed with the real cdktf CLI
 * (`cdktf deploy '*' --parallelism 2`).
 */
import { App, TerraformStack } from 'cdktf';
import { buildTopo, WORKSHOP } from '../common/topo';

const app = new App();
for (const id of ['a', 'b']) {
  const stack = new TerraformStack(app, id);
  stack.node.setContext('cdktf-netns:prefix', `${id}-`);
  buildTopo(stack, WORKSHOP);
}
app.synth();
