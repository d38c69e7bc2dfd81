/**
 * Row 9: hostile input. A corpus of inputs must be refused at synth time,
 * before anything reaches a shell or Terraform: every injection payload
 * (command substitution, backticks, separators, pipes, quote breakouts,
 * Terraform `${}` / `%{}`, newline, NUL) in every string a user can pass
 * (alone and appended to a valid value), plus malformed values (over-long,
 * empty and reserved names, unicode look-alikes, bad CIDRs and prefix
 * lengths, host bits where a network is expected, VLAN ids and MTUs out of
 * range, duplicate names / addresses / routes, unreachable gateways, a veth
 * whose two ends are the same interface, option-like names, non-net sysctls,
 * unsafe context values). Each must throw a cdktf-netns error naming the
 * construct path with a "Fix:".
 *
 * Every payload tries to create a canary file. A positive control first runs
 * the payloads through naive shell templates (`sh -c 'echo <value>'`, value
 * unquoted, double- and single-quoted; in the sandbox) to show that they do
 * create it when they reach a shell. After the corpus, a legit
 * lab whose stack id and construct ids carry the same payloads (ids are not
 * refused: they only reach the plan as sanitized markers) is applied and
 * destroyed with Terraform in the sandbox, and the canary must not exist.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack } from 'cdktf';
import { Bridge, HostSysctl, INamespace, Namespace, NetnsError, Route, Router, VethPair, VlanInterface } from '../../../lib';
import { captureLab, ping } from '../common/kernel';
import { expectNothingLeft, Problems, RowOptions, RowResult, tail, tokenOf, withLab, withSandbox } from '../common/row';

const CANARY_NAME = `cdktf-netns-canary-${process.pid}`;
const CANARY = join('/tmp', CANARY_NAME);
const CONTROL = join('/tmp', `cdktf-netns-canary-control-${process.pid}`);

/** Injection payloads; every one of them tries to create `file`. */
function payloads(file: string): Array<[string, string]> {
  return [
    ['command substitution', `$(touch ${file})`],
    ['backticks', `\`touch ${file}\``],
    ['separator', `;touch ${file}`],
    ['pipe', `|touch ${file}`],
    ['and-list', `&&touch ${file}`],
    ['newline', `\ntouch ${file}`],
    ['quote breakout', `'";touch ${file};"'`],
    ['Terraform interpolation', `$(touch ${file})\${file("${file}")}`],
    ['Terraform directive', `%{ if true }$(touch ${file})%{ endif }`],
    ['NUL', `x\0$(touch ${file})`],
  ];
}

type Build = (s: TerraformStack, v: any) => void;
const pair = (s: TerraformStack, a: object = {}, b: object = {}, ns?: INamespace) =>
  new VethPair(s, 'p', {
    a: { name: 'v0', addresses: ['10.0.0.1/24'], ...a },
    b: { name: 'v1', namespace: ns ?? new Namespace(s, 'ns'), addresses: ['10.0.0.2/24'], ...b },
  });
const inNs = (s: TerraformStack) => { const ns = new Namespace(s, 'ns'); pair(s, {}, {}, ns); return ns; };
const connect = (s: TerraformStack, id: string, o: object) => new Router(s, 'r').connect(id, new Namespace(s, 'ns'), { address: '10.0.5.1/24', ...o });

