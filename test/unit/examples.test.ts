/**
 * Snapshot and plan-hygiene tests of every example stack, on both backends.
 *
 * A stack synthesizes three resources of the backend's type: `cdktf-netns/Teardown`
 * (its Terraform id is the deployment's identity; its destroy step removes what
 * the deployment's record lists), `cdktf-netns/Lab` (its create step reconciles
 * the kernel with the data file; its triggers carry the lab's identity, the
 * deployment (the Teardown's id), the hashes of the engine and of the data file,
 * and the data lines grouped per home namespace) and `cdktf-netns/Seal` (the
 * final step of an apply: it finishes an interrupted one; replaced with the
 * unit). `app.synth()` also writes the engine's files and the data file beside
 * the stack's plan.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { DATA_FILE, ENGINE_DIR, engineFiles, INTENTS_FILE, sha256 } from '../../lib/engine/files';
import { RESERVED_TRIGGERS } from '../../lib/engine/plan-reader';
import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { BridgeLanStack } from '../../examples/bridge-lan/stack';
import { EdgeStack } from '../../examples/edge/stack';
import { HostRouterStack } from '../../examples/host-router/stack';
import { VethHostStack } from '../../examples/veth-host/stack';
import { VlanStack } from '../../examples/vlan/stack';
import { WanStack } from '../../examples/wan/stack';
import { WorkshopStack } from '../../examples/workshop/stack';
import { BACKENDS, dataText, fullSynth, intentsText, localExecs, resources, templateExpressions, testApp, writtenData } from '../support/helpers';

setupNetnsMatchers();

type StackClass = new (scope: Construct, id: string) => TerraformStack;

/** A locally administered unicast MAC, as the library derives them (lib/core/settings.ts macOf). */
const MAC = /^02(:[0-9a-f]{2}){5}$/;

const addressesOf = (plan: NetnsPlan, sel: string) => plan.findAll(sel).map((o) => o.values.cidr);

