/**
 * Ownership belongs to a deployment (issue 8, findings 2, 5 and 7): the same
 * lab deployed twice from two Terraform states, host routes and host sysctls
 * that several labs want. All inside one private sandbox.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { HostSysctl, Namespace, Route, VethPair } from '../../lib';
import { Lab, netnsCli, TF_ENV } from '../support/lab';
import { useLabs, useSandbox } from '../support/e2e';
import { expectNoChangesThenNothingLeft, expectNothingLeft } from '../support/expect';
import { workshopStack } from '../support/stacks';

jest.setTimeout(600_000);

const sb = useSandbox();
const newLab = useLabs(sb);

function lab(stack: string, build: (app: any) => void, context: Record<string, unknown> = {}): Lab {
  const l = newLab(stack);
  l.synth(build, context);
  return l;
}
const workshop = (context: Record<string, unknown> = {}) => lab('workshop', workshopStack, context);
const cli = (args: string) => netnsCli(sb, args);
const out = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;
const inode = (ns: string) => sb.ok(`stat -L -c %i /run/netns/${ns}`).trim();
const pings = (ns: string, to: string) => sb.ping(ns, to);
/** Forget a Terraform state, as a fresh CI runner (or a deleted working directory) would. */
const loseState = (l: Lab) => sb.ok('rm -f terraform.tfstate terraform.tfstate.backup', { cwd: l.dir });

