import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { WorkshopStack } from '../../examples/workshop/stack';
import { testApp } from '../support/helpers';

setupNetnsMatchers();

test('workshop plan orders routes after the addresses that make their gateway reachable', () => {
  const plan = NetnsPlan.fromStack(new WorkshopStack(testApp('terraform_data'), 'workshop'));
  expect(plan).toCreateNamespace('sales');
  expect(plan).not.toCreateNamespace('nowhere');
  expect(plan).toCreateInterface('veth-s', 'sales');
  expect(plan).not.toCreateInterface('veth-s', 'dev');
  expect(plan).toCreateRoute('sales', 'default', '172.16.10.1');
  expect(plan).not.toCreateRoute('sales', 'default', '172.16.20.1');
  expect(plan).toRunAfter('route:sales/default', 'addresses:sales/veth-s');
  expect(plan).not.toRunAfter('namespace:sales', 'route:sales/default');
  expect(plan).not.toRunAfter('route:sales/default', 'addresses:dev/veth-d');
  expect(plan).toCascadeFrom('veth:veth-s', 'namespace:sales');
  expect(plan).not.toCascadeFrom('veth:veth-s', 'namespace:dev');
});

test('the matchers also take a stack or synthesized JSON, and name unknown selectors', () => {
  const stack = new WorkshopStack(testApp('null_resource'), 'workshop');
  expect(stack).toCreateNamespace('router');
  const plan = NetnsPlan.fromStack(stack);
  expect(() => plan.get('route:sales/10.0.0.0/8')).toThrow(/matches 0 objects; nearest: route:sales\/default/);
  expect(() => plan.runsAfter('route:sales/default', 'namespace:nowhere')).toThrow(/matches no object/);
  expect(plan.findAll('interface:router/veth-s-rtr').map((o) => o.kind)).toEqual(['veth']);
  expect(() => plan.get('veth:veth-s')).not.toThrow();
});
