/**
 * Security regressions (issue 8): each test attacks a class of problem, not
 * one file name. Everything runs inside a private sandbox (its own network and
 * mount namespaces, tmpfs on /run); the attacker is `nobody` (setpriv
 * --reuid=65534), and where an attack needs shared directories the sandbox gets
 * private ones (tmpfs on /tmp, /var/tmp, /dev/shm in a nested mount namespace),
 * so nothing is planted in the machine's own /tmp.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Bridge, HostSysctl, Namespace, Route, VethPair } from '../../lib';
import { kernelMarker } from '../../lib/core/settings';
import { netnsCli, TF_ENV } from '../support/lab';
import { shellQuote as q } from '../support/sandbox';
import { useLabs, useSandbox } from '../support/e2e';
import { asNobody, plantingAttacker, publishSpoofedNamespace, withPrivateTmp } from '../support/attacker';
import { expectNothingLeft } from '../support/expect';
import { HOSTILE_VALUES } from '../support/hostile';
import { salesReachesDev, workshopStack } from '../support/stacks';

jest.setTimeout(600_000);

const sb = useSandbox();
const newLab = useLabs(sb);

/** A lab with host-side pieces too: a host bridge, a host veth end, a host route, a host sysctl. */
class HostPiecesStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const a = new Namespace(this, 'sa');
    const b = new Namespace(this, 'sb');
    const br = new Bridge(this, 'lan', { name: 'br-sec', addresses: ['10.77.0.1/24'] });
    new VethPair(this, 'a', { a: { name: 'eth0', namespace: a, addresses: ['10.77.0.10/24'] }, b: { name: 'sa-br', bridge: br } });
    new VethPair(this, 'b', { a: { name: 'eth0', namespace: b, addresses: ['10.77.0.20/24'] }, b: { name: 'sb-br', bridge: br } });
    new Route(this, 'far', { namespace: Namespace.HOST, destination: '10.78.0.0/24', via: '10.77.0.20' });
    new HostSysctl(this, 'fwd', { key: 'net.ipv4.ip_forward', value: '1' });
  }
}

/** Directories anyone may write to (the ones an attacker can plant in). */
function sharedDirs(): string[] {
  return sb
    .ok('for d in /tmp /var/tmp /dev/shm /run/lock /var/lock; do if [ -d "$d" ]; then find "$d" -maxdepth 0 -perm -0002; fi; done')
    .split('\n')
    .filter(Boolean);
}

