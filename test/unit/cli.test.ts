/**
 * The `cdktf-netns` command line (lib/cli.ts): usage, exit codes, argument
 * errors, finding the stack directory, which deployment `verify` works on,
 * and `verify` on a lab that was never deployed. No kernel state is read or
 * changed here: `repair`, `release` and `adopt` never reach the engine, and
 * `verify` stops before reading the kernel when the deployment has no record;
 * every state directory used does not exist (nothing is created in it).
 */
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { CliError, EXIT, findStackDir, main, readHeader, resolveDeployment, USAGE } from '../../lib/cli';
import { Host, Namespace, Reachable, VethPair } from '../../lib';
import { deploymentToken } from '../../lib/core/settings';
import { DATA_FILE, INTENTS_FILE } from '../../lib/engine/files';
import { findLab } from '../../lib/engine/plan-reader';
import { freshDir, fullSynth, testApp, thrownMessage } from '../support/helpers';

/** Run main() and collect what it prints (graph answers with a promise: use runAsync). */
function run(argv: string[]): { code: number; out: string } {
  const lines: string[] = [];
  const code = main(argv, (s) => lines.push(s));
  if (typeof code !== 'number') throw new Error(`${argv.join(' ')} answered with a promise: use runAsync`);
  return { code, out: lines.join('\n') };
}

