import { IConstruct } from 'constructs';

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
    s = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Build the message used everywhere: `<path>: <problem> <value>. Fix: <fix>` */
export function message(scope: IConstruct | string, problem: string, value: unknown, fix: string): string {
  const raw = typeof scope === 'string' ? scope : scope.node.path;
  // construct ids are user text too: show control characters escaped
  const path = raw.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `cdktf-netns: ${path}: ${problem} (got ${show(value)}). Fix: ${fix}`;
}

/** Throw a NetnsError at construction time (fail early). */
export function fail(scope: IConstruct | string, problem: string, value: unknown, fix: string): never {
  throw new NetnsError(message(scope, problem, value, fix));
}
