/**
 * Row 12: labs contending for the host. The host's routing table and its
 * sysctls are shared by every lab on the machine; each is owned per
 * deployment.
 *
 *  (a) host routes. Lab rt1 routes P (10.99.0.0/24) and Q1 through its
 *      namespace; lab rt2 wants P too (and Q2): its apply is refused naming
 *      rt1's deployment ("made by deployment <token> of lab cdktf-netns:rt1/"),
 *      before anything is touched (the host's routes as they were, no rt2
 *      object). rt2 without P then deploys. Destroyed in both orders: after
 *      the first destroy the host holds exactly the other lab's routes (prefix,
 *      gateway, protocol 213); after the second, none.
 *      Exact-route delete: with rt1 deployed, an administrator re-points Q1
 *      through a link of their own (same prefix and protocol 213, another
 *      gateway) and adds a static route to R through it; lab rt3 wanting R is refused
 *      ("was not made by cdktf-netns") and its destroy keeps that route; rt1's
 *      destroy removes P (its exact route) and keeps the re-pointed Q1 and the
 *      administrator's R.
 *  (b) host sysctls. N labs hold IPv4 forwarding at 1, half of them spelling it
 *      net.ipv4.ip_forward, half net.ipv4.conf.all.forwarding (one setting, one
 *      record); two labs want it at 0 (one per spelling). Each round, with the
 *      host at 0 beforehand: all N apply at once; then half destroy while both
 *      conflicting labs apply (refused, naming a holder: "sets it to 0, but
 *      cdktf-netns:ccK/ (deployment T) holds it at 1"); then the conflicting
 *      labs and the other half destroy while the first half re-applies; then
 *      the first half destroys. After each step the host's value is checked
 *      against what the holders want (1 while any lab holds it, the original 0
 *      once none does) and the record against the holders (one owner file per
 *      live deployment, under the one spelling). A wrong restore is a step
 *      whose value differs: there must be 0.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { HostSysctl, Namespace, Route, VethPair } from '../../../lib';
import { Lab, TF_ENV } from '../../../test/support/lab';
import { Sandbox } from '../../../test/support/sandbox';
import { engineLog } from '../common/tf';
import { expectNothingLeft, Problems, RowOptions, RowResult, tail, tokenOf, withLab, withSandbox } from '../common/row';

const P = '10.99.0.0/24';

/** A namespace behind a host veth (10.8<octet>.0.0/24), and host routes to `dests` through it. */
function routeStack(lab: Lab, id: string, octet: number, dests: string[]): void {
  lab.synth((app) => {
    const s = new TerraformStack(app, id);
    const ns = new Namespace(s, 'ns', { name: `${id}-ns` });
    new VethPair(s, 'link', {
      a: { name: 'eth0', namespace: ns, addresses: [`10.8${octet}.0.2/24`] },
      b: { name: `${id}-host`, addresses: [`10.8${octet}.0.1/24`] },
    });
    dests.forEach((d, i) => new Route(s as Construct, `r${i}`, { namespace: Namespace.HOST, destination: d, via: `10.8${octet}.0.2` }));
    return s;
  });
}

/** The host's routes that are not the kernel's own: `DEST via GW proto P`, sorted. */
function hostRoutes(sb: Sandbox): string[] {
  return sb.ipJson('', '-4 route show').filter((r: any) => r.protocol !== 'kernel')
    .map((r: any) => `${r.dst} via ${r.gateway ?? '-'} proto ${r.protocol}`).sort();
}
const route = (dest: string, octet: number) => `${dest} via 10.8${octet}.0.2 proto 213`;
const same = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** A lab holding one host sysctl. */
function sysctlStack(lab: Lab, id: string, key: string, value: string): void {
  lab.synth((app) => {
    const s = new TerraformStack(app, id);
    new HostSysctl(s, 'k', { key, value });
    return s;
  });
}

