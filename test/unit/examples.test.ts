import { createHash } from 'crypto';
/**
 * Snapshot and plan-hygiene tests of every example stack, on both backends.
 */
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Backend } from '../../lib';
import { NetnsPlan, setupNetnsMatchers } from '../../lib/testing';
import { BridgeLanStack } from '../../examples/bridge-lan/stack';
import { HostRouterStack } from '../../examples/host-router/stack';
import { VethHostStack } from '../../examples/veth-host/stack';
import { VlanStack } from '../../examples/vlan/stack';
import { WorkshopStack } from '../../examples/workshop/stack';
import { BACKENDS, localExecs, resources, templateExpressions, testApp } from './helpers';

setupNetnsMatchers();

type StackClass = new (scope: Construct, id: string) => TerraformStack;

const EXAMPLES: Array<[string, StackClass, (plan: NetnsPlan) => void]> = [
  ['veth-host', VethHostStack, (plan) => {
    expect(plan).toCreateNamespace('ns_web');
    expect(plan).toCreateInterface('veth-host', 'host');
    expect(plan).toCreateInterface('veth-guest', 'ns_web');
    expect(plan.get('addresses:ns_web/veth-guest').triggers.addrs).toBe('10.10.10.2/24');
  }],
  ['bridge-lan', BridgeLanStack, (plan) => {
    expect(plan).toCreateInterface('br0', 'host');
    expect(plan.get('veth:veth-web-br').triggers.master_b).toBe('br0');
    expect(plan.get('veth:veth-db-br').triggers.master_b).toBe('br0');
  }],
  ['host-router', HostRouterStack, (plan) => {
    expect(plan.get('sysctl:net.ipv4.ip_forward').triggers.value).toBe('1');
    expect(plan).toCreateRoute('ns_web', '10.0.2.0/24', '10.0.1.1');
    expect(plan).toCreateRoute('ns_db', '10.0.1.0/24', '10.0.2.1');
  }],
  ['workshop', WorkshopStack, (plan) => {
    expect(plan.get('namespace:router').triggers.sysctls).toBe('net.ipv4.ip_forward=1');
    expect(plan).toCreateRoute('sales', 'default', '172.16.10.1');
    expect(plan).toCreateRoute('dev', 'default', '172.16.20.1');
  }],
  ['vlan', VlanStack, (plan) => {
    for (const ns of ['sales1', 'sales2', 'dev1', 'router']) expect(plan).toCreateNamespace(ns);
    expect(plan.get('bridge:br-lan').triggers.vlan_filtering).toBe('1');
    expect(plan.get('veth:sales1-p').triggers).toMatchObject({ master_b: 'br-lan', master_b_vlans: 'p10u' });
    expect(plan.get('veth:dev1-p').triggers).toMatchObject({ master_b: 'br-lan', master_b_vlans: 'p20u' });
    expect(plan.get('veth:rtr-p').triggers).toMatchObject({ master_b: 'br-lan', master_b_vlans: 't10 t20' });
    expect(plan.get('vlan:rtr-trunk.10').triggers).toMatchObject({ parent: 'rtr-trunk', vid: '10', ns: 'router' });
    expect(plan).toCreateRoute('dev1', 'default', '10.0.20.1');
  }],
];

function synth(Stack: StackClass, name: string, backend: Backend): string {
  return Testing.synth(new Stack(testApp(backend), name), true);
}

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

/** The plan with every provisioner command replaced by `<script sha256:...>`. */
function withScriptRefs(d: any): any {
  return JSON.parse(JSON.stringify(d, (key, value) =>
    (key === 'command' && typeof value === 'string' ? `<script sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}>` : value)));
}

test('the distinct provisioner scripts (referenced by hash from the plan snapshots)', () => {
  const scripts = new Map<string, string>();
  for (const [name, Stack] of EXAMPLES.map((e) => [e[0], e[1]] as const)) {
    const d = JSON.parse(synth(Stack, name, 'terraform_data'));
    for (const res of Object.values<any>(d.resource.terraform_data)) {
      for (const p of res.provisioner ?? []) {
        const cmd = p['local-exec'].command as string;
        scripts.set(`sha256:${createHash('sha256').update(cmd).digest('hex').slice(0, 16)} (${res.triggers_replace.kind}${p['local-exec'].when === 'destroy' ? ', destroy' : ''})`, cmd);
      }
    }
  }
  expect(Object.fromEntries([...scripts].sort(([a], [b]) => a.localeCompare(b)))).toMatchSnapshot();
});

describe.each(EXAMPLES)('example %s', (name, Stack, expectations) => {
  describe.each(BACKENDS)('%s backend', (backend) => {
    let json: string;
    let doc: any;
    beforeAll(() => {
      json = synth(Stack, name, backend);
      doc = JSON.parse(json);
    });

    test('matches the snapshot', () => {
      // The scripts are constant text shared by every resource of a kind: snapshot each distinct
      // script once (scripts.test.ts checks them), and in the plan only a reference to it.
      expect(withScriptRefs(doc)).toMatchSnapshot();
    });

    test('declares the expected kernel objects', () => {
      const plan = NetnsPlan.fromJson(json);
      expect(plan.objects.every((o) => o.address.startsWith(`${backend}.`))).toBe(true);
      expectations(plan);
    });

    test('synthesis is deterministic (a fresh app gives byte-identical JSON)', () => {
      expect(synth(Stack, name, backend)).toBe(json);
    });

    test('contains no absolute paths of the machine that synthesized it', () => {
      expect(json).not.toMatch(/\/(work|home|tmp|root)\//);
    });

    test('declares exactly the providers the backend needs', () => {
      const required = doc.terraform?.required_providers ?? {};
      if (backend === 'null_resource') {
        // "null" is Terraform's shorthand for registry.terraform.io/hashicorp/null
        expect(required.null?.source).toMatch(/^((registry\.terraform\.io\/)?hashicorp\/)?null$/);
        expect(doc.provider?.null).toHaveLength(1);
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

    test('destroy provisioners reference only their own resource (self.<triggers>.<key>)', () => {
      const attr = backend === 'null_resource' ? 'triggers' : 'triggers_replace';
      let destroyers = 0;
      for (const r of resources(doc)) {
        for (const le of localExecs(r.body).filter((p) => p.when === 'destroy')) {
          destroyers++;
          expect(templateExpressions(le.command)).toEqual([]);
          for (const value of Object.values<string>(le.environment)) {
            const refs = templateExpressions(value);
            expect(refs).toHaveLength(1);
            const m = /^self\.([a-z_]+)\.([a-z_]+)$/.exec(refs[0]);
            expect(m).not.toBeNull();
            expect(m![1]).toBe(attr);
            expect(r.body[attr]).toHaveProperty(m![2]);
          }
        }
      }
      // every kernel object but the sweep has a destroy action
      expect(destroyers).toBe(NetnsPlan.fromJson(doc).objects.length - 1);
    });

    test('provisioner commands contain no unescaped Terraform template sequence', () => {
      const commands = resources(doc).flatMap((r) => localExecs(r.body).map((p) => p.command as string));
      expect(commands.length).toBeGreaterThan(0);
      for (const c of commands) expect(c).not.toMatch(/(?<![$%])[$%]\{/);
    });
  });
});
