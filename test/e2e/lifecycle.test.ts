import { App, TerraformStack } from 'cdktf';
import { Namespace, Route, Router, VethPair } from '../../lib';
import { Lab, TF_ENV } from './lab';
import { e2ePrerequisites, Sandbox } from './sandbox';
import { expectNothingLeft } from './expect';

jest.setTimeout(300_000);

/** The workshop with knobs, to change it between applies. */
interface Variant { salesName?: string; salesAddr?: string; withDev?: boolean }
function workshop(app: App, v: Variant = {}): TerraformStack {
  const stack = new TerraformStack(app, 'lc');
  const sales = new Namespace(stack, 'sales', { name: v.salesName ?? 'sales' });
  const router = new Router(stack, 'router', { name: 'router' });
  new VethPair(stack, 's', {
    a: { name: 'veth-s', namespace: sales, addresses: [v.salesAddr ?? '172.16.10.10/24'] },
    b: { name: 'veth-s-rtr', namespace: router, addresses: ['172.16.10.1/24'] },
  });
  new Route(stack, 'sales-default', { namespace: sales, destination: 'default', via: '172.16.10.1' });
  if (v.withDev !== false) {
    const dev = new Namespace(stack, 'dev', { name: 'dev' });
    new VethPair(stack, 'd', {
      a: { name: 'veth-d', namespace: dev, addresses: ['172.16.20.10/24'] },
      b: { name: 'veth-d-rtr', namespace: router, addresses: ['172.16.20.1/24'] },
    });
    new Route(stack, 'dev-default', { namespace: dev, destination: 'default', via: '172.16.20.1' });
  }
  return stack;
}

let sb: Sandbox;
let lab: Lab;
beforeEach(async () => {
  expect(e2ePrerequisites()).toEqual([]);
  sb = await Sandbox.start();
  lab = new Lab(sb, 'lc');
});
afterEach(() => { lab?.dispose(); sb?.dispose(); });

const ping = (from: string, to: string) => sb.sh(`ip netns exec ${from} ping -c 1 -W 2 ${to}`).code;

function expectFullWorkshop(salesNs = 'sales', salesAddr = '172.16.10.10/24') {
  expect(sb.namespaces()).toEqual([salesNs, 'dev', 'router'].sort());
  expect(sb.links(salesNs)['veth-s'].addrs).toEqual([salesAddr]);
  expect(Object.keys(sb.links('router')).sort()).toEqual(['veth-d-rtr', 'veth-s-rtr']);
  expect(sb.routes(salesNs)).toEqual(['default via 172.16.10.1']);
  expect(sb.routes('dev')).toEqual(['default via 172.16.20.1']);
  expect(ping(salesNs, '172.16.20.10')).toBe(0);
}

test('replacing a namespace (rename) re-creates what lived in it and connectivity comes back', () => {
  lab.synth((app) => workshop(app));
  lab.applyOk();
  lab.synth((app) => workshop(app, { salesName: 'sales2' }));
  const out = lab.applyOk();
  expect(out).toMatch(/Apply complete! Resources: \d+ added, 0 changed, \d+ destroyed/);
  expectFullWorkshop('sales2');
  expect(lab.planExitCode()).toBe(0);
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('changing an address replaces the address and the route through it, nothing else', () => {
  lab.synth((app) => workshop(app));
  lab.applyOk();
  lab.synth((app) => workshop(app, { salesAddr: '172.16.10.11/24' }));
  const plan = lab.terraform('plan').stdout;
  const replaced = [...plan.matchAll(/# (\S+) must be replaced/g)].map((m) => m[1]).sort();
  // the sales-side address set, the route whose gateway it makes reachable, and the sweep (declared set changed)
  expect(replaced).toEqual(['terraform_data.cdktf-netns_Sweep_FF6BB2C3', 'terraform_data.s_AAddresses_2F358B41', 'terraform_data.sales-default_8E76135F']);
  lab.applyOk();
  expectFullWorkshop('sales', '172.16.10.11/24');
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('removing constructs from the code removes their kernel objects (no orphans)', () => {
  lab.synth((app) => workshop(app));
  lab.applyOk();
  lab.synth((app) => workshop(app, { withDev: false }));
  lab.applyOk();
  expect(sb.namespaces()).toEqual(['router', 'sales']);
  expect(Object.keys(sb.links('router'))).toEqual(['veth-s-rtr']);
  expect(sb.sh('ip netns exec sales ping -c 1 -W 2 172.16.10.1').code).toBe(0);
  expect(lab.planExitCode()).toBe(0);
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('a create that fails half-way (foreign object in the way) converges once the cause is removed', () => {
  // a namespace called "dev" that is not ours, with an interface in it
  sb.ok('ip netns add dev && ip -n dev link add keepme type bridge');
  lab.synth((app) => workshop(app));
  const r = lab.apply();
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/namespace \(its lo\) 'lo' already exists in namespace 'dev' and is not owned by cdktf-netns:lc\/dev|not owned by cdktf-netns:lc\/dev/);
  // the foreign namespace was not touched
  expect(Object.keys(sb.links('dev'))).toEqual(['keepme']);
  sb.ok('ip netns del dev');
  lab.applyOk();
  expectFullWorkshop();
  expect(lab.planExitCode()).toBe(0);
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('re-running create on objects that already exist adopts them (tainted resources, killed apply)', () => {
  lab.synth((app) => workshop(app));
  lab.applyOk();
  // taint everything: Terraform re-runs every create without running destroy provisioners
  const state = sb.ok('terraform state list -no-color', { cwd: lab.dir, env: TF_ENV }).split('\n').filter(Boolean);
  expect(state.length).toBe(13); // 3 namespaces, 2 veth pairs, 4 address sets, 2 routes, sweep, teardown
  for (const addr of state) sb.ok(`terraform taint -no-color ${addr}`, { cwd: lab.dir, env: TF_ENV });
  lab.applyOk();
  expectFullWorkshop();
  // SIGKILL terraform in the middle of an apply from scratch, then apply again
  lab.destroyOk();
  sb.sh('terraform apply -auto-approve -input=false -no-color >/dev/null 2>&1 & pid=$!; sleep 0.4; kill -9 $pid; sleep 2', { cwd: lab.dir });
  lab.applyOk();
  expectFullWorkshop();
  lab.destroyOk();
  expectNothingLeft(sb);
});

test('destroy never deletes an object that does not carry our marker', () => {
  lab.synth((app) => workshop(app));
  lab.applyOk();
  // someone replaces "dev" with their own namespace behind our back
  sb.ok('ip netns del dev && ip netns add dev && ip -n dev link add keepme type bridge');
  lab.destroyOk();
  expect(sb.namespaces()).toEqual(['dev']);
  expect(Object.keys(sb.links('dev'))).toEqual(['keepme']);
});
