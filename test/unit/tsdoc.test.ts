/**
 * The published API (issue 9): TSDoc on every props interface and every
 * property of it, `@default` on every optional prop (`-` before a descriptive
 * default, the jsii convention), TSDoc on every public attribute; and the
 * published declaration files (built here into a temporary directory, never
 * into dist/) expose no internals: no `ManagedInterface`, no `_iface`, nothing
 * marked `@internal`.
 *
 * The doc checks read lib/*.ts with the TypeScript compiler API; a failure
 * lists every prop or attribute that lacks what it needs.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative, resolve } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const INDEX = join(ROOT, 'lib', 'index.ts');
/** Interfaces of the public API that are props-like although their names do not say so. */
const EXTRA_PROPS = ['BridgePortVlans', 'ImportedInterfaceProps'];

function buildConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('cannot read tsconfig.build.json');
  return parsed;
}

let program: ts.Program;
let checker: ts.TypeChecker;
/** The exports of lib/index.ts: name -> symbol (aliases resolved). */
let exported: Map<string, ts.Symbol>;

beforeAll(() => {
  program = ts.createProgram([INDEX], { ...buildConfig().options, noEmit: true });
  checker = program.getTypeChecker();
  const mod = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!);
  if (!mod) throw new Error('lib/index.ts is not a module');
  exported = new Map(checker.getExportsOfModule(mod).map((s) => [s.name, s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s]));
}, 120_000);

const inLib = (d: ts.Node) => resolve(d.getSourceFile().fileName).startsWith(join(ROOT, 'lib'));
const where = (d: ts.Node) => {
  const sf = d.getSourceFile();
  return `${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(d.getStart()).line + 1}`;
};
/** The JSDoc blocks written on a declaration itself (not inherited). */
const ownDocs = (d: ts.Node): ts.JSDoc[] => ts.getJSDocCommentsAndTags(d).filter((x): x is ts.JSDoc => ts.isJSDoc(x));
const commentText = (c: string | ts.NodeArray<ts.JSDocComment> | undefined): string => (typeof c === 'string' ? c : (ts.getTextOfJSDocComment(c) ?? '')).trim();
const ownComment = (d: ts.Node) =>
  ownDocs(d)
    .map((j) => commentText(j.comment))
    .join(' ')
    .trim();
const ownTag = (d: ts.Node, name: string) =>
  ownDocs(d)
    .flatMap((j) => j.tags ?? [])
    .find((t) => t.tagName.text === name);
const memberName = (p: ts.Symbol) => (p.name.startsWith('__@') ? `[${p.name.replace(/^__@(\w+)@\d+$/, '$1')}]` : p.name);

/** The props-like interfaces of the public API. */
function propsInterfaces(): Array<[string, ts.InterfaceDeclaration]> {
  const out: Array<[string, ts.InterfaceDeclaration]> = [];
  for (const [name, sym] of exported) {
    if (!(sym.flags & ts.SymbolFlags.Interface)) continue;
    if (!/(Props|Options)$/.test(name) && !EXTRA_PROPS.includes(name)) continue;
    for (const d of sym.declarations ?? []) if (ts.isInterfaceDeclaration(d)) out.push([name, d]);
  }
  return out;
}

/** The props of an interface declared on it (inherited ones are checked where they are declared). */
const ownProps = (d: ts.InterfaceDeclaration) => d.members.filter(ts.isPropertySignature);

