import { spawn } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '../..');

/**
 * Run one of the repository's ts-node scripts (the reliability matrix, the
 * bench) in its own process group, so that a timeout ends it and its
 * children too (their sandboxes follow their parent); stdout and stderr
 * together.
 */
export function runScript(script: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['ts-node', script, ...args], { cwd: ROOT, env: process.env, detached: true });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => {
      out += `\n(${script}: no result after ${timeoutMs / 1000} s, killed)\n`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}
