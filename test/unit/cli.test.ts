/**
 * The `cdktf-netns` command line (lib/cli.ts): usage, exit codes, finding
 * the stack directory, and `verify` on a lab that was never deployed. No
 * kernel state is read or changed here: `repair` is never run, and `verify`
 * stops before reading the kernel when the lab has no record.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { CliError, EXIT, findStackDir, main, readHeader, USAGE } from '../../lib/cli';
import { Namespace, VethPair } from '../../lib';
import { DATA_FILE } from '../../lib/engine/files';
import { freshDir, thrownMessage } from './helpers';

/** Run main() and collect what it prints. */
function run(argv: string[]): { code: number; out: string } {
  const lines: string[] = [];
  const code = main(argv, (s) => lines.push(s));
  return { code, out: lines.join('\n') };
}

/** A project directory with cdktf.out/stacks/<name>/cdktf-netns/lab.data for each name (and a stack without a lab). */
function fakeProject(names: string[]): string {
  const dir = freshDir('proj');
  for (const n of names) {
    mkdirSync(join(dir, 'cdktf.out', 'stacks', n, 'cdktf-netns'), { recursive: true });
    writeFileSync(join(dir, 'cdktf.out', 'stacks', n, DATA_FILE), '# cdktf-netns lab data v1\n');
    writeFileSync(join(dir, 'cdktf.out', 'stacks', n, 'cdk.tf.json'), '{}\n');
  }
  mkdirSync(join(dir, 'cdktf.out', 'stacks', 'plain'), { recursive: true });
  return dir;
}

describe('usage and exit codes', () => {
  test.each([['--help'], ['help'], ['-h']])('%s prints the usage, naming verify and repair, and exits 0', (arg) => {
    const r = run([arg]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: cdktf-netns <command>/);
    expect(r.out).toMatch(/^ {2}verify /m);
    expect(r.out).toMatch(/^ {2}repair /m);
    expect(r.out).toBe(USAGE.trimEnd());
  });

  test('--help after a command prints the usage too, without looking for a stack', () => {
    expect(run(['verify', '--help'])).toEqual({ code: 0, out: USAGE.trimEnd() });
    expect(run(['repair', '-h']).code).toBe(0);
  });

  test('no command: the usage, and exit 1', () => {
    const r = run([]);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.out).toContain('usage: cdktf-netns');
  });

  test('an unknown command exits 1, naming it', () => {
    const r = run(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.out).toContain("unknown command 'frobnicate'");
    expect(r.out).toContain('usage: cdktf-netns');
  });

  test('bad options are usage errors', () => {
    expect(() => run(['verify', '--bogus'])).toThrow(CliError);
    expect(thrownMessage(() => run(['verify', '--bogus']))).toContain("unknown option '--bogus'");
    expect(thrownMessage(() => run(['verify', '--stack']))).toContain('--stack needs a stack name');
    expect(thrownMessage(() => run(['verify', 'a', 'b']))).toContain('one stack directory at most');
  });

  test('the exit codes are 0 in line, 1 error, 2 drift', () => {
    expect(EXIT).toEqual({ OK: 0, ERROR: 1, DRIFT: 2 });
  });
});

describe('findStackDir', () => {
  test('an unknown --stack is refused, naming the stacks that have a lab', () => {
    const dir = fakeProject(['a', 'b']);
    const msg = thrownMessage(() => findStackDir(dir, 'zzz'));
    expect(msg).toContain("stack 'zzz' does not exist");
    expect(msg).toContain('stacks with a lab: a, b');
    expect(msg).not.toContain('plain');
    expect(() => findStackDir(dir, 'zzz')).toThrow(CliError);
    // the same through main()
    expect(thrownMessage(() => run(['verify', dir, '--stack', 'zzz']))).toContain('stacks with a lab: a, b');
  });

  test('several stacks and no --stack: asks for one, naming them', () => {
    const dir = fakeProject(['a', 'b']);
    expect(thrownMessage(() => findStackDir(dir, undefined))).toContain('choose a stack with --stack NAME (stacks with a lab: a, b)');
  });

  test('a known --stack, a single stack, a stack directory and a file in it are found', () => {
    const two = fakeProject(['a', 'b']);
    expect(findStackDir(two, 'b')).toBe(join(two, 'cdktf.out', 'stacks', 'b'));
    const one = fakeProject(['only']);
    const stackDir = join(one, 'cdktf.out', 'stacks', 'only');
    expect(findStackDir(one, undefined)).toBe(stackDir);
    expect(findStackDir(stackDir, undefined)).toBe(stackDir);
    expect(findStackDir(stackDir, 'only')).toBe(stackDir);
    expect(findStackDir(join(stackDir, 'cdk.tf.json'), undefined)).toBe(stackDir);
    expect(thrownMessage(() => findStackDir(stackDir, 'other'))).toContain("another stack than 'other'");
  });

  test('no synthesized lab: says to run cdktf synth', () => {
    expect(thrownMessage(() => findStackDir(freshDir('empty'), undefined))).toContain("run 'cdktf synth' first");
    const none = fakeProject([]);
    expect(thrownMessage(() => findStackDir(none, undefined))).toContain('declares a lab');
  });
});

describe('verify', () => {
  test('readHeader refuses a data file without a lab header', () => {
    expect(() => readHeader('# nothing here\n')).toThrow(CliError);
    expect(readHeader('#owner cdktf-netns:x/\n#lab 0123456789abcdef\n#state /run/x\n')).toEqual({ owner: 'cdktf-netns:x/', lab: '0123456789abcdef', state: '/run/x' });
  });

  test('a synthesized lab without a record in its state directory "is not deployed": exit 2, and nothing is written', () => {
    // an empty state directory with mode 0700, owned by whoever runs the tests (root, as the engine wants it)
    const state = freshDir('state');
    expect(statSync(state).mode & 0o777).toBe(0o700);
    const project = freshDir('proj');
    const app = Testing.app({ outdir: join(project, 'cdktf.out'), context: { 'cdktf-netns:backend': 'terraform_data', 'cdktf-netns:stateDir': state } });
    const stack = new TerraformStack(app, 'lab');
    new VethPair(stack, 'p', { a: { name: 'v0' }, b: { name: 'v1', namespace: new Namespace(stack, 'ns') } });
    app.synth();
    const stackDir = join(project, 'cdktf.out', 'stacks', 'lab');
    for (const argv of [['verify', stackDir], ['verify', project], ['verify', project, '--stack', 'lab']]) {
      const r = run(argv);
      expect(r.code).toBe(EXIT.DRIFT);
      expect(r.out).toContain('verify: lab cdktf-netns:lab/ is not deployed on this machine');
      expect(r.out).toContain(`no record in ${state}/labs/`);
    }
    expect(readdirSync(state)).toEqual([]);
  });
});