async function runAsync(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(argv, (s) => lines.push(s));
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
  test.each([['--help'], ['help'], ['-h']])('%s prints the usage, naming every command and option, and exits 0', (arg) => {
    const r = run([arg]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: cdktf-netns <command> \[STACK_DIR\] \[--stack NAME\] \[options\]/);
    for (const cmd of ['verify', 'repair', 'deployments', 'release TOKEN', 'adopt TOKEN', 'check', 'graph', 'help'])
      expect(r.out).toMatch(new RegExp(`^ {2}${cmd} `, 'm'));
    for (const opt of ['--stack NAME', '--deployment TOKEN', '--state-dir DIR', '--format FORMAT', '-o FILE', '--routes'])
      expect(r.out).toMatch(new RegExp(`^${opt} `, 'm'));
    expect(r.out).toContain('mermaid (the default; a flowchart for Markdown), dot, or svg');
    expect(r.out).toContain('(default /run/cdktf-netns)');
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
    expect(thrownMessage(() => run(['verify', '--stack']))).toContain('--stack needs a value');
    expect(thrownMessage(() => run(['verify', 'a', 'b']))).toContain('one stack directory at most');
  });

  test.each([['verify'], ['repair'], ['deployments'], ['release'], ['adopt'], ['check'], ['graph']])(
    '%s: an unknown option, or an option without its value, is a usage error',
    (cmd) => {
      expect(() => run([cmd, '--frob'])).toThrow(CliError);
      expect(thrownMessage(() => run([cmd, '--frob']))).toContain("unknown option '--frob' (see cdktf-netns --help)");
      for (const opt of ['--stack', '--deployment', '--state-dir', '--format', '-o']) {
        expect(thrownMessage(() => run([cmd, opt]))).toContain(`${opt} needs a value`);
        // an option is not a value
        expect(thrownMessage(() => run([cmd, opt, '--stack', 'x']))).toContain(`${opt} needs a value`);
      }
    },
  );

  test.each([['release'], ['adopt']])('%s needs exactly one deployment token (12 hexadecimal digits)', (cmd) => {
    const none = join(freshDir('state'), 'none');
    expect(() => run([cmd])).toThrow(CliError);
    expect(thrownMessage(() => run([cmd]))).toContain(`${cmd} needs a deployment token (see 'cdktf-netns deployments')`);
    for (const bad of ['xyz', '0123456789AB', '0123456789a', '0123456789abc', '../../etc', '$(id)']) {
      expect(thrownMessage(() => run([cmd, bad, '--state-dir', none]))).toContain(`'${bad}' is not a deployment token (12 hexadecimal digits`);
    }
    expect(thrownMessage(() => run([cmd, '0123456789ab', 'dir', 'more']))).toContain(`${cmd}: one token and one stack directory at most`);
    // a well-formed token that no record names
    expect(thrownMessage(() => run([cmd, '0123456789ab', '--state-dir', none]))).toContain(`no deployment 0123456789ab is recorded in ${none}`);
    expect(existsSync(none)).toBe(false);
  });

  test("graph: a bad --format names the bad value and the allowed ones, before looking for a stack; graph's options belong to graph", () => {
    for (const bad of ['png', 'SVG', 'mermaid,dot']) {
      expect(() => run(['graph', '--format', bad])).toThrow(CliError);
      expect(thrownMessage(() => run(['graph', freshDir('empty'), '--format', bad]))).toBe(
        `--format '${bad}' is not a graph format: use one of mermaid, dot, svg`,
      );
    }
    for (const [opt, ...v] of [['--format', 'dot'], ['-o', 'x.svg'], ['--routes']]) {
      for (const cmd of ['verify', 'repair', 'deployments', 'check']) {
        expect(thrownMessage(() => run([cmd, opt, ...v]))).toBe(`${opt} is an option of graph, not of ${cmd} (see cdktf-netns --help)`);
      }
    }
    // no stack: the same message as the other commands
    expect(thrownMessage(() => run(['graph', freshDir('empty')]))).toContain("run 'cdktf synth' first");
  });

  test('deployments in a state directory with no record: says so, exits 0, creates nothing', () => {
    const none = join(freshDir('state'), 'none');
    expect(run(['deployments', '--state-dir', none])).toEqual({ code: EXIT.OK, out: `deployments: none recorded in ${none}` });
    expect(existsSync(none)).toBe(false);
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
    expect(readHeader('#owner cdktf-netns:x/\n#lab 0123456789abcdef\n#state /run/x\n')).toEqual({
      owner: 'cdktf-netns:x/',
      lab: '0123456789abcdef',
      state: '/run/x',
    });
  });

  /** A state directory that does not exist, in a root-only place (a shared one such as /tmp is refused at synth). */
  const absentStateDir = () => `/run/cdktf-netns-unit-${randomBytes(6).toString('hex')}/state`;

  /** A project with one synthesized lab whose state directory does not exist (with an intent if asked). */
  function synthesized(intent = false): { project: string; stackDir: string; state: string } {
    const state = absentStateDir();
    expect(existsSync(state)).toBe(false);
    const project = freshDir('proj');
    const app = Testing.app({ outdir: join(project, 'cdktf.out'), context: { 'cdktf-netns:backend': 'terraform_data', 'cdktf-netns:stateDir': state } });
    const stack = new TerraformStack(app, 'lab');
    const ns = new Namespace(stack, 'ns');
    new VethPair(stack, 'p', { a: { name: 'v0', addresses: ['10.9.0.1/24'] }, b: { name: 'v1', namespace: ns, addresses: ['10.9.0.2/24'] } });
    if (intent) new Reachable(stack, 'ns-reaches-host', { from: ns, to: '10.9.0.1' });
    app.synth();
    return { project, stackDir: join(project, 'cdktf.out', 'stacks', 'lab'), state };
  }

  test('a synthesized lab without a record in its state directory "is not deployed": exit 2, and nothing is written', () => {
    const { project, stackDir, state } = synthesized();
    for (const argv of [
      ['verify', stackDir],
      ['verify', project],
      ['verify', project, '--stack', 'lab'],
    ]) {
      const r = run(argv);
      expect(r.code).toBe(EXIT.DRIFT);
      expect(r.out).toContain('verify: lab cdktf-netns:lab/ is not deployed on this machine');
      expect(r.out).toContain(`no record in ${state}/labs/`);
    }
    expect(existsSync(state)).toBe(false);
    expect(existsSync(join(state, '..'))).toBe(false);
  });

  test('--deployment names the deployment to verify; a bad token is a usage error', () => {
    const { stackDir, state } = synthesized();
    const r = run(['verify', stackDir, '--deployment', '0123456789ab']);
    expect(r.code).toBe(EXIT.DRIFT);
    expect(r.out).toContain('verify: lab cdktf-netns:lab/ is not deployed on this machine as deployment 0123456789ab');
    for (const bad of ['0123456789AB', 'abc', '0123456789abcd', '../x']) {
      for (const cmd of ['verify', 'repair']) {
        expect(() => run([cmd, stackDir, '--deployment', bad])).toThrow(CliError);
        expect(thrownMessage(() => run([cmd, stackDir, '--deployment', bad]))).toContain(
          `--deployment '${bad}' is not a deployment token (12 hexadecimal digits`,
        );
      }
    }
    expect(existsSync(state)).toBe(false);
  });

  test("without --deployment, the deployment is the one the stack's local Terraform state names (the Teardown's id)", () => {
    const { stackDir, state } = synthesized();
    const doc = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    const header = readHeader(readFileSync(join(stackDir, DATA_FILE), 'utf8'));
    // no state, no record: not deployed
    expect(resolveDeployment(stackDir, header)).toBeUndefined();
    const [type, name] = findLab(doc)!.teardown!.split('.');
    const id = 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9';
    writeFileSync(
      join(stackDir, 'terraform.lab.tfstate'),
      JSON.stringify({
        version: 4,
        resources: [
          { mode: 'managed', type, name: `${name}x`, instances: [{ attributes: { id: 'not-this-one' } }] },
          { mode: 'managed', type, name, instances: [{ attributes: { id } }] },
        ],
      }),
    );
    expect(resolveDeployment(stackDir, header)).toBe(deploymentToken(id));
    // an explicit token wins
    expect(resolveDeployment(stackDir, header, 'abcdefabcdef')).toBe('abcdefabcdef');
    const r = run(['verify', stackDir]);
    expect(r.code).toBe(EXIT.DRIFT);
    expect(r.out).toContain(`is not deployed on this machine as deployment ${deploymentToken(id)}`);
    expect(existsSync(state)).toBe(false);
  });

  test('check: a lab without intents says so (exit 0); with intents but not deployed, "is not deployed" (exit 2); nothing is probed or written', () => {
    const plain = synthesized();
    const r0 = run(['check', plain.stackDir]);
    expect(r0).toEqual({ code: EXIT.OK, out: 'check: lab cdktf-netns:lab/ declares no intents (add Reachable / Unreachable constructs to the stack)' });
    const { project, stackDir, state } = synthesized(true);
    expect(readFileSync(join(stackDir, INTENTS_FILE), 'utf8')).toContain('intent reach ns 10.9.0.1 icmp - - 5000 lab/ns-reaches-host');
    for (const argv of [
      ['check', stackDir],
      ['check', project, '--stack', 'lab'],
    ]) {
      const r = run(argv);
      expect(r.code).toBe(EXIT.DRIFT);
      expect(r.out).toBe("check: lab cdktf-netns:lab/ is not deployed on this machine: run 'cdktf deploy'");
    }
    expect(existsSync(state)).toBe(false);
  });

  test('check: an intents file the plan does not name is refused (exit 1 from the CLI), not probed', () => {
    const { stackDir } = synthesized();
    writeFileSync(join(stackDir, INTENTS_FILE), 'intent reach - 10.9.0.2 icmp - - 5000 planted\n');
    expect(thrownMessage(() => run(['check', stackDir]))).toContain("is not part of the stack's plan (cdk.tf.json names no intents)");
  });

  test('graph draws a synthesized lab that was never deployed (it reads the plan alone), as a promise', async () => {
    const { project, stackDir, state } = synthesized();
    const r = await runAsync(['graph', project, '--stack', 'lab']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toMatch(/^flowchart LR\n/);
    expect(r.out).toContain('host ---|"v0 10.9.0.1/24<br>v1 10.9.0.2/24"| ns_ns');
    expect(await runAsync(['graph', stackDir])).toEqual(r);
    expect(existsSync(state)).toBe(false);
  });
});

