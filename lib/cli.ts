#!/usr/bin/env node
/**
 * cdktf-netns verify | repair — compare the live kernel with a synthesized
 * lab, and bring it back in line; graph — draw it. See `cdktf-netns --help`.
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
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { dirname, extname, join, resolve } from 'path';
import { DATA_FILE, ENGINE_SCRIPT, hostLayout, INTENTS_FILE, sha256 } from './engine/files';
import { LOCAL, Machine, SshData, sshMachine } from './engine/machine';
import { NFT_BASE_PREFIX } from './kinds/nft';
import { collectFacts, listNamespaces, readNamespace } from './engine/facts';
import { deploymentFromState, listDeployments, runEngine } from './engine/deployment';
import { findLab, NetnsPlan, PlannedLab, plannedMachines } from './engine/plan-reader';
import { DEFAULT_STATE_DIR, kernelMarker } from './core/settings';
import { GRAPH_FORMATS, GraphFormat, GraphOptions, isGraphFormat, renderGraph } from './graph';

/** Exit codes: one convention for every command. */
export const EXIT = { OK: 0, ERROR: 1, DRIFT: 2 } as const;

export const USAGE = `usage: cdktf-netns <command> [STACK_DIR] [--stack NAME] [options]

Compare a deployed lab with its synthesized plan (run 'cdktf synth' first), repair it, and
manage its deployments on this machine.

commands:
  verify       check every declared object against the kernel, and list objects that carry
               this deployment's marker but are no longer declared
  repair       re-run the lab's engine over every declared object (adopt what exists,
               re-create what is missing, remove what is no longer declared), then verify
  deployments  list the deployments recorded on this machine (token, status, lab, origin)
  release TOKEN  remove the objects of a deployment whose Terraform state is lost, and its
               record (what 'cdktf destroy' would have done)
  adopt TOKEN  offer a deployment whose Terraform state is lost to the next new deployment
               of the same lab: its next apply takes the objects over instead of refusing
  forget-host NAME  drop a Host that is gone for good (its machine will not come back) from
               the stack's Terraform state ('terraform state rm' of its three resources), so
               that the rest of the lab can be destroyed; nothing on that machine is touched
  check        probe the lab's connectivity intents (Reachable, Unreachable) against the
               live kernel: one line per intent
  graph        draw the lab from its plan, offline (the kernel is not read): namespaces,
               routers, bridges, veth links with their addresses, VLAN interfaces and ports
  help         show this help (also --help, -h)

STACK_DIR    a synthesized stack directory (cdktf.out/stacks/NAME), or a cdktf project
             directory holding cdktf.out (default: the current directory)
--stack NAME the stack to use when the project has several
--deployment TOKEN  the deployment to verify or repair (default: the one the stack's local
             Terraform state names, else the only one recorded on this machine)
--host NAME  for verify, repair, check: work on that Host of the stack (over SSH, with the
             connection data of its plan: address, port, key file or agent, pinned host key);
             for graph: draw that Host's lab (offline); without it, the local machine's
--state-dir DIR     for deployments, release, adopt without a stack: the state directory
             (default /run/cdktf-netns)
--format FORMAT     for graph: mermaid (the default; a flowchart for Markdown), dot, or svg
             (rendered by Graphviz compiled to WebAssembly: no Graphviz needed)
-o FILE      for graph: write to FILE instead of stdout (a .svg, .dot, .gv or .mmd FILE
             chooses the format when --format is not given)
--routes     for graph: show each namespace's static routes
--intents    for graph: show the connectivity intents (dashed arrows: reaches / must not reach)

exit codes: 0 in line (or done; check: every intent holds), 2 drift found, an intent failed,
or the lab is not deployed, 1 error (bad usage, no plan, a failed repair, a probe that could
not run)
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
  const stacks = readdirSync(stacksDir)
    .filter((s) => existsSync(join(stacksDir, s, DATA_FILE)))
    .sort();
  if (stack !== undefined) {
    if (!stacks.includes(stack)) throw new CliError(`stack '${stack}' does not exist in ${stacksDir} (stacks with a lab: ${stacks.join(', ') || 'none'})`);
    return join(stacksDir, stack);
  }
  if (stacks.length === 1) return join(stacksDir, stacks[0]);
  throw new CliError(
    stacks.length
      ? `choose a stack with --stack NAME (stacks with a lab: ${stacks.join(', ')})`
      : `no stack in ${stacksDir} declares a lab: run 'cdktf synth' first`,
  );
}

interface LabHeader {
  owner: string;
  lab: string;
  state: string;
}

export function readHeader(data: string): LabHeader {
  const get = (k: string) => (new RegExp(`^#${k} (.*)$`, 'm').exec(data) ?? [])[1];
  const h = { owner: get('owner'), lab: get('lab'), state: get('state') };
  if (!h.owner || !h.lab || !h.state) throw new CliError('the data file has no lab header: synthesize it again with this version of cdktf-netns');
  return h as LabHeader;
}

