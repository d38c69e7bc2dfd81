import { IConstruct } from 'constructs';
import { Token } from './cdk';

/**
 * The one error type of the library. Every message names the construct path,
 * the offending value and how to fix it, so that a failed `cdktf synth` points
 * a person straight at the line to change.
 */
export class NetnsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetnsError';
  }
}

/** Render a user value for a message: JSON-quoted, control characters visible, bounded. */
export function show(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Build the message used everywhere: `<path>: <problem> <value>. Fix: <fix>` */
export function message(scope: IConstruct | string, problem: string, value: unknown, fix: string): string {
  const raw = typeof scope === 'string' ? scope : scope.node.path;
  // construct ids are user text too: show control characters escaped
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this escapes
  const path = raw.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `cdktf-netns: ${path}: ${problem} (got ${show(value)}). Fix: ${fix}`;
}

/** Whether a value is (or holds) a cdktf Token: known only when Terraform runs. */
export function isToken(value: unknown): boolean {
  if (Array.isArray(value)) return Token.isUnresolved(value) || value.some((v) => isToken(v));
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/** Throw a NetnsError at construction time (fail early). A Token gets the message that says why. */
export function fail(scope: IConstruct | string, problem: string, value: unknown, fix: string): never {
  if (isToken(value)) {
    const what = problem.split(':')[0].length < problem.length ? problem.split(':')[0] : 'this value';
    throw new NetnsError(
      message(
        scope,
        `${what} is a Token (a TerraformVariable, a resource attribute, ...), known only when Terraform runs; ` +
          'cdktf-netns needs every value at synth time: kernel objects are written into the plan and its data file as validated constant text',
        value,
        "pass a literal value, or compute it in TypeScript (read a variable's value from the environment or a file before synth)",
      ),
    );
  }
  throw new NetnsError(message(scope, problem, value, fix));
}
