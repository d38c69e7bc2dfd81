/**
 * Shared helpers of the unit tests (not a test file itself).
 */
import { App, TerraformStack, Testing } from 'cdktf';
import { NetnsPlan } from '../../lib/testing';
import { Backend } from '../../lib';

export const BACKENDS: Backend[] = ['null_resource', 'terraform_data'];

/** A fresh test app with the given backend and any extra context. */
export function testApp(backend: Backend = 'terraform_data', context: Record<string, unknown> = {}): App {
  return Testing.app({ context: { 'cdktf-netns:backend': backend, ...context } });
}

/** A fresh app with one empty stack in it. */
export function testStack(backend: Backend = 'terraform_data', context: Record<string, unknown> = {}, id = 'stack'): TerraformStack {
  return new TerraformStack(testApp(backend, context), id);
}

/** Synthesize with validations and parse. */
export function synthDoc(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack, true));
}

export function plan(stack: TerraformStack): NetnsPlan {
  return NetnsPlan.fromStack(stack);
}

export interface SynthResource {
  readonly address: string;
  readonly type: string;
  readonly body: any;
}

/** Every resource of a synthesized document, whatever its type. */
export function resources(doc: any): SynthResource[] {
  return Object.entries<any>(doc.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries<any>(byName).map(([name, body]) => ({ address: `${type}.${name}`, type, body })));
}

/** The local-exec blocks of a resource. */
export function localExecs(body: any): any[] {
  return (body.provisioner ?? []).map((p: any) => p['local-exec']).filter(Boolean);
}

/** `${...}` expressions of a Terraform string (escaped `$${` excluded). */
export function templateExpressions(s: string): string[] {
  return [...s.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => m[1]);
}

/** Run `fn`, expect it to throw, and return the error message. */
export function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected the call to throw, but it returned normally');
}

/**
 * Assert that a library error message names the construct path, shows the
 * offending value (JSON-quoted, as the library prints it) and gives a fix.
 */
export function expectHelpfulError(msg: string, path: string, value: unknown): void {
  expect(msg).toContain(`${path}:`);
  expect(msg).toContain(`(got ${JSON.stringify(value)})`);
  expect(msg).toMatch(/Fix: \S/);
}
