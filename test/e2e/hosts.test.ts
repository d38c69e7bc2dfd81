/**
 * Groundwork of issue 13 (labs across machines), on simulated hosts (test/support/hosts.ts):
 * machines with their own network, mount and UTS namespaces and a private /run, reached by
 * Terraform's own SSH communicator (no provider), inside the private sandbox. Proven here, by
 * hand-written Terraform around the library's engine (the constructs that write it are the next
 * step): the engine uploaded to a root-only directory runs a lab's apply and destroy on each
 * host over SSH (remote-exec's script in /run, not /tmp), the host key pinned, the key file's
 * path kept on the resource (destroy sees only `self`, and a changed path rebuilds nothing);
 * each host's objects stay on that host, the machine running Terraform gets none; a VXLAN
 * tunnel joins bridges on two hosts; a host whose sshd is down fails the apply naming it.
 */
import { createHash } from 'crypto';
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Namespace, VethPair } from '../../lib';
import { useLabs, useSandbox } from '../support/e2e';
import { SimHosts, startHosts } from '../support/hosts';
import { labHeader } from '../support/lab';

jest.setTimeout(300_000);

const sb = useSandbox();
const newLab = useLabs(sb);
let sim: SimHosts;
beforeAll(() => {
  sim = startHosts(sb, 2);
});
afterAll(() => sim?.dispose());

