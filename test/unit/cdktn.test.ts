// The library's CDK is named in lib/core/cdk.ts alone; the cdktf-netns/cdktn entry point
// (scripts/build-cdktn.ts) rebinds it to CDK Terrain. A cdktf construct placed in a cdktn
// stack (the wrong entry point) is refused when it is made, with the fix, instead of the
// cdktn synth's "e._resetResolveDiscoveredProviderFeatureUsage is not a function".
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as cdktf from 'cdktf';
import * as cdktn from 'cdktn';
import { CDK_MODULE } from '../../lib/core/cdk';
import { Namespace, Router } from '../../lib';

const LIB = join(__dirname, '../../lib');
let outdir: string;
beforeAll(() => (outdir = mkdtempSync(join(tmpdir(), 'cdktf-netns-cdktn-'))));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('a construct of the cdktf entry point in a cdktn stack is refused, naming the entry point to import', () => {
  const stack = new cdktn.TerraformStack(new cdktn.App({ outdir }), 'lab');
  expect(() => new Namespace(stack, 'sales', { name: 'sales' })).toThrow(
    /^cdktf-netns: lab\/sales: its stack is not a TerraformStack of cdktf, the CDK this cdktf-netns entry point is built for \(got "lab"\)\. Fix: in a CDK Terrain app \(cdktn\) import the constructs from 'cdktf-netns\/cdktn'/,
  );
  expect(() => new Router(stack, 'r', { name: 'r' })).toThrow(/cdktf-netns\/cdktn/);
});

test('the same construct in a cdktf stack is accepted (the check is not a refusal of every stack)', () => {
  const stack = new cdktf.TerraformStack(new cdktf.App({ outdir }), 'lab');
  expect(new Namespace(stack, 'sales', { name: 'sales' }).namespaceName).toBe('sales');
});

test('lib/core/cdk.ts is the only file of lib/ that names a CDK package', () => {
  expect(CDK_MODULE).toBe('cdktf');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const naming = files(LIB).filter((f) => /from '(cdktf|cdktn)'|require\('(cdktf|cdktn)'\)/.test(readFileSync(f, 'utf8')));
  expect(naming.map((f) => f.slice(LIB.length + 1))).toEqual(['core/cdk.ts']);
});
