// The workshop (examples/workshop) as a CDK Terrain app: `cdktn` instead of `cdktf`, and
// the constructs from the `cdktf-netns/cdktn` entry point. The lab is the same one, and
// test/e2e/pack.test.ts holds its synthesized plan equal to the cdktf workshop's.
// Run it with `npm run workshop:cdktn` (cdktn deploy, ping, cdktn destroy in a sandbox).
import { App, TerraformOutput, TerraformStack } from 'cdktn';
import { Namespace, Reachable, Route, Router, VethPair } from 'cdktf-netns/cdktn';

const app = new App();
const stack = new TerraformStack(app, 'workshop');
const sales = new Namespace(stack, 'sales', { name: 'sales' });
const dev = new Namespace(stack, 'dev', { name: 'dev' });
const router = new Router(stack, 'router', { name: 'router' });
new VethPair(stack, 's', {
  a: { name: 'veth-s', namespace: sales, addresses: ['172.16.10.10/24'] },
  b: { name: 'veth-s-rtr', namespace: router, addresses: ['172.16.10.1/24'] },
});
new VethPair(stack, 'd', {
  a: { name: 'veth-d', namespace: dev, addresses: ['172.16.20.10/24'] },
  b: { name: 'veth-d-rtr', namespace: router, addresses: ['172.16.20.1/24'] },
});
new Route(stack, 'sales-default', { namespace: sales, destination: 'default', via: '172.16.10.1' });
new Route(stack, 'dev-default', { namespace: dev, destination: 'default', via: '172.16.20.1' });
// what the lab is for, checked at the end of every deploy (and by `cdktf-netns check`)
new Reachable(stack, 'sales-reaches-dev', { from: sales, to: '172.16.20.10', via: '172.16.10.1' });
new Reachable(stack, 'dev-reaches-sales', { from: dev, to: '172.16.10.10', via: '172.16.20.1' });
new TerraformOutput(stack, 'try', { value: 'ip netns exec sales ping -c 3 172.16.20.10' });
app.synth();
