#!/usr/bin/env node
/**
 * cdktf-netns verify | repair — compare the live kernel with a synthesized
 * lab, and bring it back in line. See `cdktf-netns --help`.
 *
 * Terraform cannot see changes made behind its back (a namespace deleted by
 * hand, an address removed, forwarding switched off): its state still says
 * the objects exist. `verify` checks every declared object against the
 * kernel (read once per namespace with `ip -j`), and lists objects that carry
 * this lab's marker but are no longer declared. `repair` runs the engine over
 * every declared object (what exists is adopted, what is missing is
 * re-created, what is recorded but no longer declared is removed), then
 * verifies. Terraform's state is untouched.
 */
import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { DATA_FILE, ENGINE_SCRIPT } from './engine/files';
import { collectFacts, listNamespaces, readNamespace } from './engine/facts';
import { NetnsPlan } from './engine/plan-reader';

/** Exit codes: one convention for every command. */
export const EXIT = { OK: 0, ERROR: 1, DRIFT: 2 } as const;

export const USAGE = `usage: cdktf-netns <command> [STACK_DIR] [--stack NAME]

Compare a deployed lab with its synthesized plan (run 'cdktf synth' first), and repair it.

commands:
  verify     check every declared object against the kernel, and list objects that carry
             this lab's marker but are no longer declared
  repair     re-run the lab's engine over every declared object (adopt what exists,
             re-create what is missing, remove what is no longer declared), then verify
  help       show this help (also --help, -h)

STACK_DIR    a synthesized stack directory (cdktf.out/stacks/NAME), or a cdktf project
             directory holding cdktf.out (default: the current directory)
--stack NAME the stack to use when the project has several

exit codes: 0 in line (or help), 2 drift found (or the lab is not deployed), 1 error (bad
usage, no plan, a failed repair)
`;

export class CliError extends Error {}

/** Resolve the stack directory from the arguments. */
export function findStackDir(arg: string | undefined, stack: string | undefined): string {
  const base = resolve(arg ?? '.');
  if (existsSync(base) && statSync(base).isFile()) return findStackDir(dirname(base), stack);
  if (existsSync(join(base, DATA_FILE))) {
    if (stack && !base.endsWith(`/${stack}`)) throw new CliError(`${base} is the stack directory of another stack than '${stack}'`);
    return base;
  }
  const stacksDir = join(base, 'cdktf.out', 'stacks');
  if (!existsSync(stacksDir)) {
    throw new CliError(`no synthesized lab found in ${base}: run 'cdktf synth' first, or pass a stack directory (cdktf.out/stacks/NAME)`);
  }
  const stacks = readdirSync(stacksDir).filter((s) => existsSync(join(stacksDir, s, DATA_FILE))).sort();
  if (stack !== undefined) {
    if (!stacks.includes(stack)) throw new CliError(`stack '${stack}' does not exist in ${stacksDir} (stacks with a lab: ${stacks.join(', ') || 'none'})`);
    return join(stacksDir, stack);
  }
  if (stacks.length === 1) return join(stacksDir, stacks[0]);
  throw new CliError(stacks.length ? `choose a stack with --stack NAME (stacks with a lab: ${stacks.join(', ')})`
    : `no stack in ${stacksDir} declares a lab: run 'cdktf synth' first`);
}

interface LabHeader { owner: string; lab: string; state: string }

export function readHeader(data: string): LabHeader {
  const get = (k: string) => (new RegExp(`^#${k} (.*)$`, 'm').exec(data) ?? [])[1];
  const h = { owner: get('owner'), lab: get('lab'), state: get('state') };
  if (!h.owner || !h.lab || !h.state) throw new CliError('the data file has no lab header: synthesize it again with this version of cdktf-netns');
  return h as LabHeader;
}

