/**
 * The reliability & security matrix of cdktf-netns: every row runs a scenario
 * against the real kernel and the real Terraform, inside private sandboxes
 * (test/support/sandbox.ts: unshare --net --mount, tmpfs on /run; nothing is
 * created in this machine's own network namespace), and prints one line:
 *
 *   row <N> <name>: <figure> — PASS|FAIL
 *
 * then `reliability: N passed, M failed`; the exit status is non-zero when a
 * row failed.
 *
 *   npx ts-node scripts/reliability/main.ts            # full run
 *   npx ts-node scripts/reliability/main.ts --quick    # fewer repetitions, every row (CI)
 *   npx ts-node scripts/reliability/main.ts --only 3,5 # selected rows (development)
 *
 * Each row is a module under rows/ exporting
 *   run(opts: { quick: boolean }): Promise<{ figure: string; pass: boolean; details?: string }>
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

interface RowModule { run(opts: { quick: boolean }): Promise<{ figure: string; pass: boolean; details?: string }> }

/** The matrix: row number, name, module under rows/. */
const ROWS: Array<[number, string, string]> = [
  [1, 'repeated-life', 'repeated-life'],
  [2, 'failed-create', 'failed-create'],
  [3, 'killed-apply', 'killed-apply'],
  [4, 'drift', 'drift'],
  [5, 'foreign-objects', 'foreign-objects'],
  [6, 'removal', 'removal'],
  [7, 'change-in-place', 'change-in-place'],
  [8, 'side-by-side', 'side-by-side'],
  [9, 'hostile-input', 'hostile-input'],
  [10, 'host-safety', 'host-safety'],
  [11, 'twins', 'twins'],
  [12, 'contention', 'contention'],
  [13, 'local-attacker', 'local-attacker'],
];

function loadRow(file: string): RowModule | undefined {
  const path = join(__dirname, 'rows', `${file}.ts`);
  if (!existsSync(path)) return undefined;
   
  return require(path) as RowModule;
}

function prerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid && process.getuid() !== 0) missing.push('root');
  for (const bin of ['unshare', 'nsenter', 'ip', 'terraform', 'ping', 'setsid', 'ps', 'setpriv', 'flock']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) missing.push(bin);
  }
  return missing;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',').map(Number)) : undefined;
  const missing = prerequisites();
  if (missing.length) {
    console.log(`reliability: cannot run, missing: ${missing.join(', ')}`);
    console.log('reliability: 0 passed, 1 failed');
    return 1;
  }
  // rows 2, 3, 4, 11 and 13 drive the cdktf-netns CLI (verify, repair, deployments, adopt, release) as users run it: build it first
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: join(__dirname, '../..'), stdio: 'inherit' });
  console.log(`reliability matrix (${quick ? 'quick' : 'full'} run)`);
  const t0 = Date.now();
  let passed = 0;
  let failed = 0;
  for (const [n, name, file] of ROWS) {
    if (only && !only.has(n)) continue;
    const mod = loadRow(file);
    const t = Date.now();
    let figure: string;
    let pass = false;
    let details: string | undefined;
    if (!mod) {
      figure = 'not implemented';
    } else {
      try {
        ({ figure, pass, details } = await mod.run({ quick }));
      } catch (e) {
        figure = `crashed: ${(e as Error).message.split('\n')[0]}`;
        details = (e as Error).stack;
      }
    }
    const took = mod ? ` [${((Date.now() - t) / 1000).toFixed(1)} s]` : '';
    console.log(`row ${n} ${name}: ${figure}${took} — ${pass ? 'PASS' : 'FAIL'}`);
    if (!pass && details) console.log(details.split('\n').map((l) => `    ${l}`).join('\n'));
    if (pass) passed++; else failed++;
  }
  console.log(`total time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`reliability: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  console.log('reliability: 0 passed, 1 failed');
  process.exit(1);
});