describe('finding 1: no predictable paths in shared directories (temp-file races)', () => {
  test('under strace, the engine opens, creates, renames or removes nothing in a directory others can write (apply, change, destroy)', () => {
    const lab = newLab('sec1');
    try {
      lab.synth((app) => new HostPiecesStack(app, 'sec1'));
      const c = lab.engineCommands('strace-deployment-1');
      const calls =
        'open,openat,creat,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2,symlink,symlinkat,link,linkat,mknod,mknodat,truncate,chmod,fchmodat,chown,fchownat,lchown';
      const trace = '/run/sec1.trace';
      for (const cmd of [c.apply, c.apply, c.destroy]) {
        sb.ok(`strace -f -qq -o ${trace}.$$ -e trace=${calls} sh -c ${q(cmd)} && cat ${trace}.$$ >> ${trace} && rm -f ${trace}.$$`);
      }
      const paths = new Set<string>();
      for (const line of sb.ok(`cat ${trace}`).split('\n')) {
        for (const m of line.matchAll(/"(\/[^"]*)"/g)) paths.add(m[1]);
      }
      expect(paths.size).toBeGreaterThan(20); // the trace saw the engine's work
      const shared = sharedDirs();
      expect(shared).toEqual(expect.arrayContaining(['/tmp']));
      // a path is exposed when its own directory is one anyone may write to
      const exposed = [...paths].filter((p) => shared.some((d) => p.startsWith(`${d}/`) && !p.slice(d.length + 1).includes('/')));
      expect(exposed).toEqual([]);
      // and nothing in the state directory's tree is writable by others
      expect(sb.ok('find /run/cdktf-netns -perm /022 -print').trim()).toBe('');
    } finally {
      sb.sh('rm -f /run/sec1.trace');
    }
  });

  test('an attacker (nobody) planting FIFOs and symlinks in every shared directory, fed with our marker, changes nothing: a foreign bridge stays, a root-only file stays intact', () => {
    const lab = newLab('workshop');
    try {
      lab.synth(workshopStack);
      sb.ok('rm -rf /run/labcopy && cp -a ' + q(lab.dir) + ' /run/labcopy && chmod 700 /run/labcopy');
      sb.ok('mkdir -p -m 700 /run/canary && printf intact > /run/canary/secret && chmod 600 /run/canary/secret');
      sb.ok('ip link add br-mgmt type bridge');
      const c = lab.engineCommands('attacked-deployment-1', '/run/labcopy');
      const marker = kernelMarker('cdktf-netns:workshop/x', 'aaaaaaaaaaaa');
      // the attacker: for every entry it sees in a shared directory, it plants a symlink to the canary
      // and a FIFO fed with a fake inventory line at the sibling names a script might use
      const attacker = plantingAttacker({ rounds: 4000, canary: '/run/canary/secret', fifoLine: `br-mgmt ${marker}` });
      const script = `
        ${asNobody(`sh -c ${q(attacker)}`)} > /dev/null 2>&1 &
        spy=$!
        sleep 0.3
        ok=0
        for r in 1 2 3; do ${c.apply} > /run/attack.log 2>&1 && ${c.destroy} >> /run/attack.log 2>&1 && ok=$((ok+1)); done
        ${c.apply} >> /run/attack.log 2>&1 && ok=$((ok+1))
        kill $spy 2>/dev/null || true; wait $spy 2>/dev/null || true
        echo "runs=$ok planted=$(find /tmp /var/tmp /dev/shm \\( -type l -o -type p \\) | wc -l)"`;
      // private /tmp, /var/tmp, /dev/shm in a nested mount namespace (the engine's namespaces are the sandbox's)
      const r = withPrivateTmp(sb, script);
      expect(r.stdout + r.stderr).toMatch(/runs=4 planted=[1-9]/);
      expect(r.code).toBe(0);
      expect(sb.ok('cat /run/canary/secret')).toBe('intact');
      expect(sb.sh('ip link show br-mgmt').code).toBe(0);
      expect(sb.namespaces()).toEqual(['dev', 'router', 'sales']);
      expect(salesReachesDev(sb)).toBe(true);
      sb.ok(c.destroy);
      expect(sb.namespaces()).toEqual([]);
    } finally {
      sb.sh('ip link del br-mgmt; rm -rf /run/labcopy /run/canary /run/attack.log');
    }
  });
});

