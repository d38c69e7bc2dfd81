import { createHash } from 'crypto';
import { lstatSync } from 'fs';
import { dirname } from 'path';
import { IConstruct } from 'constructs';
import { TerraformStack } from './cdk';
import { fail } from './errors';

/**
 * Per-app / per-stack / per-scope settings, read from construct context so
 * they can be set in cdktf.json, on the App, on a Stack or on any scope
 * before its children are added (`scope.node.setContext(key, value)`).
 */

/** Which Terraform resource type carries the provisioners. */
export type Backend = 'null_resource' | 'terraform_data';

/** Context key selecting the backend: `null_resource` (default) or `terraform_data`. */
export const BACKEND_CONTEXT = 'cdktf-netns:backend';
/** Context key: a prefix for every kernel name in a global scope (namespace names, host interfaces). */
export const PREFIX_CONTEXT = 'cdktf-netns:prefix';
/** Context key: runtime directory for the labs' records and saved host settings (root-owned, writable by nobody else). */
export const STATE_DIR_CONTEXT = 'cdktf-netns:stateDir';

/** The backend when the context does not choose one. */
export const DEFAULT_BACKEND: Backend = 'null_resource';
/** The state directory when the context does not choose one (root-owned, mode 0700). */
export const DEFAULT_STATE_DIR = '/run/cdktf-netns';

export function backendOf(scope: IConstruct): Backend {
  const v = scope.node.tryGetContext(BACKEND_CONTEXT) ?? DEFAULT_BACKEND;
  if (v !== 'null_resource' && v !== 'terraform_data') {
    fail(scope, `context "${BACKEND_CONTEXT}" is not a known backend`, v, 'set it to "null_resource" or "terraform_data"');
  }
  return v;
}

export function prefixOf(scope: IConstruct): string {
  const v = scope.node.tryGetContext(PREFIX_CONTEXT) ?? '';
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{0,12}$/.test(v)) {
    fail(scope, `context "${PREFIX_CONTEXT}" is not a valid name prefix`, v, 'use up to 12 characters from A-Z a-z 0-9 _ -');
  }
  return v;
}

/** Directories every user may write to: a state directory there could be pre-seeded or swapped by anyone. */
const SHARED_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/run/lock', '/var/lock', '/run/user'];

export function stateDirOf(scope: IConstruct): string {
  const v = scope.node.tryGetContext(STATE_DIR_CONTEXT) ?? DEFAULT_STATE_DIR;
  if (typeof v !== 'string' || !/^\/[A-Za-z0-9_./-]{0,200}$/.test(v) || v.includes('..') || v.includes('/./') || v.endsWith('/.')) {
    fail(scope, `context "${STATE_DIR_CONTEXT}" is not a safe absolute path`, v, 'use an absolute path of A-Z a-z 0-9 _ . / -, e.g. /run/cdktf-netns');
  }
  const dir = v.replace(/\/+/g, '/').replace(/\/$/, '') || '/';
  const shared = SHARED_DIRS.find((d) => dir === d || dir.startsWith(`${d}/`));
  if (shared || dir === '/') {
    fail(
      scope,
      `context "${STATE_DIR_CONTEXT}" is ${shared ? `inside ${shared}, a directory every user can write to` : 'the root directory'}: anyone could pre-seed or replace the lab's records there`,
      v,
      'use a directory only root can write, e.g. /run/cdktf-netns (the default) or /var/lib/cdktf-netns',
    );
  }
  // where the directory (or its parents) exist on the machine that synthesizes, check them now; the engine checks again on the target
  for (let d = dir; ; d = dirname(d)) {
    let st;
    try {
      st = lstatSync(d);
    } catch {
      if (d === '/') break;
      continue;
    }
    if (st.isSymbolicLink() || (st.mode & 0o022) !== 0 || st.uid !== 0) {
      fail(
        scope,
        `context "${STATE_DIR_CONTEXT}": ${d} is ${st.isSymbolicLink() ? 'a symbolic link' : st.uid !== 0 ? 'not owned by root' : 'writable by group or others'}, so the lab's records there could be forged`,
        v,
        'use a directory whose every component is root-owned and writable only by root, e.g. /run/cdktf-netns',
      );
    }
    if (d === '/') break;
  }
  return dir;
}

export function shortHash(s: string, len = 12): string {
  return createHash('sha256').update(s).digest('hex').slice(0, len);
}

const MARKER_SAFE = /[^A-Za-z0-9_./:-]/g;
/** The kernel keeps at most 255 bytes of an alias (IFALIASZ - 1). */
export const MAX_KERNEL_MARKER = 255;
/** What the engine adds to a marker when it writes it: `@` and the 12-character deployment token. */
export const DEPLOYMENT_TAG_LENGTH = 13;
const MAX_MARKER = MAX_KERNEL_MARKER - DEPLOYMENT_TAG_LENGTH - 2;
const MAX_STACK_IN_OWNER = 64;

/** The stack's ownership prefix: every marker of the stack starts with it. */
export function ownerOf(scope: IConstruct): string {
  const id = TerraformStack.of(scope).node.id;
  const safe = id.replace(MARKER_SAFE, '_').replace(/@/g, '_');
  // keep owners of differently spelled stacks apart ("lab 1" vs "lab_1"), and long stack names short
  const name = safe === id && id.length <= MAX_STACK_IN_OWNER ? id : `${safe.slice(0, MAX_STACK_IN_OWNER - 9)}~${shortHash(id, 8)}`;
  return `cdktf-netns:${name}/`;
}

/**
 * The marker as the kernel carries it, for one deployment of the lab:
 * `cdktf-netns:<stack>@<deployment>/<path>`. The deployment token is born at
 * apply time (from the Terraform id of the lab's Teardown resource), so twin
 * deployments of byte-identical plans never take each other's objects, and
 * synthesis stays deterministic. lib/engine/lib.awk's kmarker() writes the same.
 */
export function kernelMarker(marker: string, deployment: string): string {
  const i = marker.indexOf('/');
  return i < 0 ? marker : `${marker.slice(0, i)}@${deployment}${marker.slice(i)}`;
}

/** A deployment token: the first 12 hex digits of the sha256 of the Terraform id (engine.sh computes the same). */
export const deploymentToken = (terraformId: string): string => createHash('sha256').update(terraformId).digest('hex').slice(0, 12);

/**
 * The ownership marker of one construct: stack and construct path. Written as
 * an interface alias (`lo`'s alias for a namespace), so it survives in the
 * kernel and lets the engine tell our objects from anyone else's.
 */
export function markerOf(scope: IConstruct): string {
  const stack = TerraformStack.of(scope);
  const rel = scope.node.scopes
    .slice(stack.node.scopes.length)
    .map((s) => s.node.id)
    .join('/');
  let path = rel.replace(MARKER_SAFE, '_');
  const owner = ownerOf(scope);
  if (path !== rel || owner.length + path.length > MAX_MARKER) {
    // keep it readable, but unique
    path = `${path.slice(0, MAX_MARKER - owner.length - 14)}~${shortHash(rel)}`;
  }
  return owner + path;
}

/**
 * A locally administered unicast MAC address derived from a construct (and a
 * salt: the end of a veth pair), stable across re-creation and renames: a
 * replaced interface keeps its MAC, so its neighbours' ARP/NDP caches stay
 * right (a random new MAC leaves them pointing at a ghost for up to a minute).
 * The name prefix is part of the hash, so prefixed twins differ.
 */
export function macOf(scope: IConstruct, salt: string): string {
  const h = createHash('sha256')
    .update(`${markerOf(scope)}|${prefixOf(scope)}|${salt}`)
    .digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