/**
 * The deployment of a stack's lab to work on: the one given, else the one the
 * stack's local Terraform state names, else the only one recorded here.
 * undefined: not deployed on this machine.
 */
export function resolveDeployment(stackDir: string, header: LabHeader, given?: string, target?: Target): string | undefined {
  const host = target?.host;
  if (given !== undefined) {
    if (!/^[0-9a-f]{12}$/.test(given))
      throw new CliError(`--deployment '${given}' is not a deployment token (12 hexadecimal digits, see 'cdktf-netns deployments')`);
    return given;
  }
  const teardown = (target ? target.planned : findLab(readPlanDoc(stackDir)))?.teardown;
  const fromState = teardown ? deploymentFromState(stackDir, teardown) : undefined;
  if (fromState) return fromState;
  // (a Host's records are on the Host: without the stack's state, the deployment must be given)
  if (host !== undefined) return undefined;
  const here = listDeployments(header.state).filter((d) => d.lab === header.lab && d.status !== 'offered' && d.status !== 'empty');
  if (here.length > 1) {
    throw new CliError(
      `lab ${header.owner} has ${here.length} deployments on this machine (${here.map((d) => d.token).join(', ')}) and the stack's Terraform state names none: choose one with --deployment TOKEN`,
    );
  }
  return here[0]?.token;
}