describe('finding 3: the state directory is trusted only when only root can write it', () => {
  const lab = newLab('sec3');
  beforeAll(() => lab.synth((app) => new HostPiecesStack(app, 'sec3')));

  test.each([
    [
      'owned by nobody (pre-seeded with a sysctl record)',
      'mkdir -p /run/cdktf-netns/sysctl/net.ipv4.ip_forward && echo 0 > /run/cdktf-netns/sysctl/net.ipv4.ip_forward/orig && chown -R 65534 /run/cdktf-netns',
      /not owned by root/,
    ],
    ['writable by others', 'mkdir -p /run/cdktf-netns && chmod 1777 /run/cdktf-netns', /writable by group or others/],
    ['a symbolic link', 'mkdir -p /run/elsewhere && ln -s /run/elsewhere /run/cdktf-netns', /is a symbolic link/],
    ['below a directory others can write', 'chmod 777 /run', /\/run is writable by group or others/],
  ])('a state directory %s is refused before anything is touched', (_what, seed, refusal) => {
    sb.ok('rm -rf /run/cdktf-netns /run/elsewhere');
    sb.ok(seed);
    try {
      const r = lab.apply();
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(refusal);
      expect(sb.namespaces()).toEqual([]);
      expect(sb.links('')).toEqual({});
      expect(sb.sysctl('', 'net.ipv4.ip_forward')).toBe('0');
    } finally {
      sb.ok('chmod 755 /run; rm -rf /run/cdktf-netns /run/elsewhere; mkdir -p -m 755 /run/cdktf-netns');
      lab.terraform('destroy -auto-approve');
    }
  });

  test('under umask 000 the state directory and everything in it are created root-only', () => {
    sb.ok('rm -rf /run/cdktf-netns');
    const r = sb.sh('umask 000 && terraform apply -auto-approve -input=false -no-color', { cwd: lab.dir, env: TF_ENV });
    expect(r.code).toBe(0);
    expect(sb.ok('stat -c %a /run/cdktf-netns').trim()).toBe('700');
    expect(sb.ok('find /run/cdktf-netns -perm /077 -print').trim()).toBe('');
    lab.destroyOk();
    sb.ok('mkdir -p -m 755 /run/cdktf-netns');
  });

  test('a record with a hostile line (a key outside net.*, a path in a namespace name) is refused, never written to /proc/sys', () => {
    lab.applyOk();
    const rec = sb.ok('ls -d /run/cdktf-netns/labs/*/*/').trim();
    try {
      // a corrupted record (what a bug or someone with root elsewhere could leave): the engine acts on none of it
      for (const bad of [
        'hsysctl net.ipv4.ip_forward/../../../kernel/hostname evil',
        'ns ../../../proc/1/ns/net cdktf-netns:sec3/x',
        'hsysctl kernel.hostname $(touch${IFS}/run/pwned)',
      ]) {
        sb.ok(`cp ${rec}applied /run/applied.bak && printf '%s\\n' ${q(bad)} >> ${rec}applied`);
        // in a UTS namespace of its own: were the check to fail, only that namespace's hostname would change
        const r = sb.sh(`unshare --uts sh -c 'hostname sandbox-uts && terraform destroy -auto-approve -input=false -no-color; echo "hostname=$(hostname)"'`, {
          cwd: lab.dir,
          env: TF_ENV,
        });
        expect(r.stdout).toMatch(/hostname=sandbox-uts/);
        expect(r.stdout + r.stderr).toMatch(/not a line this library writes|refusing/);
        expect(sb.sh('test -e /run/pwned').code).not.toBe(0);
        sb.ok(`cp /run/applied.bak ${rec}applied`);
      }
      // the intact record destroys normally
      lab.destroyOk();
      expectNothingLeft(sb);
    } finally {
      sb.sh('rm -f /run/applied.bak');
    }
  });
});

