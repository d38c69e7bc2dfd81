/**
 * The two hand-written baselines the library is measured against, generated
 * from a StarSpec as files in a directory:
 *
 * - "script": the tutorial's style, one `ip` command per step in a POSIX sh
 *   script (`set -e`, fully unrolled: what a person would paste).
 * - "batch": the fastest plain iproute2 can do: one `ip -batch` file for the
 *   root namespace plus one per namespace, run through
 *   `nsenter --net=/run/netns/nsI ip -batch FILE` (the per-namespace part
 *   has to run inside the namespace: `ip -batch` has no per-line `-n`).
 *
 * Each baseline is a pair of entry scripts, `create.sh` and `destroy.sh`,
 * run with `sh` inside the sandbox.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { shellQuote } from '../../test/support/sandbox';
import { bridgeNetwork, StarSpec } from './star';

export type BaselineMethod = 'script' | 'batch';

export interface BaselineScripts {
  create: string;
  destroy: string;
}

function lines(...parts: string[][]): string {
  return `${parts.flat().join('\n')}\n`;
}

function bridgeCreate(spec: StarSpec, prefix: string): string[] {
  return spec.bridges.flatMap((b) => [
    `${prefix}link add ${b.name} type bridge`,
    `${prefix}link set ${b.name} up`,
    ...b.addresses.map((a) => `${prefix}addr add ${a} dev ${b.name}`),
  ]);
}

function bridgeDestroy(spec: StarSpec, prefix: string): string[] {
  return spec.bridges.map((b) => `${prefix}link del ${b.name}`);
}

/** The "script" baseline: `create.sh` and `destroy.sh` in `dir`. */
export function writeScriptBaseline(spec: StarSpec, dir: string): BaselineScripts {
  mkdirSync(dir, { recursive: true });
  const create = lines(
    ['set -e'],
    bridgeCreate(spec, 'ip '),
    spec.members.flatMap((m) => [
      `ip netns add ${m.ns}`,
      `ip -n ${m.ns} link set lo up`,
      `ip link add ${m.veth} type veth peer name eth0 netns ${m.ns}`,
      `ip link set ${m.veth} master ${spec.bridges[m.bridge].name}`,
      `ip link set ${m.veth} up`,
      `ip -n ${m.ns} addr add ${m.address} dev eth0`,
      `ip -n ${m.ns} link set eth0 up`,
      `ip -n ${m.ns} route add default via ${m.gateway}`,
    ]),
  );
  const destroy = lines(
    ['set -e'],
    spec.members.flatMap((m) => [`ip link del ${m.veth}`, `ip netns del ${m.ns}`]),
    bridgeDestroy(spec, 'ip '),
  );
  return writeEntryScripts(dir, create, destroy);
}

/** The "batch" baseline: batch files plus `create.sh` and `destroy.sh` in `dir`. */
export function writeBatchBaseline(spec: StarSpec, dir: string): BaselineScripts {
  mkdirSync(join(dir, 'ns'), { recursive: true });
  const root = lines(
    bridgeCreate(spec, ''),
    spec.members.flatMap((m) => [
      `netns add ${m.ns}`,
      `link add ${m.veth} type veth peer name eth0 netns ${m.ns}`,
      `link set ${m.veth} master ${spec.bridges[m.bridge].name}`,
      `link set ${m.veth} up`,
    ]),
  );
  writeFileSync(join(dir, 'root.batch'), root);
  for (const m of spec.members) {
    writeFileSync(
      join(dir, 'ns', `${m.ns}.batch`),
      lines(['link set lo up', `addr add ${m.address} dev eth0`, 'link set eth0 up', `route add default via ${m.gateway}`]),
    );
  }
  // deleting a namespace deletes its eth0 and so the veth pair: no `link del` per veth
  writeFileSync(
    join(dir, 'destroy.batch'),
    lines(
      spec.members.map((m) => `netns del ${m.ns}`),
      bridgeDestroy(spec, ''),
    ),
  );
  const create = lines(
    ['set -e', `ip -batch ${shellQuote(join(dir, 'root.batch'))}`],
    spec.members.map((m) => `nsenter --net=/run/netns/${m.ns} ip -batch ${shellQuote(join(dir, 'ns', `${m.ns}.batch`))}`),
  );
  const destroy = lines(['set -e', `ip -batch ${shellQuote(join(dir, 'destroy.batch'))}`]);
  return writeEntryScripts(dir, create, destroy);
}

function writeEntryScripts(dir: string, create: string, destroy: string): BaselineScripts {
  const paths = { create: join(dir, 'create.sh'), destroy: join(dir, 'destroy.sh') };
  writeFileSync(paths.create, create);
  writeFileSync(paths.destroy, destroy);
  return paths;
}

export function writeBaseline(method: BaselineMethod, spec: StarSpec, dir: string): BaselineScripts {
  return method === 'script' ? writeScriptBaseline(spec, dir) : writeBatchBaseline(spec, dir);
}

/**
 * A firewall in every namespace of a deployed star lab, by hand (the bench's step e, done without
 * the library): input policy drop, established traffic, loopback and ICMP from the bridge's /16
 * accepted. "script": one `nft` command per step through `ip netns exec`; "batch": one `nft -f`
 * file per namespace through nsenter. Returns the entry script's path.
 */
export function writeFirewallBaseline(method: BaselineMethod, spec: StarSpec, dir: string): string {
  mkdirSync(join(dir, 'fw'), { recursive: true });
  const rules = (net: string) => ['ct state established,related accept', 'iifname "lo" accept', `ip saddr ${net} meta l4proto icmp accept`];
  const body =
    method === 'script'
      ? spec.members.flatMap((m) => {
          const nft = `ip netns exec ${m.ns} nft`;
          return [
            `${nft} add table inet fw`,
            `${nft} add chain inet fw input '{ type filter hook input priority 0; policy drop; }'`,
            ...rules(bridgeNetwork(m)).map((r) => `${nft} add rule inet fw input ${r.replace(/"/g, '')}`),
          ];
        })
      : spec.members.map((m) => {
          const file = join(dir, 'fw', `${m.ns}.nft`);
          writeFileSync(
            file,
            lines(
              ['table inet fw {', '  chain input {', '    type filter hook input priority 0; policy drop;'],
              rules(bridgeNetwork(m)).map((r) => `    ${r}`),
              ['  }', '}'],
            ),
          );
          return `nsenter --net=/run/netns/${m.ns} nft -f ${shellQuote(file)}`;
        });
  const path = join(dir, 'firewall.sh');
  writeFileSync(path, lines(['set -e'], body));
  return path;
}
