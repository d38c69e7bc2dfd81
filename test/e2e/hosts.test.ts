/**
 * Labs across machines (issue 13), on simulated hosts (test/support/hosts.ts): machines with their
 * own network, mount and UTS namespaces and a private /run, reached by Terraform's own SSH
 * communicator (no provider), inside the private sandbox. The workshop split over two hosts
 * (examples/two-hosts): sales and the router on host1, dev on host2, dev's subnet one layer-2
 * segment over a VXLAN tunnel between bridges on the two; every host's lab is its own unit (its
 * engine and record in a root-only directory there), and the machine running Terraform gets none.
 */
import { Namespace, Reachable, Host } from '../../lib';
import { TwoHostsStack } from '../../examples/two-hosts/stack';
import { useLabs, useSandbox } from '../support/e2e';
import { SimHost, SimHosts, startHosts, UNDERLAY } from '../support/hosts';
import { killedApply } from '../support/kill';
import { Lab, netnsCli } from '../support/lab';

jest.setTimeout(300_000);

const sb = useSandbox();
const newLab = useLabs(sb);
let sim: SimHosts;
beforeAll(() => {
  sim = startHosts(sb, 2);
});
afterAll(() => sim?.dispose());

const hostProps = (h: SimHost, keyFile = sim.keyFile) => ({ address: h.address, hostKey: h.hostKey, privateKeyFile: keyFile });

function workshop(lab: Lab, keyFile?: string): void {
  const [h1, h2] = sim.hosts;
  lab.synth((app) => new TwoHostsStack(app, 'two-hosts', { rack1: hostProps(h1, keyFile), rack2: hostProps(h2, keyFile) }));
}

/**
 * What is left of labs on a host: namespaces, links other than lo and eth0, files with content
 * (records, bundles, scripts), bundle directories, and remote-exec scripts, blank or not, but the
 * Teardown's own (Terraform blanks a script after it ran: the destroy's stays, empty).
 */
function leftOn(h: SimHost): string {
  return sim
    .on(
      h,
      'ip netns list; ip -o link show | grep -v -e " lo:" -e " eth0@" || true; find /run/cdktf-netns -type f -size +0c; ' +
        'find /run/cdktf-netns/up -mindepth 1; find /run/cdktf-netns -name "tf-*" ! -name "tf-*-teardown.sh"; ls /tmp | grep terraform_ || true',
    )
    .stdout.trim();
}

test('the workshop over two hosts: dev reached through the router on the other host over VXLAN, nothing on the machine running Terraform, an empty re-plan, verify / check / repair over SSH, a moved key changes nothing, destroy leaves both hosts clean', () => {
  const lab = newLab('two-hosts');
  workshop(lab);
  const out = lab.applyOk();
  // each host's lab ran there (and its intents, probed on the machine of `from`)
  expect(out).toMatch(/host-rack1_Lab_\w+ \(remote-exec\): cdktf-netns: lab cdktf-netns:two-hosts\/: \d+ created/);
  expect(out).toMatch(/host-rack2_Lab_\w+ \(remote-exec\): cdktf-netns: lab cdktf-netns:two-hosts\/: \d+ created/);
  const [h1, h2] = sim.hosts;
  expect(sim.on(h1, 'ip netns list').stdout).toMatch(/^router/m);
  expect(sim.on(h1, 'ip netns list').stdout).toMatch(/^sales/m);
  expect(sim.on(h2, 'ip netns list').stdout.trim()).toMatch(/^dev/);
  // sales (host1) -> router (host1) -> VXLAN -> dev (host2); dev routes back through host1's router
  expect(sim.on(h1, 'ip netns exec sales ping -c 1 -W 2 172.16.20.10').code).toBe(0);
  expect(sim.on(h2, 'ip netns exec dev ping -c 1 -W 2 172.16.10.10').code).toBe(0);
  expect(sim.on(h2, 'ip netns exec dev traceroute -n -q 1 -w 2 -m 3 172.16.10.10').stdout).toMatch(/^ 1\s+172\.16\.20\.1 /m);
  // the tunnel: 1450 bytes of frame cross with DF set, one byte more does not (1500 less VXLAN's 50)
  expect(sim.on(h2, "ip -o link show vx20 | sed -n 's/.* mtu \\([0-9]*\\).*/\\1/p'").stdout.trim()).toBe('1450');
  expect(sim.on(h2, 'ip netns exec dev ping -c 1 -W 2 -M do -s 1422 172.16.20.1').code).toBe(0);
  expect(sim.on(h2, 'ip netns exec dev ping -c 1 -W 2 -M do -s 1423 172.16.20.1').code).not.toBe(0);
  for (const h of [h1, h2]) {
    // the engine and its record: root-only, on the host; remote-exec's scripts there (Terraform blanks them), not in /tmp
    expect(sim.on(h, 'stat -c %a /run/cdktf-netns').stdout.trim()).toBe('700');
    expect(sim.on(h, 'find /run/cdktf-netns -maxdepth 1 -name "tf-*" -size +0c | wc -l').stdout.trim()).toBe('0');
    expect(sim.on(h, 'ls /tmp | grep -c terraform_ || true').stdout.trim()).toBe('0');
  }
  // the machine running Terraform (the sandbox's root) got no lab object, and no record
  expect(sb.namespaces()).toEqual([]);
  expect(Object.keys(sb.links('')).sort()).toEqual(['u-host1', 'u-host2', UNDERLAY.bridge]);
  expect(sb.sh('find /run/cdktf-netns/labs -type f 2>/dev/null | wc -l').stdout.trim()).toBe('0');
  expect(lab.planExitCode()).toBe(0);
  // verify, check and repair reach a Host over SSH, with the plan's connection data
  const cli = (args: string) => {
    const r = netnsCli(sb, `${args} ${lab.dir}`);
    return { code: r.code, out: r.stdout + r.stderr };
  };
  for (const h of ['rack1', 'rack2'])
    expect(cli(`verify --host ${h}`)).toMatchObject({ code: 0, out: expect.stringMatching(/object\(s\) checked, in line with/) });
  sim.on(h2, 'ip netns exec dev ip route del default');
  expect(cli('verify --host rack2')).toMatchObject({ code: 2, out: expect.stringMatching(/DRIFT route dev default: /) });
  expect(cli('check --host rack2')).toMatchObject({ code: 2, out: expect.stringMatching(/dev-reaches-sales/) });
  expect(cli('repair --host rack2')).toMatchObject({ code: 0, out: expect.stringMatching(/on host "rack2" \(10\.200\.0\.12\)/) });
  expect(cli('check --host rack2')).toMatchObject({ code: 0 });
  expect(cli('graph --host rack1').out).toMatch(/sales/);
  expect(cli('graph --host rack2').out).not.toMatch(/sales/);
  expect(cli('verify').out).toMatch(/the stack declares nothing on this machine: its labs are on its Hosts rack1, rack2 \(choose one with --host NAME\)/);
  expect(cli('verify --host rack9').out).toMatch(/the stack declares no Host named 'rack9' \(its hosts: rack1, rack2\)/);
  // a new key path (the same key, copied) is an in-place update of the connection data: nothing is re-created
  const inode = () => sim.on(h2, 'stat -L -c %i /run/netns/dev').stdout.trim();
  const before = inode();
  sb.ok(`cp ${sim.keyFile} ${sim.keyFile}.moved`);
  workshop(lab, `${sim.keyFile}.moved`);
  expect(lab.terraform('plan -no-color').stdout).toMatch(/0 to add, 6 to change, 0 to destroy/);
  lab.applyOk();
  expect(inode()).toBe(before);
  lab.destroyOk();
  for (const h of [h1, h2]) expect(leftOn(h)).toBe('');
});

