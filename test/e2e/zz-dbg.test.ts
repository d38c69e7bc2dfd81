import { WorkshopStack } from '../../examples/workshop/stack';
import { Lab } from '../../test/e2e/lab';
import { Sandbox } from '../../test/e2e/sandbox';
jest.setTimeout(300000);
test('dbg', async () => {
  const sb = await Sandbox.start();
  const lab = new Lab(sb, 'workshop');
  lab.synth((app) => new WorkshopStack(app, 'workshop'));
  console.log(lab.applyOk().slice(-1500));
  console.log(sb.ok('find /run/cdktf-netns'));
  console.log(lab.destroyOk());
  lab.dispose(); sb.dispose();
});