const EXAMPLES: Array<[string, StackClass, (plan: NetnsPlan) => void]> = [
  [
    'veth-host',
    VethHostStack,
    (plan) => {
      expect(plan).toCreateNamespace('ns_web');
      expect(plan).toCreateInterface('veth-host', 'host');
      expect(plan).toCreateInterface('veth-guest', 'ns_web');
      expect(plan.get('veth:veth-guest').values).toEqual({
        ns_a: '-',
        if_a: 'veth-host',
        ns_b: 'ns_web',
        if_b: 'veth-guest',
        marker: 'cdktf-netns:veth-host/link',
        mtu_a: '-',
        mtu_b: '-',
        mac_a: expect.stringMatching(MAC),
        mac_b: expect.stringMatching(MAC),
      });
      expect(plan.get('veth:veth-guest').values.mac_a).not.toBe(plan.get('veth:veth-guest').values.mac_b);
      expect(addressesOf(plan, 'addresses:ns_web/veth-guest')).toEqual(['10.10.10.2/24']);
      expect(addressesOf(plan, 'addresses:host/veth-host')).toEqual(['10.10.10.1/24']);
      expect(plan.objects.map((o) => o.kind).sort()).toEqual(['addr', 'addr', 'ns', 'veth']);
    },
  ],
  [
    'bridge-lan',
    BridgeLanStack,
    (plan) => {
      expect(plan).toCreateInterface('br0', 'host');
      expect(plan.get('bridge:br0').values).toMatchObject({ ns: '-', vlan_filtering: '0', mtu: '-', mac: expect.stringMatching(MAC) });
      expect(addressesOf(plan, 'addresses:host/br0')).toEqual(['192.168.100.1/24']);
      // one port given by the veth end's `bridge` prop, one added later with addPort()
      expect(plan.get('port:veth-web-br').values).toEqual({ ns: '-', if: 'veth-web-br', master: 'br0', vlans: '-' });
      expect(plan.get('port:host/veth-db-br').values).toEqual({ ns: '-', if: 'veth-db-br', master: 'br0', vlans: '-' });
      expect(plan.findAll('addresses:host/veth-web-br')).toEqual([]);
    },
  ],
  [
    'host-router',
    HostRouterStack,
    (plan) => {
      expect(plan.get('sysctl:net.ipv4.ip_forward').values).toMatchObject({ key: 'net.ipv4.ip_forward', value: '1' });
      expect(plan.findAll('sysctl:net.ipv6.conf.all.forwarding')).toEqual([]);
      expect(plan).toCreateRoute('ns_web', '10.0.2.0/24', '10.0.1.1');
      expect(plan).toCreateRoute('ns_db', '10.0.1.0/24', '10.0.2.1');
      expect(plan.get('route:ns_web/10.0.2.0/24').values.family).toBe('4');
      expect(plan).toCreateInterface('veth-web-host', 'host');
    },
  ],
  [
    'workshop',
    WorkshopStack,
    (plan) => {
      expect(plan.get('sysctl:router/net.ipv4.ip_forward').values.value).toBe('1');
      expect(plan.findAll('sysctl:sales/net.ipv4.ip_forward')).toEqual([]);
      expect(plan).toCreateRoute('sales', 'default', '172.16.10.1');
      expect(plan).toCreateRoute('dev', 'default', '172.16.20.1');
      // what the lab is for: sales reaches dev through the router, and back
      expect(plan).toDeclareIntent('sales', '172.16.20.10', { via: '172.16.10.1', protocol: 'icmp' });
      expect(plan).toDeclareIntent('dev', '172.16.10.10', { via: '172.16.20.1' });
      expect(plan).not.toDeclareIntent('sales', '172.16.20.10', { expect: 'unreachable' });
      expect(plan.intents).toHaveLength(2);
      expect(addressesOf(plan, 'addresses:router/veth-s-rtr')).toEqual(['172.16.10.1/24']);
      expect(
        plan.objects
          .filter((o) => o.kind === 'ns')
          .map((o) => o.values.name)
          .sort(),
      ).toEqual(['dev', 'router', 'sales']);
    },
  ],
  [
    'vlan',
    VlanStack,
    (plan) => {
      for (const ns of ['sales1', 'sales2', 'dev1', 'router']) expect(plan).toCreateNamespace(ns);
      expect(plan).toDeclareIntent('dev1', '10.0.10.11', { via: '10.0.20.1' });
      expect(plan).toDeclareIntent('sales1', '10.0.10.12');
      expect(plan.get('bridge:br-lan').values.vlan_filtering).toBe('1');
      expect(plan.get('port:sales1-p').values).toEqual({ ns: '-', if: 'sales1-p', master: 'br-lan', vlans: 'p10u' });
      expect(plan.get('port:sales2-p').values).toMatchObject({ master: 'br-lan', vlans: 'p10u' });
      expect(plan.get('port:dev1-p').values).toMatchObject({ master: 'br-lan', vlans: 'p20u' });
      expect(plan.get('port:rtr-p').values).toMatchObject({ master: 'br-lan', vlans: 't10,t20' });
      expect(plan.get('vlan:rtr-trunk.10').values).toMatchObject({ ns: 'router', parent: 'rtr-trunk', vid: '10' });
      expect(plan.get('vlan:rtr-trunk.20').values).toMatchObject({ ns: 'router', parent: 'rtr-trunk', vid: '20' });
      expect(addressesOf(plan, 'addresses:router/rtr-trunk.10')).toEqual(['10.0.10.1/24']);
      expect(plan).toCreateRoute('dev1', 'default', '10.0.20.1');
      expect(plan).toCreateRoute('sales2', 'default', '10.0.10.1');
    },
  ],
  [
    'wan',
    WanStack,
    (plan) => {
      for (const ns of ['hq', 'branch']) expect(plan).toCreateNamespace(ns);
      expect(plan.get('qdisc:hq/wan-hq').values).toMatchObject({ delay_us: '40000', jitter_us: '5000', loss_mpct: '10000', rate_kbit: '-' });
      expect(plan.get('qdisc:branch/wan-br').values).toMatchObject({ delay_us: '-', loss_mpct: '-', rate_kbit: '10000' });
      expect(plan).toRunAfter('qdisc:wan-hq', 'veth:wan-hq');
      expect(plan).toDeclareIntent('branch', '10.80.0.1');
    },
  ],
  [
    'edge',
    EdgeStack,
    (plan) => {
      for (const ns of ['gw', 'internet', 'lan1', 'web']) expect(plan).toCreateNamespace(ns);
      // one table's worth of rules in gw: two drop policies, their allows, the NAT and the forward with its opening
      expect(plan.findAll('nft:gw/input/policy').map((o) => o.values.action)).toEqual(['drop']);
      expect(plan.findAll('nft:gw/forward/policy').map((o) => o.values.action)).toEqual(['drop']);
      expect(plan.get('nft:gw/input/firewall.input.0').values).toMatchObject({ proto: 'icmp', iif: 'br-lan', action: 'accept' });
      expect(plan.get('nft:gw/forward/firewall.forward.0').values).toMatchObject({ iif: 'br-lan', oif: 'wan', action: 'accept' });
      expect(plan.get('nft:gw/postrouting/nat.masq').values).toMatchObject({ oif: 'wan', action: 'masquerade' });
      expect(plan.get('nft:gw/prerouting/web-8080.dnat').values).toMatchObject({
        proto: 'tcp',
        to: '203.0.113.1',
        ports: '8080',
        action: 'dnat',
        toaddr: '192.168.1.20',
        toport: '80',
      });
      expect(plan.get('nft:gw/forward/web-8080.open').values).toMatchObject({ proto: 'tcp', to: '192.168.1.20', ports: '80', action: 'dnatok' });
      expect(plan.objects.filter((o) => o.kind === 'nft').every((o) => o.values.ns === 'gw')).toBe(true);
      expect(plan).toDeclareIntent('lan1', '203.0.113.10', { via: '192.168.1.1' });
      expect(plan).toDeclareIntent('internet', '203.0.113.1', { expect: 'unreachable' });
    },
  ],
];

