/**
 * Throughput across a link, measured at the receiver (socket buffers on the sending side
 * would flatter a sender-side figure): a TCP sink in one namespace counts the bytes that
 * arrive between 1 s and 3 s after the first one, while a sender in another pushes as fast as
 * it can for 4 s. Runs inside the sandbox; both processes end on their own.
 */
import { Sandbox, shellQuote } from './sandbox';

const SINK = `
const [host, port, out] = process.argv.slice(1);
const fs = require('fs');
let first, counted = 0;
const srv = require('net').createServer((s) => {
  s.on('data', (d) => {
    const now = Date.now();
    if (first === undefined) first = now;
    if (now - first >= 1000 && now - first < 3000) counted += d.length;
  });
  s.on('end', () => { fs.writeFileSync(out, String(counted)); srv.close(); });
});
srv.listen(Number(port), host);
setTimeout(() => process.exit(1), 20000).unref();
`;

const SOURCE = `
const [host, port] = process.argv.slice(1);
const buf = Buffer.alloc(64 * 1024);
const s = require('net').connect(Number(port), host, () => {
  const end = Date.now() + 4000;
  const pump = () => { while (Date.now() < end) { if (!s.write(buf)) return s.once('drain', pump); } s.end(); };
  pump();
});
`;

/**
 * The shell script of one measurement: a sink bound to `to:port` in namespace `sinkNs` ('' = the
 * root namespace), a sender in `from`; it prints the bytes counted in the 2-second window. For the
 * sandbox (measureMbit) and for the UML guest's checks alike.
 */
export function throughputScript(from: string, sinkNs: string, to: string, port: number): string {
  const inNs = (ns: string) => (ns ? `ip netns exec ${ns} ` : '');
  // in the namespace's own /run (a private tmpfs in the sandbox and in the guest), not in the shared /tmp
  const out = `/run/cdktf-netns-sink.${port}`;
  return `rm -f ${out}; ${inNs(sinkNs)}node -e ${shellQuote(SINK)} ${to} ${port} ${out} >/dev/null 2>&1 &
    for i in $(seq 100); do ${inNs(sinkNs)}ss -Hltn | grep -q ':${port} ' && break; sleep 0.1; done
    ${inNs(from)}node -e ${shellQuote(SOURCE)} ${to} ${port}
    for i in $(seq 200); do [ -s ${out} ] && break; sleep 0.1; done
    cat ${out}; rm -f ${out}`;
}

/** Bytes of a 2-second window as Mbit/s. */
export const windowMbit = (bytes: number): number => (bytes * 8) / 2 / 1e6;

/** Mbit/s from namespace `from` to `to:port` (a sink bound in namespace `sinkNs`; '' = the sandbox's root). */
export function measureMbit(sb: Sandbox, from: string, sinkNs: string, to: string, port: number): number {
  return windowMbit(Number(sb.ok(throughputScript(from, sinkNs, to, port)).trim()));
}
