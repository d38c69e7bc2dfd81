// Builds the CDK Terrain entry point, `cdktf-netns/cdktn`: a copy of the compiled
// package (dist/) in dist/cdktn/ in which lib/core/cdk (the one module that names the
// CDK) requires `cdktn` instead of `cdktf`. Same sources, same engine files (found from
// dist/cdktn/engine by lib/engine/files.ts), so the two entry points cannot drift apart.
// Refuses to build when the CDK is named anywhere else: that file would still load cdktf.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';

// the compiled package: dist/, or the directory given (test/unit/tsdoc.test.ts builds into a temp one)
const DIST = resolve(process.argv[2] ?? join(__dirname, '..', 'dist'));
const OUT = join(DIST, 'cdktn');
const CDK_MODULE = join('core', 'cdk');
// a module specifier naming cdktf: require("cdktf"), from 'cdktf', import("cdktf") and subpaths
const NAMES_CDKTF = /(require\(|from |import\()\s*(["'])cdktf(\/[^"']*)?\2/g;
// the module's own record of its CDK, which the library's error messages name
const CDK_NAME = /(CDK_MODULE = )(["'])cdktf\2/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return p === OUT ? [] : files(p);
    // the CLI names no CDK: its one copy is the package's bin, dist/cli.js
    return /\.(js|d\.ts)$/.test(e.name) && !/^cli\./.test(e.name) ? [p] : [];
  });
}

function main(): void {
  rmSync(OUT, { recursive: true, force: true });
  const problems: string[] = [];
  let rebound = 0;
  for (const src of files(DIST)) {
    const rel = relative(DIST, src);
    const dst = join(OUT, rel);
    mkdirSync(join(dst, '..'), { recursive: true });
    const text = readFileSync(src, 'utf8');
    const uses = text.match(NAMES_CDKTF) ?? [];
    if (rel.replace(/\.(js|d\.ts)$/, '') === CDK_MODULE) {
      const names = text.match(CDK_NAME) ?? [];
      if (uses.length !== 1) problems.push(`${rel}: expected exactly one import of cdktf, found ${uses.length}`);
      if (names.length !== 1) problems.push(`${rel}: expected exactly one CDK_MODULE = 'cdktf', found ${names.length}`);
      const rebind = (_m: string, how: string, q: string, sub = ''): string => `${how}${q}cdktn${sub}${q}`;
      writeFileSync(dst, text.replace(NAMES_CDKTF, rebind).replace(CDK_NAME, rebind));
      rebound++;
    } else {
      if (uses.length > 0) problems.push(`${rel}: names cdktf directly (${uses.join(', ')}); import it from lib/core/cdk.ts`);
      copyFileSync(src, dst);
    }
  }
  if (rebound !== 2) problems.push(`dist/${CDK_MODULE}.js and .d.ts: found ${rebound} of the 2 files (run tsc first)`);
  if (problems.length > 0) {
    rmSync(OUT, { recursive: true, force: true });
    throw new Error(`build-cdktn: cannot build the cdktn entry point:\n  ${problems.join('\n  ')}`);
  }
}

main();
