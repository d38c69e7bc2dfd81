import { createHash } from 'crypto';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { KINDS } from '../kinds';

/**
 * The engine's shell and awk files: real files under lib/engine and
 * lib/kinds (shellchecked, shipped in the npm package), copied beside every
 * synthesized stack so that provisioners run them by a relative path.
 * Layout in the stack directory: cdktf-netns/engine/*, cdktf-netns/kinds/*.awk.
 */

/** Directory of the stack's engine files and data, relative to the stack directory (where Terraform runs provisioners). */
export const ENGINE_DIR = 'cdktf-netns';
/** The lab's data file, relative to the stack directory. */
export const DATA_FILE = `${ENGINE_DIR}/lab.data`;
/** The lab's connectivity intents (lib/engine/intents.ts), relative to the stack directory. */
export const INTENTS_FILE = `${ENGINE_DIR}/intents.data`;
/** The engine's entry point, relative to the stack directory. */
export const ENGINE_SCRIPT = `${ENGINE_DIR}/engine/engine.sh`;

/**
 * Where a Host's files are: on the Host, the lab's directory `STATE/up/LAB` (the engine
 * directory, its data and intents files under it as in a stack directory); beside the plan,
 * the trees uploaded to make it, `cdktf-netns/hosts/NAME/{bundle,skel}/<STATE's name>/up/LAB`
 * (the skeleton: the directories alone, which the host's Teardown uploads).
 */
export const hostLayout = (host: string, stateDir: string, lab: string) => {
  const tree = (what: 'bundle' | 'skel') => `${ENGINE_DIR}/hosts/${host}/${what}/${basename(stateDir)}`;
  return {
    /** The lab's directory on the Host. */
    remote: `${stateDir}/up/${lab}`,
    /** Where the uploads go on the Host (they make STATE/up/LAB under it). */
    destination: dirname(stateDir),
    /** A tree to upload, relative to the stack directory. */
    tree,
    /** The lab's directory in that tree, relative to the stack directory. */
    local: (what: 'bundle' | 'skel') => `${tree(what)}/up/${lab}`,
  };
};

/**
 * lib/ of this package, where the engine's shell and awk files are: two levels up from
 * lib/engine (ts-node, jest) and dist/engine (the cdktf build), three from
 * dist/cdktn/engine (the cdktn build).
 */
export const LIB_DIR = packageLib();

function packageLib(): string {
  const up = basename(resolve(__dirname, '..')) === 'cdktn' ? ['..', '..', '..'] : ['..', '..'];
  const dir = resolve(__dirname, ...up, 'lib');
  if (!existsSync(join(dir, 'engine', 'engine.sh'))) {
    throw new Error(`cdktf-netns: the engine's files are missing (no ${join(dir, 'engine', 'engine.sh')}). Fix: reinstall the cdktf-netns package.`);
  }
  return dir;
}

export interface EngineFile {
  /** Path relative to ENGINE_DIR. */
  readonly path: string;
  readonly content: string;
}

let cached: { files: EngineFile[]; hash: string } | undefined;

/** The engine files and a hash of all of them (a changed engine re-runs the lab's reconcile). */
export function engineFiles(): { files: EngineFile[]; hash: string } {
  if (cached) return cached;
  const files: EngineFile[] = [];
  for (const f of readdirSync(join(LIB_DIR, 'engine'))
    .filter((n) => /\.(sh|awk)$/.test(n))
    .sort()) {
    files.push({ path: `engine/${f}`, content: readFileSync(join(LIB_DIR, 'engine', f), 'utf8') });
  }
  for (const module of [...new Set(KINDS.map((k) => k.module))].sort()) {
    files.push({ path: `kinds/${module}.awk`, content: readFileSync(join(LIB_DIR, 'kinds', `${module}.awk`), 'utf8') });
  }
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.path}\0${f.content}\0`);
  cached = { files, hash: h.digest('hex').slice(0, 16) };
  return cached;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
