/**
 * The engine, checked statically and on data: its shell files parse as POSIX
 * sh and pass shellcheck; its awk files compile; every kind of lib/kinds has
 * its awk module, its dispatch entry and a kinds-table line that match its
 * spec, and the scripts read no field a kind does not declare; the planner
 * (pure text processing, no root needed) turns a change of the data into
 * exactly the operations it should. Also the address arithmetic
 * (lib/core/ip.ts): addresses are parsed strictly and written in the exact
 * text the kernel's tools print, because the engine and `verify` compare
 * strings.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { basename, dirname, join } from 'path';
import { TerraformStack } from 'cdktf';
import { parseCidr, parseIp, subnetContains } from '../../lib/core/ip';
import { deploymentToken, kernelMarker, macOf } from '../../lib/core/settings';
import { Bridge, Namespace, Route, VethPair, VlanInterface } from '../../lib';
import { engineFiles, ENGINE_SCRIPT, LIB_DIR } from '../../lib/engine/files';
import { Kind } from '../../lib/engine/kind';
import { KINDS, kindsTable } from '../../lib/kinds';
import { ROUTE_PROTO } from '../../lib/kinds/route';
import { NetnsPlan } from '../../lib/testing';
import { dataText, freshDir, runPlanner, runPlannerRaw, testStack } from '../support/helpers';

const ENGINE = join(LIB_DIR, 'engine');
const KINDS_DIR = join(LIB_DIR, 'kinds');
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const FILES = engineFiles().files;
const SH_FILES = FILES.filter((f) => f.path.endsWith('.sh'));
const AWK_FILES = FILES.filter((f) => f.path.endsWith('.awk'));
const modules = [...new Set(KINDS.map((k) => k.module))].sort();

/** Write the engine files into a scratch directory laid out as in a stack (engine/, kinds/). */
function engineTree(): string {
  const dir = freshDir('engine');
  for (const f of FILES) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return dir;
}

describe('the engine files', () => {
  test('are every .sh and .awk of lib/engine plus one module per kind, and nothing else', () => {
    const expected = [
      ...readdirSync(ENGINE)
        .filter((f) => /\.(sh|awk)$/.test(f))
        .map((f) => `engine/${f}`),
      ...readdirSync(KINDS_DIR)
        .filter((f) => f.endsWith('.awk'))
        .map((f) => `kinds/${f}`),
    ].sort();
    expect(FILES.map((f) => f.path).sort()).toEqual(expected);
    expect(FILES.map((f) => f.path)).toEqual(
      expect.arrayContaining(['engine/engine.sh', 'engine/plan.awk', 'engine/gen.awk', 'engine/lib.awk', 'engine/sysctl.sh']),
    );
    // no orphan awk module in lib/kinds (engine.sh runs every kinds/*.awk)
    expect(
      readdirSync(KINDS_DIR)
        .filter((f) => f.endsWith('.awk'))
        .map((f) => f.replace(/\.awk$/, ''))
        .sort(),
    ).toEqual(modules);
    expect(ENGINE_SCRIPT).toBe('cdktf-netns/engine/engine.sh');
  });

  test('every file engine.sh runs beside itself is shipped', () => {
    const engine = read(ENGINE, 'engine.sh');
    const refs = [...engine.matchAll(/"\$HERE\/([A-Za-z0-9_.-]+)"/g)].map((m) => `engine/${m[1]}`);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const r of refs) expect(FILES.map((f) => f.path)).toContain(r);
    expect(engine).toContain('"$HERE"/../kinds/*.awk');
  });

  test.each(FILES.map((f) => [f.path, f.content]))('%s: plain ASCII text with Unix line ends', (_, content) => {
    expect(content).not.toContain('\r');
    // eslint-disable-next-line no-control-regex -- tab and newline are the only control characters allowed
    expect(content).toMatch(/^[\x09\x0a\x20-\x7e]*$/);
    expect(content.endsWith('\n')).toBe(true);
  });

  test('the engine hash changes with any file (a changed engine re-runs the lab)', () => {
    const { files, hash } = engineFiles();
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(engineFiles().hash).toBe(hash);
    expect(files.length).toBe(FILES.length);
  });
});

const SHELLS: Array<[string, string[]]> = [
  ['sh', ['-n']],
  ['dash', ['-n']],
  ['bash', ['--posix', '-n']],
];
const available = SHELLS.filter(([cmd]) => has(cmd));

function syntaxCheck(shell: [string, string[]], text: string): string | undefined {
  const r = spawnSync(shell[0], shell[1], { input: text, encoding: 'utf8' });
  return r.status === 0 ? undefined : `${shell[0]}: ${r.stderr}`;
}

