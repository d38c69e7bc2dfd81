/**
 * Row 13: a local attacker. An unprivileged user (nobody: setpriv
 * --reuid=65534 --regid=65534 --clear-groups) on the machine that deploys.
 *
 *  (a) Planted files. In a nested mount namespace (`unshare --mount
 *      --propagation unchanged` inside the sandbox, after `ip netns add x &&
 *      ip netns del x` made /run/netns a shared mount, so the namespaces made
 *      inside are the sandbox's) with private tmpfs on /tmp, /var/tmp and
 *      /dev/shm (mode 1777), nobody plants, as fast as it can, symlinks to a
 *      root-only canary file and FIFOs fed with a fake inventory line carrying
 *      one of our markers, next to every entry it sees and at the names a
 *      script might use, while the engine (the lab's provisioner commands,
 *      run directly) applies and destroys a lab with host pieces (a host
 *      bridge, a host route, a host sysctl) over and over. Every run must
 *      succeed; the canary stays intact (content, owner, mode); a foreign host
 *      bridge stays exactly as it was; no file in those directories was made
 *      by root; the last apply is exactly the declared lab and pings; its
 *      destroy leaves nothing.
 *  (b) A spoofed namespace. After our `dev` namespace was deleted behind our
 *      back, a container-like namespace (nobody, `unshare --user
 *      --map-root-user --net`: CAP_NET_ADMIN in its own user namespace only)
 *      wears our markers (on its lo, and on an interface named veth-d like
 *      ours) and is published as "dev" by root (`ip
 *      netns attach dev PID`). It must never be adopted: `cdktf-netns repair`
 *      refuses ("carries this deployment's marker but is not the namespace it
 *      made"), so does an apply that changes dev's objects, so does a new
 *      deployment of the lab (it belongs to the old one); and never deleted:
 *      the lab's destroy keeps it ("kept namespace dev"), so does the refused
 *      deployment's; it is unchanged throughout (lo's alias, its interfaces).
 *  (c) Untrusted state directories: owned by nobody (pre-seeded with a host
 *      sysctl record), mode 1777, a symbolic link, below a directory others
 *      can write: the apply is refused naming the reason, and nothing is
 *      touched (no namespace, no host interface or route, host forwarding
 *      unchanged, the planted directories exactly as they were).
 *  (d) umask 000: apply, change and destroy run under umask 000; after each,
 *      nothing in the state directory is writable by group or others (nor
 *      readable: the directory is 700).
 */
import { createHash } from 'crypto';
import { TerraformStack } from 'cdktf';
import { HostSysctl } from '../../../lib';
import { asNobody, plantingAttacker, publishSpoofedNamespace, withPrivateTmp } from '../../../test/support/attacker';
import { Lab, TF_ENV } from '../../../test/support/lab';
import { Sandbox, shellQuote as q } from '../../../test/support/sandbox';
import { hostForwarding } from '../common/kernel';
import { cli, engineLog } from '../common/tf';
import { expectLab, expectNothingLeft, labDiff, Problems, RowOptions, RowResult, synthTopo, tail, tokenOf, withLab, withSandbox } from '../common/row';
import { buildTopo, clone, Topo, variant, WORKSHOP } from '../common/topo';

/** A lab with host pieces: a host bridge (two namespaces on it), a host route; plus a host sysctl (ip_forward=1). */
const HOST_PIECES: Topo = {
  namespaces: [{ id: 'sa' }, { id: 'sb' }],
  bridges: [{ id: 'lan', name: 'br-sec', addresses: ['10.77.0.1/24'] }],
  veths: [
    { id: 'a', a: { name: 'eth0', ns: 'sa', addresses: ['10.77.0.10/24'] }, b: { name: 'sa-br', bridge: 'lan' } },
    { id: 'b', a: { name: 'eth0', ns: 'sb', addresses: ['10.77.0.20/24'] }, b: { name: 'sb-br', bridge: 'lan' } },
  ],
  routes: [{ id: 'far', ns: '@host', dest: '10.78.0.0/24', via: '10.77.0.20' }],
};
/** The same with one more address on sa (the change of part d). */
const HOST_PIECES_2: Topo = variant(HOST_PIECES, (t) => { t.veths[0].a.addresses = ['10.77.0.10/24', '10.77.0.11/24']; });

function synthPieces(lab: Lab, stack: string, t: Topo): void {
  lab.synth((app) => {
    const s = new TerraformStack(app, stack);
    buildTopo(s, t);
    new HostSysctl(s, 'fwd', { key: 'net.ipv4.ip_forward', value: '1' });
    return s;
  });
}

