import { App, TerraformStack } from 'cdktf';
import { Namespace, VethPair, VlanInterface } from '../../lib';
import { WorkshopStack } from '../../examples/workshop/stack';
import { Sandbox } from './sandbox';

/**
 * Two namespaces joined by a veth trunk with VLAN 10 sub-interfaces on both
 * ends (10.0.10.1 / 10.0.10.2). With `vlan20`, the left end also gets a VLAN 20
 * sub-interface in the same IP subnet (10.0.10.5): its frames leave tagged 20
 * and must never reach the right's VLAN 10.
 */
export function vlanTrunkStack(app: App, id: string, opts: { vlan20?: boolean } = {}): TerraformStack {
  const stack = new TerraformStack(app, id);
  const left = new Namespace(stack, 'left');
  const right = new Namespace(stack, 'right');
  const trunk = new VethPair(stack, 'trunk', { a: { name: 'trunk-l', namespace: left }, b: { name: 'trunk-r', namespace: right } });
  new VlanInterface(stack, 'l10', { parent: trunk.a, vlanId: 10, addresses: ['10.0.10.1/24'] });
  new VlanInterface(stack, 'r10', { parent: trunk.b, vlanId: 10, addresses: ['10.0.10.2/24'] });
  if (opts.vlan20) new VlanInterface(stack, 'l20', { parent: trunk.a, vlanId: 20, addresses: ['10.0.10.5/24'] });
  return stack;
}

/** The tutorial's workshop (examples/workshop) as the stack "workshop": `lab.synth(workshopStack)`. */
export function workshopStack(app: App): TerraformStack {
  return new WorkshopStack(app, 'workshop');
}

/** The workshop's promise: sales reaches dev through the router. */
export function salesReachesDev(sb: Sandbox): boolean {
  return sb.ping('sales', '172.16.20.10');
}