function shellcheck(file: string): { status: number | null; out: string } {
  // -x from the file's directory: the files it sources (engine.sh sources probe.sh) are checked with it
  const r = spawnSync('shellcheck', ['-x', '-s', 'sh', '-f', 'gcc', basename(file)], { cwd: dirname(file), encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

describe('shell files', () => {
  test('there are shell files, and sh, dash, bash and shellcheck are available to check them', () => {
    expect(SH_FILES.map((f) => f.path)).toEqual(expect.arrayContaining(['engine/engine.sh', 'engine/sysctl.sh']));
    expect(available.map(([cmd]) => cmd)).toEqual(['sh', 'dash', 'bash']);
    expect(has('shellcheck')).toBe(true);
  });

  test.each(available)('%s -n rejects a broken script (the check can fail)', (cmd, args) => {
    expect(syntaxCheck([cmd, args], 'if true; then echo x\n')).toBeDefined();
    expect(syntaxCheck([cmd, args], 'echo x\n')).toBeUndefined();
  });

  test('shellcheck flags a bad script (the check can fail)', () => {
    const dir = freshDir('sc');
    writeFileSync(join(dir, 'bad.sh'), '#!/bin/sh\necho $1\n');
    writeFileSync(join(dir, 'good.sh'), '#!/bin/sh\necho "$1"\n');
    expect(shellcheck(join(dir, 'bad.sh')).status).not.toBe(0);
    expect(shellcheck(join(dir, 'good.sh'))).toEqual({ status: 0, out: '' });
  });

  describe.each(SH_FILES.map((f) => [f.path, f.content]))('%s', (path, content) => {
    test.each(available)('parses with %s', (cmd, args) => {
      expect(syntaxCheck([cmd, args], content)).toBeUndefined();
    });

    test('passes shellcheck -s sh (every finding is listed in the failure)', () => {
      expect(shellcheck(join(LIB_DIR, path)).out).toBe('');
      expect(shellcheck(join(LIB_DIR, path)).status).toBe(0);
    });

    test('is a /bin/sh script in strict mode, with no Terraform template sequence', () => {
      expect(content.startsWith('#!/bin/sh\n')).toBe(true);
      expect(content).toMatch(/^set -eu$/m);
      expect(content).not.toContain('%{');
    });
  });
});

/** Compile (and run on no input) awk programs; returns stderr, or undefined when they compile. */
function awkCheck(awk: string[], programs: string[], vars: string[] = []): string | undefined {
  const args = [...awk, ...vars.flatMap((v) => ['-v', v]), ...programs.flatMap((p) => ['-f', p]), '/dev/null'];
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  return r.status === 0 && r.stderr === '' ? undefined : `${args.join(' ')}: exit ${r.status}: ${r.stderr}`;
}

const AWKS: Array<[string, string[]]> = [['awk (the default: mawk here)', ['awk']]];
if (has('mawk')) AWKS.push(['mawk', ['mawk']]);
if (has('gawk')) AWKS.push(['gawk --posix', ['gawk', '--posix']]);
if (has('busybox')) AWKS.push(['busybox awk', ['busybox', 'awk']]);

describe('awk files', () => {
  test('there are awk files: the planner, the generator and its helpers, one module per kind', () => {
    expect(AWK_FILES.map((f) => f.path).sort()).toEqual(
      ['engine/gen.awk', 'engine/lib.awk', 'engine/plan.awk', ...modules.map((m) => `kinds/${m}.awk`)].sort(),
    );
  });

  describe.each(AWKS)('%s', (_, awk) => {
    let tree: string;
    beforeAll(() => {
      tree = engineTree();
    });
    const generator = () => [join(tree, 'engine/lib.awk'), ...modules.map((m) => join(tree, `kinds/${m}.awk`)), join(tree, 'engine/gen.awk')];

    test('rejects a broken program and a call of an undefined function (the check can fail)', () => {
      const dir = freshDir('awk');
      writeFileSync(join(dir, 'broken.awk'), 'BEGIN { if (1) { print "x" }\n');
      writeFileSync(join(dir, 'undef.awk'), 'BEGIN { if (0) nowhere_op(1) }\n');
      expect(awkCheck(awk, [join(dir, 'broken.awk')])).toBeDefined();
      if (awk[0] !== 'gawk') expect(awkCheck(awk, [join(dir, 'undef.awk')])).toBeDefined();
    });

    test('the planner compiles', () => {
      expect(awkCheck(awk, [join(tree, 'engine/lib.awk'), join(tree, 'engine/plan.awk')], ['MODE=apply'])).toBeUndefined();
    });

    test('the generator compiles with every kind module, as engine.sh runs it', () => {
      const w = freshDir('w');
      expect(awkCheck([...awk, '-F', '\t'], generator(), [`W=${w}`, 'DEP=0123456789ab', 'ALTDEP='])).toBeUndefined();
    });

    test('the generator refuses to run without a deployment token (or with one that is not hex)', () => {
      for (const vars of [[], ['DEP='], ['DEP=0123456789ab', 'ALTDEP=$(id)'], ['DEP=../x']]) {
        const w = freshDir('w');
        expect(awkCheck([...awk, '-F', '\t'], generator(), [`W=${w}`, ...vars])).toBeDefined();
        expect(readFileSync(join(w, 'errors'), 'utf8')).toContain('internal: no deployment token');
      }
    });

    test.each(modules)('the generator does not compile without the %s module (its dispatch needs it)', (m) => {
      if (awk[0] === 'gawk') return; // gawk reports undefined functions only when called
      const w = freshDir('w');
      const without = generator().filter((p) => !p.endsWith(`kinds/${m}.awk`));
      expect(awkCheck([...awk, '-F', '\t'], without, [`W=${w}`, 'DEP=0123456789ab'])).toMatch(/never defined|undefined|not defined/);
    });
  });
});

/** `f[N]` / `o[N]` indexes with a literal N in a text. */
const fieldIndexes = (text: string, arr = '[fo]') => [...text.matchAll(new RegExp(`(?<![A-Za-z0-9_])${arr}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1]));
const INTERFACE_FIELDS = ['if', 'if_a', 'if_b', 'master', 'parent'];
const ALIASES: Record<string, string> = { ifn: 'if', nsa: 'ns_a', ifa: 'if_a', nsb: 'ns_b', ifb: 'if_b' };
const isNamespaceField = (k: Kind, n: number) => k.namespaceFields.includes(n - 1);
const fieldAt = (k: Kind, n: number) => k.fields[n - 2];

/** The awk module of a kind, with its comments removed. */
const moduleCode = (k: Kind) =>
  read(KINDS_DIR, `${k.module}.awk`)
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');

/** The kind names a line of plan.awk branches on (`k == "veth"`). */
const branchKinds = (l: string) => [...l.matchAll(/k == "([a-z]+)"/g)].map((m) => m[1]);

describe('kinds: every kind the library declares is implemented by the engine, field for field', () => {
  const gen = read(ENGINE, 'gen.awk');
  const plan = read(ENGINE, 'plan.awk');
  const dispatch = /function dispatch\([^)]*\) \{([\s\S]*?)\n\}/.exec(gen)?.[1] ?? '';

  test('the source checks below see what they look for (they can fail)', () => {
    expect(fieldIndexes('x = f[9]; y = o[3]; z = fo[2]; w = f[i]; f[1 + idx[i]]')).toEqual([9, 3]);
    expect(branchKinds('if (k == "bridge" || k == "vlan") { touched[f[2] " " f[3]] = 1 }')).toEqual(['bridge', 'vlan']);
    const veth = KINDS.find((k) => k.name === 'veth')!;
    expect([isNamespaceField(veth, 2), isNamespaceField(veth, 4), isNamespaceField(veth, 3)]).toEqual([true, true, false]);
    expect(fieldAt(veth, 3)).toBe('if_a');
  });

  test('KINDS are in creation order, with unique names', () => {
    expect(new Set(KINDS.map((k) => k.name)).size).toBe(KINDS.length);
    const phases = KINDS.map((k) => k.phase);
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
    expect(KINDS.map((k) => k.name)).toEqual(['extns', 'ns', 'nsysctl', 'bridge', 'veth', 'vlan', 'vxlan', 'port', 'addr', 'route', 'qdisc', 'hsysctl', 'nft']);
  });

  test('gen.awk dispatches exactly the kinds of KINDS, each to its <name>_op', () => {
    const entries = [...dispatch.matchAll(/k == "([a-z]+)"\) ([a-z_]+)\(op, f, o, id\)/g)].map((m) => [m[1], m[2]]);
    expect(entries.map(([k]) => k).sort()).toEqual(KINDS.map((k) => k.name).sort());
    for (const [k, fn] of entries) expect(fn).toBe(`${k}_op`);
    expect(dispatch).toMatch(/else refuse\(/);
  });

  test("the kinds table of every data file is kindsTable(), which states each kind's identity, phase and namespace fields", () => {
    expect(kindsTable()).toEqual(KINDS.map((k) => `kind ${k.name} ${k.identity} ${k.phase} ${k.namespaceFields.length ? k.namespaceFields.join(',') : '0'}`));
    expect(kindsTable()).toContain('kind veth 4 3 1,3');
    expect(kindsTable()).toContain('kind hsysctl 1 8 0');
    const stack = testStack();
    new Namespace(stack, 'ns');
    expect(
      dataText(stack)
        .split('\n')
        .filter((l) => l.startsWith('kind ')),
    ).toEqual(kindsTable());
  });

  test('gen.awk pads every line to enough fields for the longest kind', () => {
    const pad = Number(/for \(i = n \+ 1; i <= (\d+); i\+\+\) f\[i\] = "-"/.exec(gen)?.[1]);
    expect(pad).toBeGreaterThan(0);
    for (const k of KINDS) expect(1 + k.fields.length).toBeLessThanOrEqual(pad);
  });

  describe.each(KINDS.map((k) => [k.name, k] as [string, Kind]))('kind %s', (name, kind) => {
    const code = moduleCode(kind);
    const source = read(KINDS_DIR, `${kind.module}.awk`);

    test('its spec is consistent: identity within the fields, namespace fields name namespaces', () => {
      expect(kind.identity).toBeGreaterThanOrEqual(1);
      expect(kind.identity).toBeLessThanOrEqual(kind.fields.length);
      expect(new Set(kind.fields).size).toBe(kind.fields.length);
      for (const n of kind.namespaceFields) expect(['ns', 'ns_a', 'ns_b', 'name']).toContain(kind.fields[n - 1]);
      if (name === 'ns') expect(kind.namespaceFields).toEqual([1]);
    });

    test(`its module kinds/${kind.module}.awk defines ${name}_op(op, f, o, id) once`, () => {
      expect(code.match(new RegExp(`^function ${name}_op\\(op, f, o, id\\b`, 'gm'))).toHaveLength(1);
    });

    test("the module's header documents the fields of its spec, in order", () => {
      const sig = new RegExp(`^# kind "${name}": .*?  ${name} ([A-Z_ ()|0-9]+)$`, 'm').exec(source);
      expect(sig).not.toBeNull();
      const documented = sig![1]
        .replace(/\([^)]*\)/g, '')
        .trim()
        .split(/\s+/)
        .map((s) => s.toLowerCase());
      expect(documented).toEqual([...kind.fields]);
    });

    test('every value the module reads is declared by the kind (f[1] is the kind token)', () => {
      const idx = fieldIndexes(code);
      expect(idx.length).toBeGreaterThan(0);
      expect(Math.max(...idx)).toBeLessThanOrEqual(1 + kind.fields.length);
      expect(Math.min(...idx)).toBeGreaterThanOrEqual(2);
    });

    test("the module's named fields sit where the spec puts them (ns = f[2], ifn = f[3], ...)", () => {
      for (const m of code.matchAll(/(?<![A-Za-z0-9_])([a-z]+) = f\[(\d+)\]/g)) {
        const field = ALIASES[m[1]] ?? m[1];
        if (kind.fields.includes(field)) expect([m[1], fieldAt(kind, Number(m[2]))]).toEqual([m[1], field]);
      }
    });

    test('what plan.awk reads for this kind is declared by it, namespaces and interfaces in their columns', () => {
      for (const l of plan.split('\n').filter((x) => branchKinds(x).includes(name))) {
        for (const n of fieldIndexes(l, 'f')) expect(n).toBeLessThanOrEqual(1 + kind.fields.length);
        for (const m of l.matchAll(/f\[(\d+)\] " " f\[(\d+)\]/g)) {
          expect([l, isNamespaceField(kind, Number(m[1]))]).toEqual([l, true]);
          expect([l, INTERFACE_FIELDS]).toEqual([l, expect.arrayContaining([fieldAt(kind, Number(m[2]))])]);
        }
        for (const m of l.matchAll(/nsdirty\[f\[(\d+)\]\]|\(f\[(\d+)\] in nsdirty\)/g)) {
          expect([l, isNamespaceField(kind, Number(m[1] ?? m[2]))]).toEqual([l, true]);
        }
      }
    });
  });

  test('plan.awk branches only on known kinds, and covers every kind that makes or hangs off links', () => {
    const named = new Set(plan.split('\n').flatMap(branchKinds));
    for (const k of named) expect(KINDS.map((x) => x.name)).toContain(k);
    expect([...named].sort()).toEqual(['addr', 'bridge', 'nft', 'ns', 'port', 'qdisc', 'route', 'veth', 'vlan', 'vxlan']);
  });
});

