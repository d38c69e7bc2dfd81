import { spawn } from 'child_process';
import { join } from 'path';
import { e2ePrerequisites } from './sandbox';

/**
 * The scale benchmark (scripts/bench), quick size: a 50-namespace star lab
 * built and destroyed by the library, by the tutorial-style script and by
 * `ip -batch`, each in a fresh private sandbox, with the completeness check
 * after every apply and the in-place changes (nothing else re-created). The
 * timings are printed, not asserted (this machine is shared and noisy): the
 * full run with its ratios is `npm run bench`, its figures are in the README.
 */
const ROOT = join(__dirname, '../..');
const TIMEOUT_MS = 300_000;

jest.setTimeout(TIMEOUT_MS + 30_000);

test('bench (quick): every method builds the complete lab, in-place changes re-create nothing else', async () => {
  expect(e2ePrerequisites()).toEqual([]);
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn('npx', ['ts-node', 'scripts/bench/main.ts', '--quick'], { cwd: ROOT, env: process.env, detached: true });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    const timer = setTimeout(() => {
      text += `\n(bench.test: no result after ${TIMEOUT_MS / 1000} s, killed)\n`;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, TIMEOUT_MS);
    child.on('close', (c) => { clearTimeout(timer); resolve({ code: c, out: text }); });
  });
  // eslint-disable-next-line no-console
  console.log(out.trim().split('\n').slice(-40).join('\n'));
  expect(out).toMatch(/^bench: OK$/m);
  expect(code).toBe(0);
});