describe('finding 2: twin deployments of one lab', () => {
  test('without a prefix the second deployment is refused by name, and its destroy leaves the first alone', () => {
    const a = workshop();
    const b = workshop();
    a.applyOk();
    const token = a.deployment();
    const r = b.apply();
    expect(r.code).not.toBe(0);
    expect(out(r)).toMatch(new RegExp(`namespace '(sales|dev|router)' already exists and belongs to another deployment of this lab \\(deployment ${token}`));
    expect(out(r)).toMatch(new RegExp(`cdktf-netns release ${token}' removes its objects and 'cdktf-netns adopt ${token}'`));
    // the first is untouched: same namespaces, empty plan, connectivity
    expect(a.planExitCode()).toBe(0);
    expect(pings('sales', '172.16.20.10')).toBe(true);
    b.destroyOk();
    expect(sb.namespaces()).toEqual(['dev', 'router', 'sales']);
    expect(pings('sales', '172.16.20.10')).toBe(true);
    expectNoChangesThenNothingLeft(sb, a);
  });

  test('with prefixes the twins live side by side and are destroyed independently', () => {
    const a = workshop({ 'cdktf-netns:prefix': 'a-' });
    const b = workshop({ 'cdktf-netns:prefix': 'b-' });
    a.applyOk();
    b.applyOk();
    expect(a.deployment()).not.toBe(b.deployment());
    expect(sb.namespaces()).toEqual(['a-dev', 'a-router', 'a-sales', 'b-dev', 'b-router', 'b-sales']);
    expect(pings('a-sales', '172.16.20.10') && pings('b-sales', '172.16.20.10')).toBe(true);
    a.destroyOk();
    expect(sb.namespaces()).toEqual(['b-dev', 'b-router', 'b-sales']);
    expect(pings('b-sales', '172.16.20.10')).toBe(true);
    expectNoChangesThenNothingLeft(sb, b);
  });

  test('a lost Terraform state: refused until `cdktf-netns adopt`, then the new deployment takes the objects over without re-creating them', () => {
    const a = workshop();
    a.applyOk();
    const old = a.deployment();
    const ino = inode('sales');
    loseState(a);
    const r = a.apply();
    expect(r.code).not.toBe(0);
    expect(out(r)).toMatch(/belongs to another deployment of this lab/);
    const list = cli('deployments');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${old}\\s+applied\\s+3\\s`));
    const ad = cli(`adopt ${old}`);
    expect(out(ad)).toMatch(new RegExp(`deployment ${old} is offered for adoption`));
    expect(ad.code).toBe(0);
    const applied = a.applyOk();
    const now = a.deployment();
    expect(now).not.toBe(old);
    expect(applied).toMatch(new RegExp(`deployment ${now} takes over deployment ${old}`));
    expect(inode('sales')).toBe(ino); // adopted, not re-created
    expect(sb.ipJson('sales', 'link show lo')[0].ifalias).toBe(a.marker('cdktf-netns:workshop/sales'));
    expect(sb.ipJson('sales', 'link show veth-s')[0].ifalias).toBe(a.marker('cdktf-netns:workshop/s'));
    expect(a.planExitCode()).toBe(0);
    expect(pings('sales', '172.16.20.10')).toBe(true);
    expect(cli('deployments').stdout).not.toMatch(new RegExp(old));
    a.destroyOk();
    expectNothingLeft(sb);
  });

  test('a lost Terraform state: `cdktf-netns release` removes the orphaned deployment, and a fresh deploy works', () => {
    const a = workshop();
    a.applyOk();
    const old = a.deployment();
    loseState(a);
    expect(cli('release 0123456789ab').code).toBe(1); // not recorded: refused, nothing happens
    expect(sb.namespaces()).toEqual(['dev', 'router', 'sales']);
    const rel = cli(`release ${old}`);
    expect(out(rel)).toMatch(/destroyed/);
    expect(rel.code).toBe(0);
    expectNothingLeft(sb);
    a.applyOk();
    expect(pings('sales', '172.16.20.10')).toBe(true);
    // verify learns the deployment from the stack's state
    const v = cli(`verify ${a.dir}`);
    expect(out(v)).toMatch(new RegExp(`deployment ${a.deployment()}`));
    expect(v.code).toBe(0);
    a.destroyOk();
    expectNothingLeft(sb);
  });
});

/** A namespace behind a host veth, and a host route to a far prefix through it. */
function routeLab(id: string, octet: number, far: string) {
  return lab(id, (app) => {
    const s = new TerraformStack(app, id);
    const ns = new Namespace(s, 'ns', { name: `${id}-ns` });
    new VethPair(s, 'link', {
      a: { name: 'eth0', namespace: ns, addresses: [`10.8${octet}.0.2/24`] },
      b: { name: `${id}-host`, addresses: [`10.8${octet}.0.1/24`] },
    });
    new Route(s as Construct, 'far', { namespace: Namespace.HOST, destination: far, via: `10.8${octet}.0.2` });
  });
}

describe('finding 5: host routes belong to one deployment', () => {
  test("a second lab routing the same host prefix is refused by name; destroying it leaves the first lab's route; destroy removes only our exact route", () => {
    const r1 = routeLab('rt1', 1, '10.99.0.0/24');
    const r2 = routeLab('rt2', 2, '10.99.0.0/24');
    r1.applyOk();
    const r = r2.apply();
    expect(r.code).not.toBe(0);
    expect(out(r)).toMatch(
      new RegExp(
        `a route to 10.99.0.0/24 already exists in the host namespace \\(via '10.81.0.2', protocol 213\\), made by deployment ${r1.deployment()} of lab cdktf-netns:rt1/`,
      ),
    );
    expect(sb.routes('')).toContain('10.99.0.0/24 via 10.81.0.2');
    r2.destroyOk();
    expect(sb.routes('')).toContain('10.99.0.0/24 via 10.81.0.2');
    // an administrator's route to a prefix is refused too
    sb.ok('ip route add 10.97.0.0/24 via 10.81.0.2 proto static');
    const r3 = routeLab('rt3', 3, '10.97.0.0/24');
    const x = r3.apply();
    expect(x.code).not.toBe(0);
    expect(out(x)).toMatch(
      /a route to 10.97.0.0\/24 already exists in the host namespace and was not made by cdktf-netns \(via '10.81.0.2', protocol static\)/,
    );
    r3.destroyOk();
    expect(sb.routes('')).toContain('10.97.0.0/24 via 10.81.0.2');
    sb.ok('ip route del 10.97.0.0/24');
    // someone re-points our route through their own link: it is no longer ours to delete
    sb.ok('ip link add adm0 type veth peer name adm1 && ip addr add 10.96.0.1/24 dev adm0 && ip link set adm0 up && ip link set adm1 up');
    sb.ok('ip route replace 10.99.0.0/24 via 10.96.0.2 proto 213');
    r1.destroyOk();
    expect(sb.ok('ip route show 10.99.0.0/24').trim()).toMatch(/^10.99.0.0\/24 via 10.96.0.2 dev adm0 proto 213/);
    sb.ok('ip link del adm0');
    expectNothingLeft(sb);
  });
});

/** A lab holding one host sysctl. */
const sysctlLab = (id: string, key: string, value: string) =>
  lab(id, (app) => {
    const s = new TerraformStack(app, id);
    new HostSysctl(s, 'k', { key, value });
  });

describe('finding 7: a host sysctl is counted per deployment, under one spelling, under a lock', () => {
  test('two spellings of IPv4 forwarding are one setting; a lab wanting another value is refused naming the holder; the original returns with the last user', () => {
    expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('0');
    const s1 = sysctlLab('fw1', 'net.ipv4.ip_forward', '1');
    const s2 = sysctlLab('fw2', 'net.ipv4.conf.all.forwarding', '1');
    const s3 = sysctlLab('fw3', 'net.ipv4.ip_forward', '0');
    s1.applyOk();
    s2.applyOk();
    expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('1');
    expect(sb.ok('ls /run/cdktf-netns/sysctl').trim()).toBe('net.ipv4.ip_forward');
    const r = s3.apply();
    expect(r.code).not.toBe(0);
    expect(out(r)).toMatch(
      /host sysctl net.ipv4.ip_forward: this lab \(cdktf-netns:fw3\/, deployment [0-9a-f]{12}\) sets it to 0, but cdktf-netns:fw[12]\/ \(deployment [0-9a-f]{12}\) holds it at 1/,
    );
    expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('1');
    s3.destroyOk();
    s1.destroyOk();
    expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('1'); // fw2 still holds it
    s2.destroyOk();
    expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('0');
    expectNothingLeft(sb);
  });

  test('six labs applying and destroying at once, three rounds: every run succeeds and the original value returns each time', () => {
    const ls = [1, 2, 3, 4, 5, 6].map((i) => sysctlLab(`cc${i}`, i % 2 ? 'net.ipv4.ip_forward' : 'net.ipv4.conf.all.forwarding', '1'));
    for (const l of ls) expect(l.planExitCode()).toBe(2); // (initialises each)
    const all = (verb: string) =>
      sb.sh(
        ls.map((l) => `(cd '${l.dir}' && terraform ${verb} -auto-approve -input=false -no-color > run.log 2>&1 || echo "FAILED ${l.dir}") &`).join(' ') +
          ' wait',
        { env: TF_ENV },
      );
    for (let round = 1; round <= 3; round++) {
      expect(all('apply').stdout).toBe('');
      expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('1');
      expect(sb.ok('ls /run/cdktf-netns/sysctl/net.ipv4.ip_forward | grep -c "^owner\\."').trim()).toBe('6');
      expect(all('destroy').stdout).toBe('');
      expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('0');
    }
    expectNothingLeft(sb);
  });
});
