/**
 * The set-up every E2E test file shares (jest hooks: for test files only; the
 * reliability matrix and the bench use `withSandbox` / `withLab`).
 */
import { Lab } from './lab';
import { e2ePrerequisites, Sandbox } from './sandbox';

/**
 * The private sandbox of a test file: the prerequisites are checked and the
 * sandbox started before the file's tests (before each test, with
 * `perTest`), and it is stopped after them.
 */
export function useSandbox(opts: { perTest?: boolean } = {}): Sandbox {
  const sb = Sandbox.unstarted();
  (opts.perTest ? beforeEach : beforeAll)(async () => {
    expect(e2ePrerequisites()).toEqual([]);
    await sb.restart();
  });
  (opts.perTest ? afterEach : afterAll)(() => sb.dispose());
  return sb;
}

/** Labs of a test file: the returned function makes one in `sb`; every one is removed after the file's tests. */
export function useLabs(sb: Sandbox): (stackName: string) => Lab {
  const labs: Lab[] = [];
  afterAll(() => labs.forEach((l) => l.dispose()));
  return (stackName) => {
    const l = new Lab(sb, stackName);
    labs.push(l);
    return l;
  };
}
