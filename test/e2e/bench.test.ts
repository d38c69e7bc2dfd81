import { e2ePrerequisites } from '../support/sandbox';
import { runScript } from '../support/script-run';

/**
 * The scale benchmark (scripts/bench), quick size: a 50-namespace star lab
 * built and destroyed by the library, by the tutorial-style script and by
 * `ip -batch`, each in a fresh private sandbox, with the completeness check
 * after every apply and the in-place changes (nothing else re-created). The
 * timings are printed, not asserted (this machine is shared and noisy): the
 * full run with its ratios is `npm run bench`, its figures are in the README.
 */
const TIMEOUT_MS = 300_000;

jest.setTimeout(TIMEOUT_MS + 30_000);

test('bench (quick): every method builds the complete lab, in-place changes re-create nothing else', async () => {
  expect(e2ePrerequisites()).toEqual([]);
  const { code, out } = await runScript('scripts/bench/main.ts', ['--quick'], TIMEOUT_MS);

  console.log(out.trim().split('\n').slice(-40).join('\n'));
  expect(out).toMatch(/^bench: OK$/m);
  expect(code).toBe(0);
});

test('bench-hosts (quick): 40 namespaces over SSH on one simulated host, then over four, whose Lab resources run in parallel', async () => {
  expect(e2ePrerequisites()).toEqual([]);
  const { code, out } = await runScript('scripts/bench/hosts.ts', ['--quick'], TIMEOUT_MS);
  console.log(out.trim().split('\n').slice(-14).join('\n'));
  expect(out).toMatch(/^bench-hosts: OK$/m);
  expect(code).toBe(0);
});