function readPlanDoc(stackDir: string): unknown {
  for (const f of ['cdk.tf.json', 'main.tf.json']) {
    try {
      return JSON.parse(readFileSync(join(stackDir, f), 'utf8'));
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * Where verify, repair and check work: this machine (the stack's own data file), or a Host
 * (`--host NAME`: the data synthesized for it, the bundle its deploy uploaded, reached over SSH
 * as Terraform reaches it).
 */
export interface Target {
  readonly machine: Machine;
  /** The Host's name; undefined for this machine. */
  readonly host?: string;
  /** The machine's data file and intents file, as synthesized here. */
  readonly dataFile: string;
  readonly intentsFile: string;
  /** The engine, the data and intents files as the engine runs them there (relative to `cwd`, or absolute on a Host). */
  readonly engine: { readonly script: string; readonly data: string; readonly intents: string; readonly cwd?: string };
  /** `on host "x" (addr)` for messages; '' for this machine. */
  readonly where: string;
  /** The machine's resources in the plan (read once per command). */
  readonly planned?: PlannedLab;
}

/** The target of `--host NAME` (undefined: this machine). */
export function targetOf(stackDir: string, host: string | undefined, warn: (s: string) => void): Target {
  const doc = readPlanDoc(stackDir);
  if (host === undefined) {
    const planned = findLab(doc);
    const hosts = plannedMachines(doc);
    if (hosts.length && !planned) {
      throw new CliError(`the stack declares nothing on this machine: its labs are on its Hosts ${hosts.join(', ')} (choose one with --host NAME)`);
    }
    return {
      machine: LOCAL,
      dataFile: join(stackDir, DATA_FILE),
      intentsFile: join(stackDir, INTENTS_FILE),
      engine: { script: ENGINE_SCRIPT, data: DATA_FILE, intents: INTENTS_FILE, cwd: stackDir },
      where: '',
      planned,
    };
  }
  const lab = plannedHost(doc, host);
  const [type, name] = lab.unit.split('.');
  const body = (doc as { resource?: Record<string, Record<string, Record<string, unknown>>> } | undefined)?.resource?.[type]?.[name] ?? {};
  const fromTriggers = Object.fromEntries(
    Object.entries(lab.triggers)
      .filter(([k]) => k.startsWith('ssh_'))
      .map(([k, v]) => [k.slice(4), v]),
  );
  const conn = ((body.input as Record<string, string> | undefined) ?? fromTriggers) as unknown as SshData;
  if (typeof conn.host !== 'string')
    throw new CliError(`the plan holds no connection data for host '${host}': synthesize it again with this version of cdktf-netns`);
  const at = hostLayout(host, lab.triggers.state, lab.triggers.lab);
  const machine = sshMachine(host, conn, warn);
  return {
    machine,
    host,
    dataFile: join(stackDir, at.local('bundle'), DATA_FILE),
    intentsFile: join(stackDir, at.local('bundle'), INTENTS_FILE),
    engine: { script: `${at.remote}/${ENGINE_SCRIPT}`, data: `${at.remote}/${DATA_FILE}`, intents: `${at.remote}/${INTENTS_FILE}` },
    where: ` on ${machine.label}`,
    planned: lab,
  };
}

/** The directory beside the plan that holds a Host's data and intents files (as its deploy uploads them). */
function hostDir(stackDir: string, host: string): string {
  const lab = plannedHost(readPlanDoc(stackDir), host);
  return join(stackDir, hostLayout(host, lab.triggers.state, lab.triggers.lab).local('bundle'));
}

/** A Host's resources in the plan; an unknown name is refused, naming the stack's Hosts. */
function plannedHost(doc: unknown, host: string): PlannedLab {
  const lab = findLab(doc, host);
  if (!lab) throw new CliError(`the stack declares no Host named '${host}' (its hosts: ${plannedMachines(doc).join(', ') || 'none'})`);
  return lab;
}

/** Whether a record file exists on the target. */
function recorded(t: Target, path: string): boolean {
  return t.machine === LOCAL ? existsSync(path) : t.machine.run(['test', '-e', path]).status === 0;
}

/** Run the engine on the target. */
function runEngineOn(t: Target, args: string[]): { status: number | null; out: string } {
  const r =
    t.machine === LOCAL
      ? spawnSync('sh', [t.engine.script, ...args], { cwd: t.engine.cwd, encoding: 'utf8' })
      : t.machine.run(['sh', t.engine.script, ...args]);
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** On a Host: the data its last deploy uploaded must be the one synthesized here (else repair and check would act on another lab). */
function sameDataThere(t: Target, local: string, remote: string, what: string): void {
  if (t.machine === LOCAL) return;
  const there = (t.machine.run(['sha256sum', remote]).stdout ?? '').split(' ')[0];
  if (there !== sha256(readFileSync(local, 'utf8'))) {
    throw new CliError(
      `the ${what} deployed${t.where} is not the one synthesized here (${there ? 'the code changed since the last deploy' : 'nothing is deployed there'}): run 'cdktf deploy' first`,
    );
  }
}

/** Drift lines of every declared object, plus owned objects no longer declared. */
export function verify(stackDir: string, print: (s: string) => void, deployment?: string, target: Target = targetOf(stackDir, undefined, print)): number {
  const text = readFileSync(target.dataFile, 'utf8');
  const header = readHeader(text);
  const token = resolveDeployment(stackDir, header, deployment, target);
  const m = target.machine;
  if (!token || !recorded(target, join(header.state, 'labs', header.lab, token, 'applied'))) {
    print(
      `verify: lab ${header.owner} is not deployed ${target.where ? target.where.trim() : 'on this machine'}${token ? ` as deployment ${token}` : ''} (no record in ${join(header.state, 'labs', header.lab)}): run 'cdktf deploy'${target.host && !token ? ', or give --deployment TOKEN' : ''}`,
    );
    return EXIT.DRIFT;
  }
  // the markers as the kernel carries them for this deployment
  const plan = NetnsPlan.fromData(
    text
      .split('\n')
      .map((l) =>
        l.startsWith('#')
          ? l
          : l
              .split(' ')
              .map((f) => (f.startsWith('cdktf-netns:') ? kernelMarker(f, token) : f))
              .join(' '),
      )
      .join('\n'),
  );
  const owner = kernelMarker(header.owner, token);
  print(`verify: deployment ${token} of lab ${header.owner}${target.where}`);
  const facts = collectFacts(
    plan.objects.flatMap((o) => plan.kindOf(o).reads(o.values)),
    { lab: header.lab, deployment: token, owner },
    m,
  );
  let drifted = 0;
  for (const o of plan.inDependencyOrder()) {
    const lines = plan.kindOf(o).verify(o.values, facts);
    if (lines.length) drifted++;
    for (const l of lines) print(`DRIFT ${o.key}: ${l}`);
  }
  // objects that carry this lab's marker but are not declared
  const declaredNs = new Set(plan.objects.filter((o) => o.kind === 'ns').map((o) => o.values.name));
  const declaredLinks = new Set(
    plan.objects.flatMap((o) =>
      plan
        .kindOf(o)
        .links(o.values)
        .map(([ns, ifname]) => `${ns} ${ifname}`),
    ),
  );
  const undeclared: string[] = [];
  for (const ns of ['-', ...declaredNs]) {
    for (const l of facts.ns(ns).links) {
      if (l.ifname !== 'lo' && l.ifalias?.startsWith(owner) && !declaredLinks.has(`${ns} ${l.ifname}`)) {
        undeclared.push(`interface ${l.ifname}${ns === '-' ? '' : ` (${ns})`}`);
      }
    }
  }
  // in the lab's nftables tables: rules no object declares (the base rules aside); a table where no rule is declared
  const rules = new Map<string, Set<string>>();
  for (const o of plan.objects.filter((x) => x.kind === 'nft')) {
    const k = `${o.values.ns} ${o.values.chain}`;
    if (!rules.has(k)) rules.set(k, new Set());
    rules.get(k)!.add(o.values.id);
  }
  const nftNs = new Set(['-', ...plan.objects.filter((x) => x.kind === 'nft').map((x) => x.values.ns)]);
  for (const ns of nftNs) {
    const t = facts.nft?.(ns);
    if (!t || t.comment !== owner) continue;
    const where = ns === '-' ? '' : ` (${ns})`;
    if (![...rules.keys()].some((k) => k.startsWith(`${ns} `))) {
      undeclared.push(`nftables table ${t.name}${where}`);
      continue;
    }
    for (const c of t.chains) {
      for (const r of c.rules)
        if (!r.startsWith(NFT_BASE_PREFIX) && !rules.get(`${ns} ${c.name}`)?.has(r))
          undeclared.push(`nftables rule ${r || '(no comment)'} in chain ${c.name} of ${t.name}${where}`);
    }
  }
  for (const ns of listNamespaces(m).filter((n) => !declaredNs.has(n))) {
    const lo = readNamespace(ns, [], false, undefined, m).links.find((l) => l.ifname === 'lo');
    if (lo?.ifalias?.startsWith(owner)) undeclared.push(`namespace ${ns}`);
  }
  for (const u of undeclared) print(`DRIFT undeclared: not declared but owned by this lab: ${u}`);
  drifted += undeclared.length;
  const checked = plan.objects.length;
  print(
    drifted === 0
      ? `verify: ${checked} object(s) checked, in line with ${target.dataFile}`
      : `verify: ${drifted} of ${checked + undeclared.length} object(s) drifted`,
  );
  return drifted === 0 ? EXIT.OK : EXIT.DRIFT;
}

/** Run the engine's repair over the stack's data file; returns its exit code. */
export function repair(stackDir: string, print: (s: string) => void, deployment?: string, target: Target = targetOf(stackDir, undefined, print)): number {
  const header = readHeader(readFileSync(target.dataFile, 'utf8'));
  const token = resolveDeployment(stackDir, header, deployment, target);
  if (!token) {
    print(`repair: lab ${header.owner} is not deployed ${target.where ? target.where.trim() : 'on this machine'}: run 'cdktf deploy'`);
    return EXIT.DRIFT;
  }
  sameDataThere(target, target.dataFile, target.engine.data, 'lab');
  const r = runEngineOn(target, ['repair', target.engine.data, `token:${token}`]);
  const out = r.out;
  if (out) print(out);
  if (r.status !== 0) {
    print(`repair: the engine failed (exit ${r.status ?? 'killed'})`);
    return EXIT.ERROR;
  }
  return EXIT.OK;
}

/** Probe the lab's intents against the live kernel (the engine's check, as at the end of a deploy). */
export function check(stackDir: string, print: (s: string) => void, deployment?: string, target: Target = targetOf(stackDir, undefined, print)): number {
  const header = readHeader(readFileSync(target.dataFile, 'utf8'));
  const file = target.intentsFile;
  if (!existsSync(file)) {
    print(`check: lab ${header.owner} declares no intents (add Reachable / Unreachable constructs to the stack)`);
    return EXIT.OK;
  }
  // the file must be the one the plan was made with (the engine refuses another)
  const planned = target.planned?.sealTriggers?.intents_hash;
  if (planned === undefined) throw new CliError(`${file} is not part of the stack's plan (cdk.tf.json names no intents): run 'cdktf synth' again`);
  const token = resolveDeployment(stackDir, header, deployment, target);
  if (!token || !recorded(target, join(header.state, 'labs', header.lab, token, 'applied'))) {
    print(
      `check: lab ${header.owner} is not deployed ${target.where ? target.where.trim() : 'on this machine'}${token ? ` as deployment ${token}` : ''}: run 'cdktf deploy'`,
    );
    return EXIT.DRIFT;
  }
  print(`check: deployment ${token} of lab ${header.owner}${target.where}`);
  sameDataThere(target, file, target.engine.intents, 'intents file');
  const r = runEngineOn(target, ['check', target.engine.intents, planned]);
  const out = r.out;
  if (out) print(out.replace(/^cdktf-netns: /gm, ''));
  if (r.status === EXIT.OK || r.status === EXIT.DRIFT) return r.status;
  return EXIT.ERROR;
}

/** Print the deployments recorded in a state directory. */
export function deployments(stateDir: string, print: (s: string) => void, lab?: string): number {
  const all = listDeployments(stateDir).filter((d) => lab === undefined || d.lab === lab);
  if (!all.length) {
    print(`deployments: none recorded in ${stateDir}`);
    return EXIT.OK;
  }
  print('TOKEN         STATUS      NAMESPACES  SINCE                 LAB / APPLIED FROM');
  for (const d of all) {
    print(`${d.token}  ${d.status.padEnd(10)}  ${String(d.namespaces).padStart(10)}  ${(d.since || '-').padEnd(20)}  ${d.owner} ${d.origin || '-'}`);
  }
  return EXIT.OK;
}

/** release / adopt one deployment by its token. */
export function releaseOrAdopt(cmd: 'release' | 'adopt', stateDir: string, token: string, print: (s: string) => void): number {
  if (!/^[0-9a-f]{12}$/.test(token)) throw new CliError(`'${token}' is not a deployment token (12 hexadecimal digits, see 'cdktf-netns deployments')`);
  const d = listDeployments(stateDir).find((x) => x.token === token);
  if (!d) throw new CliError(`no deployment ${token} is recorded in ${stateDir} (see 'cdktf-netns deployments')`);
  const r = runEngine([cmd === 'release' ? 'destroy' : 'adopt', stateDir, d.lab, `token:${token}`]);
  if (r.out) print(r.out);
  return r.code === 0 ? EXIT.OK : EXIT.ERROR;
}

/** File extensions that choose graph's format when --format is not given. */
const GRAPH_EXTENSIONS: Record<string, GraphFormat> = { '.svg': 'svg', '.dot': 'dot', '.gv': 'dot', '.mmd': 'mermaid' };

/** Draw a stack's lab, to `out` or through `print`. */
export async function graph(stackDir: string, options: GraphOptions & { readonly out?: string }, print: (s: string) => void, host?: string): Promise<number> {
  // (offline: a Host's lab is drawn from the files synthesized for it, nothing is read over SSH)
  const dir = host === undefined ? stackDir : hostDir(stackDir, host);
  const files = { data: join(dir, DATA_FILE), intents: join(dir, INTENTS_FILE) };
  const intents = files.intents;
  const plan = NetnsPlan.fromData(readFileSync(files.data, 'utf8'), 'lab', existsSync(intents) ? readFileSync(intents, 'utf8') : '');
  const text = await renderGraph(plan, options);
  if (options.out === undefined) print(text.replace(/\n$/, ''));
  else {
    writeFileSync(options.out, text);
    print(`graph: wrote ${options.out} (${options.format ?? 'mermaid'})`);
  }
  return EXIT.OK;
}

/** Run a command; graph answers with a promise (its SVG renderer loads asynchronously). */
export function main(argv: string[], print: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): number | Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    print(USAGE.trimEnd());
    return cmd === undefined ? EXIT.ERROR : EXIT.OK;
  }
  if (!['verify', 'repair', 'deployments', 'release', 'adopt', 'check', 'graph', 'forget-host'].includes(cmd)) {
    print(`cdktf-netns: unknown command '${cmd}'\n\n${USAGE.trimEnd()}`);
    return EXIT.ERROR;
  }
  let stack: string | undefined;
  let deployment: string | undefined;
  let stateDir: string | undefined;
  let format: string | undefined;
  let out: string | undefined;
  let routes = false;
  let intents = false;
  let host: string | undefined;
  const positional: string[] = [];
  const value = (opt: string, v: string | undefined): string => {
    if (v === undefined || v.startsWith('-')) throw new CliError(`${opt} needs a value (see cdktf-netns --help)`);
    return v;
  };
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--stack') stack = value('--stack', rest[++i]);
    else if (rest[i] === '--deployment') deployment = value('--deployment', rest[++i]);
    else if (rest[i] === '--state-dir') stateDir = value('--state-dir', rest[++i]);
    else if (rest[i] === '--host') host = value('--host', rest[++i]);
    else if (rest[i] === '--format') format = value('--format', rest[++i]);
    else if (rest[i] === '-o') out = value('-o', rest[++i]);
    else if (rest[i] === '--routes') routes = true;
    else if (rest[i] === '--intents') intents = true;
    else if (rest[i] === '--help' || rest[i] === '-h') {
      print(USAGE.trimEnd());
      return EXIT.OK;
    } else if (rest[i].startsWith('-')) throw new CliError(`unknown option '${rest[i]}' (see cdktf-netns --help)`);
    else positional.push(rest[i]);
  }
  const graphOption = [format !== undefined && '--format', out !== undefined && '-o', routes && '--routes', intents && '--intents'].find((o) => o);
  if (cmd !== 'graph' && graphOption) throw new CliError(`${graphOption} is an option of graph, not of ${cmd} (see cdktf-netns --help)`);
  const graphFormat = format ?? (out !== undefined ? GRAPH_EXTENSIONS[extname(out).toLowerCase()] : undefined) ?? 'mermaid';
  if (!isGraphFormat(graphFormat)) throw new CliError(`--format '${graphFormat}' is not a graph format: use one of ${GRAPH_FORMATS.join(', ')}`);
  if (cmd === 'release' || cmd === 'adopt') {
    const [token, dirArg, ...more] = positional;
    if (token === undefined) throw new CliError(`${cmd} needs a deployment token (see 'cdktf-netns deployments')`);
    if (more.length) throw new CliError(`${cmd}: one token and one stack directory at most (got ${positional.join(' ')})`);
    const state = stateDir ?? (dirArg !== undefined || stack !== undefined ? stateOf(findStackDir(dirArg, stack)) : DEFAULT_STATE_DIR);
    return releaseOrAdopt(cmd, state, token, print);
  }
  if (cmd === 'forget-host') {
    const [name, dirArg, ...more] = positional;
    if (name === undefined) throw new CliError("forget-host needs the Host's name (see cdktf-netns --help)");
    if (more.length) throw new CliError(`forget-host: one host name and one stack directory at most (got ${positional.join(' ')})`);
    return forgetHost(findStackDir(dirArg, stack), name, print);
  }
  if (positional.length > 1) throw new CliError(`one stack directory at most (got ${positional.join(' ')})`);
  if (cmd === 'deployments') {
    if (stateDir !== undefined || (positional.length === 0 && stack === undefined && !hasPlan('.'))) return deployments(stateDir ?? DEFAULT_STATE_DIR, print);
    const dir = findStackDir(positional[0], stack);
    const h = readHeader(readFileSync(join(dir, DATA_FILE), 'utf8'));
    return deployments(h.state, print, h.lab);
  }
  const dir = findStackDir(positional[0], stack);
  if (cmd === 'graph') return graph(dir, { format: graphFormat, routes, intents, out }, print, host);
  const target = targetOf(dir, host, (w) => print(`warning: ${w}`));
  try {
    if (cmd === 'check') return check(dir, print, deployment, target);
    if (cmd === 'repair') {
      const code = repair(dir, print, deployment, target);
      if (code !== EXIT.OK) return code;
    }
    return verify(dir, print, deployment, target);
  } catch (e) {
    // the SSH client's own failure (unreachable, refused, a host key that does not match)
    if (e instanceof Error && !(e instanceof CliError) && /^cannot reach /.test(e.message)) throw new CliError(e.message);
    throw e;
  } finally {
    target.machine.close();
  }
}

/**
 * Drop a Host's three resources from the stack's Terraform state: for a machine that is gone
 * for good, whose resources Terraform could otherwise never destroy (their destroy step needs
 * SSH). Nothing on the machine is touched.
 */
export function forgetHost(stackDir: string, name: string, print: (s: string) => void): number {
  const lab = plannedHost(readPlanDoc(stackDir), name);
  const tf = (args: string[]) => spawnSync('terraform', args, { cwd: stackDir, encoding: 'utf8', env: { ...process.env, TF_IN_AUTOMATION: '1' } });
  const list = tf(['state', 'list']);
  if (list.status !== 0) throw new CliError(`'terraform state list' failed in ${stackDir}: ${(list.stderr || list.stdout || '').trim()}`);
  const have = new Set(list.stdout.split('\n'));
  const gone = [lab.teardown, lab.unit, lab.seal].filter((a): a is string => a !== undefined && have.has(a));
  const where = `host "${name}" (${lab.triggers.address})`;
  if (!gone.length) {
    print(`forget-host: ${where} has no resources in the Terraform state: nothing to forget`);
    return EXIT.OK;
  }
  const token = lab.teardown ? deploymentFromState(stackDir, lab.teardown) : undefined;
  const { lab: labId, state } = lab.triggers;
  const engine = `${hostLayout(name, state, labId).remote}/${ENGINE_SCRIPT}`;
  const rm = tf(['state', 'rm', ...gone]);
  if (rm.status !== 0) throw new CliError(`'terraform state rm' failed in ${stackDir}: ${(rm.stderr || rm.stdout || '').trim()}`);
  print(
    `forgot ${where}: removed ${gone.length} resource${gone.length > 1 ? 's' : ''} from the Terraform state (${gone.join(', ')}). ` +
      `Whatever is left on that machine is not touched: if it comes back, this removes the lab there: ` +
      `sh ${engine} destroy ${state} ${labId} token:${token ?? 'TOKEN'}` +
      `${token ? '' : " (TOKEN: see 'engine.sh list' there)"}. Remove the Host from the code too.`,
  );
  return EXIT.OK;
}

function stateOf(stackDir: string): string {
  return readHeader(readFileSync(join(stackDir, DATA_FILE), 'utf8')).state;
}

function hasPlan(dir: string): boolean {
  return existsSync(join(dir, DATA_FILE)) || existsSync(join(dir, 'cdktf.out', 'stacks'));
}

if (require.main === module) {
  const failed = (e: unknown) => {
    process.stderr.write(`cdktf-netns: ${(e as Error).message}\n`);
    process.exit(EXIT.ERROR);
  };
  try {
    Promise.resolve(main(process.argv.slice(2))).then((code) => process.exit(code), failed);
  } catch (e) {
    failed(e);
  }
}
