import { createHash } from 'crypto';
import { IConstruct } from 'constructs';
import { TerraformStack } from 'cdktf';
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

export const DEFAULT_BACKEND: Backend = 'null_resource';
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

export function stateDirOf(scope: IConstruct): string {
  const v = scope.node.tryGetContext(STATE_DIR_CONTEXT) ?? DEFAULT_STATE_DIR;
  if (typeof v !== 'string' || !/^\/[A-Za-z0-9_./-]{0,200}$/.test(v) || v.includes('..')) {
    fail(scope, `context "${STATE_DIR_CONTEXT}" is not a safe absolute path`, v, 'use an absolute path of A-Z a-z 0-9 _ . / -, e.g. /run/cdktf-netns');
  }
  return v.replace(/\/+$/, '') || '/';
}

export function shortHash(s: string, len = 12): string {
  return createHash('sha256').update(s).digest('hex').slice(0, len);
}

const MARKER_SAFE = /[^A-Za-z0-9_.\/:-]/g;
const MAX_MARKER = 240;

/** The stack's ownership prefix: every marker of the stack starts with it. */
export function ownerOf(scope: IConstruct): string {
  const id = TerraformStack.of(scope).node.id;
  const safe = id.replace(MARKER_SAFE, '_');
  // keep owners of differently spelled stacks apart ("lab 1" vs "lab_1")
  return `cdktf-netns:${safe === id ? id : `${safe}~${shortHash(id, 8)}`}/`;
}

/**
 * The ownership marker of one construct: stack and construct path. Written as
 * an interface alias (`lo`'s alias for a namespace), so it survives in the
 * kernel and lets the engine tell our objects from anyone else's.
 */
export function markerOf(scope: IConstruct): string {
  const stack = TerraformStack.of(scope);
  const rel = scope.node.scopes.slice(stack.node.scopes.length).map((s) => s.node.id).join('/');
  let path = rel.replace(MARKER_SAFE, '_');
  const owner = ownerOf(scope);
  if (path !== rel || owner.length + path.length > MAX_MARKER) {
    // keep it readable, but unique
    path = `${path.slice(0, MAX_MARKER - owner.length - 14)}~${shortHash(rel)}`;
  }
  return owner + path;
}
