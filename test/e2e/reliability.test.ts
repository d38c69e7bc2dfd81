import { e2ePrerequisites } from '../support/sandbox';
import { runScript } from '../support/script-run';

/**
 * The reliability & security matrix (scripts/reliability), quick form: every
 * row runs against the real kernel and Terraform inside private sandboxes
 * and prints `row <N> <name>: <figure> — PASS|FAIL`; every row must be there
 * and pass.
 */
const ROWS = 13;
const TIMEOUT_MS = 480_000;

jest.setTimeout(TIMEOUT_MS + 30_000);

test(`reliability matrix (quick): all ${ROWS} rows run and pass`, async () => {
  expect(e2ePrerequisites()).toEqual([]);
  const { code, out } = await runScript('scripts/reliability/main.ts', ['--quick'], TIMEOUT_MS);
  console.log(
    out
      .split('\n')
      .filter((l) => /^(row \d+ |total time|reliability:)/.test(l))
      .join('\n'),
  );
  const lines = out.split('\n');
  const line = (n: number) => lines.find((l) => l.startsWith(`row ${n} `));
  for (let n = 1; n <= ROWS; n++) {
    const l = line(n);
    if (!l) throw new Error(`row ${n} is missing from the matrix output:\n${out.slice(-6000)}`);
    expect(l).toMatch(new RegExp(`^row ${n} [a-z-]+: .+ — (PASS|FAIL)$`));
  }
  expect(lines.filter((l) => /^row \d+ /.test(l))).toHaveLength(ROWS);
  const failing = Array.from({ length: ROWS }, (_, i) => i + 1).filter((n) => !line(n)!.endsWith(' — PASS'));
  if (failing.length) {
    // each failing row's line and the indented details under it
    const report = failing.map((n) => {
      const at = lines.findIndex((l) => l.startsWith(`row ${n} `));
      const details = [];
      for (let i = at + 1; i < lines.length && lines[i].startsWith('    '); i++) details.push(lines[i]);
      const text = [lines[at], ...details].join('\n');
      return text.length > 6000 ? `${text.slice(0, 6000)}\n    ...` : text;
    });
    throw new Error(`rows ${failing.join(', ')} failed:\n${report.join('\n')}`);
  }
  expect(out).toMatch(new RegExp(`^reliability: ${ROWS} passed, 0 failed$`, 'm'));
  expect(code).toBe(0);
});
