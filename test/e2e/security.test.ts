/**
 * Security regressions (issue 8): each test attacks a class of problem, not
 * one file name. Everything runs inside a private sandbox (its own network and
 * mount namespaces, tmpfs on /run); the attacker is `nobody` (setpriv
 * --reuid=65534), and where an attack needs shared directories the sandbox gets
 * private ones (tmpfs on /tmp, /var/tmp, /dev/shm in a nested mount namespace),
 * so nothing is planted in the machine's own /tmp.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Bridge, HostSysctl, Namespace, Route, VethPair } from '../../lib';
import { WorkshopStack } from '../../examples/workshop/stack';
import { kernelMarker } from '../../lib/core/settings';
import { Lab } from './lab';
import { e2ePrerequisites, Sandbox } from './sandbox';
import { expectNothingLeft } from './expect';

jest.setTimeout(600_000);

let sb: Sandbox;
beforeAll(async () => {
  expect(e2ePrerequisites()).toEqual([]);
  sb = await Sandbox.start();
});
afterAll(() => sb?.dispose());

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

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

function header(dir: string, key: string): string {
  return (new RegExp(`^#${key} (.*)$`, 'm').exec(readFileSync(join(dir, 'cdktf-netns', 'lab.data'), 'utf8')) ?? [])[1];
}

/** The engine's own commands for a lab directory, run directly (what the provisioners run). */
function engineCmds(dir: string, deployment: string, runDir = dir): { apply: string; destroy: string } {
  const hash = `$(sha256sum cdktf-netns/lab.data | cut -d' ' -f1)`;
  return {
    apply: `(cd ${q(runDir)} && sh cdktf-netns/engine/engine.sh apply cdktf-netns/lab.data ${hash} ${deployment})`,
    destroy: `(cd ${q(runDir)} && sh cdktf-netns/engine/engine.sh destroy ${header(dir, 'state')} ${header(dir, 'lab')} ${deployment})`,
  };
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
    const lab = new Lab(sb, 'sec1');
    try {
      lab.synth((app) => new HostPiecesStack(app, 'sec1'));
      const c = engineCmds(lab.dir, 'strace-deployment-1');
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
      lab.dispose();
    }
  });

  test('an attacker (nobody) planting FIFOs and symlinks in every shared directory, fed with our marker, changes nothing: a foreign bridge stays, a root-only file stays intact', () => {
    const lab = new Lab(sb, 'workshop');
    try {
      lab.synth((app) => new WorkshopStack(app, 'workshop'));
      sb.ok('rm -rf /run/labcopy && cp -a ' + q(lab.dir) + ' /run/labcopy && chmod 700 /run/labcopy');
      sb.ok('mkdir -p -m 700 /run/canary && printf intact > /run/canary/secret && chmod 600 /run/canary/secret');
      sb.ok('ip link add br-mgmt type bridge');
      const c = engineCmds(lab.dir, 'attacked-deployment-1', '/run/labcopy');
      const marker = kernelMarker('cdktf-netns:workshop/x', 'aaaaaaaaaaaa');
      // the attacker: for every entry it sees in a shared directory, it plants a symlink to the canary
      // and a FIFO fed with a fake inventory line at the sibling names a script might use
      const attacker = `
        i=0
        while [ $i -lt 4000 ]; do
          i=$((i+1))
          for d in /tmp /var/tmp /dev/shm; do
            for f in "$d"/* "$d"/.*; do
              [ -e "$f" ] || [ -L "$f" ] || continue
              case $f in */.|*/..|*.bait) continue ;; esac
              for s in .links .addrs .routes .new .tmp .json .err; do
                [ -e "$f$s" ] || [ -L "$f$s" ] && continue
                if [ $((i % 2)) = 0 ]; then ln -s /run/canary/secret "$f$s" 2>/dev/null
                else mkfifo "$f$s" 2>/dev/null && (printf 'br-mgmt ${marker}\\n' > "$f$s" &) ; fi
              done
            done
            for n in cdktf-netns cdktf-netns.log netns.tmp inventory facts.json lab.data; do
              [ -e "$d/$n" ] || [ -L "$d/$n" ] || ln -s /run/canary/secret "$d/$n" 2>/dev/null
            done
          done
        done`;
      const script = `
        set -e
        mount -t tmpfs -o mode=1777 tmp /tmp; mount -t tmpfs -o mode=1777 tmp /var/tmp; mount -t tmpfs -o mode=1777 tmp /dev/shm
        setpriv --reuid=65534 --regid=65534 --clear-groups sh -c ${q(attacker)} > /dev/null 2>&1 &
        spy=$!
        sleep 0.3
        ok=0
        for r in 1 2 3; do ${c.apply} > /run/attack.log 2>&1 && ${c.destroy} >> /run/attack.log 2>&1 && ok=$((ok+1)); done
        ${c.apply} >> /run/attack.log 2>&1 && ok=$((ok+1))
        kill $spy 2>/dev/null || true; wait $spy 2>/dev/null || true
        echo "runs=$ok planted=$(find /tmp /var/tmp /dev/shm \\( -type l -o -type p \\) | wc -l)"`;
      // private /tmp, /var/tmp, /dev/shm in a nested mount namespace; /run/netns stays shared with the
      // sandbox (ip makes it a shared mount), so the namespaces the engine makes are seen outside
      sb.ok('ip netns add sec-probe && ip netns del sec-probe');
      const out = sb.ok(`unshare --mount --propagation unchanged sh -c ${q(script)}`);
      expect(out).toMatch(/runs=4 planted=[1-9]/);
      expect(sb.ok('cat /run/canary/secret')).toBe('intact');
      expect(sb.sh('ip link show br-mgmt').code).toBe(0);
      expect(sb.namespaces()).toEqual(['dev', 'router', 'sales']);
      expect(sb.sh('ip netns exec sales ping -c 1 -W 2 172.16.20.10').code).toBe(0);
      sb.ok(c.destroy);
      expect(sb.namespaces()).toEqual([]);
    } finally {
      sb.sh('ip link del br-mgmt; rm -rf /run/labcopy /run/canary /run/attack.log');
      lab.dispose();
    }
  });
});