/** [prop, a valid carrier value, builder, construct path named in the error, context key (for context props)] */
const PROPS: Array<[string, string, Build, string, string?]> = [
  ['Namespace name', 'ns', (s, v) => new Namespace(s, 'ns', { name: v }), 'h/ns'],
  ['Namespace id (its default name)', 'ns', (s, v) => new Namespace(s, v), 'h/'],
  ['Router name', 'rt', (s, v) => new Router(s, 'r', { name: v }), 'h/r'],
  ['namespace sysctl key', 'net.ipv4.ip_forward', (s, v) => new Namespace(s, 'ns', { sysctls: { [v]: '1' } }), 'h/ns'],
  ['namespace sysctl value', '1', (s, v) => new Namespace(s, 'ns', { sysctls: { 'net.ipv4.ip_forward': v } }), 'h/ns'],
  ['veth host-side name', 'v0', (s, v) => pair(s, { name: v }), 'h/p'],
  ['veth namespace-side name', 'v1', (s, v) => pair(s, {}, { name: v }), 'h/p'],
  ['veth host-side address', '10.0.0.1/24', (s, v) => pair(s, { addresses: [v] }), 'h/p'],
  ['veth namespace-side address', '10.0.0.2/24', (s, v) => pair(s, {}, { addresses: [v] }), 'h/p'],
  ['Bridge name', 'br0', (s, v) => new Bridge(s, 'br', { name: v }), 'h/br'],
  ['Bridge address', '10.0.1.1/24', (s, v) => new Bridge(s, 'br', { name: 'br0', addresses: [v] }), 'h/br'],
  ['VlanInterface name', 'v10', (s, v) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, name: v }), 'h/v'],
  ['VlanInterface parent name', 'eth0', (s, v) => new VlanInterface(s, 'v', { parent: v, vlanId: 10, name: 'v10' }), 'h/v'],
  ['VlanInterface address', '10.0.10.1/24', (s, v) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 10, addresses: [v] }), 'h/v'],
  ['Route destination', '10.0.2.0/24', (s, v) => new Route(s, 'rt', { namespace: inNs(s), destination: v, via: '10.0.0.1' }), 'h/rt'],
  ['Route via', '10.0.0.1', (s, v) => new Route(s, 'rt', { namespace: inNs(s), destination: 'default', via: v }), 'h/rt'],
  ['HostSysctl key', 'net.ipv4.ip_forward', (s, v) => new HostSysctl(s, 'k', { key: v, value: '1' }), 'h/k'],
  ['HostSysctl value', '1', (s, v) => new HostSysctl(s, 'k', { key: 'net.ipv4.ip_forward', value: v }), 'h/k'],
  ['Router.connect id', 'lan', (s, v) => connect(s, v, {}), 'h/r'],
  ['Router.connect address', '10.0.5.1/24', (s, v) => connect(s, 'lan', { address: v }), 'h/r/lan'],
  ['Router.connect peerAddress', '10.0.5.2/24', (s, v) => connect(s, 'lan', { peerAddress: v }), 'h/r/lan'],
  ['Router.connect interfaceName', 'lan-r', (s, v) => connect(s, 'lan', { interfaceName: v }), 'h/r/lan'],
  ['Router.connect peerInterfaceName', 'lan', (s, v) => connect(s, 'lan', { peerInterfaceName: v }), 'h/r/lan'],
  ['context cdktf-netns:prefix', 'lab-', (s) => pair(s), 'h/', 'cdktf-netns:prefix'],
  ['context cdktf-netns:stateDir', '/run/lab', (s) => pair(s), 'h/', 'cdktf-netns:stateDir'],
  ['context cdktf-netns:backend', 'terraform_data', (s) => pair(s), 'h/', 'cdktf-netns:backend'],
];

