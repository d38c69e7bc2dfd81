import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdktf';
import { WorkshopStack } from '../../examples/workshop/stack';
import { Lab } from '../support/lab';
import { e2ePrerequisites, Sandbox } from '../support/sandbox';
import { expectNoChangesThenNothingLeft } from '../support/expect';

jest.setTimeout(300_000);

// `cdktf synth --hcl` users get the same lab: the provisioner commands and the engine files beside the plan are the same.
test('the HCL rendering of the workshop deploys, pings and destroys like the JSON one', async () => {
  expect(e2ePrerequisites()).toEqual([]);
  const sb = await Sandbox.start();
  const lab = new Lab(sb, 'workshop');
  try {
    const out = mkdtempSync(join(tmpdir(), 'cdktf-netns-hcl-'));
    try {
      // what `cdktf synth --hcl` does: the stack reads SYNTH_HCL_OUTPUT when it is constructed
      process.env.SYNTH_HCL_OUTPUT = 'true';
      try {
        const app = new App({ outdir: out, hclOutput: true, context: { 'cdktf-netns:backend': 'terraform_data' } });
        new WorkshopStack(app, 'workshop');
        app.synth();
      } finally {
        delete process.env.SYNTH_HCL_OUTPUT;
      }
      const stackDir = join(out, 'stacks', 'workshop');
      expect(readFileSync(join(stackDir, 'cdk.tf'), 'utf8')).toMatch(
        /command += "sh cdktf-netns\/engine\/engine.sh apply cdktf-netns\/lab.data \$\{self.triggers_replace.data\} \$\{self.triggers_replace.deployment\}"/,
      );
      cpSync(stackDir, lab.dir, { recursive: true });
      // keep Terraform's state in the lab's own directory (cdktf's default local path is the project directory)
      const hcl = readFileSync(join(lab.dir, 'cdk.tf'), 'utf8');
      expect(hcl).toMatch(/backend "local" \{\npath = "[^"]+"/);
      writeFileSync(join(lab.dir, 'cdk.tf'), hcl.replace(/(backend "local" \{\npath = )"[^"]+"/, '$1"terraform.tfstate"'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    lab.applyOk();
    expect(sb.namespaces()).toEqual(['dev', 'router', 'sales']);
    expect(sb.ipJson('sales', 'link show lo')[0].ifalias).toBe(lab.marker('cdktf-netns:workshop/sales'));
    expect(sb.routes('sales')).toEqual(['default via 172.16.10.1']);
    expect(sb.sh('ip netns exec sales ping -c 1 -W 2 172.16.20.10').code).toBe(0);
    expectNoChangesThenNothingLeft(sb, lab);
  } finally {
    lab.dispose();
    sb.dispose();
  }
});
