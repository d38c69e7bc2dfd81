import { App, TerraformStack } from 'cdktf';
import { Namespace, Route, Router, VethPair } from '../../lib';
import { Lab, netnsCli, TF_ENV } from '../support/lab';
import { useSandbox } from '../support/e2e';
import { expectNoChangesThenNothingLeft, expectNothingLeft } from '../support/expect';

jest.setTimeout(300_000);

/** The workshop with knobs, to change it between applies. */
interface Variant {
  salesName?: string;
  salesAddr?: string;
  withDev?: boolean;
}
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

const sb = useSandbox({ perTest: true });
let lab: Lab;
beforeEach(() => {
  lab = new Lab(sb, 'lc');
});
afterEach(() => lab?.dispose());

function expectFullWorkshop(salesNs = 'sales', salesAddr = '172.16.10.10/24') {
  expect(sb.namespaces()).toEqual([salesNs, 'dev', 'router'].sort());
  expect(sb.links(salesNs)['veth-s'].addrs).toEqual([salesAddr]);
  expect(Object.keys(sb.links('router')).sort()).toEqual(['veth-d-rtr', 'veth-s-rtr']);
  expect(sb.routes(salesNs)).toEqual(['default via 172.16.10.1']);
  expect(sb.routes('dev')).toEqual(['default via 172.16.20.1']);
  expect(sb.ping(salesNs, '172.16.20.10')).toBe(true);
}

/** Kernel identities: the inode of every namespace and the ifindex of every interface. */
function identities(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ns of sb.namespaces()) {
    out[`ns ${ns}`] = sb.ok(`stat -L -c %i /run/netns/${ns}`).trim();
    for (const l of sb.ipJson(ns, 'link show')) if (l.ifname !== 'lo') out[`if ${ns}/${l.ifname}`] = String(l.ifindex);
  }
  return out;
}

/** The keys whose identity differs (or that appeared or went away) between two snapshots. */
function changed(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
}

test('replacing a namespace (rename) re-creates what lived in it, nothing else, and connectivity comes back', () => {
  lab.synth((app) => workshop(app));
  lab.applyOk();
  const before = identities();
  lab.synth((app) => workshop(app, { salesName: 'sales2' }));
  const out = lab.applyOk();
  // the one lab unit is replaced; its engine removes the old namespace and builds the new one
  expect(out).toMatch(/Apply complete! Resources: 2 added, 0 changed, 2 destroyed/);
  expect(out).toMatch(/removed namespace sales\b/);
  expect(out).toMatch(/created namespace sales2\b/);
  expectFullWorkshop('sales2');
  // router and dev kept their kernel identity; the sales side was rebuilt
  expect(changed(before, identities())).toEqual(['if router/veth-s-rtr', 'if sales/veth-s', 'if sales2/veth-s', 'ns sales', 'ns sales2']);
  expectNoChangesThenNothingLeft(sb, lab);
});

test('changing an address changes that address (and re-installs the route through it), nothing else', () => {
  lab.synth((app) => workshop(app));
  lab.applyOk();
  const before = identities();
  lab.synth((app) => workshop(app, { salesAddr: '172.16.10.11/24' }));
  const plan = lab.terraform('plan').stdout;
  const replaced = [...plan.matchAll(/# (\S+) must be replaced/g)].map((m) => m[1]);
  // Terraform replaces the lab unit, and its diff names the namespace whose objects changed
  // (and the seal, the final step, with it)
  expect(replaced).toEqual([expect.stringMatching(/^terraform_data\.cdktf-netns_Lab_/), expect.stringMatching(/^terraform_data\.cdktf-netns_Seal_/)]);
  expect(plan).toMatch(/"namespace sales"\s+= <<-EOT/);
  expect(plan).toMatch(/- +addr sales veth-s 172\.16\.10\.10\/24/);
  expect(plan).toMatch(/\+ +addr sales veth-s 172\.16\.10\.11\/24/);
  const out = lab.applyOk();
  expect(out).toMatch(/removed address 172\.16\.10\.10\/24 from veth-s \(sales\)/);
  expect(out).toMatch(/added address 172\.16\.10\.11\/24 to veth-s \(sales\)/);
  expect(out).toMatch(/cdktf-netns: lab cdktf-netns:lc\/: 2 created, 0 changed, 1 removed/);
  expectFullWorkshop('sales', '172.16.10.11/24');
  expect(changed(before, identities())).toEqual([]);
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
  expectNoChangesThenNothingLeft(sb, lab);
});

test('a create that fails half-way (foreign object in the way) converges once the cause is removed', () => {
  // a namespace called "dev" that is not ours, with an interface in it
  sb.ok('ip netns add dev && ip -n dev link add keepme type bridge');
  lab.synth((app) => workshop(app));
  const r = lab.apply();
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/namespace 'dev' already exists and was not made by this lab/);
  // the foreign namespace was not touched
  expect(Object.keys(sb.links('dev'))).toEqual(['keepme']);
  sb.ok('ip netns del dev');
  lab.applyOk();
  expectFullWorkshop();
  expectNoChangesThenNothingLeft(sb, lab);
});

test('re-running create on objects that already exist adopts them (tainted resources, killed apply)', () => {
  lab.synth((app) => workshop(app));
  lab.applyOk();
  // taint everything: Terraform re-runs every create without running destroy provisioners
  const state = sb.ok('terraform state list -no-color', { cwd: lab.dir, env: TF_ENV }).split('\n').filter(Boolean);
  expect(state.length).toBe(3); // the lab unit, its final step and its teardown
  const inodes = sb.ok('stat -L -c %i /run/netns/sales /run/netns/dev');
  for (const addr of state.filter((a) => !a.includes('Teardown'))) sb.ok(`terraform taint -no-color ${addr}`, { cwd: lab.dir, env: TF_ENV });
  lab.applyOk();
  expectFullWorkshop();
  expect(sb.ok('stat -L -c %i /run/netns/sales /run/netns/dev')).toBe(inodes); // adopted, not re-created
  // tainting the Teardown says the deployment is gone (Terraform skips a tainted resource's destroy step):
  // the new deployment is refused over the old one's objects until the operator adopts (or releases) it
  const old = lab.deployment();
  sb.ok(`terraform taint -no-color ${state.find((a) => a.includes('Teardown'))}`, { cwd: lab.dir, env: TF_ENV });
  const refused = lab.apply();
  expect(refused.code).not.toBe(0);
  expect(refused.stdout + refused.stderr).toMatch(new RegExp(`belongs to another deployment of this lab \\(deployment ${old}`));
  expect(netnsCli(sb, `adopt ${old}`).code).toBe(0);
  lab.applyOk();
  expectFullWorkshop();
  expect(sb.ok('stat -L -c %i /run/netns/sales /run/netns/dev')).toBe(inodes);
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
