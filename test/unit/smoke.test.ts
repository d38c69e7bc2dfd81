import { Testing } from 'cdktf';
import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { WorkshopStack } from '../../examples/workshop/stack';

setupNetnsMatchers();

test('workshop plan orders routes after the addresses that make their gateway reachable', () => {
  const app = Testing.app({ context: { 'cdktf-netns:backend': 'terraform_data' } });
  const plan = NetnsPlan.fromStack(new WorkshopStack(app, 'workshop'));
  expect(plan).toCreateNamespace('sales');
  expect(plan).toRunAfter('route:sales/default', 'addresses:sales/veth-s');
  expect(plan).not.toRunAfter('namespace:sales', 'route:sales/default');
  expect(plan).toCascadeFrom('veth:veth-s', 'namespace:sales');
});