describe('the planner (plan.awk) on hand-made data', () => {
  const TABLE = kindsTable();
  const data = (lines: string[]) => [...TABLE, ...lines].join('\n');
  const BASE = [
    'ns a m:a',
    'ns b m:b',
    'nsysctl a net.ipv4.ip_forward 1',
    'veth a va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02',
    'vlan b vb.10 vb 10 m:v -',
    'vlan b vb.10.5 vb.10 5 m:w -',
    'addr a va 10.0.0.1/24',
    'addr b vb 10.0.0.2/24',
    'addr b vb.10 10.1.0.2/24',
    'route b 4 default 10.0.0.1',
    'route a 4 10.9.0.0/16 10.0.0.2',
    'hsysctl net.ipv4.ip_forward 1',
  ];
  const edit = (from: string, to: string | undefined, lines = BASE) => {
    expect(lines).toContain(from);
    return lines.flatMap((l) => (l === from ? (to === undefined ? [] : [to]) : [l]));
  };
  /** The operations (D/C/U lines) and the namespaces to read (T lines) of bringing `old` to `neu`. */
  const plan = (old: string[], neu: string[], mode: 'apply' | 'repair' | 'destroy' = 'apply', journal: string[] = []) => {
    const out = runPlanner(mode, old.length ? data(old) : '', data(neu), journal.join('\n'));
    for (const l of out) expect(l).toMatch(/^([DCU] [a-z]+ \S.*|T \S+)$/);
    return {
      ops: out.filter((l) => !l.startsWith('T ')),
      reads: out
        .filter((l) => l.startsWith('T '))
        .map((l) => l.slice(2))
        .sort(),
    };
  };
  const phase = (opLine: string) => KINDS.find((k) => k.name === opLine.split(' ')[1])!.phase;

  test('the hand-made data is what the library would write (every line parses as its kind)', () => {
    expect(NetnsPlan.fromData(data(BASE)).objects.map((o) => o.line)).toEqual(BASE);
  });

  test('nothing changed: no operation at all', () => {
    expect(runPlanner('apply', data(BASE), data(BASE))).toEqual([]);
  });

  test('a fresh lab: every object created, in data order; every namespace read', () => {
    const p = plan([], BASE);
    expect(p.ops).toEqual(BASE.map((l) => `C ${l}`));
    expect(p.reads).toEqual(['a', 'b']);
  });

  test('changing one address: the old one removed, the new one added, the routes of its namespace re-ensured', () => {
    const p = plan(BASE, edit('addr a va 10.0.0.1/24', 'addr a va 10.0.0.3/24'));
    expect(p.ops).toEqual(['D addr a va 10.0.0.1/24', 'C addr a va 10.0.0.3/24', 'C route a 4 10.9.0.0/16 10.0.0.2']);
    expect(p.reads).toEqual(['a']);
  });

  test('adding an address to an interface touches nothing else but the routes of that namespace', () => {
    const p = plan(BASE, [...BASE.slice(0, 9), 'addr b vb 10.0.7.2/24', ...BASE.slice(9)]);
    expect(p.ops).toEqual(['C addr b vb 10.0.7.2/24', 'C route b 4 default 10.0.0.1']);
  });

  test('renaming a namespace deletes what lived in it (deepest first) and creates it again under the new name', () => {
    const renamed = BASE.map((l) => l.replace(/^(ns|vlan|addr|route) b /, '$1 c ').replace('veth a va b vb', 'veth a va c vb'));
    const p = plan(BASE, renamed);
    expect(p.ops).toEqual([
      'D route b 4 default 10.0.0.1',
      'D addr b vb.10 10.1.0.2/24',
      'D addr b vb 10.0.0.2/24',
      'D vlan b vb.10.5 vb.10 5 m:w -',
      'D vlan b vb.10 vb 10 m:v -',
      'D veth a va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02',
      'D ns b m:b',
      'C ns c m:b',
      'C veth a va c vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02',
      'C vlan c vb.10 vb 10 m:v -',
      'C vlan c vb.10.5 vb.10 5 m:w -',
      // the veth's other end is new too: what hangs off it is re-created
      'C addr a va 10.0.0.1/24',
      'C addr c vb 10.0.0.2/24',
      'C addr c vb.10 10.1.0.2/24',
      'C route c 4 default 10.0.0.1',
      'C route a 4 10.9.0.0/16 10.0.0.2',
    ]);
    expect(p.reads).toEqual(['a', 'b', 'c']);
    // what lives elsewhere and hangs off nothing that changed is left alone
    for (const l of ['ns a m:a', 'nsysctl a net.ipv4.ip_forward 1', 'hsysctl net.ipv4.ip_forward 1']) {
      expect(p.ops.filter((o) => o.slice(2) === l)).toEqual([]);
    }
  });

  test('a VLAN whose parent veth is re-created is re-created too (and a VLAN on it, and their addresses)', () => {
    const p = plan(
      BASE,
      edit(
        'addr a va 10.0.0.1/24',
        'addr a va2 10.0.0.1/24',
        edit('veth a va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02', 'veth a va2 b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02'),
      ),
    );
    expect(p.ops).toEqual(
      expect.arrayContaining([
        'D veth a va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02',
        'C veth a va2 b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02',
        'C vlan b vb.10 vb 10 m:v -',
        'C vlan b vb.10.5 vb.10 5 m:w -',
        'C addr b vb 10.0.0.2/24',
        'C addr b vb.10 10.1.0.2/24',
        'C route b 4 default 10.0.0.1',
      ]),
    );
    // their lines did not change: nothing to delete, the kernel dropped them with the old pair
    expect(p.ops.filter((o) => o.startsWith('D vlan') || o.startsWith('D addr b'))).toEqual([]);
    expect(p.ops.indexOf('C vlan b vb.10 vb 10 m:v -')).toBeLessThan(p.ops.indexOf('C vlan b vb.10.5 vb.10 5 m:w -'));
    expect(p.ops.indexOf('C veth a va2 b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02')).toBeLessThan(p.ops.indexOf('C vlan b vb.10 vb 10 m:v -'));
  });

  test('a VLAN re-created (another id) re-creates the VLAN on it, but not its parent', () => {
    const p = plan(BASE, edit('vlan b vb.10 vb 10 m:v -', 'vlan b vb.10 vb 11 m:v -'));
    expect(p.ops).toEqual([
      'D vlan b vb.10 vb 10 m:v -',
      'C vlan b vb.10 vb 11 m:v -',
      'C vlan b vb.10.5 vb.10 5 m:w -',
      'C addr b vb.10 10.1.0.2/24',
      'C route b 4 default 10.0.0.1',
    ]);
  });

  test('a change of attributes only is an update in place (U), never a delete', () => {
    const mtu = plan(BASE, edit('veth a va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02', 'veth a va b vb m:p 1400 - 02:00:00:00:0a:01 02:00:00:00:0a:02'));
    expect(mtu.ops.filter((o) => !o.startsWith('C '))).toEqual(['U veth a va b vb m:p 1400 - 02:00:00:00:0a:01 02:00:00:00:0a:02']);
    expect(plan(BASE, edit('route b 4 default 10.0.0.1', 'route b 4 default 10.0.0.9')).ops).toEqual(['U route b 4 default 10.0.0.9']);
    expect(plan(BASE, edit('nsysctl a net.ipv4.ip_forward 1', 'nsysctl a net.ipv4.ip_forward 0')).ops).toEqual(['U nsysctl a net.ipv4.ip_forward 0']);
    const host = plan(BASE, edit('hsysctl net.ipv4.ip_forward 1', 'hsysctl net.ipv4.ip_forward 0'));
    expect(host).toEqual({ ops: ['U hsysctl net.ipv4.ip_forward 0'], reads: [] });
  });

  test('a changed MAC address is an update in place (U) of the pair, not a re-creation', () => {
    const p = plan(BASE, edit('veth a va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02', 'veth a va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:09'));
    expect(p.ops.filter((o) => !o.startsWith('C '))).toEqual(['U veth a va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:09']);
    expect(p.ops.filter((o) => o.startsWith('D '))).toEqual([]);
  });

  describe('a damaged line (record, journal or data) is refused: exit 2, a message, and no operation at all', () => {
    const refused = (old: string[], neu: string[], journal: string[] = []) => {
      const r = runPlannerRaw('apply', old.length ? data(old) : '', data(neu), journal.length ? data(journal) : '');
      return { ...r, lines: r.stdout.split('\n').filter(Boolean) };
    };

    test('the hand-made lines themselves pass (the check can pass)', () => {
      const r = refused(BASE, BASE, BASE);
      expect([r.status, r.stderr]).toEqual([0, '']);
    });

    test.each([
      ['a namespace field that is a path', 'ns ../../etc m:a'],
      ['a namespace field that is a path (addr)', 'addr ../../etc va 10.0.0.1/24'],
      ['a veth end in a namespace named ".."', 'veth .. va b vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02'],
      ['the second end of a veth in a path', 'veth a va x/y vb m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02'],
      ['a command substitution', 'addr a va 10.0.0.1/24$(id)'],
      ['backticks', 'route a 4 10.9.0.0/16 `id`'],
      ['a command separator', 'hsysctl net.ipv4.ip_forward 1;reboot'],
      ['a quote', "ns a' m:a"],
      ['a Terraform directive', 'ns a %{m:a}'],
      ['a tab', 'ns a\tm:a'],
      ['an unknown kind', 'frob a b c'],
    ])('in the record: %s', (_, line) => {
      const r = refused([...BASE, line], BASE);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^cdktf-netns: the record \(applied\) line \d+ is not a line this library writes: /);
      expect(r.stderr).toContain(line.slice(0, 12));
      expect(r.lines).toEqual([]);
    });

    test('in the journal', () => {
      const r = refused(BASE, BASE, ['ns ../../etc m:a']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^cdktf-netns: the journal line \d+ is not a line this library writes: ns \.\.\/\.\.\/etc m:a/);
      expect(r.lines).toEqual([]);
    });

    test('in the data file', () => {
      for (const line of ['addr a va 10.0.0.1/24$(id)', 'frob a b c', 'ns ../x m:a']) {
        const r = refused(BASE, [...BASE, line]);
        expect([r.status, r.lines]).toEqual([2, []]);
        expect(r.stderr).toMatch(/^cdktf-netns: the data file line \d+ is not a line this library writes: /);
      }
    });

    test('destroy refuses a damaged record too (it would delete what the record names)', () => {
      const r = runPlannerRaw('destroy', data([...BASE, 'ns ../../etc m:a']), TABLE.join('\n'));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
    });
  });

  test("a port's VLANs changed: an update of the port only", () => {
    const lan = [
      'ns a m:a',
      'bridge a br0 m:br - 1 02:00:00:00:0b:01',
      'veth a v0 - h0 m:p - - 02:00:00:00:0a:01 02:00:00:00:0a:02',
      'port a v0 br0 p10u',
      'addr a br0 10.0.0.1/24',
    ];
    expect(plan(lan, edit('port a v0 br0 p10u', 'port a v0 br0 p20u,t30', lan))).toEqual({ ops: ['U port a v0 br0 p20u,t30'], reads: ['a'] });
    // a port moved to a bridge of another name: the old bridge goes, the port is attached to the new one
    const renamed = lan.map((l) => l.replace('br0', 'br1'));
    expect(plan(lan, renamed).ops).toEqual([
      'D addr a br0 10.0.0.1/24',
      'D bridge a br0 m:br - 1 02:00:00:00:0b:01',
      'C bridge a br1 m:br - 1 02:00:00:00:0b:01',
      'U port a v0 br1 p10u',
      'C addr a br1 10.0.0.1/24',
    ]);
  });

  test('removing objects deletes them deepest first, and nothing that stays', () => {
    const kept = ['ns a m:a', 'hsysctl net.ipv4.ip_forward 1'];
    const p = plan(BASE, kept);
    expect(p.ops.every((o) => o.startsWith('D '))).toBe(true);
    expect(p.ops.map((o) => o.slice(2)).sort()).toEqual(BASE.filter((l) => !kept.includes(l)).sort());
    const phases = p.ops.map(phase);
    expect(phases).toEqual([...phases].sort((x, y) => y - x));
    expect(plan(BASE, edit('route a 4 10.9.0.0/16 10.0.0.2', undefined)).ops).toEqual(['D route a 4 10.9.0.0/16 10.0.0.2']);
  });

  test('destroy: every recorded object deleted, in reverse creation order', () => {
    const p = plan(BASE, [], 'destroy');
    expect(p.ops).toEqual([...BASE].reverse().map((l) => `D ${l}`));
  });

  test('repair: every declared object created (or adopted), what is no longer declared deleted', () => {
    const p = plan(BASE, edit('route a 4 10.9.0.0/16 10.0.0.2', undefined), 'repair');
    expect(p.ops).toEqual(['D route a 4 10.9.0.0/16 10.0.0.2', ...BASE.filter((l) => !l.startsWith('route a')).map((l) => `C ${l}`)]);
  });

  test("an unfinished run's journal: what it set out to make is ensured again if declared, removed if not", () => {
    const p = plan(BASE, BASE, 'apply', ['addr b vb 10.0.0.2/24', 'veth a vz - hz m:z - - 02:00:00:00:0c:01 02:00:00:00:0c:02']);
    // (removing a link of namespace a re-ensures a's routes too)
    expect(p.ops).toEqual([
      'D veth a vz - hz m:z - - 02:00:00:00:0c:01 02:00:00:00:0c:02',
      'C addr b vb 10.0.0.2/24',
      'C route b 4 default 10.0.0.1',
      'C route a 4 10.9.0.0/16 10.0.0.2',
    ]);
  });
});