describe('finding 3: the state directory is trusted only when only root can write it', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab(sb, 'sec3');
    lab.synth((app) => new HostPiecesStack(app, 'sec3'));
  });
  afterAll(() => lab.dispose());

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
    const r = sb.sh('umask 000 && terraform apply -auto-approve -input=false -no-color', {
      cwd: lab.dir,
      env: { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    });
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
          env: { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
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
    const lab = new Lab(sb, 'workshop');
    let pid = '';
    try {
      lab.synth((app) => new WorkshopStack(app, 'workshop'));
      lab.applyOk();
      const marker = sb.ipJson('dev', 'link show lo')[0].ifalias;
      expect(marker).toBe(lab.marker('cdktf-netns:workshop/dev'));
      // someone deletes our dev, and a container publishes its own namespace as "dev", wearing our marker
      sb.ok('ip netns del dev');
      sb.ok(
        `setpriv --reuid=65534 --regid=65534 --clear-groups unshare --user --map-root-user --net sh -c ${q(`ip link set lo alias ${marker} && ip link add keep0 type dummy 2>/dev/null || ip link add keep0 type veth peer name keep1; exec sleep 600`)} > /dev/null 2>&1 & echo $! > /run/container.pid`,
      );
      pid = sb.ok('sleep 0.5; cat /run/container.pid').trim();
      sb.ok(`ip netns attach dev ${pid}`);
      expect(sb.ipJson('dev', 'link show lo')[0].ifalias).toBe(marker);
      // re-apply: nothing to do for Terraform; a repair (which checks every object) refuses to adopt it
      expect(lab.apply().code).toBe(0);
      const r = sb.sh(`node ${join(__dirname, '../../dist/cli.js')} repair ${lab.dir}`);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/namespace 'dev' carries this deployment's marker but is not the namespace it made/);
      expect(sb.ipJson('dev', 'link show lo')[0].ifalias).toBe(marker);
      // a change to objects inside it: refused, nothing done inside
      lab.synth((app) => {
        const st = new WorkshopStack(app, 'workshop');
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
      sb.sh('ip netns del dev 2>/dev/null; rm -f /run/container.pid; rm -rf /run/cdktf-netns/labs');
      lab.dispose();
    }
  });
});

describe('finding 8: aliases and altnames are read with a JSON parser', () => {
  test('altnames on our interfaces (after the alias, in ip -j output) change nothing: re-apply, verify and destroy treat them as ours', () => {
    const lab = new Lab(sb, 'workshop');
    try {
      lab.synth((app) => new WorkshopStack(app, 'workshop'));
      lab.applyOk();
      sb.ok(
        'ip -n sales link property add dev veth-s altname sales-uplink-with-a-long-altname && ip -n router link property add dev veth-s-rtr altname cdktf-netns-x',
      );
      // a change that touches the namespace: the interface stays (not deleted as foreign, not re-created)
      const before = sb.ipJson('sales', 'link show dev veth-s')[0].ifindex;
      lab.synth((app) => {
        const s = new WorkshopStack(app, 'workshop');
        new Route(s, 'extra', { namespace: s.node.findChild('sales') as Namespace, destination: '10.200.0.0/24', via: '172.16.10.1' });
      });
      const out = lab.applyOk();
      expect(out).toMatch(/added route 10.200.0.0\/24/);
      expect(sb.ipJson('sales', 'link show dev veth-s')[0].ifindex).toBe(before);
      lab.destroyOk();
      expectNothingLeft(sb);
    } finally {
      lab.dispose();
    }
  });
});

