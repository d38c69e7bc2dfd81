import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { deploymentToken } from '../core/settings';
import { LIB_DIR } from './files';

/**
 * Deployments: each apply of a lab from one Terraform state is one
 * deployment, named by a token born at its first apply (from the Terraform id
 * of the lab's Teardown resource). The engine keeps one root-only record per
 * deployment (STATE_DIR/labs/LAB/TOKEN) and writes the token into every
 * marker. `verify`, `repair` and `check` learn the token from the stack's
 * local Terraform state, else from the records on this machine.
 */

/** One deployment recorded on this machine (`engine.sh list`). */
export interface DeploymentRecord {
  readonly lab: string;
  readonly token: string;
  /** applied | unfinished (a journal: the last run did not finish) | offered (for adoption) | empty */
  readonly status: string;
  readonly owner: string;
  readonly namespaces: number;
  readonly since: string;
  readonly origin: string;
}

/** The engine as shipped in this package (for commands that need no stack directory). */
export const PACKAGE_ENGINE = join(LIB_DIR, 'engine', 'engine.sh');

/** Run the package's engine; returns its exit code and output. */
export function runEngine(args: string[], cwd?: string): { code: number; out: string } {
  const r = spawnSync('sh', [PACKAGE_ENGINE, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

export function listDeployments(stateDir: string): DeploymentRecord[] {
  const r = spawnSync('sh', [PACKAGE_ENGINE, 'list', stateDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error((r.stderr || r.stdout || `engine list failed (${r.status})`).trim());
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [lab, token, status, owner, namespaces, since, origin] = l.split('\t');
      return { lab, token, status, owner, namespaces: Number(namespaces), since, origin };
    });
}

/** What a Terraform state file says of one resource (the part read here). */
interface StateResource {
  type?: string;
  name?: string;
  mode?: string;
  instances?: Array<{ attributes?: { id?: unknown } }>;
}

/**
 * The deployment token of a stack directory's lab from the local Terraform
 * state files there (`*.tfstate`): the id of the resource at `teardownAddress`.
 */
export function deploymentFromState(dir: string, teardownAddress: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const [type, name] = teardownAddress.split('.');
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.tfstate'))
    .sort()
    .map((n) => join(dir, n));
  // the local backend's path, as the synthesized plan names it (cdktf puts it beside the project)
  for (const plan of ['cdk.tf.json', 'main.tf.json']) {
    try {
      const p = JSON.parse(readFileSync(join(dir, plan), 'utf8'))?.terraform?.backend?.local?.path;
      if (typeof p === 'string') files.unshift(resolve(dir, p));
    } catch {
      // no such plan here
    }
  }
  for (const f of files) {
    try {
      const doc = JSON.parse(readFileSync(f, 'utf8')) as { resources?: StateResource[] };
      const res = (doc.resources ?? []).find((r) => r.type === type && r.name === name && (r.mode ?? 'managed') === 'managed');
      const id = res?.instances?.[0]?.attributes?.id;
      if (typeof id === 'string' && id) return deploymentToken(id);
    } catch {
      // not a state file we can read: try the next
    }
  }
  return undefined;
}