describe('the generator (gen.awk and the kind modules) on hand-made facts', () => {
  /** This run's deployment token, and another deployment's (of the same lab). */
  const DEP = 'a1b2c3d4e5f6';
  const OTHER = '0f0e0d0c0b0a';
  /** The marker as the kernel carries it for a deployment. */
  const km = (marker: string, dep = DEP) => kernelMarker(marker, dep);
  const M1 = '02:00:00:00:01:01';
  const M2 = '02:00:00:00:01:02';

  interface GenOpts {
    old?: string;
    mode?: 'apply' | 'repair';
    owner?: string;
    dep?: string;
    altdep?: string;
    /** Object lines of an unfinished run's journal (the kinds table is added, as engine.sh writes it). */
    journal?: string[];
  }

  /**
   * Run the generator as engine.sh does (after the planner): `awk -F '\t' -v W=... -v MODE=...
   * -v OWNER=... -v DEP=... -v ALTDEP=... -f lib.awk -f kinds/*.awk -f gen.awk DATA FACTS JOURNAL
   * OLD OPS OPS`; `facts` are tab-separated lines.
   */
  const generate = (neu: string, facts: string[], opts: GenOpts = {}) => {
    const dir = freshDir('gen');
    const w = join(dir, 'w');
    mkdirSync(w);
    const file = (n: string, text: string) => {
      writeFileSync(join(dir, n), `#\n${text}\n`);
      return join(dir, n);
    };
    const mode = opts.mode ?? 'apply';
    const old = opts.old ?? '';
    const journal = opts.journal?.length ? [...kindsTable(), ...opts.journal].join('\n') : '';
    const ops = runPlanner(mode, old, neu, journal);
    const owner = opts.owner ?? /^#owner (.*)$/m.exec(neu)?.[1] ?? 'cdktf-netns:lab/';
    const args = [
      '-F',
      '\t',
      '-v',
      `W=${w}`,
      '-v',
      `MODE=${mode}`,
      '-v',
      `OWNER=${owner}`,
      '-v',
      `DEP=${opts.dep ?? DEP}`,
      '-v',
      `ALTDEP=${opts.altdep ?? ''}`,
      '-f',
      join(ENGINE, 'lib.awk'),
      ...modules.flatMap((m) => ['-f', join(KINDS_DIR, `${m}.awk`)]),
      '-f',
      join(ENGINE, 'gen.awk'),
      file('new', neu),
      file('facts', facts.join('\n')),
      file('journal', journal),
      file('old', old),
      file('ops', ops.join('\n')),
      join(dir, 'ops'),
    ];
    const r = spawnSync('awk', args, { encoding: 'utf8' });
    const out = (n: string) => {
      try {
        return readFileSync(join(w, n), 'utf8');
      } catch {
        return '';
      }
    };
    const lines = (n: string) => out(n).split('\n').filter(Boolean);
    const cmds = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    return {
      status: r.status,
      stderr: r.stderr,
      ops,
      cmds,
      root: out('root.ip'),
      rootLines: lines('root.ip'),
      rootJournal: out('root.jl').split('\n').slice(0, -1),
      rootdel: out('root.del'),
      errors: out('errors'),
      log: out('log'),
      creating: lines('creating'),
      /** Commands (any type) that name an interface. */
      touching: (ifname: string) => cmds.filter((c) => c[3].split(' ').includes(ifname)).map((c) => `${c[0]} ${c[2]} ${c[3]}`),
    };
  };
  const data = (lines: string[]) => [...kindsTable(), ...lines].join('\n');

  test('kernelMarker puts the deployment token after the stack (the check below relies on it)', () => {
    expect(km('cdktf-netns:lab/p')).toBe(`cdktf-netns:lab@${DEP}/p`);
  });

  test('a fresh workshop lab: namespaces and veth pairs from the root namespace, the rest per namespace', () => {
    const stack = testStack('terraform_data', {}, 'workshop');
    const sales = new Namespace(stack, 'sales');
    const rtr = new Namespace(stack, 'router');
    new VethPair(stack, 's', {
      a: { name: 'veth-s', namespace: sales, addresses: ['172.16.10.10/24'] },
      b: { name: 'veth-s-rtr', namespace: rtr, addresses: ['172.16.10.1/24'] },
    });
    new Route(stack, 'r', { namespace: sales, destination: 'default', via: '172.16.10.1' });
    const text = dataText(stack);
    const p = NetnsPlan.fromData(text);
    const veth = p.get('veth:veth-s');
    const g = generate(text, ['G\t-']);
    expect([g.status, g.stderr, g.errors]).toEqual([0, '', '']);
    // veth ends get the MACs the library derived
    expect(g.rootLines).toEqual([
      'netns add sales',
      'netns add router',
      `link add name veth-s address ${veth.values.mac_a} netns sales type veth peer name veth-s-rtr address ${veth.values.mac_b} netns router`,
    ]);
    // root.jl beside root.ip: for each line, the data line of the object it creates
    expect(g.rootJournal).toEqual([p.get('namespace:sales').line, p.get('namespace:router').line, veth.line]);
    const inNs = (ns: string) => g.cmds.filter((c) => c[0] === ns && c[2] === 'ip').map((c) => c[3]);
    // the kernel carries the marker with this deployment's token
    expect(inNs('sales')).toEqual(
      expect.arrayContaining([
        `link set dev lo alias cdktf-netns:workshop@${DEP}/sales`,
        `link set dev veth-s alias cdktf-netns:workshop@${DEP}/s`,
        'link set dev veth-s up',
        'addr replace 172.16.10.10/24 dev veth-s',
        'route replace default via 172.16.10.1 proto 213',
      ]),
    );
    expect(g.cmds.flatMap((c) => c[3].split(' ')).filter((t) => t.startsWith('cdktf-netns:') && !t.includes(`@${DEP}/`))).toEqual([]);
    // every per-namespace line has six columns (the 6th: the data line of the object a create line makes)
    for (const c of g.cmds) expect(c).toHaveLength(6);
    expect(g.cmds.filter((c) => c[3].startsWith('link set ') || c[3].startsWith('addr ')).map((c) => c[5])).toEqual(
      g.cmds.filter((c) => c[3].startsWith('link set ') || c[3].startsWith('addr ')).map(() => ''),
    );
    // and what this run creates is journaled (as data lines, without the deployment)
    expect(g.creating.slice(0, 3)).toEqual([p.get('namespace:sales').line, p.get('namespace:router').line, veth.line]);
    // order within a namespace's batch: links (1), attributes (2), addresses (3), routes (4)
    const order = (cmd: string) => Number(g.cmds.find((c) => c[3] === cmd)![1]);
    expect(order('addr replace 172.16.10.10/24 dev veth-s')).toBeLessThan(order('route replace default via 172.16.10.1 proto 213'));
    expect(order('link set dev veth-s up')).toBeLessThan(order('addr replace 172.16.10.10/24 dev veth-s'));
  });

  // (gen.awk once created oldline[id] for every object it looked at, an awk array reference
  // creates the element, so route.awk's `id in oldline` was always true: no route was journaled
  // and the host-route ownership refusals never fired; the tests below caught it)
  test('a route this run adds is journaled and tied to its batch line (6th column)', () => {
    const stack = testStack('terraform_data', {}, 'workshop');
    const sales = new Namespace(stack, 'sales');
    new VethPair(stack, 's', {
      a: { name: 'veth-s', namespace: sales, addresses: ['172.16.10.10/24'] },
      b: { name: 'veth-s-h', addresses: ['172.16.10.1/24'] },
    });
    new Route(stack, 'r', { namespace: sales, destination: 'default', via: '172.16.10.1' });
    const text = dataText(stack);
    const p = NetnsPlan.fromData(text);
    const g = generate(text, ['G\t-']);
    expect([g.status, g.errors]).toEqual([0, '']);
    const route = g.cmds.find((c) => c[3] === 'route replace default via 172.16.10.1 proto 213')!;
    expect(route[5]).toBe(p.get('route:sales/default').line);
    expect(g.cmds.filter((c) => c[5] !== '').map((c) => c[3])).toEqual(['route replace default via 172.16.10.1 proto 213']);
    expect(g.creating).toContain(p.get('route:sales/default').line);
  });

  test('a bridge is created with its MAC; a changed MAC is set in place, an unchanged one left alone', () => {
    const line = (mac: string) => data([`bridge - br9 cdktf-netns:lab/br - 0 ${mac}`]);
    const fresh = generate(line(M1), ['G\t-']);
    expect([fresh.status, fresh.errors]).toEqual([0, '']);
    expect(fresh.cmds.filter((c) => c[2] === 'ip').map((c) => c[3])).toEqual(expect.arrayContaining([`link add name br9 address ${M1} type bridge`]));
    const facts = ['G\t-', `L\t-\tbr9\t${km('cdktf-netns:lab/br')}\tbridge\t`];
    const changed = generate(line(M2), facts, { old: line(M1) });
    expect(changed.ops).toEqual([`U bridge - br9 cdktf-netns:lab/br - 0 ${M2}`]);
    expect(changed.touching('br9')).toEqual(expect.arrayContaining([`- ip link set dev br9 address ${M2}`]));
    expect(changed.touching('br9').filter((c) => / (del|add) /.test(c))).toEqual([]);
    const mtu = generate(data([`bridge - br9 cdktf-netns:lab/br 1400 0 ${M1}`]), facts, { old: line(M1) });
    expect(mtu.touching('br9').filter((c) => c.includes(' address '))).toEqual([]);
  });

  test("an existing interface that does not carry this deployment's marker is refused, never adopted", () => {
    const neu = data(['ns a cdktf-netns:lab/a', `veth a va - h0 cdktf-netns:lab/p - - ${M1} ${M2}`]);
    const g = generate(neu, ['G\t-', 'L\t-\th0\tsomeone-else\tveth\t']);
    expect(g.status).not.toBe(0);
    expect(g.errors).toContain("interface 'h0' already exists in the host namespace and was not made by this lab (its alias: 'someone-else')");
    expect(g.errors).toContain('cdktf-netns never adopts or deletes objects it did not create');
    expect(g.touching('h0')).toEqual([]);
    // unmarked, and no journal says this deployment made it
    const bare = generate(neu, ['G\t-', 'L\t-\th0\t\tveth\t']);
    expect(bare.status).not.toBe(0);
    expect(bare.errors).toContain("interface 'h0' already exists in the host namespace and was not made by this lab (it has no marker)");
    // the marker as the library writes it into the data, without a deployment: not what the kernel carries for us
    const tokenless = generate(neu, ['G\t-', 'L\t-\th0\tcdktf-netns:lab/p\tveth\t']);
    expect(tokenless.status).not.toBe(0);
    expect(tokenless.touching('h0')).toEqual([]);
    // another lab's
    const otherLab = generate(neu, ['G\t-', `L\t-\th0\t${km('cdktf-netns:lab2/p')}\tveth\t`]);
    expect(otherLab.errors).toContain(`belongs to another cdktf-netns lab (marker '${km('cdktf-netns:lab2/p')}')`);
    // this deployment's: the half pair is made again
    const ours = generate(neu, ['G\t-', `L\t-\th0\t${km('cdktf-netns:lab/p')}\tveth\t`]);
    expect([ours.status, ours.errors]).toEqual([0, '']);
    expect(ours.touching('h0')).toEqual(expect.arrayContaining(['- del link del dev h0']));
  });

  describe('an unmarked interface a journal lists (a killed run between `ip link add` and the alias)', () => {
    const VLAN = 'vlan - eth9.10 eth9 10 cdktf-netns:lab/v -';
    const PAIR = `veth - h0 - h1 cdktf-netns:lab/p - - ${M1} ${M2}`;
    const parent = 'L\t-\teth9\t\tdummy\t';

    test('is adopted when it is of the journaled kind (and marked now)', () => {
      const g = generate(data([VLAN]), ['G\t-', parent, 'L\t-\teth9.10\t\tvlan\t'], { journal: [VLAN] });
      expect([g.status, g.errors]).toEqual([0, '']);
      expect(g.log).toContain('adopted VLAN interface eth9.10');
      expect(g.touching('eth9.10')).toEqual(expect.arrayContaining([`- ip link set dev eth9.10 alias ${km('cdktf-netns:lab/v')}`]));
      expect(g.touching('eth9.10').filter((c) => / (del|add) /.test(c))).toEqual([]);
      const pair = generate(data([PAIR]), ['G\t-', 'L\t-\th0\t\tveth\t', 'L\t-\th1\t\tveth\t'], { journal: [PAIR] });
      expect([pair.status, pair.errors]).toEqual([0, '']);
      expect(pair.log).toContain('adopted veth h0 <-> h1');
      expect(pair.root).toBe('');
    });

    test.each(['dummy', 'veth', 'bridge'])('a journaled VLAN facing an unmarked %s of its name is refused: not adopted, not deleted', (kind) => {
      const g = generate(data([VLAN]), ['G\t-', parent, `L\t-\teth9.10\t\t${kind}\t`], { journal: [VLAN] });
      expect(g.status).not.toBe(0);
      expect(g.errors).toContain("interface 'eth9.10' already exists in the host namespace and was not made by this lab (it has no marker)");
      expect(g.touching('eth9.10')).toEqual([]);
      expect([g.root, g.rootdel]).toEqual(['', '']);
      expect(g.log).not.toContain('adopted');
    });

    test('a journaled veth pair whose end is now an unmarked dummy is refused', () => {
      const g = generate(data([PAIR]), ['G\t-', 'L\t-\th0\t\tveth\t', 'L\t-\th1\t\tdummy\t'], { journal: [PAIR] });
      expect(g.status).not.toBe(0);
      expect(g.errors).toContain("interface 'h1' already exists in the host namespace and was not made by this lab (it has no marker)");
      expect([...g.touching('h0'), ...g.touching('h1')]).toEqual([]);
      expect([g.root, g.rootdel]).toEqual(['', '']);
    });

    test('without a journal it is refused, whatever its kind', () => {
      const g = generate(data([VLAN]), ['G\t-', parent, 'L\t-\teth9.10\t\tvlan\t']);
      expect(g.status).not.toBe(0);
      expect(g.touching('eth9.10')).toEqual([]);
    });
  });

  describe('an interface carrying the marker of another deployment of the same lab', () => {
    const PAIR = `veth - h0 - h1 cdktf-netns:lab/p - - ${M1} ${M2}`;
    const twin = ['G\t-', `L\t-\th0\t${km('cdktf-netns:lab/p', OTHER)}\tveth\t`, `L\t-\th1\t${km('cdktf-netns:lab/p', OTHER)}\tveth\t`];

    test('is refused, naming that deployment and the release and adopt commands', () => {
      const g = generate(data([PAIR]), twin);
      expect(g.status).not.toBe(0);
      expect(g.errors).toContain(
        `interface 'h0' already exists in the host namespace and belongs to another deployment of this lab (deployment ${OTHER}, marker '${km('cdktf-netns:lab/p', OTHER)}')`,
      );
      expect(g.errors).toContain(`'cdktf-netns release ${OTHER}'`);
      expect(g.errors).toContain(`'cdktf-netns adopt ${OTHER}'`);
      expect(g.errors).toContain("'cdktf-netns deployments'");
      expect([...g.touching('h0'), ...g.touching('h1')]).toEqual([]);
      expect([g.root, g.rootdel]).toEqual(['', '']);
    });

    test("with ALTDEP=<that token> (it was offered for adoption) it is adopted and re-marked with this deployment's marker", () => {
      const g = generate(data([PAIR]), twin, { altdep: OTHER });
      expect([g.status, g.errors]).toEqual([0, '']);
      expect(g.log).toContain('adopted veth h0 <-> h1');
      expect(g.root).toBe('');
      expect(g.touching('h0')).toEqual(expect.arrayContaining([`- ip link set dev h0 alias ${km('cdktf-netns:lab/p')}`]));
      expect(g.touching('h1')).toEqual(expect.arrayContaining([`- ip link set dev h1 alias ${km('cdktf-netns:lab/p')}`]));
      expect(g.cmds.filter((c) => c[2] === 'del')).toEqual([]);
    });

    test('ALTDEP adopts only the deployment it names', () => {
      const g = generate(data([PAIR]), twin, { altdep: 'ffffffffffff' });
      expect(g.status).not.toBe(0);
      expect(g.errors).toContain(`deployment ${OTHER}`);
    });

    test('a namespace of another deployment is refused the same way', () => {
      const g = generate(data(['ns a cdktf-netns:lab/a']), ['N\ta\t4:100\tnsfs', 'G\t-', 'G\ta', `L\ta\tlo\t${km('cdktf-netns:lab/a', OTHER)}\t\t`]);
      expect(g.status).not.toBe(0);
      expect(g.errors).toContain(`namespace 'a' already exists and belongs to another deployment of this lab (deployment ${OTHER}`);
      expect(g.errors).toContain(`'cdktf-netns adopt ${OTHER}'`);
      expect(g.rootdel).toBe('');
    });
  });

  describe('host routes are owned per deployment', () => {
    const ROUTE = 'route - 4 10.9.0.0/24 10.0.0.1';
    const existing = 'R\t-\t4\t10.9.0.0/24\t10.0.0.1\t213\teth0';
    const otherRecord = `O\t${OTHER}\tcdktf-netns:lab/\t${ROUTE}`;

    test("a route with our protocol that this deployment's record does not list is refused, naming the deployment that lists it", () => {
      const g = generate(data([ROUTE]), ['G\t-', existing, otherRecord]);
      expect(g.status).not.toBe(0);
      expect(g.errors).toContain(
        `a route to 10.9.0.0/24 already exists in the host namespace (via '10.0.0.1', protocol 213), made by deployment ${OTHER} of lab cdktf-netns:lab/`,
      );
      expect(g.errors).toContain('two labs cannot route one prefix of the host');
      expect(g.cmds.filter((c) => c[3].includes('10.9.0.0/24'))).toEqual([]);
    });

    test("with no record naming it, it is still refused (someone else's, even with our protocol)", () => {
      const g = generate(data([ROUTE]), ['G\t-', existing]);
      expect(g.status).not.toBe(0);
      expect(g.errors).toContain('made by another cdktf-netns lab that has no record on this machine');
    });

    test('a route another deployment declares is refused even while it is not in the kernel', () => {
      const g = generate(data([ROUTE]), ['G\t-', otherRecord]);
      expect(g.status).not.toBe(0);
      expect(g.errors).toContain(`a route to 10.9.0.0/24 in the host namespace is also declared by deployment ${OTHER} of lab cdktf-netns:lab/`);
    });

    test("a route this deployment's record lists is ensured; a route of another protocol is refused", () => {
      const g = generate(data([ROUTE]), ['G\t-', existing], { old: data([ROUTE]), mode: 'repair' });
      expect([g.status, g.errors]).toEqual([0, '']);
      expect(g.cmds.filter((c) => c[3].includes('10.9.0.0/24')).map((c) => c[3])).toEqual(['route replace 10.9.0.0/24 via 10.0.0.1 proto 213']);
      const kernel = generate(data([ROUTE]), ['G\t-', 'R\t-\t4\t10.9.0.0/24\t10.0.0.1\tstatic\teth0']);
      expect(kernel.errors).toContain('was not made by cdktf-netns');
    });

    test("removing a host route: by its device; kept when another deployment's record lists it now", () => {
      const mine = generate(data([]), ['G\t-', existing], { old: data([ROUTE]) });
      expect([mine.status, mine.errors]).toEqual([0, '']);
      expect(mine.cmds.filter((c) => c[2] === 'del').map((c) => c[3])).toEqual(['route del 10.9.0.0/24 via 10.0.0.1 dev eth0 proto 213']);
      const shared = generate(data([]), ['G\t-', existing, otherRecord], { old: data([ROUTE]) });
      expect(shared.cmds.filter((c) => c[2] === 'del')).toEqual([]);
      expect(shared.log).toContain(`kept route 10.9.0.0/24 via 10.0.0.1 in the host namespace: deployment ${OTHER} of lab cdktf-netns:lab/ routes it now`);
    });
  });

  test("repair removes undeclared interfaces and namespaces only when they are provably this deployment's", () => {
    const neu = data(['ns a cdktf-netns:lab/a', `veth a va - h0 cdktf-netns:lab/p - - ${M1} ${M2}`]);
    const facts = [
      'N\ta\t4:100\tnsfs',
      'I\ta\t4:100',
      'N\ty\t4:101\tnsfs',
      'I\ty\t4:101',
      'N\tz\t4:102\tnsfs',
      'G\t-',
      'G\ta',
      'G\ty',
      'G\tz',
      `L\ta\tlo\t${km('cdktf-netns:lab/a')}\t\t`,
      `L\ta\tva\t${km('cdktf-netns:lab/p')}\tveth\t`,
      `L\ta\tstray\t${km('cdktf-netns:lab/old')}\tveth\t`,
      'L\ta\talien\tsomeone-else\tveth\t',
      `L\t-\th0\t${km('cdktf-netns:lab/p')}\tveth\t`,
      `L\t-\thstray\t${km('cdktf-netns:lab/x')}\tveth\t`,
      'L\t-\teth0\t\t\t',
      `L\t-\tother\t${km('cdktf-netns:lab2/x')}\tveth\t`,
      // another deployment of this lab, and a marker without a deployment: not ours
      `L\t-\ttwin\t${km('cdktf-netns:lab/x', OTHER)}\tveth\t`,
      'L\t-\told\tcdktf-netns:lab/x\tveth\t',
      `L\ty\tlo\t${km('cdktf-netns:lab/y')}\t\t`,
      `L\tz\tlo\t${km('cdktf-netns:lab/z')}\t\t`,
    ];
    const g = generate(neu, facts, { mode: 'repair', owner: 'cdktf-netns:lab/' });
    expect([g.status, g.errors]).toEqual([0, '']);
    const dels = g.cmds
      .filter((c) => c[2] === 'del')
      .map((c) => `${c[0]} ${c[3]}`)
      .sort();
    expect(dels).toEqual(['- link del dev hstray', 'a link del dev stray']);
    // a namespace with this deployment's marker is removed only if its record says it made it
    expect(g.rootdel.split('\n').filter(Boolean)).toEqual(['netns del y']);
    expect(g.log).toContain('kept namespace z');
    // what is declared is adopted, not re-created
    expect(g.root).toBe('');
    // while taking over the other deployment (adopt), its undeclared objects are removed too
    const adopting = generate(neu, facts, { mode: 'repair', owner: 'cdktf-netns:lab/', altdep: OTHER });
    expect(
      adopting.cmds
        .filter((c) => c[2] === 'del')
        .map((c) => `${c[0]} ${c[3]}`)
        .sort(),
    ).toEqual(['- link del dev hstray', '- link del dev twin', 'a link del dev stray']);
    // and a plain apply removes nothing it was not told to
    const apply = generate(neu, facts, { old: neu });
    expect(apply.cmds.filter((c) => c[2] === 'del')).toEqual([]);
    expect(apply.rootdel).toBe('');
  });
});