/** Every object (at any depth) with the given key, with its value. */
function findKey(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v);
      findKey(v, key, out);
    }
  }
  return out;
}

/** Every string (at any depth) of a document. */
function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (node && typeof node === 'object') for (const v of Object.values(node)) strings(v, out);
  return out;
}

/** The plan with the engine's hash replaced by a placeholder (checked on its own: the snapshot need not change with every engine edit). */
function withEngineRef(doc: any): any {
  return JSON.parse(JSON.stringify(doc, (key, value) => (key === 'engine' && value === engineFiles().hash ? '<engineFiles().hash>' : value)));
}

/** Every file under a directory, relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? listFiles(join(dir, f)).map((g) => `${f}/${g}`) : [f]))
    .sort();
}

const ABSOLUTE = /\/(work|home|tmp|root|usr|opt|var\/folders)\//;

describe.each(EXAMPLES)('example %s', (name, Stack, expectations) => {
  test('its data file matches the snapshot, and is the same on both backends', () => {
    const texts = BACKENDS.map((b) => dataText(new Stack(testApp(b), name)));
    expect(texts[1]).toBe(texts[0]);
    expect(texts[0]).toMatchSnapshot();
  });

  describe.each(BACKENDS)('%s backend', (backend) => {
    const attr = backend === 'null_resource' ? 'triggers' : 'triggers_replace';
    let json: string;
    let doc: any;
    let plan: NetnsPlan;
    let data: string;
    let intents: string | undefined;
    beforeAll(() => {
      const stack = new Stack(testApp(backend), name);
      json = Testing.synth(stack, true);
      doc = JSON.parse(json);
      plan = NetnsPlan.fromJson(json);
      data = dataText(stack);
      intents = intentsText(stack);
    });
    /** The seal's command: finish the apply, then (when the lab declares intents) probe them. */
    const sealCommand = () =>
      `sh cdktf-netns/engine/engine.sh seal cdktf-netns/lab.data \${self.${attr}.data} \${self.${attr}.deployment}` +
      (intents === undefined ? '' : ` && sh cdktf-netns/engine/engine.sh check cdktf-netns/intents.data \${self.${attr}.intents_hash}`);

    test('matches the snapshot', () => {
      expect(withEngineRef(doc)).toMatchSnapshot();
    });

    test('declares the expected kernel objects', () => {
      expect(plan.lab).toBeDefined();
      expect(plan.objects.length).toBeGreaterThan(0);
      expect(plan.objects.every((o) => o.address === plan.lab!.unit)).toBe(true);
      expectations(plan);
    });

    /** The three lab resources of the plan, by role. */
    const labResources = () => {
      const rs = resources(doc);
      const by = (address: string | undefined) => rs.find((r) => r.address === address)!;
      return { rs, teardown: by(plan.lab!.teardown), unit: by(plan.lab!.unit), seal: by(plan.lab!.seal) };
    };

    test('synthesizes exactly three resources: the teardown, the lab unit after it, and the seal after the unit', () => {
      const { rs, teardown, unit, seal } = labResources();
      expect(rs.map((r) => r.type)).toEqual([backend, backend, backend]);
      expect([teardown, unit, seal].every(Boolean)).toBe(true);
      expect(unit.address).toMatch(new RegExp(`^${backend}\\.cdktf-netns_Lab_[0-9A-F]{8}$`));
      expect(teardown.address).toMatch(new RegExp(`^${backend}\\.cdktf-netns_Teardown_[0-9A-F]{8}$`));
      expect(seal.address).toMatch(new RegExp(`^${backend}\\.cdktf-netns_Seal_[0-9A-F]{8}$`));
      expect(new Set(rs.map((r) => r.address))).toEqual(new Set([teardown.address, unit.address, seal.address]));
      // Teardown <- Lab <- Seal
      expect(teardown.body.depends_on).toBeUndefined();
      expect(unit.body.depends_on).toEqual([teardown.address]);
      expect(seal.body.depends_on).toEqual([unit.address]);
    });

    test('each resource has exactly one provisioner: constant text and self references only', () => {
      const { teardown, unit, seal } = labResources();
      expect(localExecs(unit.body)).toEqual([
        {
          command: `sh cdktf-netns/engine/engine.sh apply cdktf-netns/lab.data \${self.${attr}.data} \${self.${attr}.deployment}`,
          interpreter: ['/bin/sh', '-c'],
        },
      ]);
      expect(localExecs(teardown.body)).toEqual([
        {
          command: `sh cdktf-netns/engine/engine.sh destroy \${self.${attr}.state} \${self.${attr}.lab} \${self.id}`,
          interpreter: ['/bin/sh', '-c'],
          when: 'destroy',
        },
      ]);
      expect(localExecs(seal.body)).toEqual([{ command: sealCommand(), interpreter: ['/bin/sh', '-c'] }]);
      for (const r of [unit, teardown, seal]) expect(r.body.provisioner).toHaveLength(1);
    });

    test('every ${...} of a provisioner is a reference to a trigger of its own resource (or its own id)', () => {
      let refs = 0;
      for (const r of resources(doc)) {
        for (const le of localExecs(r.body)) {
          for (const s of strings(le)) {
            for (const e of templateExpressions(s)) {
              refs++;
              if (e === 'self.id') continue;
              const m = /^self\.([a-z_]+)\.([a-z_]+)$/.exec(e);
              expect(m).not.toBeNull();
              expect(m![1]).toBe(attr);
              expect(Object.keys(r.body[attr])).toContain(m![2]);
            }
            // nothing else Terraform would evaluate: no directives, no other interpolation
            expect(s.replace(/\$\{self\.[a-z_]+\.[a-z_]+\}|\$\{self\.id\}/g, '')).not.toMatch(/[$%]\{/);
          }
        }
      }
      // unit: data, deployment; teardown: state, lab, id; seal: data, deployment (and intents_hash)
      expect(refs).toBe(intents === undefined ? 7 : 8);
    });

    test("the seal: the deployment, the unit's id and the data hash, and the intents' lines and hash, nothing else", () => {
      const { teardown, unit, seal } = labResources();
      const intentKeys = intents === undefined ? {} : { intents: plan.intents.map((i) => i.line).join('\n'), intents_hash: sha256(intents) };
      expect(seal.body[attr]).toEqual({
        deployment: `\${${teardown.address}.id}`,
        unit: `\${${unit.address}.id}`,
        data: sha256(data),
        ...intentKeys,
      });
      expect(plan.intents.length > 0).toBe(intents !== undefined);
      // replaced exactly when the unit is (its triggers name the unit's id), and the data it finishes is the unit's
      expect(seal.body[attr].data).toBe(unit.body[attr].data);
      expect(seal.body[attr].deployment).toBe(unit.body[attr].deployment);
    });

    test('the triggers: the lab identity on both, the deployment, the engine and data hashes and one key per home namespace on the unit', () => {
      const unit = doc.resource[backend][plan.lab!.unit.split('.')[1]][attr];
      const teardown = doc.resource[backend][plan.lab!.teardown!.split('.')[1]][attr];
      expect(Object.keys(teardown).sort()).toEqual(['lab', 'owner', 'state']);
      expect(teardown).toEqual({ lab: unit.lab, owner: `cdktf-netns:${name}/`, state: '/run/cdktf-netns' });
      // the deployment is the Teardown's Terraform id (born at the first apply)
      expect(unit.deployment).toBe(`\${${plan.lab!.teardown}.id}`);
      expect(RESERVED_TRIGGERS).toContain('deployment');
      expect(unit.lab).toMatch(/^[0-9a-f]{16}$/);
      expect(unit.engine).toBe(engineFiles().hash);
      expect(unit.data).toBe(sha256(data));
      const groups = Object.keys(unit).filter((k) => !RESERVED_TRIGGERS.includes(k));
      for (const k of groups) expect(k).toMatch(/^(host|namespace [A-Za-z0-9_][A-Za-z0-9_.-]*)$/);
      // every data line is in exactly one group, in the data file's order
      const lines = NetnsPlan.fromData(data).objects.map((o) => o.line);
      expect(groups.flatMap((k) => unit[k].split('\n')).sort()).toEqual([...lines].sort());
      for (const k of groups) {
        const group: string[] = unit[k].split('\n');
        expect(group.map((l) => lines.indexOf(l))).toEqual(group.map((l) => lines.indexOf(l)).sort((a, b) => a - b));
      }
    });

    test('NetnsPlan reads the same objects from the plan and from the data file', () => {
      const fromData = NetnsPlan.fromData(data);
      expect(plan.objects.map((o) => o.line).sort()).toEqual(fromData.objects.map((o) => o.line).sort());
      expect(fromData.objects.map((o) => o.key).sort()).toEqual(plan.objects.map((o) => o.key).sort());
    });

    test("no trigger value carries a Terraform template sequence, but for the exact references to the lab's own ids", () => {
      const { rs, teardown, unit, seal } = labResources();
      // the only references a trigger may hold: the deployment (the Teardown's id) on the unit
      // and the seal, the unit's id on the seal; each as the whole value
      const allowed = new Map<string, string>([
        [`${unit.address} deployment`, `\${${teardown.address}.id}`],
        [`${seal.address} deployment`, `\${${teardown.address}.id}`],
        [`${seal.address} unit`, `\${${unit.address}.id}`],
      ]);
      const seen: string[] = [];
      for (const r of rs) {
        for (const [k, v] of Object.entries<string>(r.body[attr])) {
          const key = `${r.address} ${k}`;
          if (allowed.has(key) && v === allowed.get(key)) {
            seen.push(key);
            continue;
          }
          expect([key, v]).toEqual([key, expect.not.stringMatching(/[$%]\{/)]);
        }
      }
      expect(seen.sort()).toEqual([...allowed.keys()].sort());
      // and elsewhere (provisioners, depends_on): self references only
      for (const r of rs) {
        for (const s of strings({ ...r.body, [attr]: undefined })) {
          expect(s.replace(/\$\{self\.[a-z_]+\.[a-z_]+\}|\$\{self\.id\}/g, '')).not.toMatch(/[$%]\{/);
        }
      }
    });

    test('synthesis is deterministic (a fresh app gives byte-identical JSON and data)', () => {
      const stack = new Stack(testApp(backend), name);
      expect(Testing.synth(stack, true)).toBe(json);
      expect(dataText(stack)).toBe(data);
    });

    test('contains no absolute paths of the machine that synthesized it', () => {
      for (const text of [json, data]) {
        expect(text).not.toMatch(ABSOLUTE);
        expect(text).not.toContain(process.cwd());
      }
    });

    test('declares exactly the providers the backend needs', () => {
      const required = doc.terraform?.required_providers ?? {};
      if (backend === 'null_resource') {
        // "null" is Terraform's shorthand for registry.terraform.io/hashicorp/null
        expect(Object.keys(required)).toEqual(['null']);
        expect(required.null?.source).toMatch(/^((registry\.terraform\.io\/)?hashicorp\/)?null$/);
        expect(doc.provider?.null).toHaveLength(1);
        expect(Object.keys(doc.resource)).toEqual(['null_resource']);
      } else {
        expect(required).toEqual({});
        expect(doc.provider).toBeUndefined();
        expect(Object.keys(doc.resource)).toEqual(['terraform_data']);
      }
    });

    test('never uses create_before_destroy', () => {
      expect(findKey(doc, 'create_before_destroy')).toEqual([]);
      expect(json).not.toContain('create_before_destroy');
    });

    test('app.synth() writes the engine files and the data file beside the stack, matching the plan', () => {
      const app = testApp(backend);
      new Stack(app, name);
      const dir = fullSynth(app, name);
      const written = writtenData(dir);
      expect(written).toBe(data);
      // the engine refuses a data file whose sha256 is not the one in the plan
      expect(sha256(written)).toBe(plan.lab!.triggers.data);
      const engineDir = join(dir, ENGINE_DIR);
      const expected = [
        ...engineFiles().files.map((f) => f.path),
        relative(ENGINE_DIR, DATA_FILE),
        ...(intents === undefined ? [] : [relative(ENGINE_DIR, INTENTS_FILE)]),
      ];
      expect(listFiles(engineDir)).toEqual(expected.sort());
      if (intents !== undefined) expect(readFileSync(join(dir, INTENTS_FILE), 'utf8')).toBe(intents);
      for (const f of engineFiles().files) expect(readFileSync(join(engineDir, f.path), 'utf8')).toBe(f.content);
      expect(existsSync(join(dir, 'cdk.tf.json'))).toBe(true);
      const onDisk = readFileSync(join(dir, 'cdk.tf.json'), 'utf8');
      expect(NetnsPlan.fromJson(onDisk).lab!.triggers).toEqual(plan.lab!.triggers);
      // (cdktf's own local backend block holds an absolute state path; what the library writes does not)
      const ours = JSON.stringify(JSON.parse(onDisk).resource);
      expect(ours).not.toMatch(ABSOLUTE);
      expect(ours).not.toContain(process.cwd());
    });
  });
});