describe('Hosts: --host and forget-host', () => {
  /** A synthesized stack with one Host (and nothing on this machine). */
  function hostStack(backend: 'terraform_data' | 'null_resource'): string {
    const app = testApp(backend);
    const stack = new TerraformStack(app, 'hosts');
    const h = new Host(stack, 'rack1', { address: '192.0.2.10', port: 2222, ...(backend === 'terraform_data' ? { privateKeyFile: '/root/.ssh/lab' } : {}) });
    new Namespace(stack, 'ns', { host: h });
    return fullSynth(app, 'hosts');
  }

  test('the usage names forget-host and --host', () => {
    expect(USAGE).toMatch(/^ {2}forget-host NAME /m);
    expect(USAGE).toMatch(/^--host NAME /m);
  });

  test.each(['terraform_data', 'null_resource'] as const)(
    '%s: a Host unknown to the stack, a stack with nothing on this machine, a Host not yet deployed: each said plainly',
    (backend) => {
      const dir = hostStack(backend);
      expect(() => run(['verify', '--host', 'rack9', dir])).toThrow(/the stack declares no Host named 'rack9' \(its hosts: rack1\)/);
      expect(() => run(['verify', dir])).toThrow(/the stack declares nothing on this machine: its labs are on its Hosts rack1 \(choose one with --host NAME\)/);
      // no Terraform state: the deployment is not known (and a Host's records are not read without one): nothing is reached over SSH
      const r = run(['verify', '--host', 'rack1', dir]);
      expect(r.code).toBe(EXIT.DRIFT);
      expect(r.out).toMatch(/lab cdktf-netns:hosts\/ is not deployed on host "rack1" \(192\.0\.2\.10\).*give --deployment TOKEN/);
      expect(() => run(['forget-host'])).toThrow(/forget-host needs the Host's name/);
      expect(() => run(['forget-host', 'rack9', dir])).toThrow(/the stack declares no Host named 'rack9'/);
    },
  );

  test('graph --host draws the Host lab from the files synthesized for it', async () => {
    const dir = hostStack('terraform_data');
    const r = await runAsync(['graph', '--host', 'rack1', dir]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toMatch(/ns_ns/);
    expect(existsSync(join(dir, 'cdktf-netns', 'hosts', 'rack1', 'bundle', 'cdktf-netns', 'up'))).toBe(true);
  });
});
