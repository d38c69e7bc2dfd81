import { runInVlanKernel, vlanKernelAvailable } from './uml';
import * as fs from 'fs';
(async () => {
  console.log(vlanKernelAvailable());
  const wd = fs.mkdtempSync('/tmp/tswd-');
  const r = await runInVlanKernel('echo out; echo err >&2; echo "$FOO"; ip link add link lo name x type vlan id 5 2>&1 | head -1; exit 7', { workdir: wd, timeoutMs: 60000, env: { FOO: 'bar baz' } });
  console.log(JSON.stringify(r));
  const t = await runInVlanKernel('sleep 100', { workdir: wd, timeoutMs: 7000 });
  console.log(JSON.stringify(t));
  fs.rmSync(wd, { recursive: true });
})();