const MALFORMED: Array<[string, (s: TerraformStack) => void, string, Record<string, unknown>?]> = [
  ['interface name of 16 characters', (s) => pair(s, { name: 'abcdefghijklmnop' }), 'h/p'],
  ['namespace name of 65 characters', (s) => new Namespace(s, 'ns', { name: 'n'.repeat(65) }), 'h/ns'],
  ['empty namespace name', (s) => new Namespace(s, 'ns', { name: '' }), 'h/ns'],
  ['empty interface name', (s) => pair(s, { name: '' }), 'h/p'],
  ['interface named lo', (s) => pair(s, {}, { name: 'lo' }), 'h/p'],
  ['namespace named ..', (s) => new Namespace(s, 'ns', { name: '..' }), 'h/ns'],
  ['option-like namespace name -n', (s) => new Namespace(s, 'ns', { name: '-n' }), 'h/ns'],
  ['option-like interface name -all', (s) => pair(s, { name: '-all' }), 'h/p'],
  ['namespace name with a Cyrillic e', (s) => new Namespace(s, 'ns', { name: 'sal\u0435s' }), 'h/ns'],
  ['interface name with a Cyrillic e', (s) => pair(s, { name: 'v\u0435th0' }), 'h/p'],
  ['namespace name with a zero-width space', (s) => new Namespace(s, 'ns', { name: 'sales\u200b' }), 'h/ns'],
  ['namespace name with a right-to-left override', (s) => new Namespace(s, 'ns', { name: 'sales\u202e' }), 'h/ns'],
  ['address with fullwidth digits', (s) => pair(s, { addresses: ['\uff11\uff10.0.0.1/24'] }), 'h/p'],
  ['address without prefix length', (s) => pair(s, { addresses: ['10.0.0.1'] }), 'h/p'],
  ['prefix length 33', (s) => pair(s, { addresses: ['10.0.0.1/33'] }), 'h/p'],
  ['octet 256', (s) => pair(s, { addresses: ['10.0.0.256/24'] }), 'h/p'],
  ['octet with a leading zero (octal?)', (s) => pair(s, { addresses: ['010.0.0.1/24'] }), 'h/p'],
  ['prefix length with a leading zero', (s) => pair(s, { addresses: ['10.0.0.1/024'] }), 'h/p'],
  ['IPv6 prefix length 129', (s) => pair(s, { addresses: ['fd00::1/129'] }), 'h/p'],
  ['IPv6 with :::', (s) => pair(s, { addresses: ['fd00:::1/64'] }), 'h/p'],
  ['network address as interface address', (s) => pair(s, { addresses: ['10.0.0.0/24'] }), 'h/p'],
  ['broadcast address as interface address', (s) => pair(s, { addresses: ['10.0.0.255/24'] }), 'h/p'],
  ['route destination with host bits set', (s) => new Route(s, 'rt', { namespace: inNs(s), destination: '10.0.2.1/24', via: '10.0.0.1' }), 'h/rt'],
  ['IPv6 route destination with host bits set', (s) => new Route(s, 'rt', { namespace: inNs(s), destination: 'fd00:2::1/64', via: 'fd00::1' }), 'h/rt'],
  ['gateway with a prefix length', (s) => new Route(s, 'rt', { namespace: inNs(s), destination: 'default', via: '10.0.0.1/24' }), 'h/rt'],
  ['gateway of the other address family', (s) => new Route(s, 'rt', { namespace: inNs(s), destination: '10.0.2.0/24', via: 'fd00::1' }), 'h/rt'],
  ['route via an unreachable gateway', (s) => new Route(s, 'rt', { namespace: inNs(s), destination: 'default', via: '10.9.9.9' }), 'h/rt'],
  ['VLAN id 0', (s) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 0 }), 'h/v'],
  ['VLAN id 4095', (s) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 4095 }), 'h/v'],
  ['VLAN id -1', (s) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: -1 }), 'h/v'],
  ['VLAN id 1.5', (s) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: 1.5 }), 'h/v'],
  ['VLAN id NaN', (s) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: NaN }), 'h/v'],
  ['VLAN id as a string', (s) => new VlanInterface(s, 'v', { parent: 'eth0', vlanId: '10' as any }), 'h/v'],
  ['MTU 67', (s) => pair(s, { mtu: 67 }), 'h/p'],
  ['MTU 65536', (s) => pair(s, { mtu: 65536 }), 'h/p'],
  ['MTU 1500.5', (s) => pair(s, { mtu: 1500.5 }), 'h/p'],
  ['MTU 0', (s) => pair(s, { mtu: 0 }), 'h/p'],
  ['two namespaces with one name', (s) => { new Namespace(s, 'a', { name: 'x' }); new Namespace(s, 'b', { name: 'x' }); }, 'h/b'],
  ['two interfaces with one name in a namespace', (s) => { const ns = inNs(s); new VethPair(s, 'q', { a: { name: 'v1', namespace: ns }, b: { name: 'w' } }); }, 'h/q'],
  ['one address listed twice', (s) => pair(s, { addresses: ['10.0.0.1/24', '10.0.0.1/24'] }), 'h/p'],
  ['one address on both ends of a veth pair', (s) => pair(s, {}, { addresses: ['10.0.0.1/24'] }), 'h/p'],
  ['one address on two interfaces of a namespace', (s) => {
    const ns = inNs(s); new VethPair(s, 'q', { a: { name: 'w0', namespace: ns, addresses: ['10.0.0.2/24'] }, b: { name: 'w1' } });
  }, 'h/'],
  ['two routes to one destination', (s) => {
    const ns = inNs(s); new Route(s, 'r1', { namespace: ns, destination: 'default', via: '10.0.0.1' });
    new Route(s, 'r2', { namespace: ns, destination: '0.0.0.0/0', via: '10.0.0.1' });
  }, 'h/r2'],
  ['a veth with both ends on one namespace and name', (s) => { const ns = new Namespace(s, 'ns'); new VethPair(s, 'p', { a: { name: 'x', namespace: ns }, b: { name: 'x', namespace: ns } }); }, 'h/p'],
  ['a bridge port with addresses', (s) => { const br = new Bridge(s, 'br', { name: 'br0' }); pair(s, { bridge: br }); }, 'h/br'],
  ['a bridge port in another namespace', (s) => { const br = new Bridge(s, 'br', { name: 'br0' }); pair(s, {}, { bridge: br, addresses: [] }); }, 'h/br'],
  ['namespace sysctl outside net.* (kernel.core_pattern)', (s) => new Namespace(s, 'ns', { sysctls: { 'kernel.core_pattern': '|/tmp/x' } }), 'h/ns'],
  ['host sysctl outside net.* (kernel.core_pattern)', (s) => new HostSysctl(s, 'k', { key: 'kernel.core_pattern', value: 'core' }), 'h/k'],
  ['sysctl key with a path traversal', (s) => new Namespace(s, 'ns', { sysctls: { 'net.ipv4/../../kernel/core_pattern': '1' } }), 'h/ns'],
  ['state directory with ..', (s) => pair(s), 'h/', { 'cdktf-netns:stateDir': '/run/../etc' }],
  ['relative state directory', (s) => pair(s), 'h/', { 'cdktf-netns:stateDir': 'run/x' }],
  ['prefix of 13 characters', (s) => pair(s), 'h/', { 'cdktf-netns:prefix': 'abcdefghijklm' }],
  ['prefix that makes a host interface name too long', (s) => pair(s, { name: 'veth-host' }), 'h/p', { 'cdktf-netns:prefix': 'abcdefghijkl' }],
  ['unknown backend', (s) => pair(s), 'h/', { 'cdktf-netns:backend': 'local' }],
  ['Namespace props that are not an object', (s) => new Namespace(s, 'ns', 'x' as any), 'h/ns'],
  ['addresses that are not a list', (s) => pair(s, { addresses: '10.0.0.1/24' as any }), 'h/p'],
  ['a Route namespace that is not a namespace', (s) => new Route(s, 'rt', { namespace: {} as any, destination: 'default', via: '10.0.0.1' }), 'h/rt'],
];