describe('finding 9: names ip(8) reads as keywords never reach it', () => {
  test.each(['up', 'down', 'help', 'type', 'dev', 'netns'])('an interface named "%s" is refused at synth, nothing is created', (name) => {
    const lab = new Lab(sb, 'kw');
    try {
      expect(() =>
        lab.synth((app) => {
          const s = new TerraformStack(app, 'kw');
          new VethPair(s, 'p', { a: { name, namespace: new Namespace(s, 'kwns') }, b: { name: 'kw-host' } });
        }),
      ).toThrow(new RegExp(`kw/p: a.name: interface name is a word ip\\(8\\) reads as a keyword \\(got "${name}"\\)`));
      expect(sb.namespaces()).toEqual([]);
      expect(sb.links('')).toEqual({});
    } finally {
      lab.dispose();
    }
  });

  test('a namespace named "all" ("ip netns del all" deletes every namespace) is refused at synth', () => {
    expect(() => new Namespace(new TerraformStack(new App(), 'kw'), 'all')).toThrow(/namespace name is a word ip\(8\) reads as a keyword/);
  });
});

describe('finding 11: nothing inherited from the environment changes what runs', () => {
  test("DRY_RUN, ENV, BASH_ENV, AWKPATH, POSIXLY_CORRECT, CDPATH, a Turkish locale and a hostile IFS in the caller's environment: apply and destroy work, no hook runs", () => {
    const lab = new Lab(sb, 'workshop');
    try {
      lab.synth((app) => new WorkshopStack(app, 'workshop'));
      sb.ok(
        `printf 'touch /run/env-hook-ran\\n' > /run/evil.sh && mkdir -p /run/awklib && printf 'BEGIN { system("touch /run/awk-hook-ran") }\\n' > /run/awklib/lib.awk`,
      );
      const hostile =
        'DRY_RUN=1 ENV=/run/evil.sh BASH_ENV=/run/evil.sh AWKPATH=/run/awklib POSIXLY_CORRECT=1 CDPATH=/run LC_ALL=tr_TR.UTF-8 LANG=tr_TR.UTF-8 IFS=x';
      const tf = (args: string) =>
        sb.sh(`env ${hostile} terraform ${args} -input=false -no-color`, {
          cwd: lab.dir,
          env: { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
        });
      if (!sb.sh('test -f .terraform.lock.hcl || terraform init -input=false -no-color', { cwd: lab.dir }).code) {
        /* initialised */
      }
      const a = tf('apply -auto-approve');
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(/12 created/);
      expect(sb.sh('ip netns exec sales ping -c 1 -W 2 172.16.20.10').code).toBe(0);
      const d = tf('destroy -auto-approve');
      expect(d.code).toBe(0);
      expectNothingLeft(sb);
      expect(sb.sh('ls /run/env-hook-ran /run/awk-hook-ran 2>/dev/null').stdout.trim()).toBe('');
    } finally {
      sb.sh('rm -rf /run/evil.sh /run/awklib /run/env-hook-ran /run/awk-hook-ran');
      lab.dispose();
    }
  });
});

describe('finding 12: long stack names still give markers the kernel keeps whole', () => {
  test('a 200-character stack name deploys; every alias is the full kernel marker (at most 255 bytes)', () => {
    const name = `lab-${'x'.repeat(196)}`;
    const lab = new Lab(sb, name);
    try {
      lab.synth((app) => {
        const s = new TerraformStack(app, name);
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
    } finally {
      lab.dispose();
    }
  });
});

describe('sysctl keys of interfaces with a dot in their name', () => {
  test('"net.ipv4.conf.v/1.rp_filter" (sysctl(8)\'s spelling) sets the file of interface "v.1", and is restored when dropped', () => {
    const lab = new Lab(sb, 'dotted');
    const build = (withSysctl: boolean) =>
      lab.synth((app) => {
        const s = new TerraformStack(app, 'dotted');
        const ns = new Namespace(s, 'dotns');
        new VethPair(s, 'p', { a: { name: 'v.1', namespace: ns, addresses: ['10.88.0.2/24'] }, b: { name: 'dot-host', addresses: ['10.88.0.1/24'] } });
        if (withSysctl) ns.addSysctl('net.ipv4.conf.v/1.rp_filter', '2');
      });
    try {
      build(true);
      lab.applyOk();
      expect(sb.ok('ip netns exec dotns cat /proc/sys/net/ipv4/conf/v.1/rp_filter').trim()).toBe('2');
      build(false);
      lab.applyOk();
      expect(sb.ok('ip netns exec dotns cat /proc/sys/net/ipv4/conf/v.1/rp_filter').trim()).toBe('0');
      lab.destroyOk();
      expectNothingLeft(sb);
    } finally {
      lab.dispose();
    }
  });
});
