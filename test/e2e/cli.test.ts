import { spawnSync } from 'child_process';
import { join } from 'path';
import { e2ePrerequisites } from '../support/sandbox';

jest.setTimeout(300_000);

// The README's main command (`npm run workshop`): the real `cdktf deploy` / `cdktf destroy`
// CLI on the workshop app, inside its own private sandbox.
test('npm run workshop: cdktf deploy builds the workshop, sales reaches dev via the router, cdktf destroy cleans up', () => {
  expect(e2ePrerequisites()).toEqual([]);
  const t0 = Date.now();
  const r = spawnSync('sh', [join(__dirname, '../../scripts/workshop.sh')], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`workshop.sh failed (${r.status}):\n${out.slice(-6000)}`);
  expect(out).toMatch(/cdktf deploy: done, 3 resource\(s\) in the Terraform state/);
  expect(out).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
  expect(out).toMatch(/^\s*1\s+172\.16\.10\.1\s/m);
  expect(out).toMatch(/cdktf destroy: done, 0 resource\(s\) in the Terraform state/);
  expect(out).toMatch(/workshop OK: .* nothing left/);

  console.log(`cdktf CLI deploy + checks + destroy: ${Date.now() - t0} ms`);
});