describe('kernel markers: the TypeScript and awk twins agree', () => {
  const MARKERS = [
    'cdktf-netns:lab/ns1',
    'cdktf-netns:lab/',
    'cdktf-netns:lab/group/inner/p',
    'cdktf-netns:lab_1~0a1b2c3d/x.y-z',
    `cdktf-netns:${'s'.repeat(55)}~0123abcd/${'p'.repeat(150)}~0123456789ab`,
    'no-slash-at-all',
    '',
  ];
  const TOKENS = ['0123456789ab', deploymentToken('some-terraform-id')];

  test('kernelMarker (lib/core/settings.ts) and kmarker (lib/engine/lib.awk) give the same text', () => {
    const dir = freshDir('km');
    const prog = join(dir, 'km.awk');
    writeFileSync(prog, ['BEGIN {', ...TOKENS.flatMap((t) => MARKERS.map((m) => `  print kmarker("${m}", "${t}")`)), '}', ''].join('\n'));
    const r = spawnSync('awk', ['-f', join(ENGINE, 'lib.awk'), '-f', prog], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const expected = TOKENS.flatMap((t) => MARKERS.map((m) => kernelMarker(m, t)));
    expect(r.stdout.split('\n').slice(0, -1)).toEqual(expected);
    // (and they are what the docs say)
    expect(expected[0]).toBe('cdktf-netns:lab@0123456789ab/ns1');
    expect(expected[1]).toBe('cdktf-netns:lab@0123456789ab/');
    expect(expected[5]).toBe('no-slash-at-all');
  });

  test('deploymentToken is 12 hex digits of the sha256 of the Terraform id, as engine.sh computes it', () => {
    const id = 'a0b1c2d3-e4f5-6789-abcd-ef0123456789';
    expect(deploymentToken(id)).toMatch(/^[0-9a-f]{12}$/);
    const sh = spawnSync('sh', ['-c', 'printf "%s" "$1" | sha256sum | cut -c1-12', 'sh', id], { encoding: 'utf8' });
    expect(sh.stdout.trim()).toBe(deploymentToken(id));
    expect(deploymentToken(`${id}x`)).not.toBe(deploymentToken(id));
  });
});

describe('data lines carry addresses and routes in the text iproute2 prints (the engine and verify compare strings)', () => {
  const lines = (stack: TerraformStack) => dataText(stack).split('\n');
  const routed = (destination: string, via = '10.0.1.1') => {
    const stack = testStack();
    const ns = new Namespace(stack, 'ns');
    new VethPair(stack, 'p', {
      a: { name: 'v0', namespace: ns, addresses: ['10.0.1.2/24', 'fd00:1::2/64'] },
      b: { name: 'v1', addresses: ['10.0.1.1/24', 'fd00:1::1/64'] },
    });
    new Route(stack, 'r', { namespace: ns, destination, via });
    return lines(stack);
  };

  test('addresses in canonical CIDR form, networks as written by `ip route`', () => {
    const stack = testStack();
    new VethPair(stack, 'p', {
      a: { name: 'v0', namespace: new Namespace(stack, 'ns'), addresses: ['FD00:0:0::2/64'] },
      b: { name: 'v1', addresses: ['10.0.1.1/24'] },
    });
    expect(lines(stack)).toEqual(expect.arrayContaining(['addr ns v0 fd00::2/64', 'addr - v1 10.0.1.1/24']));
    expect(routed('10.0.2.0/24')).toContain('route ns 4 10.0.2.0/24 10.0.1.1');
    expect(routed('FD00:2:0::/64', 'FD00:1:0::1')).toContain('route ns 6 fd00:2::/64 fd00:1::1');
    expect(routed('default')).toContain('route ns 4 default 10.0.1.1');
  });

  test('a host route is written without its /32, a /0 route as "default"', () => {
    expect(routed('10.0.2.5/32')).toContain('route ns 4 10.0.2.5 10.0.1.1');
    expect(routed('0.0.0.0/0')).toContain('route ns 4 default 10.0.1.1');
    expect(routed('::/0', 'fd00:1::1')).toContain('route ns 6 default fd00:1::1');
  });

  test('bridges, VLANs and MTUs: `-` for what is not declared', () => {
    const stack = testStack();
    const br = new Bridge(stack, 'br', { name: 'br0', mtu: 9000, vlanFiltering: true });
    new VlanInterface(stack, 'v', { parent: br, vlanId: 7 });
    expect(lines(stack)).toEqual(
      expect.arrayContaining([`bridge - br0 cdktf-netns:stack/br 9000 1 ${macOf(br, 'bridge')}`, 'vlan - br0.7 br0 7 cdktf-netns:stack/v -']),
    );
  });
});

describe('ip.ts', () => {
  test.each([
    ['10.0.0.1', 4, '10.0.0.1'],
    ['0.0.0.0', 4, '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255'],
    ['FD00:0:0::1', 6, 'fd00::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1'],
    ['::', 6, '::'],
    ['::1', 6, '::1'],
    ['1::', 6, '1::'],
    ['1:0:0:1:0:0:0:1', 6, '1:0:0:1::1'],
    ['1:0:0:0:1:0:0:1', 6, '1::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', 6, '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7::', 6, '1:2:3:4:5:6:7:0'],
    ['64:ff9b::192.0.2.1', 6, '64:ff9b::c000:201'],
  ])('parseIp(%p) is IPv%p %p', (input, family, text) => {
    expect(parseIp(input)).toMatchObject({ family, text });
  });

  test.each([
    '',
    ' 10.0.0.1',
    '10.0.0.1 ',
    '10.0.0',
    '10.0.0.0.1',
    '256.0.0.1',
    '01.0.0.1',
    '1e1.0.0.1',
    '-1.0.0.1',
    '1::2::3',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    '1::2:3:4:5:6:7:8',
    ':1:2:3:4:5:6:7',
    '::g',
    ':::',
    'fd00::1/64',
    '::ffff:256.0.0.1',
    'localhost',
  ])('parseIp(%p) is undefined', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  test('parseIp refuses an IPv4 part that is not at the end of an IPv6 address', () => {
    expect(parseIp('1.2.3.4::1')).toBeUndefined();
  });

  test('IPv4-mapped IPv6 addresses are rendered as iproute2 prints them', () => {
    expect(parseIp('::ffff:10.0.0.1')?.text).toBe('::ffff:10.0.0.1');
  });

  test.each([
    ['FD00:0:0::1/64', { cidr: 'fd00::1/64', prefix: 64, hostBitsSet: true, network: 'fd00::/64' }],
    ['10.1.2.3/24', { cidr: '10.1.2.3/24', prefix: 24, hostBitsSet: true, network: '10.1.2.0/24' }],
    ['10.1.2.0/24', { cidr: '10.1.2.0/24', hostBitsSet: false, network: '10.1.2.0/24' }],
    ['10.1.2.3/32', { hostBitsSet: false, network: '10.1.2.3/32' }],
    ['10.1.2.3/0', { hostBitsSet: true, network: '0.0.0.0/0' }],
    ['fd00::1/128', { hostBitsSet: false, network: 'fd00::1/128' }],
    ['fd00:1:2:3:4::/63', { hostBitsSet: true, network: 'fd00:1:2:2::/63' }],
  ])('parseCidr(%p)', (input, expected) => {
    expect(parseCidr(input)).toMatchObject(expected);
  });

  test.each(['10.0.0.1', '10.0.0.1/33', 'fd00::1/129', '10.0.0.1/', '10.0.0.1/024', '10.0.0.1/-1', '10.0.0.1/24/24', '/24', 'fd00::1/64 '])(
    'parseCidr(%p) is undefined',
    (input) => {
      expect(parseCidr(input)).toBeUndefined();
    },
  );

  test.each([
    ['10.0.1.0/24', '10.0.1.1', true],
    ['10.0.1.0/24', '10.0.1.255', true],
    ['10.0.1.0/24', '10.0.2.1', false],
    ['10.0.0.0/23', '10.0.1.200', true],
    ['10.0.1.7/32', '10.0.1.7', true],
    ['10.0.1.7/32', '10.0.1.8', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['fd00:1::/64', 'FD00:1::ffff', true],
    ['fd00:1::/64', 'fd00:2::1', false],
    ['::/0', 'fd00:2::1', true],
    ['0.0.0.0/0', '::1', false],
    ['::/0', '10.0.0.1', false],
    ['::ffff:0.0.0.0/96', '10.0.0.1', false],
  ])('subnetContains(%p, %p) is %p', (cidr, ip, inside) => {
    expect(subnetContains(parseCidr(cidr)!, parseIp(ip)!)).toBe(inside);
  });
});

describe('route protocol', () => {
  test('the engine names the protocol of our routes once, the same number as ROUTE_PROTO', () => {
    const awk = readFileSync(join(KINDS_DIR, 'route.awk'), 'utf8');
    expect(awk).toContain(`function route_proto() { return "${ROUTE_PROTO}" }`);
    // outside comments and that one definition, no shipped engine file writes the number itself
    const files = engineFiles().files.filter((f) => !f.path.endsWith('route.awk'));
    const code = (text: string) => text.split('\n').filter((l) => !/^\s*#/.test(l) && !l.includes('function route_proto()'));
    for (const f of [...files, { path: 'kinds/route.awk', content: awk }]) {
      expect({ file: f.path, lines: code(f.content).filter((l) => l.replace(/#.*$/, '').includes(ROUTE_PROTO)) }).toEqual({ file: f.path, lines: [] });
    }
  });
});