describe('TSDoc of the props interfaces', () => {
  test('the public API has the props interfaces this test knows of', () => {
    const names = propsInterfaces().map(([n]) => n);
    expect(names).toEqual(
      expect.arrayContaining([
        'NamespaceProps',
        'RouterProps',
        'RouterConnectOptions',
        'HostRouterProps',
        'HostSysctlProps',
        'VethPairProps',
        'VethEndProps',
        'BridgeProps',
        'VlanInterfaceProps',
        'RouteProps',
        'ImportedInterfaceProps',
        'BridgePortVlans',
      ]),
    );
  });

  test('every props interface has a TSDoc comment', () => {
    const missing = propsInterfaces()
      .filter(([, d]) => ownComment(d) === '')
      .map(([n, d]) => `${n} (${where(d)})`);
    expect(missing).toEqual([]);
  });

  test('every property has a TSDoc comment, and every optional one an @default', () => {
    const problems: string[] = [];
    for (const [name, d] of propsInterfaces()) {
      for (const p of ownProps(d)) {
        const prop = `${name}.${p.name.getText()}`;
        if (ownComment(p) === '') problems.push(`${prop}: no TSDoc comment (${where(p)})`);
        if (p.questionToken) {
          const dflt = ownTag(p, 'default');
          if (!dflt) problems.push(`${prop}: optional but no @default (${where(p)})`);
          else if (commentText(dflt.comment) === '') problems.push(`${prop}: empty @default (${where(p)})`);
        } else if (ownTag(p, 'default')) {
          problems.push(`${prop}: required but has an @default (${where(p)})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('an @default that describes rather than gives a value starts with "- " (jsii convention)', () => {
    // a value: true, false, a number, a quoted string, [] / {}, undefined, or a reference such as Namespace.HOST
    const VALUE = /^(true|false|-?\d+(\.\d+)?|"[^"]*"|'[^']*'|\[\]|\{\}|undefined|[A-Z]\w*(\.\w+)+)$/;
    const problems: string[] = [];
    for (const [name, d] of propsInterfaces()) {
      for (const p of ownProps(d)) {
        const dflt = ownTag(p, 'default');
        if (!dflt) continue;
        const text = commentText(dflt.comment);
        if (!VALUE.test(text) && !text.startsWith('- ')) problems.push(`${name}.${p.name.getText()}: @default ${JSON.stringify(text)} (${where(p)})`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('TSDoc of the public attributes', () => {
  test('every public member of an exported class or handle interface is documented (inherited docs count)', () => {
    const problems: string[] = [];
    for (const [name, sym] of exported) {
      if (!(sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
      const types: ts.Type[] = [checker.getDeclaredTypeOfSymbol(sym)];
      if (sym.flags & ts.SymbolFlags.Class) types.push(checker.getTypeOfSymbol(sym)); // statics
      for (const type of types) {
        for (const p of checker.getPropertiesOfType(type)) {
          const decl = p.declarations?.[0];
          if (!decl || !inLib(decl) || p.name === 'prototype') continue;
          if (ts.getCombinedModifierFlags(decl as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
          if (ts.displayPartsToString(p.getDocumentationComment(checker)).trim() === '') problems.push(`${name}.${memberName(p)} (${where(decl)})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('every other exported value and type is documented (the props interfaces are checked above)', () => {
    const props = new Set(propsInterfaces().map(([n]) => n));
    const missing = [...exported]
      .filter(([name, sym]) => !props.has(name) && ts.displayPartsToString(sym.getDocumentationComment(checker)).trim() === '')
      .map(([name, sym]) => `${name} (${where(sym.declarations![0])})`);
    expect(missing).toEqual([]);
  });
});

describe('the published declaration files expose no internals', () => {
  let outDir: string;
  /** The .d.ts files reachable from the package's entry points, relative to outDir. */
  let reachable: string[];

  /** Relative module references of a declaration file: import/export from, import("..."), /// <reference path>. */
  function referencesOf(file: string): string[] {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2020, true);
    const specs: string[] = sf.referencedFiles.map((r) => r.fileName);
    const visit = (n: ts.Node) => {
      if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier))
        specs.push(n.moduleSpecifier.text);
      if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) specs.push(n.argument.literal.text);
      if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) {
        specs.push(n.moduleReference.expression.text);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return specs
      .filter((s) => s.startsWith('.'))
      .map((s) => {
        const base = resolve(dirname(file), s);
        const found = [`${base}.d.ts`, join(base, 'index.d.ts'), base].find((f) => f.endsWith('.d.ts') && existsSync(f));
        if (!found) throw new Error(`${relative(outDir, file)} refers to ${s}, which has no declaration file`);
        return found;
      });
  }

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'cdktf-netns-dts-'));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${r.status}):\n${r.stdout}${r.stderr}`);
    // and the cdktn entry point, as npm run build makes it
    const c = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'scripts/build-cdktn.ts'), outDir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (c.status !== 0) throw new Error(`scripts/build-cdktn.ts failed (${c.status}):\n${c.stdout}${c.stderr}`);
    const seen = new Set<string>();
    // the entry points of package.json's "exports"
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const entries = Object.values<any>(pkg.exports)
      .map((e) => e?.types)
      .filter((t): t is string => typeof t === 'string')
      .map((t) => join(outDir, relative('dist', t)));
    expect(entries.map((e) => relative(outDir, e)).sort()).toEqual(['cdktn/index.d.ts', 'cdktn/testing.d.ts', 'index.d.ts', 'testing.d.ts']);
    const todo = [...entries];
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      todo.push(...referencesOf(f));
    }
    reachable = [...seen].map((f) => relative(outDir, f)).sort();
  }, 180_000);

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const text = (f: string) => readFileSync(join(outDir, f), 'utf8');
  /** Every identifier (code, not comments) of a declaration file. */
  const identifiers = (f: string): string[] => {
    const sf = ts.createSourceFile(f, text(f), ts.ScriptTarget.ES2020, true);
    const out: string[] = [];
    const visit = (n: ts.Node) => {
      if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) out.push(n.text);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return out;
  };

  test('the entry points reach the handles and the props, and not the implementation modules', () => {
    expect(reachable).toEqual(expect.arrayContaining(['index.d.ts', 'core/types.d.ts', 'bridge.d.ts', 'vlan-interface.d.ts', 'veth-pair.d.ts']));
    expect(reachable).not.toContain('core/interface.d.ts');
  });

  test('no declaration file reachable from the entry points names ManagedInterface or _iface', () => {
    const leaks = reachable.flatMap((f) =>
      identifiers(f)
        .filter((id) => id === 'ManagedInterface' || id === '_iface' || id === 'ManagedInterfaceOptions')
        .map((id) => `${f}: ${id}`),
    );
    expect(leaks).toEqual([]);
  });

  test('nothing marked @internal is left in them (stripInternal)', () => {
    expect(reachable.filter((f) => text(f).includes('@internal'))).toEqual([]);
  });

  test('the interface constructs show no implementation member: Bridge, VlanInterface and their base have no iface or registerInterface', () => {
    const members = (f: string, cls: string): string[] => {
      const sf = ts.createSourceFile(f, text(f), ts.ScriptTarget.ES2020, true);
      const c = sf.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === cls);
      if (!c) throw new Error(`${f} declares no class ${cls}`);
      return c.members.map((m) => (m.name ? m.name.getText(sf) : ts.SyntaxKind[m.kind]));
    };
    for (const [f, cls] of [
      ['bridge.d.ts', 'Bridge'],
      ['vlan-interface.d.ts', 'VlanInterface'],
      ['core/interface-construct.d.ts', 'InterfaceConstruct'],
    ]) {
      expect(reachable).toContain(f);
      const m = members(f, cls);
      expect(m).not.toContain('iface');
      expect(m).not.toContain('registerInterface');
    }
  });
});