/** Terraform for one lab per host: upload the engine and the data, apply; destroy on the way out. */
function remoteLab(dir: string, hosts: Array<{ id: string; address: string; hostKey: string; keyFile: string }>): void {
  const h = labHeader(dir);
  const data = readFileSync(join(dir, 'cdktf-netns', 'lab.data'));
  const hash = createHash('sha256').update(data).digest('hex');
  const remote = `/run/cdktf-netns/engine/${h.lab}`;
  const resources: Record<string, unknown> = {};
  for (const host of hosts) {
    resources[`lab_${host.id}`] = {
      // what the connection and destroy need lives on the resource (destroy sees only self);
      // `input` changes in place: a new key path rebuilds nothing
      input: { host: host.address, key: host.keyFile, host_key: host.hostKey },
      triggers_replace: { data: hash, state: h.state, lab: h.lab },
      connection: {
        type: 'ssh',
        host: '${self.input.host}',
        user: 'root',
        private_key: '${file(self.input.key)}',
        host_key: '${self.input.host_key}',
        timeout: '5s',
        // remote-exec's script: in root-only /run, not in the shared /tmp
        script_path: '/run/cdktf-netns-tf-%RAND%.sh',
      },
      provisioner: [
        { 'remote-exec': { inline: [`umask 077 && mkdir -p ${remote}`] } },
        { file: { source: join(dir, 'cdktf-netns'), destination: remote } },
        { 'remote-exec': { inline: [`cd ${remote}/cdktf-netns && sh engine/engine.sh apply lab.data \${self.triggers_replace.data} \${self.id}`] } },
        {
          'remote-exec': {
            when: 'destroy',
            inline: [`sh ${remote}/cdktf-netns/engine/engine.sh destroy \${self.triggers_replace.state} \${self.triggers_replace.lab} \${self.id}`],
          },
        },
      ],
    };
  }
  writeFileSync(
    join(dir, 'main.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: 'terraform.tfstate' } } }, resource: { terraform_data: resources } }, null, 2),
  );
}

test('the engine runs a lab on each host over SSH: objects on the hosts only, a second plan empty, destroy leaves every host clean', () => {
  const lab = newLab('twohost');
  lab.synthStack((s) => {
    const ns = new Namespace(s, 'inner', { name: 'inner' });
    new VethPair(s, 'p', { a: { name: 'to-inner', addresses: ['10.77.0.1/24'] }, b: { name: 'eth0', namespace: ns, addresses: ['10.77.0.2/24'] } });
  });
  const [h1, h2] = sim.hosts;
  remoteLab(
    lab.dir,
    [h1, h2].map((h) => ({ id: h.name, address: h.address, hostKey: h.hostKey, keyFile: sim.keyFile })),
  );
  const out = lab.applyOk();
  expect(out).toMatch(/lab_host1 \(remote-exec\): cdktf-netns: lab cdktf-netns:twohost\/: \d+ created/);
  expect(out).toMatch(/lab_host2 \(remote-exec\): cdktf-netns: lab cdktf-netns:twohost\/: \d+ created/);
  for (const h of [h1, h2]) {
    expect(sim.on(h, 'hostname').stdout.trim()).toBe(h.name);
    expect(sim.on(h, 'ip netns list').stdout).toMatch(/^inner/m);
    expect(sim.on(h, 'ip netns exec inner ping -c 1 -W 2 10.77.0.1').code).toBe(0);
    // the engine and its record: root-only, on the host; remote-exec's script did not stay in /tmp
    expect(sim.on(h, 'stat -c %a /run/cdktf-netns').stdout.trim()).toBe('700');
    expect(sim.on(h, 'ls /tmp | grep -c terraform_ || true').stdout.trim()).toBe('0');
  }
  // the machine running Terraform (the sandbox's root) got no lab object
  expect(sb.namespaces()).toEqual([]);
  expect(Object.keys(sb.links('')).sort()).toEqual(['u-host1', 'u-host2', 'underlay0']);
  expect(lab.planExitCode()).toBe(0);
  // a new key path (the same key, copied) is an in-place update: nothing is re-created on the hosts
  const inode = (h: typeof h1) => sim.on(h, 'stat -L -c %i /run/netns/inner').stdout.trim();
  const before = inode(h1);
  sb.ok(`cp ${sim.keyFile} ${sim.keyFile}.moved`);
  remoteLab(
    lab.dir,
    [h1, h2].map((h) => ({ id: h.name, address: h.address, hostKey: h.hostKey, keyFile: `${sim.keyFile}.moved` })),
  );
  const moved = lab.terraform('plan -no-color');
  expect(moved.stdout).toMatch(/0 to add, 2 to change, 0 to destroy/);
  lab.applyOk();
  expect(inode(h1)).toBe(before);
  lab.destroyOk();
  for (const h of [h1, h2]) {
    expect(sim.on(h, 'ip netns list').stdout.trim()).toBe('');
    expect(sim.on(h, 'ip -o link show | grep -v " lo:" | grep -vc " eth0@" || true').stdout.trim()).toBe('0');
    expect(sim.on(h, 'find /run/cdktf-netns/labs -type f 2>/dev/null | wc -l').stdout.trim()).toBe('0');
  }
});

test('a pinned host key that does not match, and a host whose sshd is down: the apply fails naming the host', () => {
  const lab = newLab('badhost');
  lab.synthStack((s) => {
    new Namespace(s, 'lonely', { name: 'lonely' });
  });
  const [h1, h2] = sim.hosts;
  // host1's address with host2's key: someone else answering there
  remoteLab(lab.dir, [{ id: 'host1', address: h1.address, hostKey: h2.hostKey, keyFile: sim.keyFile }]);
  let r = lab.apply();
  expect(r.code).not.toBe(0);
  // (Terraform wraps its error lines)
  const said = (x: { stdout: string; stderr: string }) => (x.stdout + x.stderr).replace(/\s+/g, ' ');
  expect(said(r)).toMatch(/SSH authentication failed \(root@10\.200\.0\.11:22\): ssh: handshake failed: knownhosts: key mismatch/);
  expect(sim.on(h1, 'ip netns list').stdout.trim()).toBe('');
  sim.stopSsh(h2);
  remoteLab(lab.dir, [{ id: 'host2', address: h2.address, hostKey: h2.hostKey, keyFile: sim.keyFile }]);
  const t0 = Date.now();
  r = lab.apply();
  expect(r.code).not.toBe(0);
  expect(said(r)).toMatch(/10\.200\.0\.12:22/);
  expect(sim.on(h2, 'ip netns list').stdout.trim()).toBe('');
  expect(Date.now() - t0).toBeLessThan(60_000);
});

test('the kernel side of VxlanLink, by hand: a VXLAN tunnel (port 4789) joins a bridge on each host, a ping crosses it, and 50 bytes of overhead show in the MTU', () => {
  const [h1, h2] = sim.hosts;
  const setup = (h: typeof h1, local: string, remote: string, addr: string) =>
    sim.on(
      h,
      `ip link add br-x type bridge && ip link set br-x up && ip addr add ${addr}/24 dev br-x && ` +
        `ip link add vx100 type vxlan id 100 local ${local} remote ${remote} dstport 4789 dev eth0 && ip link set vx100 master br-x && ip link set vx100 up`,
    );
  try {
    expect(setup(h1, h1.address, h2.address, '10.88.0.1').code).toBe(0);
    expect(setup(h2, h2.address, h1.address, '10.88.0.2').code).toBe(0);
    expect(sim.on(h1, 'ping -c 2 -W 2 10.88.0.2').code).toBe(0);
    expect(sim.on(h1, "ip -o link show vx100 | sed -n 's/.* mtu \\([0-9]*\\).*/\\1/p'").stdout.trim()).toBe('1450');
    // a full 1450-byte frame crosses without fragmentation; one byte more does not fit (DF set)
    expect(sim.on(h1, 'ping -c 1 -W 2 -M do -s 1422 10.88.0.2').code).toBe(0);
    expect(sim.on(h1, 'ping -c 1 -W 2 -M do -s 1423 10.88.0.2').code).not.toBe(0);
  } finally {
    for (const h of [h1, h2]) sim.on(h, 'ip link del vx100; ip link del br-x');
  }
});
