import { execFileSync } from 'child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join, relative } from 'path';
import { App } from 'cdktf';
import { WorkshopStack } from '../../examples/workshop/stack';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** A new npm project in a temp dir with the packed tarball and `deps` installed (from npm's cache when it can). */
function freshProject(deps: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdktf-netns-pack-'));
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fresh-lab', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tgz), ...deps], { cwd: dir, stdio: 'pipe' });
  return dir;
}

/** Strict tsc of the project's files, as a user's build would. */
function tsc(dir: string, files: string[]): void {
  execFileSync(
    join(dir, 'node_modules/.bin/tsc'),
    ['--strict', '--esModuleInterop', '--skipLibCheck', '--module', 'commonjs', '--target', 'es2020', ...files],
    {
      cwd: dir,
      stdio: 'pipe',
    },
  );
}

/** Every file under a synthesized stack directory, by relative path; the plan without its CDK-version metadata and state directory. */
function stackFiles(stackDir: string): Record<string, unknown> {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  const out: Record<string, unknown> = {};
  for (const f of walk(stackDir)) {
    const rel = relative(stackDir, f);
    if (rel === 'cdk.tf.json') {
      const { ['//']: meta, ...plan } = JSON.parse(readFileSync(f, 'utf8'));
      // the local state file is named from the app's working directory
      plan.terraform.backend.local.path = basename(plan.terraform.backend.local.path);
      out[rel] = plan;
      out['//outputs'] = meta.outputs;
    } else out[rel] = readFileSync(f, 'utf8');
  }
  return out;
}

// `npm pack` gives a package that a fresh cdktf app installs and imports as `cdktf-netns`,
// with type declarations, and that synthesizes a lab using only the public names.
test('npm pack: a fresh TypeScript cdktf app installs the tarball, type-checks and synthesizes a lab', () => {
  const dir = freshProject([
    `cdktf@${pkg.devDependencies.cdktf}`,
    `constructs@${pkg.devDependencies.constructs}`,
    `typescript@${pkg.devDependencies.typescript}`,
    '@types/node@20',
  ]);
  try {
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
    tsc(dir, ['main.ts']);
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
    // the bin draws the lab, SVG included (Graphviz as WebAssembly, from the package's one runtime dependency)
    execFileSync(join(dir, 'node_modules/.bin/cdktf-netns'), ['graph', 'out/stacks/lab', '-o', 'lab.svg', '--routes'], { cwd: dir, encoding: 'utf8' });
    expect(readFileSync(join(dir, 'lab.svg'), 'utf8')).toMatch(/<svg [\s\S]*>sales<\/text>[\s\S]*<\/svg>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// CDK Terrain: a fresh cdktn app (no cdktf installed: both CDKs are optional peers) imports
// cdktf-netns/cdktn and cdktf-netns/cdktn/testing with their type declarations, and the
// workshop example written for cdktn (examples/cdktn-workshop) synthesizes the same plan,
// engine files and data file as the cdktf workshop example.
test('npm pack: a fresh CDK Terrain app on cdktf-netns/cdktn type-checks and synthesizes the same workshop as the cdktf example', () => {
  const dir = freshProject([
    `cdktn@${pkg.devDependencies.cdktn}`,
    `constructs@${pkg.devDependencies.constructs}`,
    `typescript@${pkg.devDependencies.typescript}`,
    '@types/node@20',
  ]);
  const cdktfOut = mkdtempSync(join(tmpdir(), 'cdktf-netns-pack-cdktf-'));
  try {
    expect(existsSync(join(dir, 'node_modules/cdktf'))).toBe(false);
    copyFileSync(join(ROOT, 'examples/cdktn-workshop/main.ts'), join(dir, 'main.ts'));
    writeFileSync(
      join(dir, 'check.ts'),
      `
import { App, TerraformStack } from 'cdktn';
import { Namespace, Route, VethPair } from 'cdktf-netns/cdktn';
import { NetnsPlan } from 'cdktf-netns/cdktn/testing';

const stack = new TerraformStack(new App({ outdir: 'check-out' }), 'check');
const sales = new Namespace(stack, 'sales', { name: 'sales' });
new VethPair(stack, 's', { a: { name: 'veth-s', namespace: sales, addresses: ['172.16.10.10/24'] }, b: { name: 'veth-s-rtr', addresses: ['172.16.10.1/24'] } });
new Route(stack, 'sales-default', { namespace: sales, destination: 'default', via: '172.16.10.1' });
const plan = NetnsPlan.fromStack(stack);
if (!plan.runsAfter('route:sales/default', 'addresses:sales/veth-s')) throw new Error('ordering');
console.log('testing ok: ' + plan.findAll('namespace:sales').length);
`,
    );
    tsc(dir, ['main.ts', 'check.ts']);
    expect(execFileSync('node', ['check.js'], { cwd: dir, encoding: 'utf8' })).toContain('testing ok: 1');
    execFileSync('node', ['main.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CDKTF_OUTDIR: 'out' } });
    const cdktn = JSON.parse(readFileSync(join(dir, 'out/stacks/workshop/cdk.tf.json'), 'utf8'));
    expect(cdktn['//'].metadata.version).toBe(pkg.devDependencies.cdktn);

    const app = new App({ outdir: cdktfOut });
    new WorkshopStack(app, 'workshop');
    app.synth();
    const theirs = stackFiles(join(dir, 'out/stacks/workshop'));
    expect(Object.keys(theirs)).toEqual(expect.arrayContaining(['cdk.tf.json', 'cdktf-netns/lab.data', 'cdktf-netns/engine/engine.sh']));
    expect(theirs).toEqual(stackFiles(join(cdktfOut, 'stacks/workshop')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cdktfOut, { recursive: true, force: true });
  }
});