/** Drift lines of every declared object, plus owned objects no longer declared. */
export function verify(stackDir: string, print: (s: string) => void): number {
  const text = readFileSync(join(stackDir, DATA_FILE), 'utf8');
  const header = readHeader(text);
  const plan = NetnsPlan.fromData(text);
  if (!existsSync(join(header.state, 'labs', header.lab, 'applied'))) {
    print(`verify: lab ${header.owner} is not deployed on this machine (no record in ${join(header.state, 'labs', header.lab)}): run 'cdktf deploy'`);
    return EXIT.DRIFT;
  }
  const facts = collectFacts(plan.objects.flatMap((o) => plan.kindOf(o).reads(o.values)));
  let drifted = 0;
  for (const o of plan.inDependencyOrder()) {
    const lines = plan.kindOf(o).verify(o.values, facts);
    if (lines.length) drifted++;
    for (const l of lines) print(`DRIFT ${o.key}: ${l}`);
  }
  // objects that carry this lab's marker but are not declared
  const declaredNs = new Set(plan.objects.filter((o) => o.kind === 'ns').map((o) => o.values.name));
  const declaredLinks = new Set(plan.objects.flatMap((o) => plan.kindOf(o).links(o.values).map(([ns, ifname]) => `${ns} ${ifname}`)));
  const undeclared: string[] = [];
  for (const ns of ['-', ...declaredNs]) {
    for (const l of facts.ns(ns).links) {
      if (l.ifname !== 'lo' && l.ifalias?.startsWith(header.owner) && !declaredLinks.has(`${ns} ${l.ifname}`)) {
        undeclared.push(`interface ${l.ifname}${ns === '-' ? '' : ` (${ns})`}`);
      }
    }
  }
  for (const ns of listNamespaces().filter((n) => !declaredNs.has(n))) {
    const lo = readNamespace(ns).links.find((l) => l.ifname === 'lo');
    if (lo?.ifalias?.startsWith(header.owner)) undeclared.push(`namespace ${ns}`);
  }
  for (const u of undeclared) print(`DRIFT undeclared: not declared but owned by this lab: ${u}`);
  drifted += undeclared.length;
  const checked = plan.objects.length;
  print(drifted === 0 ? `verify: ${checked} object(s) checked, in line with ${join(stackDir, DATA_FILE)}`
    : `verify: ${drifted} of ${checked + undeclared.length} object(s) drifted`);
  return drifted === 0 ? EXIT.OK : EXIT.DRIFT;
}

/** Run the engine's repair over the stack's data file; returns its exit code. */
export function repair(stackDir: string, print: (s: string) => void): number {
  const r = spawnSync('sh', [ENGINE_SCRIPT, 'repair', DATA_FILE], { cwd: stackDir, encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (out) print(out);
  if (r.status !== 0) { print(`repair: the engine failed (exit ${r.status ?? r.signal})`); return EXIT.ERROR; }
  return EXIT.OK;
}

export function main(argv: string[], print: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): number {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    print(USAGE.trimEnd());
    return cmd === undefined ? EXIT.ERROR : EXIT.OK;
  }
  if (cmd !== 'verify' && cmd !== 'repair') {
    print(`cdktf-netns: unknown command '${cmd}'\n\n${USAGE.trimEnd()}`);
    return EXIT.ERROR;
  }
  let stack: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--stack') {
      stack = rest[++i];
      if (stack === undefined) throw new CliError('--stack needs a stack name');
    } else if (rest[i] === '--help' || rest[i] === '-h') {
      print(USAGE.trimEnd());
      return EXIT.OK;
    } else if (rest[i].startsWith('-')) throw new CliError(`unknown option '${rest[i]}' (see cdktf-netns --help)`);
    else positional.push(rest[i]);
  }
  if (positional.length > 1) throw new CliError(`one stack directory at most (got ${positional.join(' ')})`);
  const dir = findStackDir(positional[0], stack);
  if (cmd === 'repair') {
    const code = repair(dir, print);
    if (code !== EXIT.OK) return code;
  }
  return verify(dir, print);
}

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`cdktf-netns: ${(e as Error).message}\n`);
    process.exit(EXIT.ERROR);
  }
}