interface Outcome { refused: boolean; kind: 'construction' | 'synth' | 'accepted' | 'other'; message: string }

function attempt(outdir: string, build: (s: TerraformStack) => void, context: Record<string, unknown> = {}): Outcome {
  try {
    const app = new App({ outdir, context: { 'cdktf-netns:backend': 'terraform_data', ...context } });
    const stack = new TerraformStack(app, 'h');
    let constructed = false;
    try {
      build(stack);
      constructed = true;
      app.synth();
      return { refused: false, kind: 'accepted', message: '' };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!constructed) return { refused: e instanceof NetnsError, kind: e instanceof NetnsError ? 'construction' : 'other', message };
      // cross-construct rules run as cdktf validations: app.synth() throws the library's messages
      return { refused: e instanceof NetnsError || /Validation failed with the following errors:[\s\S]*cdktf-netns: /.test(message), kind: 'synth', message };
    }
  } catch (e) {
    return { refused: false, kind: 'other', message: String(e) };
  }
}

/**
 * The error names the construct path and a fix, and shows the value escaped:
 * no raw newline or NUL after the path. (When the hostile value is a construct
 * id, the path itself carries it raw: constructs' own rendering, reported
 * separately.)
 */
function helpful(o: Outcome, path: string, rawId?: string): boolean {
  let msg = o.kind === 'synth' ? o.message.slice(o.message.indexOf('cdktf-netns: ')).split('\n\nIf you wish')[0].trim() : o.message;
  if (rawId) msg = msg.replace(rawId.replace(/\//g, '--'), '<id>');
  return msg.startsWith(`cdktf-netns: ${path}`) && /Fix: \S/.test(msg) && !/[\n\0]/.test(msg);
}

export async function run(opts: RowOptions): Promise<RowResult> {
  void opts; // synth-time checks are fast: the quick run does the whole corpus
  const p = new Problems();
  rmSync(CANARY, { force: true });
  rmSync(CONTROL, { force: true });
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-netns-hostile-'));
  let total = 0;
  let refused = 0;
  let atConstruction = 0;
  let atSynth = 0;
  let controls = 0;
  let reached = 0;
  let legitOk = false;
  try {
    // the corpus
    const check = (label: string, path: string, build: (s: TerraformStack) => void, context?: Record<string, unknown>, rawId?: string) => {
      total++;
      const o = attempt(outdir, build, context);
      if (!p.check(o.refused, () => `${label}: ${o.kind === 'accepted' ? 'ACCEPTED' : `not a cdktf-netns error: ${o.message.slice(0, 300)}`}`)) return;
      if (!p.check(helpful(o, path, rawId), () => `${label}: the error does not name ${path} with a Fix (or shows a raw control character): ${JSON.stringify(o.message.slice(0, 400))}`)) return;
      refused++;
      if (o.kind === 'construction') atConstruction++; else atSynth++;
    };
    for (const [prop, valid, build, path, ctx] of PROPS) {
      for (const [name, payload] of payloads(CANARY)) {
        for (const [form, v] of [['alone', payload], ['after a valid value', valid + payload]] as const) {
          const label = `${prop} <- ${name} (${form})`;
          if (ctx) check(label, path, (s) => build(s, undefined), { [ctx]: v });
          else check(label, path, (s) => build(s, v), undefined, /\bid\b/.test(prop) ? v : undefined);
        }
      }
    }
    for (const [label, build, path, ctx] of MALFORMED) check(label, path, build, ctx);

    await withSandbox(async (sb) => {
      // positive control: the payloads are live when they do reach a shell
      const live = payloads(CONTROL).filter(([, v]) => !v.includes('\0'));
      const naive = [(v: string) => `echo ${v}`, (v: string) => `echo "${v}"`, (v: string) => `echo '${v}'`];
      for (const [name, v] of live) {
        let fired = false;
        for (const tpl of naive) {
          rmSync(CONTROL, { force: true });
          const cmd = tpl(v);
          sb.sh(`sh -c '${cmd.replace(/'/g, `'\\''`)}' >/dev/null 2>&1`);
          fired = fired || existsSync(CONTROL);
        }
        if (p.check(fired, `positive control: the ${name} payload did not create the canary in any naive shell template`)) controls++;
      }
      rmSync(CONTROL, { force: true });
      p.check(controls === live.length, `positive control: ${controls}/${live.length} payloads live`);
      // the pipeline runs for real: a lab whose ids carry payloads (file-creating redirections: ids allow no spaces in stacks)
      const rel = (n: number) => `${CANARY_NAME}.${n}`;
      const stackId = `evil$(>${rel(1)})\`>${rel(2)}\`;>${rel(3)}|>${rel(4)}`;
      const problemsBefore = p.list.length;
      await withLab(sb, stackId, (lab) => {
        lab.synth((app) => {
          const s = new TerraformStack(app, stackId);
          const web = new Namespace(s, `n$(>${rel(5)}) \`>${rel(6)}\``, { name: 'web' });
          new VethPair(s, `p;>${rel(7)} \${path.root} %{ if true }x%{ endif } '"$(touch ${CANARY})"'`, {
            a: { name: 'v0', addresses: ['10.0.0.1/24'] }, b: { name: 'v1', namespace: web, addresses: ['10.0.0.2/24'] },
          });
          return s;
        });
        const a = lab.apply();
        if (p.check(a.code === 0, () => `legit lab with hostile ids: apply failed: ${tail(a.stdout + a.stderr)}`)) {
          const state = captureLab(sb);
          const markers = state.filter((l) => l.startsWith('ns ') || l.startsWith('link ')).map((l) => /marker=(\S+)/.exec(l)![1]);
          // sanitized stack and path, and this deployment's token between them
          const token = tokenOf(lab);
          p.check(state.length === 3 && markers.every((m) => new RegExp(`^cdktf-netns:evil_+[A-Za-z0-9_.:-]*~[0-9a-f]{8}@${token}\\/[A-Za-z0-9_./:~-]+$`).test(m)),
            () => `legit lab with hostile ids: unexpected kernel state (markers must be sanitized):\n  ${state.join('\n  ')}`);
          p.check(ping(sb, '', '10.0.0.2') && ping(sb, 'web', '10.0.0.1'), 'legit lab with hostile ids: no ping between host and web');
          p.check(lab.planExitCode() === 0, 'legit lab with hostile ids: a second plan shows changes');
          const d = lab.terraform('destroy -auto-approve');
          p.check(d.code === 0, () => `legit lab with hostile ids: destroy failed: ${tail(d.stdout + d.stderr)}`);
          legitOk = expectNothingLeft(p, 'legit lab with hostile ids', sb) && p.list.length === problemsBefore;
        }
        // the canary: in /tmp (absolute payloads) and in every directory a provisioner could have run in (relative payloads)
        const dirs = [lab.dir, process.cwd(), '/tmp', '/root', '/'];
        for (const dir of dirs) {
          const hits = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(CANARY_NAME)) : [];
          reached += hits.length;
          p.check(hits.length === 0, `CANARY FOUND in ${dir}: ${hits.join(', ')}`);
        }
      });
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(CANARY, { force: true });
  }
  return {
    figure: `${refused} refused, ${reached} reached a shell (of ${total} hostile inputs: ${atConstruction} refused at construction, ${atSynth} at app.synth(), ` +
      `${total - refused} accepted; canary absent after the corpus and after a real apply/destroy of a lab with payload-carrying ids${legitOk ? '' : ' — that apply FAILED'}; ` +
      `positive control: ${controls} payloads do create it in a naive shell)`,
    pass: p.ok && refused === total && reached === 0 && legitOk,
    details: p.details,
  };
}
