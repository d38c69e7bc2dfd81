import { Lab } from './lab';
import { Sandbox } from './sandbox';

/** After destroy: no namespace, no interface besides lo, no route we made, no nftables table, no file in the state directory. */
export function expectNothingLeft(sb: Sandbox): void {
  expect(sb.namespaces()).toEqual([]);
  expect(sb.links('')).toEqual({});
  expect(sb.ok('ip route show proto 213; ip -6 route show proto 213').trim()).toBe('');
  expect(sb.ok('find /run/cdktf-netns -type f').trim()).toBe('');
  expect(sb.ok('nft list tables').trim()).toBe('');
}

/** The end of a deployed scenario: a second plan shows no changes, and destroy leaves nothing. */
export function expectNoChangesThenNothingLeft(sb: Sandbox, lab: Lab): void {
  expect(lab.planExitCode()).toBe(0);
  lab.destroyOk();
  expectNothingLeft(sb);
}
