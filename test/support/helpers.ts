/**
 * Shared helpers of the unit tests (not a test file itself).
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { NetnsPlan } from '../../lib/testing';
import { Backend } from '../../lib';
import { Lab } from '../../lib/engine/lab';
import { DATA_FILE, LIB_DIR } from '../../lib/engine/files';

export const BACKENDS: Backend[] = ['null_resource', 'terraform_data'];

/**
 * Scratch space of this test file: every test app gets its outdir in here
 * (Testing.app() would make one /tmp/cdktf.outdir.* per app and leave it
 * behind); removed after the file's tests have run.
 */
let scratch: string | undefined;
let appCount = 0;

export function scratchDir(): string {
  if (!scratch) scratch = mkdtempSync(join(tmpdir(), 'cdktf-netns-unit-'));
  return scratch;
}

/** A fresh, empty directory inside this file's scratch space. */
export function freshDir(label = 'dir'): string {
  return mkdtempSync(join(scratchDir(), `${label}-`));
}

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A fresh test app with the given backend and any extra context (its outdir is cleaned up after the file's tests). */
export function testApp(backend: Backend = 'terraform_data', context: Record<string, unknown> = {}): App {
  appCount++;
  return Testing.app({ outdir: join(scratchDir(), `app${appCount}`), context: { 'cdktf-netns:backend': backend, ...context } });
}

/** A fresh app with one empty stack in it. */
export function testStack(backend: Backend = 'terraform_data', context: Record<string, unknown> = {}, id = 'stack'): TerraformStack {
  return new TerraformStack(testApp(backend, context), id);
}

/** Synthesize with validations and parse. */
export function synthDoc(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack, true));
}

export function plan(stack: TerraformStack): NetnsPlan {
  return NetnsPlan.fromStack(stack);
}

/** The stack's Lab construct (the per-stack unit every construct declares its kernel objects into). */
export function labOf(stack: TerraformStack): Lab {
  return stack.node.findChild('cdktf-netns') as Lab;
}

/** The stack's data file text, as the Lab computes it. */
export function dataText(stack: TerraformStack): string {
  return labOf(stack).data().text;
}

/** The stack's intents file as synthesis writes it (undefined: the lab declares no intents). */
export function intentsText(stack: TerraformStack): string | undefined {
  return labOf(stack).intentsText();
}

/** Run the full `app.synth()` (which writes the engine files and the data file) and return the stack's directory. */
export function fullSynth(app: App, stackName: string): string {
  app.synth();
  return join(app.outdir, 'stacks', stackName);
}

/** The data file a full synthesis wrote into a stack directory. */
export function writtenData(stackDir: string): string {
  return readFileSync(join(stackDir, DATA_FILE), 'utf8');
}

/**
 * Run the engine's planner (lib/engine/plan.awk) as engine.sh does:
 * `awk -v MODE=... -f lib.awk -f plan.awk NEW OLD NEW JOURNAL` (the kinds table is read
 * from NEW). Each text gets a `#` header line first, as engine.sh writes
 * them (awk sees no record of an empty file). Returns the operation lines.
 */
export function runPlanner(mode: 'apply' | 'repair' | 'destroy', oldText: string, newText: string, journal = ''): string[] {
  const r = runPlannerRaw(mode, oldText, newText, journal);
  if (r.status !== 0) throw new Error(`plan.awk failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** runPlanner, returning the exit status and both outputs instead of throwing on a failure. */
export function runPlannerRaw(
  mode: 'apply' | 'repair' | 'destroy',
  oldText: string,
  newText: string,
  journal = '',
): { status: number | null; stdout: string; stderr: string } {
  const dir = freshDir('plan');
  const file = (n: string, text: string) => {
    const f = join(dir, n);
    writeFileSync(f, `#\n${text}${text && !text.endsWith('\n') ? '\n' : ''}`);
    return f;
  };
  const [o, n, j] = [file('old', oldText), file('new', newText), file('journal', journal)];
  const r = spawnSync('awk', ['-v', `MODE=${mode}`, '-f', join(LIB_DIR, 'engine', 'lib.awk'), '-f', join(LIB_DIR, 'engine', 'plan.awk'), n, o, n, j], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface SynthResource {
  readonly address: string;
  readonly type: string;
  readonly body: any;
}

/** Every resource of a synthesized document, whatever its type. */
export function resources(doc: any): SynthResource[] {
  return Object.entries<any>(doc.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries<any>(byName).map(([name, body]) => ({ address: `${type}.${name}`, type, body })),
  );
}

/** The local-exec blocks of a resource. */
export function localExecs(body: any): any[] {
  return (body.provisioner ?? []).map((p: any) => p['local-exec']).filter(Boolean);
}

/** `${...}` expressions of a Terraform string (escaped `$${` excluded). */
export function templateExpressions(s: string): string[] {
  return [...s.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => m[1]);
}

/** Run `fn`, expect it to throw, and return the error message. */
export function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected the call to throw, but it returned normally');
}

/**
 * Assert that a library error message names the construct path, shows the
 * offending value (JSON-quoted, as the library prints it) and gives a fix.
 */
export function expectHelpfulError(msg: string, path: string, value: unknown): void {
  expect(msg).toContain(`${path}:`);
  expect(msg).toContain(`(got ${JSON.stringify(value)})`);
  expect(msg).toMatch(/Fix: \S/);
}
