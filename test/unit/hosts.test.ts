/**
 * Host at synth time: its props' refusals, what each machine's unit looks like in the plan
 * (connection blocks, where the connection data lives per backend, the upload and the root-only
 * script path), what follows what onto which machine, and the cross-machine refusals. The labs
 * themselves run on simulated hosts in test/e2e/hosts.test.ts.
 */
import { TerraformStack, Testing } from 'cdktf';
import { Bridge, Host, HostRouter, Namespace, Reachable, Route, VethPair, VxlanLink } from '../../lib';
import { NetnsPlan } from '../../lib/engine/plan-reader';
import { setupNetnsMatchers } from '../../lib/testing';
import { resources, synthDoc, testStack, thrownMessage } from '../support/helpers';

setupNetnsMatchers();

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIProLFkGzIb5YfZ9MBU/clH3uJZ1nJRnLgIFti6H0se8';

test('each Host is its own unit of three resources, connecting by SSH; the local machine gets none when nothing is declared on it', () => {
  const stack = testStack();
  const h = new Host(stack, 'rack1', { address: '10.0.0.11', privateKeyFile: '/root/.ssh/lab', hostKey: `${KEY} root@rack1` });
  new Namespace(stack, 'ns', { host: h });
  const doc = synthDoc(stack);
  const rs = resources(doc);
  expect(rs.map((r) => r.address.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual([
    'terraform_data.cdktf-netns_host-rack1_Lab',
    'terraform_data.cdktf-netns_host-rack1_Seal',
    'terraform_data.cdktf-netns_host-rack1_Teardown',
  ]);
  for (const r of rs) {
    const body = r.body;
    // the connection data on the resource itself (destroy sees only self); the key's content never
    expect(body.input).toEqual({ host: '10.0.0.11', user: 'root', port: '22', timeout: '15s', private_key_file: '/root/.ssh/lab', host_key: KEY });
    expect(body.connection).toMatchObject({
      type: 'ssh',
      host: '${self.input.host}',
      private_key: '${file(self.input.private_key_file)}',
      host_key: '${self.input.host_key}',
      timeout: '${self.input.timeout}',
    });
    // remote-exec's script in the root-only state directory, not /tmp
    expect(body.connection.script_path).toMatch(/^\/run\/cdktf-netns\/tf-[0-9a-f]{16}-(teardown|lab|seal)\.sh$/);
    expect(body.provisioner.map((p: object) => Object.keys(p)[0])).not.toContain('local-exec');
  }
  const lab = rs.find((r) => r.address.includes('_Lab_'))!.body;
  expect(lab.provisioner[0].file).toEqual({ source: 'cdktf-netns/hosts/rack1/bundle/cdktf-netns', destination: '/run' });
  expect(lab.triggers_replace).toMatchObject({ machine: 'rack1', address: '10.0.0.11', 'namespace ns': expect.stringMatching(/^ns ns /) });
  expect(NetnsPlan.fromJson(doc, 'rack1')).toCreateNamespace('ns');
  expect(NetnsPlan.fromJson(doc).objects).toEqual([]);
});

test('with null_resource the connection data are triggers, and a key file is refused (the agent is used)', () => {
  const stack = testStack('null_resource');
  const h = new Host(stack, 'r', { address: '10.0.0.11', port: 2222 });
  new Namespace(stack, 'ns', { host: h });
  const teardown = resources(synthDoc(stack)).find((r) => r.address.includes('_Teardown_'))!.body;
  expect(teardown.triggers).toMatchObject({ ssh_host: '10.0.0.11', ssh_port: '2222', ssh_user: 'root' });
  expect(teardown.connection.host).toBe('${self.triggers.ssh_host}');
  expect(teardown.connection.private_key).toBeUndefined();
  expect(thrownMessage(() => new Host(testStack('null_resource'), 'k', { address: '10.0.0.1', privateKeyFile: '/root/k' }))).toMatch(
    /privateKeyFile needs the terraform_data backend.*ssh-add/,
  );
});

test.each([
  ['a name', { address: '10.0.0.1', name: 'a b' }, /host name must be 1 to 32 characters/],
  ['an address', { address: 'rack1.example' }, /address/],
  ['a user other than root', { address: '10.0.0.1', user: 'deploy' }, /only the root user is supported/],
  ['a port', { address: '10.0.0.1', port: 0 }, /port must be a whole number from 1 to 65535/],
  ['a timeout', { address: '10.0.0.1', timeoutSeconds: 0.5 }, /timeoutSeconds must be a whole number/],
  ['a key path', { address: '10.0.0.1', privateKeyFile: '~/.ssh/id; rm -rf /' }, /privateKeyFile must be an absolute path/],
  ['a host key', { address: '10.0.0.1', hostKey: 'ssh-ed25519 ${file("/etc/shadow")}' }, /hostKey must be an OpenSSH public key/],
  ['an unknown prop', { address: '10.0.0.1', hostkey: KEY }, /unknown/],
])('Host refuses %s', (_what, props, problem) => {
  const msg = thrownMessage(() => new Host(testStack(), 'h', props as never));
  expect(msg).toMatch(/^cdktf-netns: stack\/h: /);
  expect(msg).toMatch(problem);
});

test('two Hosts with one name or one address are refused', () => {
  const stack = testStack();
  new Host(stack, 'a', { address: '10.0.0.1' });
  expect(thrownMessage(() => new Host(stack, 'b', { address: '10.0.0.1' }))).toMatch(/address 10\.0\.0\.1 is already the address of host "a"/);
  expect(thrownMessage(() => new Host(stack, 'c', { address: '10.0.0.2', name: 'a' }))).toMatch(/host name is already used by stack\/a/);
});

test('what follows what: veth ends follow their namespace, bridge or peer; names are per machine; a pair across machines is refused', () => {
  const stack = testStack();
  const h1 = new Host(stack, 'h1', { address: '10.0.0.1' });
  const h2 = new Host(stack, 'h2', { address: '10.0.0.2' });
  const a = new Namespace(stack, 'a', { name: 'same', host: h1 });
  new Namespace(stack, 'b', { name: 'same', host: h2 });
  const br = new Bridge(stack, 'br', { name: 'br-x', host: h2 });
  new Bridge(stack, 'br1', { name: 'br-x', host: h1 });
  // the peer of a's end has no namespace: it lands in h1's root namespace
  new VethPair(stack, 'p', { a: { name: 'eth0', namespace: a, addresses: ['10.1.0.2/24'] }, b: { name: 'to-a', addresses: ['10.1.0.1/24'] } });
  // a bridge port follows its bridge (h2's root), its peer follows it
  new VethPair(stack, 'q', { a: { name: 'q0' }, b: { name: 'q1', bridge: br } });
  new Route(stack, 'r', { namespace: a, destination: 'default', via: '10.1.0.1' });
  new HostRouter(stack, 'fwd', { host: h1 });
  const doc = synthDoc(stack);
  const p1 = NetnsPlan.fromJson(doc, 'h1');
  const p2 = NetnsPlan.fromJson(doc, 'h2');
  expect(p1).toCreateNamespace('same');
  expect(p2).toCreateNamespace('same');
  expect(p1.get('veth:eth0').values).toMatchObject({ ns_a: 'same', ns_b: '-' });
  expect(p2.get('veth:q0').values).toMatchObject({ ns_a: '-', ns_b: '-' });
  expect(p2.get('port:q1').values).toMatchObject({ master: 'br-x' });
  expect(p1.get('sysctl:host/net.ipv4.ip_forward').values.value).toBe('1');
  expect(p1.objects.filter((o) => o.kind === 'route')).toHaveLength(1);
  expect(p2.objects.filter((o) => o.kind === 'route' || o.kind === 'hsysctl')).toHaveLength(0);
  expect(NetnsPlan.fromJson(doc).objects).toEqual([]);
  const msg = thrownMessage(() => new VethPair(stack, 'x', { a: { name: 'x0', namespace: a }, b: { name: 'x1', bridge: br } }));
  expect(msg).toMatch(/stack\/x: a veth pair cannot cross machines: end a is on host "h1", end b on host "h2".*VxlanLink/);
  expect(thrownMessage(() => new Bridge(stack, 'bad', { name: 'br-y', host: h2, namespace: a }))).toMatch(/the namespace is on host "h1", not on host "h2"/);
});

test('VxlanLink between two Hosts: local defaults to each Host address, each end on its machine; the segment spans both for the address check', () => {
  const stack = testStack();
  const h1 = new Host(stack, 'h1', { address: '10.0.0.1' });
  const h2 = new Host(stack, 'h2', { address: '10.0.0.2' });
  const b1 = new Bridge(stack, 'b1', { name: 'br0', host: h1, mtu: 1450 });
  const b2 = new Bridge(stack, 'b2', { name: 'br0', host: h2, mtu: 1450 });
  new VxlanLink(stack, 'vx', { vni: 42, a: { bridge: b1 }, b: { bridge: b2 } });
  const doc = synthDoc(stack);
  expect(NetnsPlan.fromJson(doc, 'h1').get('vxlan:vx42').values).toMatchObject({ local: '10.0.0.1', remote: '10.0.0.2' });
  expect(NetnsPlan.fromJson(doc, 'h2').get('vxlan:vx42').values).toMatchObject({ local: '10.0.0.2', remote: '10.0.0.1' });
  // one address on both machines' ends of the segment
  const n1 = new Namespace(stack, 'n1', { host: h1 });
  const n2 = new Namespace(stack, 'n2', { host: h2 });
  new VethPair(stack, 'v1', { a: { name: 'e', namespace: n1, addresses: ['10.5.0.1/24'], mtu: 1450 }, b: { name: 'p1', bridge: b1, mtu: 1450 } });
  new VethPair(stack, 'v2', { a: { name: 'e', namespace: n2, addresses: ['10.5.0.1/24'], mtu: 1450 }, b: { name: 'p2', bridge: b2, mtu: 1450 } });
  expect(thrownMessage(() => Testing.synth(stack, true))).toMatch(/address 10\.5\.0\.1 of interface "e" is also used on the same layer-2 segment/);
});

test('a VXLAN end in a namespace needs its local address; an intent is probed on the machine of its namespace', () => {
  const stack = testStack();
  const h1 = new Host(stack, 'h1', { address: '10.0.0.1' });
  const ns = new Namespace(stack, 'ns', { host: h1 });
  const b1 = new Bridge(stack, 'b1', { name: 'br0', namespace: ns });
  const b2 = new Bridge(stack, 'b2', { name: 'br0' });
  expect(thrownMessage(() => new VxlanLink(stack, 'vx', { vni: 1, a: { bridge: b1 }, b: { bridge: b2, local: '192.0.2.1' } }))).toMatch(
    /a\.local is required: the bridge is in namespace "ns" on host "h1"/,
  );
  new Reachable(stack, 'lo', { from: ns, to: '127.0.0.1' });
  const seal = resources(synthDoc(stack)).find((r) => r.address.includes('host-h1_Seal'))!.body;
  expect(seal.triggers_replace.intents).toMatch(/^intent reach ns 127\.0\.0\.1 /);
});

test('a Host of another stack is refused where it is used, naming it', () => {
  const app = Testing.app();
  const a = new TerraformStack(app, 'a');
  const b = new TerraformStack(app, 'b');
  const h = new Host(a, 'rack1', { address: '10.0.0.1' });
  expect(thrownMessage(() => new Namespace(b, 'ns', { host: h }))).toMatch(/^cdktf-netns: b\/ns: host "rack1" is declared in another stack \(a\/rack1\)/);
});