/** `terraform VERB` in several labs at once; per lab: exit code and output. */
function concurrently(sb: Sandbox, jobs: Array<[Lab, 'apply' | 'destroy']>): Array<{ code: number; out: string }> {
  const script = jobs.map(([l, verb], i) =>
    `(cd '${l.dir}' && terraform ${verb} -auto-approve -input=false -no-color > run.${i}.log 2>&1; echo $? > run.${i}.rc) &`).join('\n');
  sb.sh(`${script}\nwait`, { env: TF_ENV, timeoutMs: 300_000 });
  return jobs.map(([l], i) => {
    const r = sb.sh(`cat run.${i}.rc; echo @@; cat run.${i}.log; rm -f run.${i}.rc run.${i}.log`, { cwd: l.dir });
    const [rc, ...out] = r.stdout.split('@@\n');
    return { code: Number(rc.trim()), out: out.join('@@\n') };
  });
}

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const sysRounds = opts.quick ? 2 : 5;
  const N = opts.quick ? 4 : 6;
  const p = new Problems();
  let refusedByName = 0;
  const orders = new Map<string, number>();
  let exact = 0;
  // (a) host routes
  for (let round = 1; round <= rounds; round++) {
    const R = rounds > 1 ? `round ${round}: ` : '';
    for (const first of ['rt2', 'rt1']) {
      await withSandbox((sb) => withLab(sb, 'rt1', (rt1) => withLab(sb, 'rt2', (rt2) => {
        const before = p.list.length;
        const label = `${R}routes, ${first} destroyed first`;
        routeStack(rt1, 'rt1', 1, [P, '10.98.1.0/24']);
        rt1.applyOk();
        const t1 = tokenOf(rt1);
        const mine1 = [route(P, 1), route('10.98.1.0/24', 1)];
        p.check(same(hostRoutes(sb), mine1), () => `${label}: after rt1's deploy the host routes are ${hostRoutes(sb).join('; ')}`);
        routeStack(rt2, 'rt2', 2, [P, '10.98.2.0/24']);
        const r = rt2.apply();
        const lines = engineLog(r.stdout + r.stderr).lines.join('\n');
        if (p.check(r.code !== 0 && new RegExp(`a route to 10\\.99\\.0\\.0/24 already exists in the host namespace \\(via '10\\.81\\.0\\.2', protocol 213\\), made by deployment ${t1} of lab cdktf-netns:rt1/`).test(lines),
          () => `${label}: rt2's route to ${P} not refused naming rt1's deployment ${t1} (exit ${r.code}): ${tail(lines || r.stdout + r.stderr)}`)) refusedByName++;
        // refused before anything was touched
        p.check(same(hostRoutes(sb), mine1) && !sb.namespaces().includes('rt2-ns') && !('rt2-host' in sb.links('')),
          () => `${label}: rt2's refused apply touched the host: routes ${hostRoutes(sb).join('; ')}, namespaces ${sb.namespaces().join(' ')}`);
        routeStack(rt2, 'rt2', 2, ['10.98.2.0/24']);
        rt2.applyOk();
        const mine2 = [route('10.98.2.0/24', 2)];
        p.check(same(hostRoutes(sb), [...mine1, ...mine2]), () => `${label}: with both deployed the host routes are ${hostRoutes(sb).join('; ')}`);
        const [a, b, other] = first === 'rt1' ? [rt1, rt2, mine2] : [rt2, rt1, mine1];
        a.destroyOk();
        p.check(same(hostRoutes(sb), other), () => `${label}: after destroying ${first} the host routes are ${hostRoutes(sb).join('; ')}, expected exactly the other's: ${other.join('; ')}`);
        const otherNs = first === 'rt1' ? 'rt2-ns' : 'rt1-ns';
        p.check(sb.ping(otherNs, first === 'rt1' ? '10.82.0.1' : '10.81.0.1'), `${label}: the other lab no longer pings the host`);
        b.destroyOk();
        p.check(hostRoutes(sb).length === 0, () => `${label}: after both destroys the host routes are ${hostRoutes(sb).join('; ')}`);
        expectNothingLeft(p, `${label}: after both destroys`, sb);
        if (p.list.length === before) orders.set(first, (orders.get(first) ?? 0) + 1);
      })));
    }
    // exact-route delete, and an administrator's route
    await withSandbox((sb) => withLab(sb, 'rt1', (rt1) => withLab(sb, 'rt3', (rt3) => {
      const before = p.list.length;
      const label = `${R}exact routes`;
      routeStack(rt1, 'rt1', 1, [P, '10.98.1.0/24']);
      rt1.applyOk();
      sb.ok('ip link add adm0 type veth peer name adm1 && ip addr add 10.96.0.1/24 dev adm0 && ip link set adm0 up && ip link set adm1 up');
      sb.ok('ip route replace 10.98.1.0/24 via 10.96.0.2 proto 213 && ip route add 10.97.0.0/24 via 10.96.0.3 proto static');
      const theirs = ['10.98.1.0/24 via 10.96.0.2 proto 213', '10.97.0.0/24 via 10.96.0.3 proto static'];
      routeStack(rt3, 'rt3', 3, ['10.97.0.0/24']);
      const r = rt3.apply();
      const lines = engineLog(r.stdout + r.stderr).lines.join('\n');
      p.check(r.code !== 0 && /a route to 10\.97\.0\.0\/24 already exists in the host namespace and was not made by cdktf-netns \(via '10\.96\.0\.3', protocol static\)/.test(lines),
        () => `${label}: rt3's route over an administrator's not refused (exit ${r.code}): ${tail(lines || r.stdout + r.stderr)}`);
      rt3.destroyOk();
      p.check(same(hostRoutes(sb), [route(P, 1), ...theirs]), () => `${label}: after rt3's destroy the host routes are ${hostRoutes(sb).join('; ')}`);
      rt1.destroyOk();
      p.check(same(hostRoutes(sb), theirs), () => `${label}: after rt1's destroy the host routes are ${hostRoutes(sb).join('; ')}, expected exactly the administrator's: ${theirs.join('; ')}`);
      sb.ok('ip route del 10.97.0.0/24; ip route del 10.98.1.0/24; ip link del adm0');
      expectNothingLeft(p, `${label}: after the destroys`, sb);
      if (p.list.length === before) exact++;
    })));
  }
  // (b) host sysctls
  const sys = { runs: 0, ok: 0, steps: 0, wrong: 0, recordErrors: 0, conflicts: 0, refused: 0 };
  await withSandbox(async (sb) => {
    const labs: Lab[] = [];
    try {
      const holders = Array.from({ length: N }, (_, i) => {
        const l = new Lab(sb, `cc${i + 1}`);
        labs.push(l);
        sysctlStack(l, `cc${i + 1}`, i % 2 ? 'net.ipv4.conf.all.forwarding' : 'net.ipv4.ip_forward', '1');
        return l;
      });
      const conflicting = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding'].map((key, i) => {
        const l = new Lab(sb, `cx${i + 1}`);
        labs.push(l);
        sysctlStack(l, `cx${i + 1}`, key, '0');
        return l;
      });
      for (const l of labs) l.terraform('version'); // initialise each
      const h1 = holders.slice(0, N / 2);
      const h2 = holders.slice(N / 2);
      const value = () => sb.sysctl('', 'net.ipv4.ip_forward');
      const owners = () => sb.sh('ls /run/cdktf-netns/sysctl/net.ipv4.ip_forward 2>/dev/null | grep -c "^owner\\."').stdout.trim();
      const keys = () => sb.sh('ls /run/cdktf-netns/sysctl 2>/dev/null').stdout.split('\n').filter(Boolean);
      const check = (label: string, live: number) => {
        sys.steps++;
        const v = value();
        const want = live > 0 ? '1' : '0';
        if (!p.check(v === want, `${label}: host ip_forward is ${v} with ${live} holders, expected ${want}`)) sys.wrong++;
        const k = keys();
        const o = Number(owners() || 0);
        if (!p.check(o === live && (live === 0 ? k.length === 0 : k.join() === 'net.ipv4.ip_forward'),
          `${label}: the record has ${o} owner files under [${k.join(', ')}], expected ${live} under [net.ipv4.ip_forward]`)) sys.recordErrors++;
      };
      const expectRuns = (label: string, jobs: Array<[Lab, 'apply' | 'destroy']>, results: Array<{ code: number; out: string }>, refused: Lab[] = []) => {
        results.forEach((r, i) => {
          const [l, verb] = jobs[i];
          sys.runs++;
          if (refused.includes(l)) {
            sys.conflicts++;
            const lines = engineLog(r.out).lines.join('\n');
            if (p.check(r.code !== 0 && /host sysctl net\.ipv4\.ip_forward: this lab \(cdktf-netns:cx\d\/, deployment [0-9a-f]{12}\) sets it to 0, but cdktf-netns:cc\d+\/ \(deployment [0-9a-f]{12}\) holds it at 1/.test(lines),
              () => `${label}: the conflicting ${verb} was not refused naming a holder (exit ${r.code}): ${tail(lines || r.out)}`)) sys.refused++;
          } else if (p.check(r.code === 0, () => `${label}: ${verb} failed (exit ${r.code}): ${tail(r.out)}`)) sys.ok++;
        });
      };
      p.check(value() === '0', `host ip_forward is ${value()} before the first round`);
      for (let round = 1; round <= sysRounds; round++) {
        const R = `sysctls round ${round}`;
        let jobs: Array<[Lab, 'apply' | 'destroy']> = holders.map((l) => [l, 'apply']);
        expectRuns(`${R}, all apply`, jobs, concurrently(sb, jobs));
        check(`${R}, all applied`, N);
        jobs = [...h1.map((l): [Lab, 'destroy'] => [l, 'destroy']), ...conflicting.map((l): [Lab, 'apply'] => [l, 'apply'])];
        expectRuns(`${R}, half destroy while the conflicting apply`, jobs, concurrently(sb, jobs), conflicting);
        check(`${R}, half destroyed, the conflicting refused`, h2.length);
        jobs = [...conflicting.map((l): [Lab, 'destroy'] => [l, 'destroy']), ...h2.map((l): [Lab, 'destroy'] => [l, 'destroy']), ...h1.map((l): [Lab, 'apply'] => [l, 'apply'])];
        expectRuns(`${R}, the other half and the conflicting destroy while the first half re-applies`, jobs, concurrently(sb, jobs));
        check(`${R}, the first half holds it`, h1.length);
        jobs = h1.map((l) => [l, 'destroy']);
        expectRuns(`${R}, the first half destroys`, jobs, concurrently(sb, jobs));
        check(`${R}, all destroyed`, 0);
      }
      expectNothingLeft(p, 'after the sysctl rounds', sb);
    } finally {
      for (const l of labs) l.dispose();
    }
  });
  const ordersOk = [...orders.values()].reduce((a, b) => a + b, 0);
  return {
    figure: `host routes: the second lab's route to the same prefix refused naming the first's deployment ${refusedByName}/${2 * rounds} (nothing touched); ` +
      `destroyed in both orders, the other's routes exactly kept ${ordersOk}/${2 * rounds} (rt2 first ${orders.get('rt2') ?? 0}/${rounds}, rt1 first ${orders.get('rt1') ?? 0}/${rounds}); ` +
      `exact-route delete ${exact}/${rounds} (destroy removed only our exact route: a route of ours re-pointed through another gateway and an administrator's static route kept; a lab wanting the administrator's prefix refused); ` +
      `host sysctls: ${N} labs (both spellings) x ${sysRounds} rounds applying/destroying concurrently, ${sys.ok}/${sys.runs - sys.conflicts} runs succeeded, ` +
      `${sys.wrong} wrong restores in ${sys.steps} checks, ${sys.recordErrors} record mismatches, conflicting values refused naming the holder ${sys.refused}/${sys.conflicts}`,
    pass: p.ok && refusedByName === 2 * rounds && ordersOk === 2 * rounds && exact === rounds && sys.wrong === 0 && sys.recordErrors === 0 &&
      sys.refused === sys.conflicts && sys.conflicts > 0 && sys.ok === sys.runs - sys.conflicts,
    details: p.details,
  };
}
