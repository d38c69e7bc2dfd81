import { writeFileSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdktf';
import { WorkshopStack } from '../../examples/workshop/stack';
import { Lab } from './lab';
import { e2ePrerequisites, Sandbox } from './sandbox';
import { expectNothingLeft } from './expect';

jest.setTimeout(300_000);

// `cdktf synth --hcl` users get the same lab: the scripts survive HCL quoting byte for byte.
test('the HCL rendering of the workshop deploys, pings and destroys like the JSON one', async () => {
  expect(e2ePrerequisites()).toEqual([]);
  const sb = await Sandbox.start();
  const lab = new Lab(sb, 'workshop');
  try {
    const app = Testing.app({ context: { 'cdktf-netns:backend': 'terraform_data' } });
    writeFileSync(join(lab.dir, 'main.tf'), Testing.synthHcl(new WorkshopStack(app, 'workshop'), true) as string);
    lab.applyOk();
    expect(sb.namespaces()).toEqual(['dev', 'router', 'sales']);
    expect(sb.ipJson('sales', 'link show lo')[0].ifalias).toBe('cdktf-netns:workshop/sales');
    expect(sb.routes('sales')).toEqual(['default via 172.16.10.1']);
    expect(sb.sh('ip netns exec sales ping -c 1 -W 2 172.16.20.10').code).toBe(0);
    expect(lab.planExitCode()).toBe(0);
    lab.destroyOk();
    expectNothingLeft(sb);
  } finally {
    lab.dispose();
    sb.dispose();
  }
});
