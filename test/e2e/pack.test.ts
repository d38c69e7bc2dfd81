import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '../..');

// `npm pack` gives a package that a fresh cdktf app installs and imports as `cdktf-netns`,
// with type declarations, and that synthesizes a lab using only the public names.
test('npm pack: a fresh TypeScript cdktf app installs the tarball, type-checks and synthesizes a lab', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-netns-pack-'));
  try {
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fresh-lab', version: '1.0.0', private: true }));
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(dir, tgz),
        `cdktf@${pkg.devDependencies.cdktf}`,
        `constructs@${pkg.devDependencies.constructs}`,
        `typescript@${pkg.devDependencies.typescript}`,
        '@types/node@20',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    writeFileSync(
      join(dir, 'main.ts'),
      `
import { App, TerraformStack } from 'cdktf';
import { Bridge, HostRouter, Namespace, Route, Router, VethPair, VlanInterface, INamespace, IInterface } from 'cdktf-netns';
import { NetnsPlan } from 'cdktf-netns/testing';

const app = new App({ outdir: 'out' });
const stack = new TerraformStack(app, 'lab');
const sales = new Namespace(stack, 'sales', { name: 'sales' });
const dev: INamespace = new Namespace(stack, 'dev', { name: 'dev' });
const router = new Router(stack, 'router', { name: 'router' });
const s = new VethPair(stack, 's', { a: { name: 'veth-s', namespace: sales, addresses: ['172.16.10.10/24'] },
                                    b: { name: 'veth-s-rtr', namespace: router, addresses: ['172.16.10.1/24'] } });
router.connect('d', dev, { address: '172.16.20.1/24', peerAddress: '172.16.20.10/24', peerDefaultRoute: true });
new Route(stack, 'sales-default', { namespace: sales, destination: 'default', via: '172.16.10.1' });
const br = new Bridge(stack, 'br', { name: 'br0', addresses: ['192.168.100.1/24'] });
new VethPair(stack, 'w', { a: { name: 'veth-w', namespace: sales, addresses: ['192.168.100.10/24'] }, b: { name: 'veth-w-br', bridge: br } });
const end: IInterface = s.a;
new VlanInterface(stack, 'v', { parent: end, vlanId: 10 });
new HostRouter(stack, 'host');
const plan = NetnsPlan.fromStack(stack);
if (!plan.runsAfter('route:sales/default', 'addresses:sales/veth-s')) throw new Error('ordering');
app.synth();
console.log('synth ok');
`,
    );
    execFileSync(
      join(dir, 'node_modules/.bin/tsc'),
      ['--strict', '--esModuleInterop', '--skipLibCheck', '--module', 'commonjs', '--target', 'es2020', 'main.ts'],
      { cwd: dir, stdio: 'pipe' },
    );
    const out = execFileSync('node', ['main.js'], { cwd: dir, encoding: 'utf8' });
    expect(out).toContain('synth ok');
    const doc = JSON.parse(readFileSync(join(dir, 'out/stacks/lab/cdk.tf.json'), 'utf8'));
    // default backend: null_resource, with hashicorp/null declared
    // the lab unit and its teardown; the engine's files and the lab's data beside the plan
    expect(Object.keys(doc.resource.null_resource).sort()).toEqual([
      expect.stringMatching(/^cdktf-netns_Lab_/),
      expect.stringMatching(/^cdktf-netns_Seal_/),
      expect.stringMatching(/^cdktf-netns_Teardown_/),
    ]);
    expect(readFileSync(join(dir, 'out/stacks/lab/cdktf-netns/lab.data'), 'utf8')).toMatch(/^vlan sales veth-s.10 veth-s 10 /m);
    for (const f of ['engine/engine.sh', 'engine/plan.awk', 'engine/gen.awk', 'kinds/veth.awk']) {
      expect(readFileSync(join(dir, 'out/stacks/lab/cdktf-netns', f), 'utf8').length).toBeGreaterThan(100);
    }
    expect(doc.terraform.required_providers.null.source).toBe('hashicorp/null');
    expect(readFileSync(join(dir, 'node_modules/cdktf-netns/dist/index.d.ts'), 'utf8')).toContain('VethPair');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