const fileState = (sb: Sandbox, paths: string) =>
  sb.sh(`find ${paths} -printf '%p %u %g %m %y %s %l\\n' 2>/dev/null | sort`).stdout;

export async function run(opts: RowOptions): Promise<RowResult> {
  const p = new Problems();
  const cycles = opts.quick ? 3 : 10;
  const spoofRounds = opts.quick ? 1 : 3;
  const stateRounds = opts.quick ? 1 : 2;
  const fig = { runs: 0, runsOk: 0, planted: 0, canary: false, bridge: false, rootFiles: -1, last: false,
    notAdopted: 0, adoptTries: 0, spoofChanged: 0, notDeleted: 0, deleteTries: 0, unsafeRefused: 0, untouched: 0, unsafeTotal: 0, umaskChecked: 0, umaskFiles: 0, umaskBad: 0 };

  // (a) FIFOs and symlinks planted by nobody while the engine applies and destroys
  await withSandbox((sb) => withLab(sb, 'sec', (lab) => {
    synthPieces(lab, 'sec', HOST_PIECES);
    sb.ok(`rm -rf /run/labcopy && cp -a ${q(lab.dir)} /run/labcopy && chmod 700 /run/labcopy`);
    sb.ok('mkdir -p -m 700 /run/canary && printf intact > /run/canary/secret && chmod 600 /run/canary/secret');
    sb.ok('ip link add br-mgmt type bridge && ip link set br-mgmt alias management && ip addr add 10.55.0.1/24 dev br-mgmt && ip link set br-mgmt up');
    const bridge = () => { const l = sb.ipJson('', '-d addr show dev br-mgmt')[0]; return l ? `${l.ifindex} ${l.ifalias} ${(l.flags ?? []).join(',')} ${(l.addr_info ?? []).map((a: any) => a.local).join(',')}` : ''; };
    const canary = () => sb.sh('stat -c "%u %g %a %s" /run/canary/secret && cat /run/canary/secret').stdout;
    const bridgeBefore = bridge();
    const canaryBefore = canary();
    const deployment = 'attacked-deployment-1';
    const token = createHash('sha256').update(deployment).digest('hex').slice(0, 12);
    const c = lab.engineCommands(deployment, '/run/labcopy');
    const marker = `cdktf-netns:sec@${token}/x`;
    const attacker = plantingAttacker({ rounds: 100000, canary: '/run/canary/secret', fifoLine: `br-mgmt ${marker}` });
    const script = `
      setsid ${asNobody(`sh -c ${q(attacker)}`)} > /dev/null 2>&1 &
      spy=$!
      sleep 0.3
      ok=0; runs=0
      for r in $(seq ${cycles}); do
        runs=$((runs+2))
        if ${c.apply} > /run/attack.log 2>&1; then ok=$((ok+1)); else echo "APPLY FAILED: $(tail -n 3 /run/attack.log)"; fi
        if ${c.destroy} >> /run/attack.log 2>&1; then ok=$((ok+1)); else echo "DESTROY FAILED: $(tail -n 3 /run/attack.log)"; fi
      done
      runs=$((runs+1))
      if ${c.apply} >> /run/attack.log 2>&1; then ok=$((ok+1)); else echo "APPLY FAILED: $(tail -n 3 /run/attack.log)"; fi
      echo "runs=$runs ok=$ok planted=$(find /tmp /var/tmp /dev/shm \\( -type l -o -type p \\) | wc -l) rootfiles=$(find /tmp /var/tmp /dev/shm -mindepth 1 ! -user 65534 | wc -l)"
      find /tmp /var/tmp /dev/shm -mindepth 1 ! -user 65534 | head -n 5
      # the attacker and every FIFO writer it left (one session, one process group): gone before the mounts go
      kill -9 -$spy 2>/dev/null || kill -9 $spy 2>/dev/null || true; wait $spy 2>/dev/null || true`;
    // private /tmp, /var/tmp, /dev/shm in a nested mount namespace (the engine's namespaces are the sandbox's)
    const r = withPrivateTmp(sb, script, 600_000);
    const m = /runs=(\d+) ok=(\d+) planted=(\d+) rootfiles=(\d+)/.exec(r.stdout);
    p.check(r.code === 0 && !!m, () => `attacker: the attacked runs did not complete (exit ${r.code}): ${tail(r.stdout + r.stderr)}`);
    if (m) {
      [fig.runs, fig.runsOk, fig.planted, fig.rootFiles] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
      p.check(fig.runsOk === fig.runs, () => `attacker: ${fig.runs - fig.runsOk} of ${fig.runs} engine runs failed:\n  ${r.stdout.split('\n').filter((l) => /FAILED/.test(l)).join('\n  ')}`);
      p.check(fig.planted > 0, 'attacker: nothing was planted (the attack did not run)');
      p.check(fig.rootFiles === 0, () => `attacker: root made ${fig.rootFiles} files in the shared directories: ${r.stdout.split('\n').slice(1, 6).join(' ')}`);
    }
    fig.canary = p.check(canary() === canaryBefore, () => `attacker: the canary changed: ${canaryBefore} -> ${canary()}`);
    fig.bridge = p.check(bridge() === bridgeBefore, () => `attacker: the foreign bridge changed: ${bridgeBefore} -> ${bridge() || '(gone)'}`);
    // the last apply: exactly the declared lab (with the attacked deployment's token), host forwarding on, ping
    fig.last = expectLab(p, 'attacker: after the last apply', sb, token, 'sec', HOST_PIECES, { ignoreHostLinks: ['br-mgmt'] }) &&
      p.check(sb.sysctl('', 'net.ipv4.ip_forward') === '1' && sb.ping('sa', '10.77.0.20') && sb.ping('', '10.77.0.10'), 'attacker: the last apply does not work (forwarding, ping)');
    const d = sb.sh(c.destroy);
    p.check(d.code === 0, () => `attacker: the final destroy failed: ${tail(d.stdout + d.stderr)}`);
    sb.sh('ip link del br-mgmt; rm -rf /run/labcopy /run/canary /run/attack.log');
    expectNothingLeft(p, 'attacker: after the final destroy', sb);
  }));

  // (b) a spoofed namespace wearing our marker
  for (let round = 1; round <= spoofRounds; round++) {
    const R = spoofRounds > 1 ? `round ${round}: ` : '';
    await withSandbox((sb) => withLab(sb, 'workshop', (lab) => withLab(sb, 'workshop', (fresh) => {
      let pid = '';
      try {
        synthTopo(lab, 'workshop', WORKSHOP);
        lab.applyOk();
        const token = tokenOf(lab);
        const marker = sb.ipJson('dev', 'link show lo')[0].ifalias;
        p.check(marker === `cdktf-netns:workshop@${token}/dev`, `${R}spoof: dev's marker is ${marker}`);
        // our dev is deleted behind our back; a container publishes its own namespace as "dev", wearing our marker
        sb.ok('ip netns del dev');
        // (with an interface named like ours inside, wearing our veth's marker too: what a copycat would do)
        const inner = `ip link set lo alias ${marker} && ip link add keep0 type veth peer name keep1 && ` +
          `ip link add veth-d type veth peer name keep2 && ip link set veth-d alias cdktf-netns:workshop@${token}/d; exec sleep 900`;
        pid = publishSpoofedNamespace(sb, 'dev', inner);
        const spoof = () => { const r = sb.sh('ip -n dev -j -d addr show'); return r.code === 0 ? JSON.stringify(JSON.parse(r.stdout).map((l: any) => [l.ifname, l.ifalias, l.linkinfo?.info_kind, (l.addr_info ?? []).map((a: any) => a.local)])) : ''; };
        const ino = () => sb.sh('stat -L -c %i /run/netns/dev').stdout.trim();
        const before = spoof();
        const inoBefore = ino();
        p.check(before.includes(marker) && before.includes('keep0'), `${R}spoof: the spoofed namespace is not as planted: ${before}`);
        // each step judged on its own (against the namespace as the step before left it)
        let last = before;
        const same = (what: string) => {
          const now = spoof();
          const ok = p.check(now === last && ino() === inoBefore, () => `${R}spoof: ${what} changed the spoofed namespace: ${last} -> ${now || '(gone)'}`);
          if (!ok) fig.spoofChanged++;
          last = now;
          return ok;
        };
        // never adopted: repair, a change of dev's objects, a new deployment of the lab
        const rep = cli(sb, 'repair', lab.dir);
        fig.adoptTries++;
        if ([p.check(rep.code === 1 && /namespace 'dev' carries this deployment's marker but is not the namespace it made/.test(rep.out),
          () => `${R}spoof: repair did not refuse it (exit ${rep.code}): ${tail(rep.out)}`), same('repair')].every(Boolean)) fig.notAdopted++;
        const changed = clone(WORKSHOP);
        changed.veths[1].a.addresses = ['172.16.20.12/24'];
        synthTopo(lab, 'workshop', changed);
        const ch = lab.apply();
        const chLines = engineLog(ch.stdout + ch.stderr).lines.join('\n');
        fig.adoptTries++;
        if ([p.check(ch.code !== 0 && /namespace 'dev' carries this deployment's marker but is not the namespace it made/.test(chLines),
          () => `${R}spoof: a change of dev's objects was not refused (exit ${ch.code}): ${tail(chLines || ch.stdout + ch.stderr)}`), same('the refused change')].every(Boolean)) fig.notAdopted++;
        synthTopo(fresh, 'workshop', WORKSHOP);
        const fr = fresh.apply();
        const frLines = engineLog(fr.stdout + fr.stderr).lines.join('\n');
        fig.adoptTries++;
        if ([p.check(fr.code !== 0 && new RegExp(`namespace 'dev' already exists and belongs to (another deployment of this lab \\(deployment ${token}|deployment ${token} of this lab too)`).test(frLines),
          () => `${R}spoof: a new deployment of the lab was not refused on it (exit ${fr.code}): ${tail(frLines || fr.stdout + fr.stderr)}`), same('the refused new deployment')].every(Boolean)) fig.notAdopted++;
        // never deleted: the lab's destroy, the refused deployment's destroy
        for (const [l, what] of [[fresh, 'the refused deployment\'s destroy'], [lab, 'the lab\'s destroy']] as Array<[Lab, string]>) {
          const d = l.terraform('destroy -auto-approve');
          fig.deleteTries++;
          if ([p.check(d.code === 0 && (l === fresh || /kept namespace dev/.test(d.stdout)), () => `${R}spoof: ${what} failed or did not say it kept dev (exit ${d.code}): ${tail(d.stdout + d.stderr)}`), same(what)].every(Boolean)) fig.notDeleted++;
        }
        expectNothingLeft(p, `${R}spoof: after the destroys (the spoofed dev aside)`, sb, { namespaces: ['dev'] });
      } finally {
        if (pid) sb.sh(`kill ${pid}`);
        sb.sh('ip netns del dev 2>/dev/null');
      }
    })));
  }

  // (c) untrusted state directories
  const UNSAFE: Array<[string, string, RegExp]> = [
    ['owned by nobody (pre-seeded with a host sysctl record)', 'mkdir -p /run/cdktf-netns/sysctl/net.ipv4.ip_forward && echo 1 > /run/cdktf-netns/sysctl/net.ipv4.ip_forward/orig && chown -R 65534:65534 /run/cdktf-netns', /state directory component \/run\/cdktf-netns is not owned by root/],
    ['mode 1777', 'mkdir -p /run/cdktf-netns && chmod 1777 /run/cdktf-netns', /state directory component \/run\/cdktf-netns is writable by group or others/],
    ['a symbolic link', 'mkdir -p /run/elsewhere && ln -s /run/elsewhere /run/cdktf-netns', /state directory component \/run\/cdktf-netns is a symbolic link/],
    ['below a world-writable directory', 'mkdir -p /run/cdktf-netns && chmod 777 /run', /state directory component \/run is writable by group or others/],
  ];
  for (let round = 1; round <= stateRounds; round++) {
    await withSandbox((sb) => withLab(sb, 'sec3', (lab) => {
      synthPieces(lab, 'sec3', HOST_PIECES);
      const fwd = hostForwarding(sb);
      for (const [what, seed, refusal] of UNSAFE) {
        const label = `${stateRounds > 1 ? `round ${round}: ` : ''}state directory ${what}`;
        fig.unsafeTotal++;
        sb.ok('rm -rf /run/cdktf-netns /run/elsewhere');
        sb.ok(seed);
        const planted = fileState(sb, '/run/cdktf-netns /run/cdktf-netns/ /run/elsewhere');
        try {
          const r = lab.apply();
          if (p.check(r.code !== 0 && refusal.test(r.stdout + r.stderr), () => `${label}: not refused (${refusal}; exit ${r.code}): ${tail(r.stdout + r.stderr)}`)) fig.unsafeRefused++;
          const touched: string[] = [];
          if (sb.namespaces().length) touched.push(`namespaces ${sb.namespaces().join(' ')}`);
          if (Object.keys(sb.links('')).length) touched.push(`host interfaces ${Object.keys(sb.links('')).join(' ')}`);
          if (sb.routes('').length) touched.push(`host routes ${sb.routes('').join('; ')}`);
          const f = hostForwarding(sb);
          if (JSON.stringify(f) !== JSON.stringify(fwd)) touched.push(`host forwarding ${f.join(' ')}`);
          const now = fileState(sb, '/run/cdktf-netns /run/cdktf-netns/ /run/elsewhere');
          if (now !== planted) touched.push(`the planted directories:\n    ${planted.trim().replace(/\n/g, '\n    ')}\n  became\n    ${now.trim().replace(/\n/g, '\n    ')}`);
          if (p.check(touched.length === 0, () => `${label}: the refused apply touched ${touched.join('; ')}`)) fig.untouched++;
        } finally {
          sb.ok('chmod 755 /run; rm -rf /run/cdktf-netns /run/elsewhere; mkdir -p -m 755 /run/cdktf-netns');
          lab.terraform('destroy -auto-approve');
        }
      }
      expectNothingLeft(p, 'state directories: after the cases', sb);
    }));
  }

  // (d) umask 000
  await withSandbox((sb) => withLab(sb, 'sec4', (lab) => {
    const tf = (args: string) => sb.sh(`umask 000 && terraform ${args} -auto-approve -input=false -no-color`, { cwd: lab.dir, env: TF_ENV });
    synthPieces(lab, 'sec4', HOST_PIECES);
    lab.terraform('version'); // initialised (outside the umask)
    sb.ok('rm -rf /run/cdktf-netns');
    const steps: Array<[string, () => { code: number; stdout: string; stderr: string }]> = [
      ['apply', () => tf('apply')],
      ['change', () => { synthPieces(lab, 'sec4', HOST_PIECES_2); return tf('apply'); }],
      ['destroy', () => tf('destroy')],
    ];
    for (const [what, step] of steps) {
      const r = step();
      p.check(r.code === 0, () => `umask 000: ${what} failed: ${tail(r.stdout + r.stderr)}`);
      if (what === 'change') p.check(labDiff(sb, lab, 'sec4', HOST_PIECES_2).length === 0, 'umask 000: the change is not exactly the declared lab');
      fig.umaskChecked++;
      fig.umaskFiles += Number(sb.sh('find /run/cdktf-netns | wc -l').stdout.trim());
      const bad = sb.sh('find /run/cdktf-netns -perm /022 -printf "%p %m\\n"').stdout.trim();
      const mode = sb.sh('stat -c %a /run/cdktf-netns').stdout.trim() || '(missing)';
      if (!p.check(bad === '' && mode === '700', `umask 000: after the ${what}: state directory mode ${mode}; writable by group or others: ${bad || 'nothing'}`)) fig.umaskBad++;
    }
    expectNothingLeft(p, 'umask 000: after the destroy', sb);
  }));

  return {
    figure: `planted FIFOs and symlinks: ${fig.runsOk}/${fig.runs} engine runs succeeded under attack (${cycles} apply/destroy cycles + 1 apply), ${fig.planted} files planted, ` +
      `canary ${fig.canary ? 'intact' : 'CHANGED'}, foreign host bridge ${fig.bridge ? 'intact' : 'CHANGED'}, ${fig.rootFiles} files made by root in the shared directories, ` +
      `last apply ${fig.last ? 'exactly the lab' : 'WRONG'}; spoofed namespace: never adopted ${fig.notAdopted}/${fig.adoptTries} (repair, a change, a new deployment), ` +
      `never deleted ${fig.notDeleted}/${fig.deleteTries} (destroys), changed by ${fig.spoofChanged} of those ${fig.adoptTries + fig.deleteTries} steps; untrusted state directories: refused ${fig.unsafeRefused}/${fig.unsafeTotal}, ` +
      `nothing touched ${fig.untouched}/${fig.unsafeTotal} (nobody-owned, 1777, symlink, world-writable parent); umask 000: ${fig.umaskBad} group/world-writable after apply, change, destroy ` +
      `(${fig.umaskFiles} paths checked, directory 700)`,
    pass: p.ok && fig.runs > 0 && fig.runsOk === fig.runs && fig.planted > 0 && fig.canary && fig.bridge && fig.rootFiles === 0 && fig.last &&
      fig.notAdopted === fig.adoptTries && fig.adoptTries === 3 * spoofRounds && fig.notDeleted === fig.deleteTries && fig.deleteTries === 2 * spoofRounds && fig.spoofChanged === 0 &&
      fig.unsafeRefused === fig.unsafeTotal && fig.untouched === fig.unsafeTotal && fig.unsafeTotal === UNSAFE.length * stateRounds && fig.umaskBad === 0 && fig.umaskChecked === 3,
    details: p.details,
  };
}
