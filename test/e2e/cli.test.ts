import { spawnSync } from 'child_process';
import { join } from 'path';
import { e2ePrerequisites } from '../support/sandbox';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '../..');
const pkg = require(join(ROOT, 'package.json'));

// The README's main command (`npm run workshop`): the real `cdktf deploy` / `cdktf destroy`
// CLI on the workshop app, inside its own private sandbox; and `npm run workshop:cdktn`, the
// same with the CDK Terrain CLI on examples/cdktn-workshop (a cdktn app on cdktf-netns/cdktn).
test.each([
  ['cdktf', 'workshop', pkg.devDependencies.cdktf],
  ['cdktn', 'workshop:cdktn', pkg.devDependencies.cdktn],
])('npm run workshop (%s CLI): deploy builds the workshop, sales reaches dev via the router, destroy cleans up', (cdk, script, version) => {
  expect(e2ePrerequisites()).toEqual([]);
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`npm run ${script} failed (${r.status}):\n${out.slice(-6000)}`);
  expect(out).toMatch(new RegExp(`^${cdk} deploy: done, 3 resource\\(s\\) in the Terraform state`, 'm'));
  // the stack was made by that CDK's App (its version is in the plan's metadata)
  expect(out).toContain(`the plan was synthesized by ${cdk} ${version} on Node`);
  expect(out).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
  expect(out).toMatch(/^\s*1\s+172\.16\.10\.1\s/m);
  expect(out).toMatch(new RegExp(`^${cdk} destroy: done, 0 resource\\(s\\) in the Terraform state`, 'm'));
  expect(out).toMatch(/workshop OK: .* nothing left/);

  console.log(`${cdk} CLI deploy + checks + destroy: ${Date.now() - t0} ms`);
});