describe('finding 6: a namespace is ours only with our marker and the inode we recorded', () => {
  test('a container-like namespace (nobody with CAP_NET_ADMIN in its own user namespace) copying our marker onto its lo, published under our name, is neither deleted nor adopted', () => {
    const lab = newLab('workshop');
    let pid = '';
    try {
      lab.synth(workshopStack);
      lab.applyOk();
      const marker = sb.ipJson('dev', 'link show lo')[0].ifalias;
      expect(marker).toBe(lab.marker('cdktf-netns:workshop/dev'));
      // someone deletes our dev, and a container publishes its own namespace as "dev", wearing our marker
      sb.ok('ip netns del dev');
      pid = publishSpoofedNamespace(
        sb,
        'dev',
        `ip link set lo alias ${marker} && ip link add keep0 type dummy 2>/dev/null || ip link add keep0 type veth peer name keep1; exec sleep 600`,
      );
      expect(sb.ipJson('dev', 'link show lo')[0].ifalias).toBe(marker);
      // re-apply: nothing to do for Terraform; a repair (which checks every object) refuses to adopt it
      expect(lab.apply().code).toBe(0);
      const r = netnsCli(sb, `repair ${lab.dir}`);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/namespace 'dev' carries this deployment's marker but is not the namespace it made/);
      expect(sb.ipJson('dev', 'link show lo')[0].ifalias).toBe(marker);
      // a change to objects inside it: refused, nothing done inside
      lab.synth((app) => {
        const st = workshopStack(app);
        new Route(st, 'extra', { namespace: st.node.findChild('dev') as Namespace, destination: '10.201.0.0/24', via: '172.16.20.1' });
      });
      const c = lab.apply();
      expect(c.code).not.toBe(0);
      expect(c.stdout + c.stderr).toMatch(/namespace 'dev' carries this deployment's marker but is not the namespace it made .*nothing is changed inside it/);
      expect(sb.ok('ip -n dev route show').trim()).toBe('');
      const d = lab.terraform('destroy -auto-approve');
      expect(d.code).toBe(0);
      expect(d.stdout).toMatch(/kept namespace dev/);
      expect(sb.namespaces()).toEqual(['dev']);
      expect(sb.ok('ip -n dev -o link show').split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(2);
    } finally {
      if (pid) sb.sh(`kill ${pid}`);
      sb.sh('ip netns del dev 2>/dev/null; rm -rf /run/cdktf-netns/labs');
    }
  });
});

describe('finding 8: aliases and altnames are read with a JSON parser', () => {
  test('altnames on our interfaces (after the alias, in ip -j output) change nothing: re-apply, verify and destroy treat them as ours', () => {
    const lab = newLab('workshop');
    lab.synth(workshopStack);
    lab.applyOk();
    sb.ok(
      'ip -n sales link property add dev veth-s altname sales-uplink-with-a-long-altname && ip -n router link property add dev veth-s-rtr altname cdktf-netns-x',
    );
    // a change that touches the namespace: the interface stays (not deleted as foreign, not re-created)
    const before = sb.ipJson('sales', 'link show dev veth-s')[0].ifindex;
    lab.synth((app) => {
      const s = workshopStack(app);
      new Route(s, 'extra', { namespace: s.node.findChild('sales') as Namespace, destination: '10.200.0.0/24', via: '172.16.10.1' });
    });
    const out = lab.applyOk();
    expect(out).toMatch(/added route 10.200.0.0\/24/);
    expect(sb.ipJson('sales', 'link show dev veth-s')[0].ifindex).toBe(before);
    lab.destroyOk();
    expectNothingLeft(sb);
  });
});

describe('finding 9: names ip(8) reads as keywords never reach it', () => {
  // the ip(8) keywords of the hostile-input corpus (test/support/hostile.ts)
  const KEYWORDS = HOSTILE_VALUES['interface name'].filter((v) => v.error === 'keyword').map((v) => v.value as string);

  test('the corpus holds the keywords', () => {
    expect(KEYWORDS).toEqual(expect.arrayContaining(['up', 'down', 'help', 'type', 'dev', 'netns']));
  });

  test.each(KEYWORDS)('an interface named "%s" is refused at synth, nothing is created', (name) => {
    const lab = newLab('kw');
    expect(() =>
      lab.synthStack((s) => {
        new VethPair(s, 'p', { a: { name, namespace: new Namespace(s, 'kwns') }, b: { name: 'kw-host' } });
      }),
    ).toThrow(new RegExp(`kw/p: a.name: interface name is a word ip\\(8\\) reads as a keyword \\(got "${name}"\\)`));
    expect(sb.namespaces()).toEqual([]);
    expect(sb.links('')).toEqual({});
  });

  test('a namespace named "all" ("ip netns del all" deletes every namespace) is refused at synth', () => {
    expect(() => new Namespace(new TerraformStack(new App(), 'kw'), 'all')).toThrow(/namespace name is a word ip\(8\) reads as a keyword/);
  });
});

describe('finding 11: nothing inherited from the environment changes what runs', () => {
  test("DRY_RUN, ENV, BASH_ENV, AWKPATH, POSIXLY_CORRECT, CDPATH, a Turkish locale and a hostile IFS in the caller's environment: apply and destroy work, no hook runs", () => {
    const lab = newLab('workshop');
    try {
      lab.synth(workshopStack);
      sb.ok(
        `printf 'touch /run/env-hook-ran\\n' > /run/evil.sh && mkdir -p /run/awklib && printf 'BEGIN { system("touch /run/awk-hook-ran") }\\n' > /run/awklib/lib.awk`,
      );
      const hostile =
        'DRY_RUN=1 ENV=/run/evil.sh BASH_ENV=/run/evil.sh AWKPATH=/run/awklib POSIXLY_CORRECT=1 CDPATH=/run LC_ALL=tr_TR.UTF-8 LANG=tr_TR.UTF-8 IFS=x';
      const tf = (args: string) => sb.sh(`env ${hostile} terraform ${args} -input=false -no-color`, { cwd: lab.dir, env: TF_ENV });
      if (!sb.sh('test -f .terraform.lock.hcl || terraform init -input=false -no-color', { cwd: lab.dir }).code) {
        /* initialised */
      }
      const a = tf('apply -auto-approve');
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(/12 created/);
      expect(salesReachesDev(sb)).toBe(true);
      const d = tf('destroy -auto-approve');
      expect(d.code).toBe(0);
      expectNothingLeft(sb);
      expect(sb.sh('ls /run/env-hook-ran /run/awk-hook-ran 2>/dev/null').stdout.trim()).toBe('');
    } finally {
      sb.sh('rm -rf /run/evil.sh /run/awklib /run/env-hook-ran /run/awk-hook-ran');
    }
  });
});

describe('finding 12: long stack names still give markers the kernel keeps whole', () => {
  test('a 200-character stack name deploys; every alias is the full kernel marker (at most 255 bytes)', () => {
    const name = `lab-${'x'.repeat(196)}`;
    const lab = newLab(name);
    lab.synthStack((s) => {
      const deep = new Construct(new Construct(s, 'a'.repeat(60)), 'b'.repeat(60));
      const ns = new Namespace(deep, 'longns', { name: 'longns' });
      new VethPair(deep, 'c'.repeat(60), {
        a: { name: 'eth0', namespace: ns, addresses: ['10.66.0.2/24'] },
        b: { name: 'long-host', addresses: ['10.66.0.1/24'] },
      });
    });
    lab.applyOk();
    const aliases = [
      sb.ipJson('longns', 'link show lo')[0].ifalias,
      sb.ipJson('longns', 'link show eth0')[0].ifalias,
      sb.ipJson('', 'link show long-host')[0].ifalias,
    ];
    const token = lab.deployment();
    for (const a of aliases) {
      expect(Buffer.byteLength(a)).toBeLessThanOrEqual(255);
      expect(a).toMatch(new RegExp(`^cdktf-netns:lab-x+~[0-9a-f]{8}@${token}/`));
    }
    expect(sb.sh('ping -c 1 -W 2 10.66.0.2').code).toBe(0);
    lab.destroyOk();
    expectNothingLeft(sb);
  });
});

describe('sysctl keys of interfaces with a dot in their name', () => {
  test('"net.ipv4.conf.v/1.rp_filter" (sysctl(8)\'s spelling) sets the file of interface "v.1", and is restored when dropped', () => {
    const lab = newLab('dotted');
    const build = (withSysctl: boolean) =>
      lab.synthStack((s) => {
        const ns = new Namespace(s, 'dotns');
        new VethPair(s, 'p', { a: { name: 'v.1', namespace: ns, addresses: ['10.88.0.2/24'] }, b: { name: 'dot-host', addresses: ['10.88.0.1/24'] } });
        if (withSysctl) ns.addSysctl('net.ipv4.conf.v/1.rp_filter', '2');
      });
    build(true);
    lab.applyOk();
    expect(sb.ok('ip netns exec dotns cat /proc/sys/net/ipv4/conf/v.1/rp_filter').trim()).toBe('2');
    build(false);
    lab.applyOk();
    expect(sb.ok('ip netns exec dotns cat /proc/sys/net/ipv4/conf/v.1/rp_filter').trim()).toBe('0');
    lab.destroyOk();
    expectNothingLeft(sb);
  });
});
