/**
 * Type-level tests (issue 9): the fixtures in test/types/ are compiled with the
 * TypeScript compiler API, with the options of test/types/tsconfig.json (the
 * repo's tsconfig.json, strict). Every fixture but ok.ts must fail to compile,
 * exactly with the errors its `// @expect-error TSxxxx: fragment` comments
 * announce (each comment applies to the next line that is not a comment); ok.ts
 * must compile cleanly. A handle written by hand (no brand), a namespace where a
 * bridge is wanted, and a mutation through a readonly array are compile errors;
 * the library's own handles stand wherever one is taken.
 */
import { readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const TYPES_DIR = join(ROOT, 'test', 'types');
const CONFIG = join(TYPES_DIR, 'tsconfig.json');

interface Expectation {
  readonly line: number;
  readonly code: number;
  readonly fragment: string;
  readonly comment: number;
}
interface Found {
  readonly line: number;
  readonly code: number;
  readonly message: string;
}

const EXPECT = /^\s*\/\/\s*@expect-error\s+TS(\d+)\s*:\s*(.+?)\s*$/;

/** The expectations of a fixture: 1-based line of the code each comment announces an error for. */
function expectationsOf(text: string): Expectation[] {
  const lines = text.split('\n');
  const out: Expectation[] = [];
  lines.forEach((l, i) => {
    const m = EXPECT.exec(l);
    if (!m) {
      if (/@expect-error/.test(l))
        throw new Error(`malformed @expect-error comment on line ${i + 1}: ${l.trim()} (write "// @expect-error TS1234: message fragment")`);
      return;
    }
    let j = i + 1;
    while (j < lines.length && /^\s*(\/\/.*)?$/.test(lines[j])) j++;
    if (j >= lines.length) throw new Error(`@expect-error comment on line ${i + 1} announces no line`);
    out.push({ line: j + 1, code: Number(m[1]), fragment: m[2], comment: i + 1 });
  });
  return out;
}

function parsedConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    CONFIG,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${CONFIG}`);
  if (parsed.errors.length) throw new Error(parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n'));
  return parsed;
}

const fixtures = readdirSync(TYPES_DIR)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const failing = fixtures.filter((f) => f !== 'ok.ts');

let program: ts.Program;
const diagnosticsOf = (file: string): Found[] => {
  const sf = program.getSourceFile(join(TYPES_DIR, file));
  if (!sf) throw new Error(`${file} is not part of the program`);
  return ts.getPreEmitDiagnostics(program, sf).map((d) => ({
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    code: d.code,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
};
const show = (f: Found) => `line ${f.line}: TS${f.code} ${f.message}`;

beforeAll(() => {
  const config = parsedConfig();
  program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
}, 120_000);

describe('the fixtures and their configuration', () => {
  test('there is an ok.ts and one failing fixture per case', () => {
    expect(fixtures).toContain('ok.ts');
    expect(failing).toEqual(
      expect.arrayContaining(['bridge-literal.ts', 'interface-literal.ts', 'namespace-as-bridge.ts', 'namespace-literal.ts', 'readonly-arrays.ts']),
    );
  });

  test('test/types/tsconfig.json compiles every fixture, strictly, without emitting', () => {
    const config = parsedConfig();
    expect(config.fileNames.map((f) => relative(TYPES_DIR, f)).sort()).toEqual(fixtures);
    expect(config.options.strict).toBe(true);
    expect(config.options.noEmit).toBe(true);
    expect(program.getOptionsDiagnostics()).toEqual([]);
    expect(program.getGlobalDiagnostics()).toEqual([]);
  });

  test('jest does not pick the fixtures up as tests, and `npm run build` does not compile them', () => {
    const jestConfig = require(join(ROOT, 'jest.config.js'));

    const micromatch = require('micromatch');
    const patterns: string[] = jestConfig.projects.flatMap((p: { testMatch: string[] }) => p.testMatch.map((m) => m.replace('<rootDir>', ROOT)));
    expect(patterns.length).toBeGreaterThan(0);
    for (const f of fixtures) expect(micromatch.isMatch(join(TYPES_DIR, f), patterns)).toBe(false);
    // the build compiles lib/ only
    const build = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'tsconfig.build.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => undefined,
      },
    )!;
    expect(build.fileNames.length).toBeGreaterThan(0);
    expect(build.fileNames.filter((f) => f.startsWith(TYPES_DIR))).toEqual([]);
  });

  test('the @expect-error parser finds the announced line, skipping comment lines', () => {
    expect(expectationsOf('a\n// @expect-error TS2322: not assignable\n// why\n\nconst x: number = "s";\n')).toEqual([
      { line: 5, code: 2322, fragment: 'not assignable', comment: 2 },
    ]);
    expect(() => expectationsOf('// @expect-error 2322 oops\nx\n')).toThrow(/malformed/);
  });
});

describe('fixtures that must fail to compile', () => {
  test.each(failing)('%s fails with exactly the announced errors', (file) => {
    const expected = expectationsOf(readFileSync(join(TYPES_DIR, file), 'utf8'));
    expect(expected.length).toBeGreaterThan(0);
    const found = diagnosticsOf(file);
    const problems: string[] = [];
    for (const e of expected) {
      const onLine = found.filter((f) => f.line === e.line);
      if (!onLine.some((f) => f.code === e.code && f.message.includes(e.fragment))) {
        problems.push(
          `expected TS${e.code} "${e.fragment}" on line ${e.line} (comment on line ${e.comment}); ` +
            `found ${onLine.length ? onLine.map(show).join('; ') : 'no error there'}`,
        );
      }
    }
    for (const f of found) {
      if (!expected.some((e) => e.line === f.line && e.code === f.code && f.message.includes(e.fragment))) problems.push(`unexpected ${show(f)}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('ok.ts', () => {
  test('announces no error and compiles cleanly', () => {
    expect(expectationsOf(readFileSync(join(TYPES_DIR, 'ok.ts'), 'utf8'))).toEqual([]);
    expect(diagnosticsOf('ok.ts').map(show)).toEqual([]);
  });
});