test('a killed apply heals on every host with a plain re-apply', () => {
  const lab = newLab('two-hosts');
  workshop(lab);
  const [h1, h2] = sim.hosts;
  // the process group (terraform, its SSH sessions) killed once the first host has its first namespace
  const k = killedApply(sb, lab, { label: 'router on host1', cond: `nsenter -t ${h1.pid} -m test -e /run/netns/router` }, true);
  expect(k.killed).toBe(true);
  const out = lab.applyOk();
  expect(out).toMatch(/Apply complete!/);
  expect(sim.on(h1, 'ip netns exec sales ping -c 1 -W 2 172.16.20.10').code).toBe(0);
  expect(lab.planExitCode()).toBe(0);
  lab.destroyOk();
  for (const h of [h1, h2]) expect(leftOn(h)).toBe('');
});

test('a host that goes down fails the next deploy naming it; forget-host lets the rest of the lab be destroyed', () => {
  const lab = newLab('downhost');
  const [h1, h2] = sim.hosts;
  const build = (more: boolean) =>
    lab.synthStack((s) => {
      const up = new Host(s, 'up', hostProps(h1));
      const down = new Host(s, 'down', { ...hostProps(h2), timeoutSeconds: 3 });
      const a = new Namespace(s, 'a', { name: 'lonely-a', host: up });
      new Namespace(s, 'b', { name: 'lonely-b', host: down });
      if (more) new Namespace(s, 'c', { name: 'lonely-c', host: down });
      new Reachable(s, 'lo', { from: a, to: '127.0.0.1' });
    });
  build(false);
  lab.applyOk();
  expect(sim.on(h2, 'ip netns list').stdout).toMatch(/^lonely-b/m);
  sim.stopSsh(h2);
  build(true);
  const t0 = Date.now();
  const r = lab.apply();
  expect(r.code).not.toBe(0);
  // (Terraform wraps its error lines)
  const said = (r.stdout + r.stderr).replace(/\s+/g, ' ');
  expect(said).toMatch(/terraform_data\.cdktf-netns_host-down_Lab_\w+/);
  expect(said).toMatch(/10\.200\.0\.12:22/);
  expect(Date.now() - t0).toBeLessThan(60_000);
  // destroy empties the host that is up, and fails on the one that is down; forgetting that machine
  // (gone for good) lets the destroy finish
  const d = lab.terraform('destroy -auto-approve');
  expect(d.code).not.toBe(0);
  expect((d.stdout + d.stderr).replace(/\s+/g, ' ')).toMatch(/10\.200\.0\.12:22/);
  expect(leftOn(h1)).toBe('');
  const f = netnsCli(sb, `forget-host down ${lab.dir}`);
  expect(f.code).toBe(0);
  expect(f.stdout + f.stderr).toMatch(/forgot host "down" \(10\.200\.0\.12\): removed [1-3] resources? from the Terraform state/);
  expect(lab.destroyOk()).toMatch(/Destroy complete!/);
  expect(sb.sh('terraform state list', { cwd: lab.dir }).stdout.trim()).toBe('');
});
